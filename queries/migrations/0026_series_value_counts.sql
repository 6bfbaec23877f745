-- How many values of each series (indicator, sex and age group) each quarter holds, value by
-- value: read by the Outliers tab (queries/quality_outliers.sql) and the summary of the
-- stored series an upload's outlier warnings compare with (queries/series_summary.sql),
-- from its stored copy series_value_counts_stored (monitoring/db/stored.py).
--
-- A series' median and median absolute deviation were taken from a list of all its values:
-- at 1,000,000 values PostgreSQL grouped them into lists in one process (0.25 s) and sorted
-- each (0.13 s). Counts add up across quarters where medians do not: the values up to a
-- reporting date are the counts of its quarters summed, and a median is read from a series'
-- distinct values in order with their counts (183,000 rows here at 1,000,000 values, 22,000
-- once summed over the quarters). A write remakes the rows of the indicators and quarters it
-- wrote.
create or replace view series_value_counts as
select indicator_code, sex, age_group, period, value, cast(count(*) as integer) as values_count
from indicator_values
group by indicator_code, sex, age_group, period, value;

-- The stored copy of series_value_counts, made empty here where the database has none yet
-- (a new one), so that the macro below can name it: DuckDB checks a macro's tables when it
-- is made. The upgrade remakes every stored copy from its view after the migrations.
create table if not exists series_value_counts_stored as
select * from series_value_counts where false;

-- Each distinct value of each series (of the indicators `indicators`, a list of codes, NULL:
-- every one), its quarters up to `up_to` (NULL: all), with how many values have it (`c`)
-- and the series' figures: its count (n), two lowest and two highest values, median, median
-- absolute deviation (mad) and, where that is 0, mean absolute deviation (mean_ad; NULL
-- elsewhere). Written once for the Outliers tab (queries/quality_outliers.sql) and the
-- summary of the stored series an upload compares with (queries/series_summary.sql).
-- The value at a position of a series' sorted values is the distinct value whose run of
-- equal values covers it (positions `upto - c` to `upto - 1`, counted from 0); the median
-- halves and adds the two middle ones ((n - 1) / 2 rounded down and up: the same one for an
-- odd count), as DuckDB's median() interpolates them; the MAD the same over each value's
-- absolute deviation from the median. `series_row` is true on one row of each series.
create or replace macro series_deviations(up_to, indicators) as table
with tallied as (
    select indicator_code, sex, age_group, value, cast(sum(values_count) as integer) as c
    from series_value_counts_stored
    where (up_to is null or period <= up_to)
      and (indicators is null or indicator_code = any(indicators))
    group by indicator_code, sex, age_group, value
),

placed as (
    select
        *,
        sum(c) over (
            partition by indicator_code, sex, age_group order by value
            rows between unbounded preceding and current row
        ) as upto,
        sum(c) over (partition by indicator_code, sex, age_group) as n
    from tallied
),

centred as (
    select
        indicator_code,
        sex,
        age_group,
        cast(n as bigint) as n,
        min(value) as lowest,
        max(case when upto - c <= 1 and 1 < upto then value end) as second_lowest,
        max(value) as highest,
        max(case when upto - c <= n - 2 and n - 2 < upto then value end) as second_highest,
        max(case when 2 * (upto - c) <= n - 1 and n - 1 < 2 * upto then value end) * 0.5
        + max(case when 2 * (upto - c) <= n and n < 2 * upto then value end) * 0.5 as median
    from placed
    group by indicator_code, sex, age_group, n
),

deviations as (
    select
        m.*,
        t.value,
        t.c,
        abs(t.value - m.median) as d,
        sum(t.c) over (
            partition by t.indicator_code, t.sex, t.age_group order by abs(t.value - m.median)
            rows between unbounded preceding and current row
        ) as upto
    from tallied as t
    join centred as m using (indicator_code, sex, age_group)
),

measured as (
    select
        *,
        max(case when 2 * (upto - c) <= n - 1 and n - 1 < 2 * upto then d end) over (
            partition by indicator_code, sex, age_group
        ) * 0.5
        + max(case when 2 * (upto - c) <= n and n < 2 * upto then d end) over (
            partition by indicator_code, sex, age_group
        ) * 0.5 as mad,
        sum(c * d) over (partition by indicator_code, sex, age_group) / n as mean_ad
    from deviations
)

-- `upto = n`: one row of each series (the last of its values by deviation), for those who
-- want the series' figures only.
select
    indicator_code,
    sex,
    age_group,
    value,
    c,
    n,
    lowest,
    second_lowest,
    highest,
    second_highest,
    median,
    mad,
    case when mad = 0 then mean_ad end as mean_ad,
    upto = n as series_row
from measured;
