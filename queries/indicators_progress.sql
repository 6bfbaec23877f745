-- Every indicator's actual value, progress towards its target and status as of a date.
-- Parameters:
--   $as_of      reporting date (a quarter end); values of later quarters are ignored
--   $start/$end programme dates, for the share of time elapsed
--   $regions    list of region codes to include, or NULL for all
--   $programme_regions  the programme's regions (programme.toml): a filter that leaves
--               one of them out is a regional view, with regional targets (below)
--   $on_track   progress of at least this share of the expected progress is "on track"
--   $at_risk    at least this share is "at risk"; below it "behind"
--   $indicator  one indicator code (an indicator's detail), or NULL for every indicator
-- Rules (docs/indicators.md): values combine over periods by the indicator's aggregation
-- (sum: cumulative; latest: each region's latest value; mean: average of all values) and
-- over regions by summing counts and averaging percentages. Progress is the share of the
-- way from baseline to target covered (works for decreases too); expected progress is the
-- period target where indicator_targets has one for the reporting quarter, else the share
-- of the programme's time elapsed.
-- Regional view: the programme's baseline and target are for all its regions. Where
-- indicator_targets has a target for the programme's last quarter for every selected region,
-- those make the target (summed for counts, averaged for percentages and means). Otherwise
-- a percentage or mean keeps the programme's target, and a count has no target for the
-- selection (status 'no_target'). A count's baseline applies to a selection only when it is 0.
with params as (
    select
        cast($as_of as date) as as_of,
        period_of(cast($as_of as date)) as as_of_period,
        period_of(cast($end as date)) as last_period,
        cast($indicator as varchar) as indicator,
        coalesce(
            $regions is not null and not list_has_all($regions, $programme_regions), false
        ) as regional,
        greatest(0.0, least(1.0,
            (date_diff('day', cast($start as date), cast($as_of as date)) + 1)
            / (date_diff('day', cast($start as date), cast($end as date)) + 1)
        )) as time_share
),

region_values as (
    select r.*
    from indicator_region_values_stored as r, params
    where r.period <= params.as_of_period
      and ($regions is null or list_contains($regions, r.region_code))
      and (params.indicator is null or r.indicator_code = params.indicator)
),

latest_by_region as (
    select indicator_code, region_code, arg_max(value, period) as value
    from region_values
    group by indicator_code, region_code
),

combined as (
    select
        indicator_code,
        sum(value) as total,
        avg(value) as mean,
        max(period) as last_period,
        count(distinct region_code) as regions_reported
    from region_values
    group by indicator_code
),

latest_combined as (
    select indicator_code, sum(value) as latest_sum, avg(value) as latest_mean
    from latest_by_region
    group by indicator_code
),

reported_now as (
    select indicator_code, count(distinct region_code) as regions_reporting_now
    from region_values, params
    where period = params.as_of_period
    group by indicator_code
),

period_targets as (
    select
        t.indicator_code,
        case when any_value(i.unit) = 'number' and any_value(i.aggregation) <> 'mean'
            then sum(t.target) else avg(t.target) end as period_target
    from indicator_targets as t
    join indicators as i using (indicator_code), params
    where t.period = params.as_of_period
      and ($regions is null or list_contains($regions, t.region_code))
    group by t.indicator_code
),

regional_targets as (
    select
        t.indicator_code,
        count(distinct t.region_code) as regions_with_target,
        sum(t.target) as target_sum,
        avg(t.target) as target_mean
    from indicator_targets as t, params
    where params.regional
      and t.period = params.last_period
      and list_contains($regions, t.region_code)
    group by t.indicator_code
),

scoped as (
    select
        i.*,
        i.unit = 'number' and i.aggregation <> 'mean' as is_count,
        case
            when not params.regional then 'programme'
            when r.regions_with_target = len(list_distinct($regions)) then 'regions'
            when i.unit = 'number' and i.aggregation <> 'mean' then 'none'
            else 'programme'
        end as target_scope
    from indicators as i
    cross join params
    left join regional_targets as r using (indicator_code)
    where params.indicator is null or i.indicator_code = params.indicator
),

targets as (
    select
        s.* exclude (baseline, target),
        s.baseline as programme_baseline,
        s.target as programme_target,
        case s.target_scope
            when 'programme' then s.baseline
            when 'regions' then case when not s.is_count or s.baseline = 0 then s.baseline end
        end as baseline,
        case s.target_scope
            when 'programme' then s.target
            when 'regions' then case when s.is_count then r.target_sum else r.target_mean end
        end as target
    from scoped as s
    left join regional_targets as r using (indicator_code)
),

actuals as (
    select
        i.*,
        case
            when i.aggregation = 'sum' then c.total
            when i.aggregation = 'mean' then c.mean
            when i.unit = 'number' then l.latest_sum
            else l.latest_mean
        end as actual,
        c.last_period,
        coalesce(c.regions_reported, 0) as regions_reported,
        coalesce(n.regions_reporting_now, 0) as regions_reporting_now,
        p.period_target
    from targets as i
    left join combined as c using (indicator_code)
    left join latest_combined as l using (indicator_code)
    left join reported_now as n using (indicator_code)
    left join period_targets as p using (indicator_code)
),

progress as (
    select
        a.*,
        params.time_share,
        case
            when a.actual is null or a.target is null then null
            when a.baseline is not null and a.target <> a.baseline
                then (a.actual - a.baseline) / (a.target - a.baseline)
            when a.direction = 'increase' then a.actual / nullif(a.target, 0)
            when a.actual = 0 then 1.0
            else a.target / a.actual
        end as progress,
        case
            when a.target is null then null
            when a.period_target is not null and a.baseline is not null
                and a.target <> a.baseline
                then (a.period_target - a.baseline) / (a.target - a.baseline)
            when a.period_target is not null and a.direction = 'increase'
                then a.period_target / nullif(a.target, 0)
            else params.time_share
        end as expected,
        case when a.period_target is not null then 'period target' else 'time elapsed' end
            as expected_from
    from actuals as a, params
),

final as (
    select
        *,
        case
            when actual is null then 'no_data'
            when target is null then 'no_target'
            when expected <= 0 or progress >= $on_track * expected then 'on_track'
            when progress >= $at_risk * expected then 'at_risk'
            else 'behind'
        end as status,
        expected - progress as shortfall
    from progress
)

select
    indicator_code, level, outcome, title, unit, direction, aggregation, baseline, target,
    target_scope, programme_baseline, programme_target, disaggregation, sensitive, actual, last_period, regions_reported, regions_reporting_now,
    period_target, time_share, expected, expected_from, progress, shortfall, status
from final
order by
    case level when 'goal' then 0 when 'outcome' then 1 else 2 end,
    outcome nulls first,
    indicator_code
