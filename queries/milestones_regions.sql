-- Regions a milestone can be filtered by: the programme's regions and any other region a
-- milestone names, with their English names; '' (no region) when some milestone has none.
-- Parameters: $programme_regions (list of region codes).
with used as (
    select distinct coalesce(region_code, '') as region_key
    from milestones
    union
    select unnest(cast($programme_regions as varchar[]))
),

final as (
    select
        u.region_key,
        r.name_en as region_name,
        list_contains(cast($programme_regions as varchar[]), u.region_key) as in_programme
    from used as u
    left join regions as r on r.region_code = u.region_key
)

select *
from final
order by region_key = '', not in_programme, region_name, region_key
