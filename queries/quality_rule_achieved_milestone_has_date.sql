-- Rule achieved_milestone_has_date (docs/quality.md): a milestone whose status is achieved
-- has the date it was achieved (achieved_on).
-- $limit: the first rows only (NULL: all); `violations` counts them all, on every row.
select
    milestone_id as subject,
    period_of(planned_on) as period,
    coalesce(region_code, '') as region_code,
    '' as org_id,
    null::double as left_value,
    null::double as right_value,
    title,
    count(*) over () as violations
from milestones
where status = 'achieved' and achieved_on is null
order by planned_on, milestone_id
limit $limit
