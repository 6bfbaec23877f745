-- Outliers (docs/quality.md): every value up to $period against its indicator's series (the
-- same indicator, sex and age group, up to $period) by the modified z-score
-- 0.6745 (x - median) / MAD, MAD the median absolute deviation (where MAD is 0: the mean
-- absolute deviation x 1.2533 instead, as Iglewicz and Hoaglin suggest); flagged beyond
-- $threshold, or outside the indicator's min_value / max_value.
with series as (
    select v.*, i.min_value, i.max_value
    from indicator_values as v
    join indicators as i using (indicator_code)
    where v.period <= $period
),

centre as (
    select indicator_code, sex, age_group, median(value) as median, count(*) as n
    from series
    group by all
),

spread as (
    select
        s.indicator_code,
        s.sex,
        s.age_group,
        median(abs(s.value - c.median)) as mad,
        avg(abs(s.value - c.median)) as mean_ad
    from series as s
    join centre as c using (indicator_code, sex, age_group)
    group by all
),

scored as (
    select
        s.indicator_code,
        s.period,
        s.region_code,
        s.org_id,
        s.sex,
        s.age_group,
        s.value,
        c.median,
        c.n,
        s.min_value,
        s.max_value,
        case
            when c.n < 5 then null
            when d.mad > 0 then 0.6745 * (s.value - c.median) / d.mad
            when d.mean_ad > 0 then (s.value - c.median) / (1.2533 * d.mean_ad)
        end as z
    from series as s
    join centre as c using (indicator_code, sex, age_group)
    join spread as d using (indicator_code, sex, age_group)
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
