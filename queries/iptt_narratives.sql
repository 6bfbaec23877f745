-- Deviation narratives (why an indicator is over or under target, written for the donor) of
-- every indicator, for the latest quarter up to the reporting quarter that has any, over the
-- regions in view (docs/reports.md). Only the rows of a whole region or organisation count
-- (sex and age group 'all'); organisations are never named here, only their region.
-- Parameters: $last (the reporting quarter); $regions (list or NULL for all).
with narrated as (
    select
        v.indicator_code,
        v.period,
        v.region_code,
        v.org_id,
        trim(v.deviation_narrative) as narrative
    from indicator_values as v
    where v.period <= $last
      and v.sex = 'all'
      and v.age_group = 'all'
      and ($regions is null or list_contains($regions, v.region_code))
      and nullif(trim(v.deviation_narrative), '') is not null
),

latest as (
    select indicator_code, max(period) as period
    from narrated
    group by indicator_code
),

final as (
    select
        n.indicator_code,
        n.period,
        coalesce(g.name_en, n.region_code) as region_name,
        n.narrative
    from narrated as n
    join latest as l using (indicator_code, period)
    left join regions as g on g.region_code = n.region_code
)

select distinct * from final
order by indicator_code, region_name, narrative
