-- Who has not reported one indicator for a quarter: the programme's regions (of those
-- selected) without any total row for it, and the organisations that reported it in an
-- earlier quarter but not in this one, each with the last quarter they reported.
-- Parameters:
--   $indicator          indicator code
--   $period             the reporting quarter (e.g. '2022Q2')
--   $programme_regions  the programme's regions (programme.toml)
--   $regions            list of region codes selected, or NULL for all
with expected_regions as (
    select unnest(cast($programme_regions as varchar[])) as region_code
),

selected_regions as (
    select region_code
    from expected_regions
    where $regions is null or list_contains($regions, region_code)
),

totals as (
    select v.region_code, v.org_id, v.period
    from indicator_values as v
    where v.indicator_code = $indicator
      and v.sex = 'all' and v.age_group = 'all'
      and v.period <= $period
),

region_reports as (
    select
        s.region_code,
        coalesce(bool_or(t.period = $period), false) as reported,
        max(t.period) as last_reported
    from selected_regions as s
    left join totals as t using (region_code)
    group by s.region_code
),

organisation_reports as (
    select
        t.org_id,
        any_value(t.region_code) as region_code,
        bool_or(t.period = $period) as reported,
        max(t.period) as last_reported
    from totals as t
    where t.org_id <> ''
      and ($regions is null or list_contains($regions, t.region_code))
    group by t.org_id
),

final as (
    select
        'region' as kind,
        r.region_code as code,
        coalesce(g.name_en, r.region_code) as name,
        coalesce(g.name_en, r.region_code) as region_name,
        r.last_reported
    from region_reports as r
    left join regions as g using (region_code)
    where not r.reported
    union all
    select
        'organisation' as kind,
        o.org_id as code,
        coalesce(
            org_shown_name(org.name, org.kind, g.name_en, cast($unnamed_kinds as varchar[])),
            o.org_id
        ) as name,
        coalesce(g.name_en, o.region_code) as region_name,
        o.last_reported
    from organisation_reports as o
    left join organisations as org using (org_id)
    left join regions as g on g.region_code = o.region_code
    where not o.reported
)

select * from final
order by kind desc, last_reported desc nulls last, region_name, name
