-- Rule age_groups_add_up (docs/quality.md): the age groups of a value (indicator, quarter,
-- region, organisation, sex) add up to its row for all ages, where that row and at least two
-- age groups are reported up to $period. Parameters as quality_rule_sex_adds_up.
with counted as not materialized (
    select *
    from indicator_values
    where period <= $period
      -- counts only: percentages and means of parts do not add up to the whole
      and indicator_code in (select indicator_code from indicators where unit = 'number')
      and ($indicators is null or list_contains($indicators, indicator_code))
),

-- each value's age groups (at least two), summed, and the groups with their values, in
-- the order of the groups (then values)
parts as (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        sex,
        sum(value) as left_value,
        string_agg(age_group, '|' order by age_group, value) as part_groups,
        list(value order by age_group, value) as part_values
    from counted
    where age_group <> 'all'
    group by all
    having count(*) >= 2
)

select
    p.indicator_code as subject,
    p.period,
    p.region_code,
    p.org_id,
    p.left_value,
    a.value as right_value,
    -- the parts: their age groups ('|' between) and values, in the same order
    p.part_groups,
    p.part_values
from parts as p
join counted as a
    on a.indicator_code = p.indicator_code and a.period = p.period
    and a.region_code = p.region_code and a.org_id = p.org_id
    and a.sex = p.sex and a.age_group = 'all'
where abs(p.left_value - a.value) > $tolerance
order by p.period, subject, p.region_code, p.org_id
