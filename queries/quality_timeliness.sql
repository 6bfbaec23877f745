-- Timeliness (docs/quality.md): every expected cell (indicator, region, quarter; as in
-- quality_completeness) with the first time a value of it was uploaded (the upload history:
-- committed batches that inserted a row of it), its deadline (the quarter's end + $days days)
-- and who should report it: the organisations that reported it there before.
with firsts as (
    select indicator_code, region_code, min(period) as first_period
    from (
        select indicator_code, region_code, period from indicator_values
        union all
        select indicator_code, region_code, period from indicator_targets
    )
    where list_contains(cast($programme_regions as varchar[]), region_code)
    group by all
),

quarters as (
    select unnest(cast($periods as varchar[])) as period
),

uploads as (
    select
        c.row_key ->> 0 as indicator_code,
        c.row_key ->> 1 as period,
        c.row_key ->> 2 as region_code,
        min(b.uploaded_at) as first_uploaded_at
    from upload_changes as c
    join upload_batches as b using (batch_id)
    where c.table_name = 'indicator_values' and c.action = 'insert' and b.status = 'committed'
    group by all
),

reported as (
    select distinct indicator_code, region_code, period from indicator_values
),

reporters as (
    select
        v.indicator_code,
        v.region_code,
        v.period,
        string_agg(distinct coalesce(o.name, v.org_id), '; ' order by coalesce(o.name, v.org_id))
            as organisations
    from indicator_values as v
    left join organisations as o using (org_id)
    where v.org_id <> ''
    group by all
)

select
    f.indicator_code,
    f.region_code,
    g.name_en as region_name,
    q.period,
    period_end(q.period) + cast($days as integer) as deadline,
    r.period is not null as reported,
    u.first_uploaded_at,
    (
        select string_agg(distinct p.organisations, '; ')
        from reporters as p
        where p.indicator_code = f.indicator_code and p.region_code = f.region_code
          and p.period < q.period
    ) as who_reports
from firsts as f
join quarters as q on q.period >= f.first_period and q.period <= $period
left join reported as r
    on r.indicator_code = f.indicator_code and r.region_code = f.region_code
    and r.period = q.period
left join uploads as u
    on u.indicator_code = f.indicator_code and u.region_code = f.region_code
    and u.period = q.period
left join regions as g on g.region_code = f.region_code
order by q.period, f.indicator_code, f.region_code
