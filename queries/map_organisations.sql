-- Organisations for the regional map: where they are and their latest values. Their grant
-- money comes from queries/map_grant_money.sql (level 'organisation'), the map's one money
-- query, joined on org_id by monitoring/reports/map.py.
-- Parameters:
--   $period   the chosen quarter; values of later quarters are ignored
--   $regions  list of region codes to include, or NULL for all
--   $unnamed_kinds  organisation kinds never named (a donor view), or NULL
-- Position: the organisation's lat/lon; without them, its region's centre from the regions
-- table (located = false, so the map can flag it).
-- latest_values: for each indicator the organisation reported a total row for (sex and
-- age_group 'all'), its latest value up to $period.
with params as (
    select cast($period as varchar) as period
),

orgs as (
    select o.*, r.name_en as region_name, r.lat as region_lat, r.lon as region_lon
    from organisations as o
    left join regions as r using (region_code)
    where $regions is null or list_contains($regions, o.region_code)
),

org_quarters as (
    select v.org_id, v.indicator_code, v.period, v.value
    from indicator_values as v, params
    where v.org_id <> '' and v.sex = 'all' and v.age_group = 'all'
      and v.period <= params.period
),

latest as (
    select distinct on (org_id, indicator_code) org_id, indicator_code, value, period
    from org_quarters
    order by org_id, indicator_code, period desc
),

latest_values as (
    select
        l.org_id,
        list(
            {'indicator_code': l.indicator_code, 'value': l.value, 'period': l.period,
             'unit': i.unit}
            order by l.indicator_code
        ) as latest_values
    from latest as l
    join indicators as i using (indicator_code)
    group by l.org_id
),

final as (
    select
        o.org_id,
        org_shown_name(o.name, o.kind, o.region_name, cast($unnamed_kinds as varchar[])) as name,
        o.kind,
        o.region_code,
        o.region_name,
        o.district,
        o.women_led,
        o.status,
        o.lat is not null and o.lon is not null as located,
        case when o.lat is not null and o.lon is not null then o.lat else o.region_lat end
            as lat,
        case when o.lat is not null and o.lon is not null then o.lon else o.region_lon end
            as lon,
        l.latest_values
    from orgs as o
    left join latest_values as l using (org_id)
)

select *
from final
order by region_code, kind, name
