-- A milestone planned on the reporting date itself and not achieved by then counted as due,
-- yet neither as achieved nor as overdue (it is not late until the next day) nor as still to
-- come: the counts did not add up ("26 of 30 due", 3 overdue, nothing still to come), though
-- the page defines overdue as due and not achieved. Now a milestone is due when it was
-- achieved or is overdue by the date: one planned on the date is due once achieved, and
-- still to come until then. Otherwise as migration 0001 (docs/milestones.md).
create or replace macro milestones_as_of(as_of, stages, levels, regions, statuses) as table
with dated as (
    select
        m.*,
        coalesce(m.region_code, '') as region_key,
        case
            when m.status = 'dropped' then 'dropped'
            when m.achieved_on <= as_of then 'achieved'
            when m.planned_on < as_of then 'overdue'
            else 'planned'
        end as status_as_of
    from milestones as m
    where (stages is null or list_contains(stages, m.stage))
      and (levels is null or list_contains(levels, m.level))
      and (regions is null or list_contains(regions, coalesce(m.region_code, '')))
)

select
    *,
    case when status_as_of = 'achieved' then achieved_on end as achieved_as_of,
    status_as_of in ('achieved', 'overdue') and planned_on <= as_of as due,
    case status_as_of
        when 'achieved' then greatest(0, date_diff('day', planned_on, achieved_on))
        when 'overdue' then date_diff('day', planned_on, as_of)
    end as days_late
from dated
where statuses is null or list_contains(statuses, status_as_of);
