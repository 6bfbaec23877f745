-- Regions a milestone can be filtered by: the programme's regions and any other region a
-- milestone names, with their English names; '' (no region) when some milestone has none.
-- Parameters: $programme_regions (list of region codes); $scope_regions and
-- $hidden_indicators (lists, or NULL) limit them to a donor's view (macro milestone_in_view):
-- the link's programme regions, and the regions of the milestones in view.
with params as (
    select
        cast($programme_regions as varchar[]) as programme_regions,
        cast($scope_regions as varchar[]) as scope_regions
),

used as (
    select distinct coalesce(m.region_code, '') as region_key
    from milestones as m
    where milestone_in_view(
        m.region_code, m.level, m.indicator_code,
        cast($scope_regions as varchar[]), cast($hidden_indicators as varchar[])
    )
    union
    select r.region_key
    from params as p, unnest(p.programme_regions) as r (region_key)
    where p.scope_regions is null or list_contains(p.scope_regions, r.region_key)
),

final as (
    select
        u.region_key,
        r.name_en as region_name,
        list_contains(p.programme_regions, u.region_key) as in_programme
    from used as u
    cross join params as p
    left join regions as r on r.region_code = u.region_key
)

select *
from final
order by region_key = '', not in_programme, region_name, region_key
