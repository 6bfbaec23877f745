-- Each organisation's first report of an indicator in a region (the earliest quarter with a
-- value of it, of any sex or age group): read by the Data quality page's timeliness check,
-- which names who should report a late or missing value
-- (queries/quality_timeliness.sql), from its stored copy organisation_first_reports_stored
-- (monitoring/db/stored.py).
--
-- The check grouped every indicator value for it at each reporting date: at 1,000,000
-- values 0.23 s of the check's 0.55 s on PostgreSQL (docs/benchmarks.md). The copy holds a
-- row per organisation, indicator and region (10,000 at 1,000,000 values). An import, which
-- only adds values, folds its new rows into it (monitoring/intake/batches.py, stored.merge);
-- any other write remakes the rows of the indicators and regions it wrote.
create or replace view organisation_first_reports as
select indicator_code, region_code, org_id, min(period) as first_period
from indicator_values
where org_id <> ''
group by indicator_code, region_code, org_id;
