-- Milestones planned and achieved as of a date. Parameters: $as_of.
-- Status follows the date: achieved if achieved on or before it; overdue if planned on or
-- before it and not achieved by then. Dropped milestones are not counted as planned.
with params as (select cast($as_of as date) as as_of)

select
    count(*) filter (where status <> 'dropped') as planned_total,
    count(*) filter (where status <> 'dropped' and planned_on <= params.as_of) as planned_to_date,
    count(*) filter (where achieved_on <= params.as_of) as achieved_to_date,
    count(*) filter (
        where status <> 'dropped' and planned_on <= params.as_of
          and achieved_on <= params.as_of
    ) as achieved_of_planned_to_date,
    count(*) filter (
        where status <> 'dropped' and planned_on <= params.as_of
          and (achieved_on is null or achieved_on > params.as_of)
    ) as overdue
from milestones, params
