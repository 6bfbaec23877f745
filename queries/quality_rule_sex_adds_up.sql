-- Rule sex_adds_up (docs/quality.md): female + male = all, where all three rows of a value
-- (indicator, quarter, region, organisation, age group) are reported up to $period.
-- $indicators: the codes it applies to, or NULL for all; $tolerance: allowed difference.
select
    indicator_code as subject,
    period,
    region_code,
    org_id,
    sum(value) filter (where sex in ('female', 'male')) as left_value,
    max(value) filter (where sex = 'all') as right_value,
    max(value) filter (where sex = 'female') as female,
    max(value) filter (where sex = 'male') as male
from indicator_values
where period <= $period
  -- counts only: percentages and means of parts do not add up to the whole
  and indicator_code in (select indicator_code from indicators where unit = 'number')
  and ($indicators is null or list_contains($indicators, indicator_code))
group by indicator_code, period, region_code, org_id, age_group
having count(*) filter (where sex = 'female') = 1
   and count(*) filter (where sex = 'male') = 1
   and count(*) filter (where sex = 'all') = 1
   and abs(left_value - right_value) > $tolerance
order by period, subject, region_code, org_id
