-- Each indicator quarter by quarter: the value reported in the quarter, the actual to date
-- at its end, and the period target, over the selected regions (docs/indicators.md).
-- Parameters:
--   $periods    quarters to return, oldest first (e.g. ['2021Q1', '2021Q2'])
--   $regions    list of region codes to include, or NULL for all
--   $indicator  one indicator code, or NULL for all
-- The value in a quarter combines the regions that reported in it: summed for counts,
-- averaged for percentages and means. For a 'latest' indicator it is the state at the end
-- of the quarter (the actual to date): a region that did not report in the quarter keeps
-- its previous value, so a stock is never understated by a late report. A quarter in which
-- no selected region reported has no value (NULL), never 0.
-- The actual to date follows the same rule as indicator_progress.sql (a unit test checks
-- that both agree): sum: cumulative total; latest: each region's latest value, summed for
-- counts and averaged for percentages; mean: average of every region-quarter value.
with quarters as (
    select unnest(cast($periods as varchar[])) as as_of_period
),

selected as (
    select i.indicator_code, i.unit, i.aggregation,
           i.unit = 'number' and i.aggregation <> 'mean' as is_count
    from indicators as i
    where $indicator is null or i.indicator_code = $indicator
),

region_values as (
    select r.indicator_code, r.period, r.region_code, r.value, selected.is_count
    from indicator_region_values_stored as r
    join selected using (indicator_code)
    where ($regions is null or list_contains($regions, r.region_code))
      and r.period <= (select max(as_of_period) from quarters)
),

-- Per indicator and quarter of data (a few thousand rows): the value reported in the
-- quarter and how many regions reported it (a region has one row per indicator and quarter
-- in the stored copy, so its rows are counted, without a sort for distinct regions), and
-- the sum and count of the region values, so that actuals to date add up quarters, not
-- every region value again.
per_period as (
    select
        indicator_code,
        period,
        case when any_value(is_count) then sum(value) else avg(value) end as value,
        count(*) as regions_reporting,
        sum(value) as total,
        count(value) as n
    from region_values
    group by indicator_code, period
),

-- A region's latest value changes only in the quarters it reports: per indicator and
-- quarter of data, how much those reports change the sum of the regions' latest values
-- (each report less the region's previous one) and how many regions report for the first
-- time (a few thousand rows). A quarter's latest sum and count then add up the changes of
-- the quarters up to it (`cumulated`): no join of every quarter to every region value.
latest_changes as (
    select
        indicator_code,
        period,
        sum(value - coalesce(previous, 0)) as change,
        count(*) filter (where previous is null) as first_reports
    from (
        select
            indicator_code,
            period,
            value,
            lag(value) over (partition by indicator_code, region_code order by period)
                as previous
        from region_values
        where value is not null  -- as arg_max: a region's latest reported value
    ) as reports
    group by indicator_code, period
),

-- Running totals over each indicator's quarters of data, in order (a window over a few
-- thousand rows), each carried to the quarters asked for from its own up to the indicator's
-- next quarter of data: no join of every quarter asked for to every quarter of data.
cumulated as (
    select
        p.indicator_code,
        p.period,
        lead(p.period) over up_to as next_period,
        sum(p.total) over up_to as total,
        sum(p.n) over up_to as n,
        sum(l.change) over up_to as latest_sum,
        sum(l.first_reports) over up_to as first_reports
    from per_period as p
    left join latest_changes as l using (indicator_code, period)
    window up_to as (
        partition by p.indicator_code order by p.period
        rows between unbounded preceding and current row
    )
),

period_targets as (
    select
        t.indicator_code,
        t.period,
        case when any_value(s.is_count) then sum(t.target) else avg(t.target) end as target,
        count(distinct t.region_code) as regions_with_target
    from indicator_targets as t
    join selected as s using (indicator_code)
    where ($regions is null or list_contains($regions, t.region_code))
      and t.period in (select as_of_period from quarters)
    group by t.indicator_code, t.period
),

final as (
    select
        s.indicator_code,
        q.as_of_period as period,
        case
            when n.value is null then null
            when s.aggregation = 'latest' and s.unit = 'number' then c.latest_sum
            when s.aggregation = 'latest' then c.latest_sum / c.first_reports
            else n.value
        end as value,
        n.value as reported_value,
        coalesce(n.regions_reporting, 0) as regions_reporting,
        case
            when s.aggregation = 'sum' then c.total
            when s.aggregation = 'mean' then c.total / c.n
            when s.unit = 'number' then c.latest_sum
            else c.latest_sum / c.first_reports
        end as actual_to_date,
        t.target as period_target,
        coalesce(t.regions_with_target, 0) as regions_with_target
    from selected as s
    cross join quarters as q
    left join per_period as n
        on n.indicator_code = s.indicator_code and n.period = q.as_of_period
    left join cumulated as c
        on c.indicator_code = s.indicator_code and c.period <= q.as_of_period
        and (c.next_period is null or q.as_of_period < c.next_period)
    left join period_targets as t
        on t.indicator_code = s.indicator_code and t.period = q.as_of_period
)

select * from final
order by indicator_code, period
