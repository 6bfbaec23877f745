-- Every region code the data uses, and the tables that use it (queries/map_region_codes.sql:
-- the regional map's join to the boundary file, the region pickers of the admin page and
-- share links). The distinct codes of indicator_values cost a scan of every value (130 ms at
-- 1,000,000 values on PostgreSQL, on every page that lists regions), so the view has a
-- stored copy, region_codes_used_stored (monitoring/db/stored.py), rebuilt by the writes.
-- (distinct per table first: indicator_values has a row per value, millions of them)
create or replace view region_codes_used as
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
)
select region_code, list(distinct used_in order by used_in) as used_in
from used
group by region_code;
