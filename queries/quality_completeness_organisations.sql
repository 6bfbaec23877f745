-- Completeness per organisation (docs/quality.md): for each organisation and indicator it
-- reported, the quarters from its first report of it up to $period, and whether it reported.
-- The quarters each organisation reported each indicator in are read from the stored copy of
-- organisation_quarters (one row per organisation, indicator and quarter).
with reported as (
    select org_id, indicator_code, period
    from organisation_quarters_stored
    where period <= $period
),

-- Per organisation and indicator: the quarters it reported, from its first report on.
counted as (
    select
        org_id,
        indicator_code,
        count(*) as reported,
        min(period) as first_period
    from reported
    group by all
),

-- Per organisation and first quarter: how many indicators it first reported then, and in how
-- many quarters it reported them. Each such indicator is expected in every programme quarter
-- from then up to $period: counted once per first quarter (726 at 1,000,000 values), not
-- once per indicator (10,000; on PostgreSQL a subquery each, 40 ms).
per_first as (
    select org_id, first_period, count(*) as indicators, sum(reported) as reported
    from counted
    group by all
),

per_org as (
    select
        f.org_id,
        sum(f.indicators * (select count(*) from unnest(cast($periods as varchar[])) as q(p)
                            where q.p >= f.first_period and q.p <= $period)) as expected,
        sum(f.reported) as reported
    from per_first as f
    group by all
)

select
    p.org_id,
    coalesce(o.name, p.org_id) as organisation,
    o.region_code,
    cast(p.expected as bigint) as expected,
    cast(p.reported as bigint) as reported
from per_org as p
left join organisations as o on o.org_id = p.org_id
order by o.region_code, organisation
