-- Each region on its own, quarter by quarter: what indicators_series.sql gives with
-- $regions = [that region], for every region of $regions in one pass (the region a
-- group-by key instead of one query per region).
-- Parameters:
--   $periods    quarters to return, oldest first (e.g. ['2021Q1', '2021Q2'])
--   $regions    list of region codes, one series per region in this order
--   $indicator  one indicator code, or NULL for all
-- The rules are indicators_series.sql's (docs/indicators.md); a unit test checks that each
-- region's rows equal that query's with the region alone.
with quarters as (
    select unnest(cast($periods as varchar[])) as as_of_period
),

chosen as (
    select region_code, min(position) as position
    from unnest(cast($regions as varchar[])) with ordinality as u(region_code, position)
    group by region_code
),

selected as (
    select i.indicator_code, i.unit, i.aggregation,
           i.unit = 'number' and i.aggregation <> 'mean' as is_count
    from indicators as i
    where $indicator is null or i.indicator_code = $indicator
),

region_values as (
    select r.indicator_code, r.period, r.region_code, r.value
    from indicator_region_values_stored as r
    join selected using (indicator_code)
    where list_contains($regions, r.region_code)
      and r.period <= (select max(as_of_period) from quarters)
),

in_quarter as (
    select
        v.indicator_code,
        v.region_code,
        v.period,
        case when any_value(s.is_count) then sum(v.value) else avg(v.value) end as value,
        count(distinct v.region_code) as regions_reporting
    from region_values as v
    join selected as s using (indicator_code)
    group by v.indicator_code, v.region_code, v.period
),

-- Running totals over each indicator's quarters of data in each region, in order (a window
-- over the region values), each carried to the quarters asked for from its own up to the
-- region's next quarter of data; and the region's latest value likewise, from its quarters
-- with a value (as arg_max takes it): no join of every quarter asked for to every region
-- value (at 1,000,000 values, one indicator over 14 regions: PostgreSQL 45-48 -> 28-32 ms,
-- DuckDB 17-18 -> 19-20 ms; every indicator: 1.9 -> 1.0 s and 114 -> 100 ms).
cumulated as (
    select
        indicator_code,
        region_code,
        period,
        lead(period) over up_to as next_period,
        sum(value) over up_to as total,
        count(value) over up_to as n
    from region_values
    window up_to as (
        partition by indicator_code, region_code order by period
        rows between unbounded preceding and current row
    )
),

latest_by_region as (
    select
        indicator_code,
        region_code,
        period,
        lead(period) over (partition by indicator_code, region_code order by period)
            as next_period,
        value
    from region_values
    where value is not null
),

period_targets as (
    select
        t.indicator_code,
        t.region_code,
        t.period,
        case when any_value(s.is_count) then sum(t.target) else avg(t.target) end as target,
        count(distinct t.region_code) as regions_with_target
    from indicator_targets as t
    join selected as s using (indicator_code)
    where list_contains($regions, t.region_code)
      and t.period in (select as_of_period from quarters)
    group by t.indicator_code, t.region_code, t.period
),

final as (
    select
        s.indicator_code,
        q.as_of_period as period,
        case
            when n.value is null then null
            when s.aggregation = 'latest' then l.value
            else n.value
        end as value,
        n.value as reported_value,
        coalesce(n.regions_reporting, 0) as regions_reporting,
        case
            when s.aggregation = 'sum' then c.total
            when s.aggregation = 'mean' then c.total / c.n
            else l.value
        end as actual_to_date,
        t.target as period_target,
        coalesce(t.regions_with_target, 0) as regions_with_target,
        r.region_code,
        r.position
    from selected as s
    cross join chosen as r
    cross join quarters as q
    left join in_quarter as n
        on n.indicator_code = s.indicator_code and n.region_code = r.region_code
        and n.period = q.as_of_period
    left join cumulated as c
        on c.indicator_code = s.indicator_code and c.region_code = r.region_code
        and c.period <= q.as_of_period
        and (c.next_period is null or q.as_of_period < c.next_period)
    left join latest_by_region as l
        on l.indicator_code = s.indicator_code and l.region_code = r.region_code
        and l.period <= q.as_of_period
        and (l.next_period is null or q.as_of_period < l.next_period)
    left join period_targets as t
        on t.indicator_code = s.indicator_code and t.region_code = r.region_code
        and t.period = q.as_of_period
)

select * exclude (position) from final
order by position, indicator_code, period
