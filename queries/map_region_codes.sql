-- Every region code the data uses, with the regions table's names and centre where it has
-- the code. The regional map joins these to the boundary file on the ISO 3166-2 code and
-- reports any code or name that does not match instead of dropping it.
-- Parameters: $regions (list of region codes to include, or NULL for all).
-- (distinct per table first: indicator_values has a row per value, millions of them)
with used as (
    select distinct region_code, 'regions' as used_in from regions
    union all
    select distinct region_code, 'organisations' from organisations
    union all
    select distinct region_code, 'indicator_values' from indicator_values
    union all
    select distinct region_code, 'indicator_targets' from indicator_targets
    union all
    select distinct region_code, 'grants' from grants where region_code is not null
    union all
    select distinct region_code, 'milestones' from milestones where region_code is not null
),

codes as (
    select region_code, list(distinct used_in order by used_in) as used_in
    from used
    group by region_code
)

select
    c.region_code,
    r.name_en,
    r.name_uz,
    r.name_ru,
    r.lat,
    r.lon,
    r.region_code is not null as in_regions_table,
    c.used_in
from codes as c
left join regions as r using (region_code)
where $regions is null or list_contains($regions, c.region_code)
order by c.region_code
