-- The quarters in which each organisation reported each indicator (a value of any region,
-- sex or age group): read by the Data quality page's completeness per organisation
-- (queries/quality_completeness_organisations.sql) from its stored copy
-- organisation_quarters_stored (monitoring/db/stored.py).
--
-- The table per organisation grouped every indicator value into these rows at each reporting
-- date: at 1,000,000 values 0.46 s on PostgreSQL (docs/benchmarks.md). An import, which only
-- adds values, adds the rows of its new values that the copy lacks (monitoring/intake/
-- batches.py, stored.merge); any other write remakes the rows of the indicators and quarters
-- it wrote.
create or replace view organisation_quarters as
select org_id, indicator_code, period
from indicator_values
where org_id <> ''
group by org_id, indicator_code, period;
