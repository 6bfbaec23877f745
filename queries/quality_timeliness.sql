-- Timeliness (docs/quality.md): every expected cell (indicator, region, quarter up to $period;
-- from first_expected, migration 0022, as in quality_completeness) with its deadline (the
-- quarter's end + $days days), the first time a value of it was uploaded (the upload
-- history: committed batches that inserted a row of it, upload_batch_cells of migration
-- 0016), its status as of $today and days late (the statuses of
-- monitoring/quality/timeliness.py), and, for late and missing values, who
-- should report it: the organisations that reported it there in an earlier quarter (names
-- sorted). The cells with a value are read from the stored copy of reported_cells, each
-- organisation's first report of an indicator in a region from that of
-- organisation_first_reports.
-- $listed: the statuses whose cells are rows (NULL: every status), the first $first_rows of
-- them in the result's order (NULL: all); the cells that are not rows are counted, one row
-- per status after the listed rows (`cells`, its other columns NULL), so that the sum of
-- `cells` per status is how many cells have it. The Timeliness tab lists the first late and
-- missing values (at 1,000,000 values 11,900 of the 33,554 cells are late or missing) and
-- counts the rest; the quality command counts them all; a download lists every late and
-- missing value.
with quarters as (
    select period, period_end(period) + cast($days as integer) as deadline
    from (select unnest(cast($periods as varchar[])) as period)
    where period <= $period
),

uploads as (
    select c.indicator_code, c.period, c.region_code, min(b.uploaded_at) as first_uploaded_at
    from upload_batch_cells_stored as c
    join upload_batches as b using (batch_id)
    where b.status = 'committed'
    group by all
),

cells as (
    select
        f.indicator_code,
        f.region_code,
        q.period,
        q.deadline,
        -- (a hashed lookup on PostgreSQL, where a join sorted both sides for a merge)
        (f.indicator_code, f.region_code, q.period) in (
            select indicator_code, region_code, period from reported_cells_stored
        ) as reported,
        u.first_uploaded_at
    from first_expected(cast($programme_regions as varchar[])) as f
    join quarters as q on q.period >= f.first_period
    left join uploads as u
        on u.indicator_code = f.indicator_code and u.region_code = f.region_code
        and u.period = q.period
),

judged as (
    select
        *,
        case
            when not reported and deadline < cast($today as date) then 'missing'
            when not reported then 'not due yet'
            when first_uploaded_at is null then 'no upload recorded'
            when cast(first_uploaded_at as date) <= deadline then 'on time'
            else 'late'
        end as status
    from cells
),

listed as (
    select *
    from judged
    where cast($listed as varchar[]) is null
       or list_contains(cast($listed as varchar[]), status)
    order by period, indicator_code, region_code
    limit cast($first_rows as bigint)
),

-- Each organisation's first reports with its name (looked up before the pairs below are
-- made: PostgreSQL probed the organisations' key once per pair, 24,000 times at 1,000,000
-- values, where one hash of them serves).
named_first_reports as materialized (
    select r.indicator_code, r.region_code, r.first_period, coalesce(o.name, r.org_id) as who
    from organisation_first_reports_stored as r
    left join organisations as o on o.org_id = r.org_id
),

-- For each indicator and region, each quarter in which one or more organisations first
-- reported it, with everyone who had reported it there by then (names sorted), until the
-- next such quarter: a late or missing cell then finds its one row by a plain join on that
-- range, with no window over the pairs of cells and quarters before them (PostgreSQL sorted
-- 24,000 of them at 1,000,000 values), and the names are written once per row, not once
-- per cell.
reporters as (
    select
        q.indicator_code,
        q.region_code,
        q.first_period,
        lead(q.first_period) over (
            partition by q.indicator_code, q.region_code order by q.first_period
        ) as next_period,
        string_agg(distinct f.who, '; ' order by f.who) as who_reports
    from (
        select distinct indicator_code, region_code, first_period
        from organisation_first_reports_stored
        -- only where a listed late or missing cell needs them (the tab lists 200 of 33,554
        -- cells at 1,000,000 values: PostgreSQL wrote the names of all 1,907 first quarters,
        -- 140 -> 116-130 ms for the query; DuckDB 63 -> 58)
        where (indicator_code, region_code) in (
            select indicator_code, region_code from listed where status in ('late', 'missing')
        )
    ) as q
    join named_first_reports as f
        on f.indicator_code = q.indicator_code and f.region_code = q.region_code
        and f.first_period <= q.first_period
    group by q.indicator_code, q.region_code, q.first_period
),

counted as (
    select status, count(*) as cells
    from judged
    group by status
),

listed_counts as (
    select status, count(*) as cells
    from listed
    group by status
)

select
    j.indicator_code,
    j.region_code,
    g.name_en as region_name,
    j.period,
    j.deadline,
    j.reported,
    j.first_uploaded_at,
    j.status,
    cast(case j.status
        when 'late' then cast(j.first_uploaded_at as date) - j.deadline
        when 'missing' then cast($today as date) - j.deadline
    end as integer) as days_late,
    p.who_reports,
    cast(1 as bigint) as cells
from listed as j
left join reporters as p
    on j.status in ('late', 'missing')
    and p.indicator_code = j.indicator_code and p.region_code = j.region_code
    and j.period > p.first_period and (p.next_period is null or j.period <= p.next_period)
left join regions as g on g.region_code = j.region_code

union all by name

select c.status, c.cells - coalesce(l.cells, 0) as cells
from counted as c
left join listed_counts as l on l.status = c.status
where c.cells > coalesce(l.cells, 0)

order by period nulls last, indicator_code, region_code, status
