-- The cells (indicator, quarter, region) that have a value, of any organisation, sex or age
-- group: read by the Data quality page's completeness and timeliness
-- (queries/quality_completeness.sql, quality_timeliness.sql) from its stored copy
-- reported_cells_stored (monitoring/db/stored.py).
--
-- Both checks began by grouping every indicator value into these cells: at 1,000,000 values
-- 0.15-0.2 s of each on PostgreSQL, a pass over every value (docs/benchmarks.md). The copy
-- holds a row per cell (33,000 at 1,000,000 values); a write remakes only the cells of the
-- indicators, quarters and regions it wrote.
create or replace view reported_cells as
select indicator_code, period, region_code
from indicator_values
group by indicator_code, period, region_code;
