-- Completeness per organisation (docs/quality.md): for each organisation and indicator it
-- reported, the quarters from its first report of it up to $period, and whether it reported.
with firsts as (
    select org_id, indicator_code, min(period) as first_period
    from indicator_values
    where org_id <> '' and period <= $period
    group by all
),

quarters as (
    select unnest(cast($periods as varchar[])) as period
),

reported as (
    select distinct org_id, indicator_code, period from indicator_values where org_id <> ''
)

select
    f.org_id,
    coalesce(o.name, f.org_id) as organisation,
    o.region_code,
    count(*) as expected,
    count(r.period) as reported
from firsts as f
join quarters as q on q.period >= f.first_period and q.period <= $period
left join reported as r
    on r.org_id = f.org_id and r.indicator_code = f.indicator_code and r.period = q.period
left join organisations as o on o.org_id = f.org_id
group by all
order by o.region_code, organisation
