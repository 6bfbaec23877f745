-- Rule age_groups_add_up (docs/quality.md): the age groups of a value (indicator, quarter,
-- region, organisation, sex) add up to its row for all ages, where that row and at least two
-- age groups are reported up to $period. Parameters as quality_rule_sex_adds_up.
-- The values whose age groups do not add up at all are kept by every write (the stored copy
-- of rule_age_parts, migration 0015): this keeps the rule's.
with found as not materialized (
    select *
    from rule_age_parts_stored
    where period <= $period
      and ($indicators is null or list_contains($indicators, indicator_code))
      and abs(left_value - right_value) > $tolerance
)

-- counted apart: a window over the rows would sort them all, lists too, before the first
-- are taken
select
    indicator_code as subject,
    period,
    region_code,
    org_id,
    left_value,
    right_value,
    -- the parts: their age groups ('|' between) and values, in the same order
    part_groups,
    part_values,
    (select count(*) from found) as violations
from found
order by period, subject, region_code, org_id, sex
limit $limit
