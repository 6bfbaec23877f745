-- Uploaded indicator values far outside the indicator's earlier values (a warning, not an
-- error). Reads the temp table upload_rows (the checked rows of the file being uploaded).
-- "Far" means beyond the earlier range by more than twice its width (at least 1), judged
-- only where at least three earlier values of the same breakdown exist. The earlier values
-- are the stored values of the same indicator, sex and age group, except the stored row
-- the uploaded row replaces (same key).
-- Shape: each stored group (indicator, sex, age group) is summarised once (count, two
-- lowest, two highest values); leaving out the replaced row then takes the second lowest
-- or highest where it was the lowest or highest. Joining every uploaded row to every stored
-- value of its group instead costs rows x group size (10^9 at 100,000 rows). The summaries
-- are the temp table upload_series (series_summary.sql), made once for both outlier
-- warnings of an upload. Only rows that are not new can replace a stored one.
-- upload_rows is named where it is read: PostgreSQL would copy a CTE read twice and read the
-- copy without the table's statistics (at 100,000 rows 0.20-0.23 s, now 0.07-0.10 s).
-- The stored values replaced are read from the stored rows of their quarters only: on
-- PostgreSQL, which joins an upload's rows by hashing, every stored row was hashed to find
-- 100,000 of them (a correction of 100,000 rows: 0.41 s).
with replaced as (
    select u.line, v.value
    from upload_rows u
    join indicator_values v using (indicator_code, period, region_code, org_id, sex, age_group)
    where not u.is_new
        and v.period = any(array(select distinct period from upload_rows where not is_new))
),

judged as (
    select
        u.line,
        u.indicator_code,
        u.value,
        case when r.value = s.lowest then s.second_lowest else s.lowest end as low,
        case when r.value = s.highest then s.second_highest else s.highest end as high,
        s.n - case when r.line is null then 0 else 1 end as earlier
    from upload_rows u
    join upload_series s using (indicator_code, sex, age_group)
    left join replaced r using (line)
)

select line, indicator_code, value, low, high, earlier
from judged
where earlier >= 3
    and (
        value > high + 2 * greatest(high - low, 1)
        or value < low - 2 * greatest(high - low, 1)
    )
order by line
