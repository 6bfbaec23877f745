-- Regions the small grants can be filtered by: the programme's regions and any other region
-- a grant is in (its own, else its organisation's), programme regions first.
-- Parameters: $programme_regions (list of region codes from programme.toml).
with grant_regions as (
    select distinct coalesce(g.region_code, o.region_code) as region_code
    from grants as g
    left join organisations as o on o.org_id = g.org_id
)

select
    r.region_code,
    r.name_en as region_name,
    list_contains($programme_regions, r.region_code) as in_programme
from regions as r
where list_contains($programme_regions, r.region_code)
   or r.region_code in (select region_code from grant_regions)
order by not in_programme, region_name
