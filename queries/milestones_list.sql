-- Milestones as of a reporting date, one row each, in timeline order (stage, level, date).
-- Parameters: $as_of; $stages, $levels, $regions, $statuses (lists to keep, or NULL for all;
-- '' in $regions stands for milestones without a region); $scope_regions and
-- $hidden_indicators (lists, or NULL) limit them to a donor's view (macro milestone_in_view).
-- Status and lateness come from the macro milestones_as_of in schema.sql (docs/milestones.md).
with shown as (
    select * from milestones_shown(
        cast($as_of as date), $stages, $levels, $regions, $statuses,
        cast($scope_regions as varchar[]), cast($hidden_indicators as varchar[]))
),

named as (
    select
        s.*,
        r.name_en as region_name,
        case s.level
            when 'community' then 1
            when 'regional' then 2
            when 'national' then 3
            when 'international' then 4
        end as level_order
    from shown as s
    left join regions as r on r.region_code = s.region_code
),

final as (
    select
        milestone_id,
        title,
        stage,
        level,
        region_key,
        region_name,
        audience,
        planned_on,
        achieved_as_of as achieved_on,
        status_as_of as status,
        due,
        days_late,
        coalesce(days_late, 0) > 0 as late,
        outcome,
        evidence_url,
        nullif(trim(indicator_code), '') as indicator_code,
        level_order
    from named
)

select * exclude (level_order)
from final
order by stage, level_order, planned_on, milestone_id
