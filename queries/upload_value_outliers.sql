-- Uploaded indicator values far outside the indicator's earlier values (a warning, not an
-- error). Reads the temp table upload_rows (the checked rows of the file being uploaded).
-- "Far" means beyond the earlier range by more than twice its width (at least 1), judged
-- only where at least three earlier values of the same breakdown exist.
with uploaded as (
    select line, indicator_code, period, region_code, org_id, sex, age_group, value
    from upload_rows
),

earlier as (
    select
        u.line,
        min(v.value) as low,
        max(v.value) as high,
        count(*) as earlier
    from uploaded u
    join indicator_values v
        on v.indicator_code = u.indicator_code
        and v.sex = u.sex
        and v.age_group = u.age_group
        and not (v.period = u.period and v.region_code = u.region_code and v.org_id = u.org_id)
    group by u.line
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
