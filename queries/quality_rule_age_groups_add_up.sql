-- Rule age_groups_add_up (docs/quality.md): the age groups of a value (indicator, quarter,
-- region, organisation, sex) add up to its row for all ages, where that row and at least two
-- age groups are reported up to $period. Parameters as quality_rule_sex_adds_up.
select
    indicator_code as subject,
    period,
    region_code,
    org_id,
    sum(value) filter (where age_group <> 'all') as left_value,
    max(value) filter (where age_group = 'all') as right_value,
    string_agg(age_group || ' ' || value, ' + ' order by age_group)
        filter (where age_group <> 'all') as parts
from indicator_values
where period <= $period
  -- counts only: percentages and means of parts do not add up to the whole
  and indicator_code in (select indicator_code from indicators where unit = 'number')
  and ($indicators is null or list_contains($indicators, indicator_code))
group by indicator_code, period, region_code, org_id, sex
having count(*) filter (where age_group = 'all') = 1
   and count(*) filter (where age_group <> 'all') >= 2
   and abs(left_value - right_value) > $tolerance
order by period, subject, region_code, org_id
