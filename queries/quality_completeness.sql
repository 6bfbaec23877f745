-- Completeness (docs/quality.md): for each indicator and programme region, every quarter from
-- the first in which it was reported or given a target there (the table macro first_expected,
-- migration 0022) up to $period, and whether a value was reported (any row of it: the cells
-- of reported_cells, migration 0018, read from its stored copy). $programme_regions: the
-- programme's regions.
with reported as (
    select indicator_code, region_code, period from reported_cells_stored
),

quarters as (
    select unnest(cast($periods as varchar[])) as period
)

select
    f.indicator_code,
    f.region_code,
    q.period,
    r.period is not null as reported
from first_expected(cast($programme_regions as varchar[])) as f
join quarters as q on q.period >= f.first_period and q.period <= $period
left join reported as r
    on r.indicator_code = f.indicator_code and r.region_code = f.region_code
    and r.period = q.period
order by f.indicator_code, f.region_code, q.period
