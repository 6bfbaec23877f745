-- One indicator's value per region and quarter, with the region's period target.
-- Parameters:
--   $indicator  indicator code
--   $regions    list of region codes to include, or NULL for all
--   $first/$last  the range of quarters (e.g. '2021Q1', '2022Q2')
-- A region's value is its region-level row, else its organisations' rows combined (the view
-- indicator_region_values); a quarter the region did not report has no value, never 0.
with values_in_range as (
    select r.region_code, r.period, r.value, r.organisations_reporting
    from indicator_region_values_stored as r
    where r.indicator_code = $indicator
      and r.period between $first and $last
      and ($regions is null or list_contains($regions, r.region_code))
),

targets_in_range as (
    select t.region_code, t.period, t.target
    from indicator_targets as t
    where t.indicator_code = $indicator
      and t.period between $first and $last
      and ($regions is null or list_contains($regions, t.region_code))
),

final as (
    select
        coalesce(v.region_code, t.region_code) as region_code,
        coalesce(v.period, t.period) as period,
        v.value,
        coalesce(v.organisations_reporting, 0) as organisations_reporting,
        t.target
    from values_in_range as v
    full join targets_in_range as t
        on t.region_code = v.region_code and t.period = v.period
)

select f.*, coalesce(g.name_en, f.region_code) as region_name
from final as f
left join regions as g using (region_code)
order by region_name, period
