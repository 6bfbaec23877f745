-- The comments recorded with one indicator's values, newest quarter first.
-- Parameters: $indicator; $regions (list or NULL for all); $first/$last (quarters).
with commented as (
    select v.*
    from indicator_values as v
    where v.indicator_code = $indicator
      and v.period between $first and $last
      and ($regions is null or list_contains($regions, v.region_code))
      and nullif(trim(v.comment), '') is not null
),

final as (
    select
        c.period,
        coalesce(g.name_en, c.region_code) as region_name,
        coalesce(o.name, nullif(c.org_id, '')) as organisation,
        c.sex,
        c.age_group,
        c.value,
        trim(c.comment) as comment,
        c.source
    from commented as c
    left join regions as g on g.region_code = c.region_code
    left join organisations as o on o.org_id = c.org_id
)

select * from final
order by period desc, region_name, organisation nulls first, sex, age_group
