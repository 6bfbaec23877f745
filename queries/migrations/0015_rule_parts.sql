-- The values that break the validation rules sex_adds_up and age_groups_add_up
-- (docs/quality.md), kept as views read from stored copies (monitoring/db/stored.py).
--
-- Checking either rule joined or grouped every count of the programme each time the Data
-- quality page's tab was opened for a reporting date: at 1,000,000 values 0.2-0.4 s each on
-- DuckDB and 1-2 s on PostgreSQL (docs/benchmarks.md). Whether a value's parts add up does
-- not depend on the reporting date (all the rows of a value share its quarter) nor on the
-- rule's tolerance beyond "not equal", so the values whose parts differ at all are listed
-- once per write, narrowed to the indicators, quarters and regions it wrote, and a rule's
-- query keeps those of its quarters, indicators and tolerance.

-- Each count (indicator, quarter, region, organisation, age group) with its female, male
-- and all-sexes rows, where female + male differs from all. One grouping, not a join of the
-- three rows: a write's refresh of its indicators, quarters and regions then reads only their
-- rows (monitoring/db/stored.py narrows by the grouped columns).
create or replace view rule_sex_parts as
select indicator_code, period, region_code, org_id, age_group, female, male, total
from (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        age_group,
        -- one row at most of each sex (the primary key)
        max(value) filter (where sex = 'female') as female,
        max(value) filter (where sex = 'male') as male,
        max(value) filter (where sex = 'all') as total
    from indicator_values
    -- counts only: percentages and means of parts do not add up to the whole
    where indicator_code in (select indicator_code from indicators where unit = 'number')
    group by indicator_code, period, region_code, org_id, age_group
) as s
-- NULL, and so left out, unless all three rows are there
where abs(female + male - total) > 0;

-- Each count (indicator, quarter, region, organisation, sex) with at least two age groups
-- and a row for all ages, where the age groups' sum differs from it: the groups ('|'
-- between) and their values in the order of the groups (then values).
create or replace view rule_age_parts as
select
    p.indicator_code,
    p.period,
    p.region_code,
    p.org_id,
    p.sex,
    p.left_value,
    a.value as right_value,
    p.part_groups,
    p.part_values
from (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        sex,
        sum(value) as left_value,
        string_agg(age_group, '|' order by age_group, value) as part_groups,
        list(value order by age_group, value) as part_values
    from indicator_values
    where age_group <> 'all'
      and indicator_code in (select indicator_code from indicators where unit = 'number')
    group by indicator_code, period, region_code, org_id, sex
    having count(*) >= 2
) as p
join indicator_values as a
    on a.indicator_code = p.indicator_code and a.period = p.period
    and a.region_code = p.region_code and a.org_id = p.org_id
    and a.sex = p.sex and a.age_group = 'all'
where abs(p.left_value - a.value) > 0;
