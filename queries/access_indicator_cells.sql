-- Every count of people a donor view can show of the indicators, as cells: one per indicator,
-- region of the view (and '*', all of them together), sex, age group and quarter, plus
-- 'to_date' (all the quarters together). Small counts are protected once on these cells and
-- every figure a donor sees is judged from them (monitoring/access/cells.py,
-- docs/access.md), so that picking other regions or quarters gives nothing away.
-- Parameters:
--   $indicators  codes of the indicators whose values count people (and are not sensitive)
--   $regions     the regions of the view (a share link's), a list
--   $periods     the programme's quarters, oldest first
-- A region's value is its region-level row, else its organisations' rows combined, as in
-- the view indicator_region_values, for totals (sex and age group 'all') and for the parts
-- by sex (age group 'all') and by age group (sex 'all'). 'sum' and 'mean' indicators: the
-- value reported in the quarter. 'latest': the region's value at the end of the quarter (its
-- latest report so far), totals only (their parts are not shown to donors). Over regions
-- counts are summed, means averaged; 'to_date' sums (averages for means) the quarters.
with quarters as (
    select unnest(cast($periods as varchar[])) as period
),

counted as (
    select indicator_code, aggregation
    from indicators
    where list_contains($indicators, indicator_code)
),

reported as (
    select
        v.indicator_code,
        v.region_code,
        v.sex,
        v.age_group,
        v.period,
        coalesce(
            max(v.value) filter (where v.org_id = ''),
            case
                when any_value(c.aggregation) = 'mean'
                    then avg(v.value) filter (where v.org_id <> '')
                else sum(v.value) filter (where v.org_id <> '')
            end
        ) as value
    from indicator_values as v
    join counted as c using (indicator_code)
    where list_contains($regions, v.region_code)
      and (v.sex = 'all' or v.age_group = 'all')
      and list_contains($periods, v.period)
    group by v.indicator_code, v.region_code, v.sex, v.age_group, v.period
),

region_cells as (
    select r.indicator_code, r.region_code, r.sex, r.age_group, r.period, r.value
    from reported as r
    join counted as c using (indicator_code)
    where c.aggregation <> 'latest'
    union all
    select
        r.indicator_code, r.region_code, r.sex, r.age_group, q.period,
        arg_max(r.value, r.period) as value
    from reported as r
    join counted as c using (indicator_code)
    join quarters as q on r.period <= q.period
    where c.aggregation = 'latest' and r.sex = 'all' and r.age_group = 'all'
    group by r.indicator_code, r.region_code, r.sex, r.age_group, q.period
),

quarter_cells as (
    select
        r.indicator_code,
        case when grouping(r.region_code) = 1 then '*' else r.region_code end as region_code,
        r.sex,
        r.age_group,
        r.period,
        case when any_value(c.aggregation) = 'mean' then avg(r.value) else sum(r.value) end
            as value
    from region_cells as r
    join counted as c using (indicator_code)
    group by grouping sets (
        (r.indicator_code, r.region_code, r.sex, r.age_group, r.period),
        (r.indicator_code, r.sex, r.age_group, r.period)
    )
),

to_date_cells as (
    select
        r.indicator_code,
        case when grouping(r.region_code) = 1 then '*' else r.region_code end as region_code,
        r.sex,
        r.age_group,
        'to_date' as period,
        case when any_value(c.aggregation) = 'mean' then avg(r.value) else sum(r.value) end
            as value
    from region_cells as r
    join counted as c using (indicator_code)
    where c.aggregation <> 'latest'
    group by grouping sets (
        (r.indicator_code, r.region_code, r.sex, r.age_group),
        (r.indicator_code, r.sex, r.age_group)
    )
),

final as (
    select q.*, c.aggregation
    from quarter_cells as q
    join counted as c using (indicator_code)
    union all
    select t.*, c.aggregation
    from to_date_cells as t
    join counted as c using (indicator_code)
)

select * from final
order by indicator_code, region_code, sex, age_group, period
