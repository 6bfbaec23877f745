-- Every region code the data uses, with the regions table's names and centre where it has
-- the code. The regional map joins these to the boundary file on the ISO 3166-2 code and
-- reports any code or name that does not match instead of dropping it.
-- Parameters: $regions (list of region codes to include, or NULL for all).
-- The codes and the tables that use them: the view region_codes_used (migration 0009), read
-- from its stored copy.
select
    c.region_code,
    r.name_en,
    r.name_uz,
    r.name_ru,
    r.lat,
    r.lon,
    r.region_code is not null as in_regions_table,
    c.used_in
from region_codes_used_stored as c
left join regions as r using (region_code)
where $regions is null or list_contains($regions, c.region_code)
order by c.region_code
