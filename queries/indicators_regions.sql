-- Regions an indicator view can be filtered by: the programme's regions first (in the
-- order of programme.toml), then any other region with a reported value (the stored copy
-- of the region codes the data uses: no scan of every value).
-- Parameters: $programme_regions (list of region codes); $regions (the regions a viewer may
-- see, a donor link's, or NULL for all).
with programme as (
    select *
    from unnest(cast($programme_regions as varchar[])) with ordinality as u(region_code, position)
),

others as (
    select region_code
    from region_codes_used_stored
    where list_contains(used_in, 'indicator_values')
      and not list_contains($programme_regions, region_code)
),

listed as (
    select region_code, position, true as in_programme from programme
    union all
    select region_code, null, false from others
)

select l.region_code, coalesce(g.name_en, l.region_code) as region_name, l.in_programme
from listed as l
left join regions as g using (region_code)
where $regions is null or list_contains($regions, l.region_code)
order by l.in_programme desc, l.position, region_name
