-- Warnings of an upload of indicator_values (temp table upload_rows): new or changed values
-- that are outliers against the stored series of their indicator, sex and age group (at
-- least 5 other values; modified z-score beyond $threshold, as quality_outliers: the macros
-- modified_z and outlier_flagged of migration 0021), or outside the indicator's min_value /
-- max_value (docs/quality.md).
-- A row's series is the stored values of its group less the stored row it replaces (same
-- key), if any. Shape: joining every uploaded row to every stored value of its group costs
-- rows x group size (5 * 10^8 at 100,000 rows, 17 GB); instead a changed row's median and
-- median absolute deviation are read at the middle positions of its group's values in order,
-- moved one on past the place of the value it replaces. The middle of n - 1 values takes at
-- most three values per group, so the deviations are ordered once per group and centre.
-- The values in order are each touched group's distinct values with their counts, summed
-- from the counts kept per quarter (series_value_counts_stored, migration 0026, as the
-- Outliers tab reads them): the value at a position is the one whose run of equal values
-- covers it. Before, every stored value of the touched groups was numbered in order, then
-- its deviation from each centre: a correction of 10,000 of 100,000 stored rows sorted
-- 764,000 values twice, 3.3-4.1 s on PostgreSQL. (tests/unit/test_upload_outlier_query.py
-- pins it to the plain definition.)
-- Each touched group is numbered (gid) and every window and join after it goes by that
-- number, not by the group's three texts.
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

-- Changed rows, each with the stored value it replaces (old): its series is its group less
-- that value. The stored rows of their quarters only are read (PostgreSQL hashed every
-- stored row to look up 10,000: 0.5 s), and the result is kept for the joins below, which
-- the planner otherwise made again from its parts, joined by value before group (840,000
-- rows for 10,000).
changed as materialized (
    select r.* exclude (is_changed), v.value as old
    from rows as r
    join indicator_values as v
        using (indicator_code, period, region_code, org_id, sex, age_group)
    where r.is_changed
        and v.period = any(array(select distinct period from upload_rows where is_changed))
),

groups as (
    select
        indicator_code,
        sex,
        age_group,
        row_number() over (order by indicator_code, sex, age_group) as gid
    from (select distinct indicator_code, sex, age_group from changed) as touched
),

changed_in as materialized (
    select c.*, g.gid
    from changed as c
    join groups as g using (indicator_code, sex, age_group)
),

-- The distinct stored values of each touched group with how many values have each (the
-- counts kept per quarter, series_value_counts_stored, summed), in order: the run of a
-- value covers the positions hi - c + 1 to hi of the group's sorted values (from 1).
runs as materialized (
    select
        gid,
        value,
        c,
        sum(c) over (
            partition by gid order by value rows between unbounded preceding and current row
        ) as hi
    from (
        select g.gid, s.value, cast(sum(s.values_count) as bigint) as c
        from series_value_counts_stored as s
        join groups as g using (indicator_code, sex, age_group)
        group by g.gid, s.value
    ) as tallied
),

sizes as (
    select gid, sum(c) as size
    from runs
    group by gid
),

-- Each row with how many values its series holds (n), the place of the value it replaces
-- (p: the first position of its run; leaving out any one of equal values leaves the same
-- values), and the positions in the group's order of the series' two middle values (a, b;
-- the same one when n is odd): the middle places of n values, moved one on from p.
middles as (
    select
        *,
        (n - 1) // 2 + 1 + ((n - 1) // 2 + 1 >= p)::integer as a,
        n // 2 + 1 + (n // 2 + 1 >= p)::integer as b
    from (
        select r.*, cast(s.size - 1 as bigint) as n, o.hi - o.c + 1 as p
        from changed_in as r
        join sizes as s using (gid)
        join runs as o on o.gid = r.gid and o.value = r.old
    ) as placed
),

-- The values at the positions asked for (a few per group), each found in the run covering it.
middle_values as (
    select w.gid, w.k, r.value
    from (select gid, a as k from middles union select gid, b from middles) as w
    join runs as r on r.gid = w.gid and w.k > r.hi - r.c and w.k <= r.hi
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
    left join middle_values as lo on lo.gid = m.gid and lo.k = m.a
    left join middle_values as hi on hi.gid = m.gid and hi.k = m.b
),

-- Each group's distinct values by their absolute deviation from each centre its rows have
-- (at most three), in order, with the positions their run covers, as above.
deviations as (
    select
        r.gid,
        c.median,
        abs(r.value - c.median) as d,
        r.c,
        sum(r.c) over (
            partition by r.gid, c.median order by abs(r.value - c.median)
            rows between unbounded preceding and current row
        ) as hi
    from runs as r
    join (select distinct gid, median from centred where median is not null) as c using (gid)
),

totals as (
    select gid, median, sum(c * d) as total
    from deviations
    group by gid, median
),

-- The place of the replaced value's deviation (q: the first position of the deviations equal
-- to it, whichever values have them), and the middle positions moved one on from it.
spread as (
    select
        c.*,
        t.total - abs(c.old - c.median) as total,
        (c.n - 1) // 2 + 1 + ((c.n - 1) // 2 + 1 >= q.place)::integer as a,
        c.n // 2 + 1 + (c.n // 2 + 1 >= q.place)::integer as b
    from centred as c
    left join totals as t using (gid, median)
    left join (
        select gid, median, d, min(hi - c + 1) as place
        from deviations
        group by gid, median, d
    ) as q
        on q.gid = c.gid and q.median = c.median and q.d = abs(c.old - c.median)
),

deviation_values as (
    select w.gid, w.median, w.k, v.d
    from (
        select gid, median, a as k from spread where median is not null
        union
        select gid, median, b from spread where median is not null
    ) as w
    join deviations as v
        on v.gid = w.gid and v.median = w.median and w.k > v.hi - v.c and w.k <= v.hi
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
    left join deviation_values as lo on lo.gid = s.gid and lo.median = s.median and lo.k = s.a
    left join deviation_values as hi on hi.gid = s.gid and hi.median = s.median and hi.k = s.b
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
