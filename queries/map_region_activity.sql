-- Per region: its organisations, for the regional map's tooltips and summary. The regions'
-- grant money comes from queries/map_grant_money.sql (level 'region'), the map's one money
-- query, joined on region_code by monitoring/reports/map.py; a region with grant money and
-- no organisation is added there.
-- Parameters:
--   $regions  list of region codes to include, or NULL for all
with organisations_by_region as (
    select
        region_code,
        count(*) as organisations,
        count(*) filter (where lat is null or lon is null) as organisations_without_location
    from organisations
    group by region_code
)

select region_code, organisations, organisations_without_location
from organisations_by_region
where $regions is null or list_contains($regions, region_code)
order by region_code
