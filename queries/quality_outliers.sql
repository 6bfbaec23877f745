-- Outliers (docs/quality.md): every value up to $period against its indicator's series (the
-- same indicator, sex and age group, up to $period) by the modified z-score
-- 0.6745 (x - median) / MAD, MAD the median absolute deviation (where MAD is 0: the mean
-- absolute deviation x 1.2533 instead, as Iglewicz and Hoaglin suggest); flagged beyond
-- $threshold, or outside the indicator's min_value / max_value (the macros modified_z and
-- outlier_flagged of migration 0021, which an upload's warnings apply too). $indicators: the
-- indicators whose values are judged (a list of codes; NULL: every indicator). Each series
-- is one indicator's, so an indicator's rows are the same whichever others are asked for; the
-- Follow-up tab asks for a few at a time, in order, until it has the first rows it lists
-- (monitoring/quality/outliers.py first_outliers), which PostgreSQL then reads by its index.
-- $first_rows: how many flagged values are rows, the first in the result's order (NULL:
-- all); the others are counted in one row after them (`cells`, its other columns NULL), so
-- that the sum of `cells` is how many values are flagged (each listed row's is 1). The
-- Outliers tab shows the first thousand of them (31,000 at 1,000,000 values): their count is
-- then taken from each series' distinct values and their counts, and only the values of the
-- indicators that hold the first rows are joined back to their series (on PostgreSQL that
-- join of every value took half of the query's time).
-- Each series' median and MAD from its distinct values in order, each with how many values
-- have it (the table macro series_deviations of migration 0026, over the stored copy
-- series_value_counts_stored, its quarters up to $period summed): at 1,000,000 values
-- 22,000 rows where a list of every value was grouped and sorted per series (PostgreSQL
-- grouped them in one process: 0.7 s of the query's 1.0 s; DuckDB 150 ms -> 90 ms in all).
with valued as (
    select v.*, i.min_value, i.max_value
    from series_deviations($period, cast($indicators as varchar[])) as v
    join indicators as i using (indicator_code)
),

spread as (
    select indicator_code, sex, age_group, n, median, mad, mean_ad, min_value, max_value
    from valued
    where series_row
),

-- With $first_rows: how many values of each series are flagged, each distinct value tested
-- by the macros that `scored` and `listed` apply below to the rows (the same test, value for
-- value) and counted as many times as it is held.
counted as (
    select
        indicator_code,
        case when cast($first_rows as bigint) is not null then
            sum(case
                when outlier_flagged(
                    modified_z(value, n, median, mad, mean_ad),
                    value, $threshold, min_value, max_value
                )
                then c else 0 end)
        end as flagged
    from valued
    group by indicator_code, sex, age_group
),

-- The indicators whose values are judged row by row: with $first_rows, those (in code order,
-- the result's first) before which fewer than $first_rows values are flagged. `scored` takes
-- them as a list (= any), not IN (subquery): PostgreSQL then reads their values by its index,
-- where an IN beside the OR stays a filter over every value (0.1 s at 1,000,000 values).
needed as (
    select indicator_code
    from (
        select
            indicator_code,
            sum(flagged) as flagged,
            sum(sum(flagged)) over (
                order by indicator_code rows between unbounded preceding and current row
            ) - sum(flagged) as before
        from counted
        group by indicator_code
    ) as c
    where flagged > 0 and before < cast($first_rows as bigint)
),

-- The values judged one by one, read first (materialized): DuckDB joined every value to its
-- series before the filter by `needed` in one shape of this query (87 ms at 1,000,000
-- values, 15 after), and PostgreSQL, which would fold it into `scored`, judges every value
-- (no $first_rows) in 1.6-1.7 s against 1.4.
judged as materialized (
    select indicator_code, period, region_code, org_id, sex, age_group, value
    from indicator_values
    where period <= $period
      and (cast($indicators as varchar[]) is null
           or indicator_code = any(cast($indicators as varchar[])))
      and (cast($first_rows as bigint) is null
           or indicator_code = any(cast((select list(indicator_code) from needed) as varchar[])))
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
        d.min_value,
        d.max_value,
        modified_z(v.value, d.n, d.median, d.mad, d.mean_ad) as z
    from judged as v
    join spread as d using (indicator_code, sex, age_group)
),

listed as (
    select
        *,
        coalesce(abs(z) > $threshold, false) as beyond_threshold,
        coalesce(value < min_value, false) as below_min,
        coalesce(value > max_value, false) as above_max
    from scored
    where outlier_flagged(z, value, $threshold, min_value, max_value)
    order by indicator_code, period, region_code, org_id, sex, age_group
    limit cast($first_rows as bigint)
)

select *, cast(1 as bigint) as cells
from listed

union all by name

select cast(c.flagged - (select count(*) from listed) as bigint) as cells
from (select sum(flagged) as flagged from counted) as c
where cast($first_rows as bigint) is not null
  and c.flagged > (select count(*) from listed)

order by indicator_code nulls last, period, region_code, org_id, sex, age_group
