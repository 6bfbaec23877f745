-- The cells the Data quality page expects a value in (docs/quality.md): each indicator in
-- each of the programme's regions from the first quarter in which it was reported there (a
-- cell of reported_cells, migration 0018, read from its stored copy) or given a target
-- there. Written once for queries/quality_completeness.sql and quality_timeliness.sql, which
-- each had it as a CTE; PostgreSQL reads the same text as a subquery
-- (monitoring/db/dialect.py).
--
-- The stored copy of reported_cells, made empty here where the database has none yet
-- (a new one), so that the macro can name it: DuckDB checks a macro's tables when it is
-- made. The upgrade remakes every stored copy from its view after the migrations.
create table if not exists reported_cells_stored as select * from reported_cells where false;

create or replace macro first_expected(programme_regions) as table
select indicator_code, region_code, min(period) as first_period
from (
    select indicator_code, region_code, period from reported_cells_stored
    union all
    select indicator_code, region_code, period from indicator_targets
)
where list_contains(programme_regions, region_code)
group by all;
