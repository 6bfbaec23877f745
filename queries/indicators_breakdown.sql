-- One indicator's values by sex and by age group per quarter, beside the total.
-- Parameters:
--   $indicator  indicator code
--   $regions    list of region codes to include, or NULL for all
--   $first/$last  the range of quarters
-- No double counting: a row with sex 'all' and age_group 'all' is the total; a sex row
-- counts in the sex breakdown only when its age_group is 'all', an age band only when its
-- sex is 'all'. Cells of both (women aged 15-29) are parts of both and are left out here.
-- Within a region the region-level row counts where there is one, else its organisations'
-- rows combined; over regions, counts are summed and percentages and means averaged.
with indicator as (
    select unit = 'number' and aggregation <> 'mean' as is_count
    from indicators
    where indicator_code = $indicator
),

parts as (
    select
        v.period,
        v.region_code,
        v.org_id,
        v.value,
        case
            when v.sex = 'all' and v.age_group = 'all' then 'total'
            when v.age_group = 'all' then 'sex'
            else 'age_group'
        end as dimension,
        case
            when v.sex = 'all' and v.age_group = 'all' then 'total'
            when v.age_group = 'all' then v.sex
            else v.age_group
        end as category
    from indicator_values as v
    where v.indicator_code = $indicator
      and v.period between $first and $last
      and ($regions is null or list_contains($regions, v.region_code))
      and (v.sex = 'all' or v.age_group = 'all')
),

by_region as (
    select
        p.dimension,
        p.category,
        p.period,
        p.region_code,
        coalesce(
            max(p.value) filter (where p.org_id = ''),
            case
                when any_value(i.is_count) then sum(p.value) filter (where p.org_id <> '')
                else avg(p.value) filter (where p.org_id <> '')
            end
        ) as value
    from parts as p, indicator as i
    group by p.dimension, p.category, p.period, p.region_code
),

final as (
    select
        b.dimension,
        b.category,
        b.period,
        case when any_value(i.is_count) then sum(b.value) else avg(b.value) end as value,
        count(distinct b.region_code) as regions_reporting
    from by_region as b, indicator as i
    group by b.dimension, b.category, b.period
)

select * from final
order by dimension, category, period
