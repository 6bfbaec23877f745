-- Warnings of an upload of indicator_values (temp table upload_rows): new or changed values
-- that are outliers against the stored series of their indicator, sex and age group (at
-- least 5 other values; modified z-score beyond $threshold, as quality_outliers: the macros
-- modified_z and outlier_flagged of migration 0021), or outside the indicator's min_value /
-- max_value (docs/quality.md).
-- A row's series is the stored values of its group less the stored row it replaces (same
-- key), if any. Shape: joining every uploaded row to every stored value of its group costs
-- rows x group size (5 * 10^8 at 100,000 rows, 17 GB); instead each touched group is sorted
-- once, and a row's median and median absolute deviation are read at the middle positions of
-- the sorted values, moved one on past the place of the replaced row. The middle of n - 1
-- values takes at most three values per group, so the deviations are sorted once per group
-- and centre. (tests/unit/test_upload_outlier_query.py pins it to the plain definition.)
-- Each touched group is numbered (gid) and every window and join after it goes by that
-- number, not by the group's three texts: PostgreSQL sorts texts in the database's collation
-- (a correction of 10,000 of 100,000 stored rows: 764,000 stored values sorted twice).
-- rows is read by two parts and not materialized: PostgreSQL would copy 100,000 rows to
-- read them once more (at 100,000 new rows 93 ms, reading the table twice 58 ms).
with rows as not materialized (
    select r.line, r.indicator_code, r.period, r.region_code, r.org_id, r.sex, r.age_group,
        r.value, i.min_value, i.max_value, r.is_changed
    from upload_rows as r
    join indicators as i using (indicator_code)
    where r.is_new or r.is_changed
),

-- New rows (their key is not stored): the series is the whole group, summarised once for
-- the upload in the temp table upload_series (series_summary.sql).
new_measured as (
    select r.* exclude (is_changed), coalesce(c.n, 0) as n, c.median, c.mad, c.mean_ad
    from rows as r
    left join upload_series as c using (indicator_code, sex, age_group)
    where not r.is_changed
),

-- Changed rows: the group less the stored value each replaces.
changed as (
    select * exclude (is_changed) from rows where is_changed
),

groups as (
    select
        indicator_code,
        sex,
        age_group,
        row_number() over (order by indicator_code, sex, age_group) as gid
    from (select distinct indicator_code, sex, age_group from changed) as touched
),

changed_in as (
    select c.*, g.gid
    from changed as c
    join groups as g using (indicator_code, sex, age_group)
),

-- The stored values of the touched groups, each with its position k in its group's order and
-- its place (equal values share the first place of their run: leaving out any one of them
-- leaves the same values).
stored as (
    select
        g.gid, v.period, v.region_code, v.org_id, v.value,
        row_number() over (partition by g.gid order by v.value) as k,
        rank() over (partition by g.gid order by v.value) as place
    from indicator_values as v
    join groups as g using (indicator_code, sex, age_group)
),

sizes as (
    select gid, count(*) as size
    from stored
    group by gid
),

-- Each row with how many values its series holds (n), the place of the value it replaces
-- (p; null for a new row), its old value, and the positions in the group's order of the
-- series' two middle values (a, b; the same one when n is odd): the middle places of n
-- values, moved one on from p.
placed as (
    select
        r.*,
        coalesce(s.size, 0) - (o.place is not null)::integer as n,
        o.place as p,
        o.value as old
    from changed_in as r
    left join sizes as s using (gid)
    left join stored as o using (gid, period, region_code, org_id)
),

middles as (
    select
        *,
        (n - 1) // 2 + 1 + (p is not null and (n - 1) // 2 + 1 >= p)::integer as a,
        n // 2 + 1 + (p is not null and n // 2 + 1 >= p)::integer as b
    from placed
),

centred as (
    select
        m.* exclude (a, b),
        -- as median() interpolates: lo * (1 - 0.5) + hi * 0.5
        case
            when m.n = 0 then null
            when m.n % 2 = 1 then lo.value
            else lo.value * 0.5 + hi.value * 0.5
        end as median
    from middles as m
    left join stored as lo on lo.gid = m.gid and lo.k = m.a
    left join stored as hi on hi.gid = m.gid and hi.k = m.b
),

centres as (
    select distinct gid, median
    from centred
    where median is not null
),

-- The absolute deviations of each group's values from each centre its rows have, in order.
deviations as (
    select
        s.gid, s.period, s.region_code, s.org_id, c.median,
        abs(s.value - c.median) as d,
        row_number() over (
            partition by s.gid, c.median order by abs(s.value - c.median)
        ) as k,
        rank() over (
            partition by s.gid, c.median order by abs(s.value - c.median)
        ) as place
    from stored as s
    join centres as c using (gid)
),

totals as (
    select gid, median, sum(d) as total
    from deviations
    group by gid, median
),

-- The same for the deviations: q, the place of the replaced value's deviation.
spread as (
    select
        c.*,
        t.total - coalesce(abs(c.old - c.median), 0) as total,
        (c.n - 1) // 2 + 1 + (q.place is not null and (c.n - 1) // 2 + 1 >= q.place)::integer
            as a,
        c.n // 2 + 1 + (q.place is not null and c.n // 2 + 1 >= q.place)::integer as b
    from centred as c
    left join totals as t using (gid, median)
    left join deviations as q
        on c.p is not null
        and q.gid = c.gid and q.median = c.median and q.period = c.period
        and q.region_code = c.region_code and q.org_id = c.org_id
),

measured as (
    select
        s.* exclude (total, a, b),
        case
            when s.n = 0 then null
            when s.n % 2 = 1 then lo.d
            else lo.d * 0.5 + hi.d * 0.5
        end as mad,
        case when s.n > 0 then s.total / s.n end as mean_ad
    from spread as s
    left join deviations as lo on lo.gid = s.gid and lo.median = s.median and lo.k = s.a
    left join deviations as hi on hi.gid = s.gid and hi.median = s.median and hi.k = s.b
),

scored as (
    select
        line, indicator_code, period, region_code, org_id, sex, age_group, value, min_value,
        max_value, median, nullif(n, 0) as n,
        modified_z(value, n, median, mad, mean_ad) as z
    from (
        select * from new_measured
        union all by name
        select * exclude (gid, p, old) from measured
    )
)

select *
from scored
where outlier_flagged(z, value, $threshold, min_value, max_value)
order by line
