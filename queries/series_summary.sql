-- The stored series of each group (indicator, sex, age group) of the indicators $indicators
-- (NULL: of every indicator): how many values it holds, its two lowest and two highest
-- values, its median, its values' median absolute deviation from that median and, where that
-- is 0, their mean absolute deviation (NULL elsewhere).
-- An upload of indicator_values stages it as the temp table upload_series
-- (monitoring/intake/validation.py stage_series), read by both of its outlier warnings
-- (upload_value_outliers.sql, quality_upload_outliers.sql): the stored values are grouped
-- once, not once per warning. Its rows depend on the stored values only, so they are kept
-- per data version (monitoring/db/results.py): the summary of every series is prepared after
-- each write with the data quality checks (monitoring/quality/prepared.py), and a preview
-- then reads it instead of grouping a million values (monitoring/quality/outliers.py
-- series_summary); without it, a preview summarises the series of the indicators it touches.
-- Shape: each group's values as a list, sorted once; its median and deviations are taken
-- from the list, as in quality_outliers.sql, rather than by ordered aggregates, which
-- PostgreSQL groups only after sorting every value. $indicators is a list of codes, not a
-- join to the staged rows: PostgreSQL plans it from its statistics of the stored values.
with listed as (
    select indicator_code, sex, age_group, count(*) as n, list(value) as values
    from indicator_values
    where $indicators is null or list_contains($indicators, indicator_code)
    group by indicator_code, sex, age_group
),

sorted as (
    select indicator_code, sex, age_group, n, list_sort(values) as values
    from listed
),

-- The median read at the middle of the sorted list (the two middle values' mean for an even
-- count), as list_median gives it, without sorting the list again.
centred as (
    select s.*, (s.values[(s.n + 1) // 2] + s.values[s.n // 2 + 1]) / 2 as median
    from sorted as s
),

measured as (
    select
        *,
        list_median(list_transform(values, lambda x: abs(x - median))) as mad
    from centred
)

-- The mean absolute deviation only where the MAD is 0, the one place the outlier warnings
-- use it (NULL elsewhere), as in quality_outliers.sql.
select
    indicator_code,
    sex,
    age_group,
    n,
    values[1] as lowest,
    values[2] as second_lowest,
    values[n] as highest,
    values[n - 1] as second_highest,
    median,
    mad,
    case
        when mad = 0 then list_avg(list_transform(values, lambda x: abs(x - median)))
    end as mean_ad
from measured
