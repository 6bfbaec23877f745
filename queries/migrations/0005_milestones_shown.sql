-- The milestones a viewer may see as of a date, with the reader's filters: one definition
-- for every milestones query (milestones_list, milestones_counts, milestones_by_quarter),
-- instead of the same filter written in each. Parameters as milestones_as_of, and the
-- viewer's scope as milestone_in_view (NULL lists: no limit).
create or replace macro milestones_shown(
    as_of, stages, levels, regions, statuses, scope_regions, hidden_indicators
) as table
    select *
    from milestones_as_of(as_of, stages, levels, regions, statuses)
    where milestone_in_view(region_code, level, indicator_code, scope_regions, hidden_indicators);
