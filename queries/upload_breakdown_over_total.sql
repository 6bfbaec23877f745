-- Breakdown rows (by sex, or by age group) of a count that add up to more than their total
-- row, in the data as it would be after the upload (a warning, not an error). Reads the
-- temp table upload_rows (the checked rows of the file being uploaded).
-- upload_rows is named where it is read: PostgreSQL would copy a CTE read three times and
-- read the copy without the table's statistics (at 100,000 rows 0.51-0.68 s, now 0.40-0.48).
-- Only the stored rows of the total/breakdown groups the file touches can matter. They are
-- looked for in the file's quarters ($compared, a list: usually one or two), which
-- PostgreSQL finds by its index of quarters, instead of joining every stored value to the
-- groups. A large file's check runs with PostgreSQL's nested loops off
-- (validation.table_warnings): planned on its own, a file that corrects stored values (its
-- groups' stored rows all there) was joined row by row to the file's rows, 100,000 by
-- 100,000 (7 minutes; by hashing 0.23-0.3 s).
with touched as (
    select distinct indicator_code, period, region_code, org_id
    from upload_rows
),

merged as (
    select indicator_code, period, region_code, org_id, sex, age_group, value, line
    from upload_rows
    union all
    select v.indicator_code, v.period, v.region_code, v.org_id, v.sex, v.age_group, v.value,
           null as line
    from indicator_values v
    semi join touched t using (indicator_code, period, region_code, org_id)
    -- a stored row the file replaces: the key of one of its rows that are not new (a file
    -- of new values replaces none, and the anti join has no rows to look up)
    anti join (select * from upload_rows where not is_new) u
        using (indicator_code, period, region_code, org_id, sex, age_group)
    where v.period = any($compared)
),

counts as (
    select m.*
    from merged m
    join indicators i using (indicator_code)
    where i.unit = 'number'
),

groups as (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        max(value) filter (where sex = 'all' and age_group = 'all') as total,
        sum(value) filter (where sex <> 'all' and age_group = 'all') as by_sex,
        sum(value) filter (where sex = 'all' and age_group <> 'all') as by_age,
        coalesce(
            min(line) filter (where sex = 'all' and age_group = 'all'),
            min(line)
        ) as line
    from counts
    group by indicator_code, period, region_code, org_id
    having min(line) is not null
),

final as (
    select line, indicator_code, period, region_code, org_id, 'sex' as breakdown,
           by_sex as parts, total
    from groups
    where by_sex > total
    union all
    select line, indicator_code, period, region_code, org_id, 'age group' as breakdown,
           by_age as parts, total
    from groups
    where by_age > total
)

select * from final order by line, breakdown
