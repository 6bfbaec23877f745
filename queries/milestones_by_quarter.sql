-- Milestones planned and achieved per quarter of the programme, as of a reporting date.
-- Parameters: $as_of, $start, $end (programme dates) and the filters of milestones_list.
-- planned: milestones (not dropped) whose planned date falls in the quarter; achieved:
-- those achieved in the quarter, known only for quarters that began by the reporting date
-- (NULL after it). Cumulative columns add up the quarters so far.
with params as (select cast($as_of as date) as as_of),

quarters as materialized (
    select
        period_of(cast(q.day as date)) as period,
        cast(q.day as date) as period_start,
        period_end(period_of(cast(q.day as date))) as period_end
    from range(
        cast(period_start(period_of(cast($start as date))) as timestamp),
        cast(cast($end as date) as timestamp) + interval 1 day,
        interval 3 month
    ) as q (day)
),

shown as (
    select * from milestones_shown(
        cast($as_of as date), $stages, $levels, $regions, $statuses,
        cast($scope_regions as varchar[]), cast($hidden_indicators as varchar[]))
),

-- Each milestone counted once, in the quarter of its planned date and in that of its
-- achieved date, rather than every milestone set against every quarter (quarters x
-- milestones rows: 200,000 at 5,000 milestones over ten years, 55-119 ms on PostgreSQL).
planned as (
    select
        period_of(planned_on) as period,
        count(milestone_id) filter (where status_as_of <> 'dropped') as planned
    from shown
    group by 1
),

achieved as (
    select
        period_of(achieved_on) as period,
        count(milestone_id) as achieved,
        count(milestone_id) filter (where days_late > 0) as achieved_late
    from shown
    where status_as_of = 'achieved'
    group by 1
),

counted as (
    select
        q.period,
        q.period_start,
        q.period_end,
        q.period_start > params.as_of as after_reporting_date,
        coalesce(p.planned, 0) as planned,
        coalesce(a.achieved, 0) as achieved,
        coalesce(a.achieved_late, 0) as achieved_late
    from quarters as q
    cross join params
    left join planned as p on p.period = q.period
    left join achieved as a on a.period = q.period
),

final as (
    select
        period,
        period_start,
        period_end,
        after_reporting_date,
        planned,
        case when not after_reporting_date then achieved end as achieved,
        case when not after_reporting_date then achieved_late end as achieved_late,
        cast(sum(planned) over (order by period) as integer) as planned_cumulative,
        case when not after_reporting_date
            then cast(sum(achieved) over (order by period) as integer) end
            as achieved_cumulative
    from counted
)

select *
from final
order by period
