-- Completeness (docs/quality.md): for each indicator and programme region, every quarter from
-- the first in which it was reported or given a target there (the table macro first_expected,
-- migration 0022) up to $period, and whether a value was reported (any row of it: the cells
-- of reported_cells, migration 0018, read from its stored copy). $programme_regions: the
-- programme's regions.
with quarters as (
    select unnest(cast($periods as varchar[])) as period
)

select
    f.indicator_code,
    f.region_code,
    q.period,
    -- (a hashed lookup: for a join PostgreSQL sorted both sides to merge them; at 1,000,000
    -- values the query took 97 ms there, 78 now, and 29 -> 23 ms on DuckDB)
    (f.indicator_code, f.region_code, q.period) in (
        select indicator_code, region_code, period from reported_cells_stored
    ) as reported
from first_expected(cast($programme_regions as varchar[])) as f
join quarters as q on q.period >= f.first_period and q.period <= $period
order by f.indicator_code, f.region_code, q.period
