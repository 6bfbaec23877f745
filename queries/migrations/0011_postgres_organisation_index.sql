-- engines: postgresql
-- An index for PostgreSQL (docs/scale.md): each organisation's total rows (sex and age group
-- 'all') by indicator, latest quarter first, with the value. The map's organisations
-- (queries/map_organisations.sql) take each one's latest value per indicator with
-- `distinct on (org_id, indicator_code) ... order by org_id, indicator_code, period desc`:
-- with this index PostgreSQL reads those rows already in that order (no sort of the
-- 290,000 total rows at 1,000,000 values) and keeps the first of each. "nulls last" as the
-- translated ORDER BY says it (DuckDB puts NULLs last; monitoring/db/dialect.py).
-- DuckDB needs no index (its zonemaps and a hash aggregate); it records this and runs nothing.
create index indicator_values_organisation_totals
    on indicator_values (org_id, indicator_code, period desc nulls last)
    include (value)
    where sex = 'all' and age_group = 'all' and org_id <> '';
