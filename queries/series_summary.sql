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
-- Shape: the table macro series_deviations (migration 0026), which reads each series'
-- figures from the counts of its distinct values (series_value_counts_stored), as the
-- Outliers tab does (quality_outliers.sql), instead of grouping a list of every value.
-- $indicators is a list of codes, not a join to the staged rows: PostgreSQL plans it from
-- its statistics.
select
    indicator_code,
    sex,
    age_group,
    n,
    lowest,
    second_lowest,
    highest,
    second_highest,
    median,
    mad,
    mean_ad
from series_deviations(null, $indicators)
where series_row
