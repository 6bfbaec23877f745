-- Outliers (docs/quality.md): every value up to $period against its indicator's series (the
-- same indicator, sex and age group, up to $period) by the modified z-score
-- 0.6745 (x - median) / MAD, MAD the median absolute deviation (where MAD is 0: the mean
-- absolute deviation x 1.2533 instead, as Iglewicz and Hoaglin suggest); flagged beyond
-- $threshold, or outside the indicator's min_value / max_value. $indicators: the indicators
-- whose values are judged (a list of codes; NULL: every indicator). Each series is one
-- indicator's, so an indicator's rows are the same whichever others are asked for; the
-- Follow-up tab asks for a few at a time, in order, until it has the first rows it lists
-- (monitoring/quality/outliers.py first_outliers), which PostgreSQL then reads by its index.
-- Each series' median and MAD from the list of its values (one pass over the values, one join).
-- The median too is taken from the list: grouping by series then needs no sort of every value
-- (PostgreSQL's median is an ordered aggregate, which groups only sorted input: 0.5 s at
-- 1,000,000 values).
with groups as (
    select
        indicator_code,
        sex,
        age_group,
        count(*) as n,
        list(value) as values
    from indicator_values
    where period <= $period
      and (cast($indicators as varchar[]) is null
           or indicator_code = any(cast($indicators as varchar[])))
    group by all
),

centred as (
    select *, list_median(values) as median
    from groups
),

spread as (
    select
        indicator_code,
        sex,
        age_group,
        n,
        median,
        list_median(list_transform(values, lambda x: abs(x - median))) as mad,
        list_avg(list_transform(values, lambda x: abs(x - median))) as mean_ad
    from centred
),

scored as (
    select
        v.indicator_code,
        v.period,
        v.region_code,
        v.org_id,
        v.sex,
        v.age_group,
        v.value,
        d.median,
        d.n,
        i.min_value,
        i.max_value,
        case
            when d.n < 5 then null
            when d.mad > 0 then 0.6745 * (v.value - d.median) / d.mad
            when d.mean_ad > 0 then (v.value - d.median) / (1.2533 * d.mean_ad)
        end as z
    from indicator_values as v
    join spread as d using (indicator_code, sex, age_group)
    join indicators as i using (indicator_code)
    where v.period <= $period
      and (cast($indicators as varchar[]) is null
           or v.indicator_code = any(cast($indicators as varchar[])))
)

select
    *,
    coalesce(abs(z) > $threshold, false) as beyond_threshold,
    coalesce(value < min_value, false) as below_min,
    coalesce(value > max_value, false) as above_max
from scored
where coalesce(abs(z) > $threshold, false)
   or coalesce(value < min_value, false)
   or coalesce(value > max_value, false)
order by indicator_code, period, region_code, org_id, sex, age_group
