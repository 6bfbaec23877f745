-- Milestones planned and achieved as of a date. Parameters: $as_of; $scope_regions and
-- $hidden_indicators (lists, or NULL) limit them to a donor's view (macro milestone_in_view).
-- Status follows the date (macro milestones_as_of in schema.sql, docs/milestones.md):
-- achieved if achieved on or before it; overdue if planned before it and not achieved by
-- then; due if planned on or before it and achieved or overdue. Dropped milestones are not
-- counted.
with dated as (
    select *
    from milestones_as_of(cast($as_of as date), null, null, null, null)
    where milestone_in_view(
        region_code, level, indicator_code,
        cast($scope_regions as varchar[]), cast($hidden_indicators as varchar[])
    )
)

select
    count(*) filter (where status_as_of <> 'dropped') as planned_total,
    count(*) filter (where due) as planned_to_date,
    count(*) filter (where status_as_of = 'achieved') as achieved_to_date,
    count(*) filter (where due and status_as_of = 'achieved') as achieved_of_planned_to_date,
    count(*) filter (where status_as_of = 'overdue') as overdue
from dated
