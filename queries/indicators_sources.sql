-- Where one indicator's values come from: each source with the quarters it covers.
-- Parameters: $indicator; $regions (list or NULL for all); $first/$last (quarters).
with sourced as (
    select coalesce(nullif(trim(v.source), ''), '') as source, v.period, v.region_code
    from indicator_values as v
    where v.indicator_code = $indicator
      and v.period between $first and $last
      and ($regions is null or list_contains($regions, v.region_code))
),

final as (
    select
        source,
        count(*) as values_recorded,
        string_agg(distinct period, ', ' order by period) as quarters,
        count(distinct region_code) as regions
    from sourced
    group by source
)

select * from final
order by source = '', source
