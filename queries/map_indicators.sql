-- The indicators the regional map can show, in logframe order (goal, outcomes, outputs).
select
    indicator_code, level, outcome, title, unit, direction, aggregation, baseline, target,
    sensitive
from indicators
order by
    case level when 'goal' then 0 when 'outcome' then 1 else 2 end,
    outcome nulls first,
    indicator_code
