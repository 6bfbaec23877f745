-- Milestones achieved against planned as of a reporting date, by level, by region and in
-- all (column `dimension`: 'level', 'region' or 'total'). Parameters as milestones_list.
-- planned: not dropped (the whole programme); due: planned on or before the date and
-- achieved or overdue by then; achieved: achieved on or before it (late: after its planned
-- date); overdue: due and not achieved; not_yet_due: not achieved and planned after the date,
-- or on it (not overdue until the next day: still to come). So due = achieved of due +
-- overdue, and planned = due + not yet due + achieved early (before a planned date after it).
with shown as (
    select * from milestones_shown(
        cast($as_of as date), $stages, $levels, $regions, $statuses,
        cast($scope_regions as varchar[]), cast($hidden_indicators as varchar[]))
),

counted as (
    select
        case
            when grouping(level) = 0 then 'level'
            when grouping(region_key) = 0 then 'region'
            else 'total'
        end as dimension,
        case
            when grouping(level) = 0 then level
            when grouping(region_key) = 0 then region_key
        end as value,
        count(*) filter (where status_as_of <> 'dropped') as planned,
        count(*) filter (where due) as due,
        count(*) filter (where status_as_of = 'achieved') as achieved,
        count(*) filter (where due and status_as_of = 'achieved') as achieved_of_due,
        count(*) filter (where status_as_of = 'achieved' and days_late > 0) as achieved_late,
        count(*) filter (where status_as_of = 'overdue') as overdue,
        max(days_late) filter (where status_as_of = 'overdue') as longest_overdue_days,
        count(*) filter (where status_as_of = 'planned' and not due) as not_yet_due,
        count(*) filter (where status_as_of = 'dropped') as dropped
    from shown
    group by grouping sets ((level), (region_key), ())
),

final as (
    select
        c.*,
        r.name_en as region_name,
        case c.value
            when 'community' then 1
            when 'regional' then 2
            when 'national' then 3
            when 'international' then 4
        end as level_order
    from counted as c
    left join regions as r on c.dimension = 'region' and r.region_code = c.value
)

select * exclude (level_order)
from final
order by
    case dimension when 'level' then 0 when 'region' then 1 else 2 end,
    level_order,
    value = '',
    region_name,
    value
