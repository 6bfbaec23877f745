-- Timeliness (docs/quality.md): every expected cell (indicator, region, quarter up to $period;
-- as in quality_completeness) with its deadline (the quarter's end + $days days), the first
-- time a value of it was uploaded (the upload history: committed batches that inserted a row
-- of it, upload_batch_cells of migration 0016), its status as of $today and days late (the
-- statuses of monitoring/quality/timeliness.py), and, for late and missing values, who
-- should report it: the organisations that reported it there in an earlier quarter (names
-- sorted). The cells with a value are read from the stored copy of reported_cells, each
-- organisation's first report of an indicator in a region from that of
-- organisation_first_reports.
with reported as (
    select indicator_code, region_code, period from reported_cells_stored
),

firsts as (
    select indicator_code, region_code, min(period) as first_period
    from (
        select indicator_code, region_code, period from reported
        union all
        select indicator_code, region_code, period from indicator_targets
    )
    where list_contains(cast($programme_regions as varchar[]), region_code)
    group by all
),

quarters as (
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
        r.period is not null as reported,
        u.first_uploaded_at
    from firsts as f
    join quarters as q on q.period >= f.first_period
    left join reported as r
        on r.indicator_code = f.indicator_code and r.region_code = f.region_code
        and r.period = q.period
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

-- Each organisation's first report of an indicator in a region; then, per quarter in which
-- one or more of them first reported it, everyone who had reported it by then.
reporters as (
    select
        indicator_code,
        region_code,
        first_period,
        list_sort(list_distinct(reported_by)) as organisations
    from (
        select
            f.indicator_code,
            f.region_code,
            f.first_period,
            list(coalesce(o.name, f.org_id)) over (
                partition by f.indicator_code, f.region_code order by f.first_period
            ) as reported_by
        from organisation_first_reports_stored as f
        left join organisations as o on o.org_id = f.org_id
        qualify row_number() over (
            partition by f.indicator_code, f.region_code, f.first_period
        ) = 1
    ) as r
),

-- For each late or missing cell, the reporters as of the latest quarter before it in which
-- someone first reported (a plain join and the latest kept: an indicator and region have a
-- few such quarters, and PostgreSQL would scan them all once per cell for an ASOF JOIN).
who as (
    select
        j.indicator_code,
        j.region_code,
        j.period,
        array_to_string(p.organisations, '; ') as who_reports
    from (select * from judged where status in ('late', 'missing')) as j
    join reporters as p
        on p.indicator_code = j.indicator_code and p.region_code = j.region_code
        and j.period > p.first_period
    qualify row_number() over (
        partition by j.indicator_code, j.region_code, j.period order by p.first_period desc
    ) = 1
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
    w.who_reports
from judged as j
left join who as w
    on w.indicator_code = j.indicator_code and w.region_code = j.region_code
    and w.period = j.period
left join regions as g on g.region_code = j.region_code
order by j.period, j.indicator_code, j.region_code
