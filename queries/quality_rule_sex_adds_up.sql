-- Rule sex_adds_up (docs/quality.md): female + male = all, where all three rows of a value
-- (indicator, quarter, region, organisation, age group) are reported up to $period.
-- $indicators: the codes it applies to, or NULL for all; $tolerance: allowed difference.
with counted as not materialized (
    select *
    from indicator_values
    where period <= $period
      -- counts only: percentages and means of parts do not add up to the whole
      and indicator_code in (select indicator_code from indicators where unit = 'number')
      and ($indicators is null or list_contains($indicators, indicator_code))
),

-- a row per value with both its female and male rows (the primary key makes each unique)
parts as (
    select
        f.indicator_code,
        f.period,
        f.region_code,
        f.org_id,
        f.age_group,
        f.value as female,
        m.value as male
    from counted as f
    join counted as m
        on m.indicator_code = f.indicator_code and m.period = f.period
        and m.region_code = f.region_code and m.org_id = f.org_id
        and m.age_group = f.age_group and m.sex = 'male'
    where f.sex = 'female'
)

select
    p.indicator_code as subject,
    p.period,
    p.region_code,
    p.org_id,
    p.female + p.male as left_value,
    a.value as right_value,
    p.female,
    p.male
from parts as p
join counted as a
    on a.indicator_code = p.indicator_code and a.period = p.period
    and a.region_code = p.region_code and a.org_id = p.org_id
    and a.age_group = p.age_group and a.sex = 'all'
where abs(p.female + p.male - a.value) > $tolerance
order by p.period, subject, p.region_code, p.org_id
