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
with uploaded as (
    select line, indicator_code, period, region_code, org_id, sex, age_group, value, is_new
    from upload_rows
),

stored as (
    select indicator_code, sex, age_group, n as stored, lowest, second_lowest, highest,
        second_highest
    from upload_series
),

replaced as (
    select u.line, v.value
    from uploaded u
    join indicator_values v using (indicator_code, period, region_code, org_id, sex, age_group)
    where not u.is_new
),

earlier as (
    select
        u.line,
        case when r.value = s.lowest then s.second_lowest else s.lowest end as low,
        case when r.value = s.highest then s.second_highest else s.highest end as high,
        s.stored - case when r.line is null then 0 else 1 end as earlier
    from uploaded u
    join stored s using (indicator_code, sex, age_group)
    left join replaced r using (line)
),

final as (
    select
        u.line,
        u.indicator_code,
        u.value,
        e.low,
        e.high,
        e.earlier
    from uploaded u
    join earlier e using (line)
    where e.earlier >= 3
        and (
            u.value > e.high + 2 * greatest(e.high - e.low, 1)
            or u.value < e.low - 2 * greatest(e.high - e.low, 1)
        )
)

select * from final order by line
