-- Rule sex_adds_up (docs/quality.md): female + male = all, where all three rows of a value
-- (indicator, quarter, region, organisation, age group) are reported up to $period.
-- $indicators: the codes it applies to, or NULL for all; $tolerance: allowed difference;
-- $limit: the first rows only (NULL: all). `violations` counts them all, on every row.
-- The values whose female and male rows do not add up at all are kept by every write
-- (the stored copy of rule_sex_parts, migration 0015): this keeps the rule's.
with found as not materialized (
    select *
    from rule_sex_parts_stored
    where period <= $period
      and ($indicators is null or list_contains($indicators, indicator_code))
      and abs(female + male - total) > $tolerance
)

-- counted apart: a window over the rows would sort them all before the first are taken
select
    indicator_code as subject,
    period,
    region_code,
    org_id,
    female + male as left_value,
    total as right_value,
    female,
    male,
    (select count(*) from found) as violations
from found
order by period, subject, region_code, org_id, age_group
limit $limit
