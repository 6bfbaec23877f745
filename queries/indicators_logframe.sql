-- Every indicator of the logframe in its order (goal, outcomes, outputs; as
-- indicators_progress.sql orders its rows): code, title, level and outcome. No parameters.
select indicator_code, title, level, outcome
from indicators
order by
    case level when 'goal' then 0 when 'outcome' then 1 else 2 end,
    outcome nulls first,
    indicator_code
