-- Each indicator's value per region up to a quarter, with the region's target and the
-- value as a % of that target: the regional map's choropleth and region summary.
-- Parameters:
--   $period     the chosen quarter (e.g. 2022Q1); values of later quarters are ignored
--   $last_period  the programme's last quarter (its regional targets are end targets)
--   $indicator  one indicator code, or NULL for all
--   $regions    list of region codes to include, or NULL for all
-- Values follow docs/indicators.md and queries/indicators_progress.sql, per region: the view
-- indicator_region_values gives one value per region and quarter (total rows only); over
-- quarters, `sum` is the cumulative total, `latest` the region's latest value and `mean` the
-- average of its quarterly values. A region without any value up to $period has value NULL
-- (no data), never 0.
-- Target of a region, first found: its period target for $period (indicator_targets); its
-- target for the programme's last quarter (its share of the end target); for a percentage or
-- a mean, the programme's target (it applies to every region). A count without a regional
-- target has none: a region's count measured against the whole programme's target would
-- mislead. percent_of_target = 100 * value / target.
with params as (
    select cast($period as varchar) as period, cast($last_period as varchar) as last_period
),

chosen as (
    select
        indicator_code, level, outcome, title, unit, direction, aggregation, baseline, target,
        sensitive,
        unit = 'number' and aggregation <> 'mean' as is_count
    from indicators
    where $indicator is null or indicator_code = $indicator
),

-- (the stored copy of the codes used: no scan of every value)
scope as (
    select region_code
    from region_codes_used_stored
    where list_contains(used_in, 'regions') or list_contains(used_in, 'indicator_values')
),

in_scope as (
    select region_code
    from scope
    where $regions is null or list_contains($regions, region_code)
),

region_quarters as (
    select v.indicator_code, v.region_code, v.period, v.value, v.organisations_reporting
    from indicator_region_values_stored as v
    join chosen using (indicator_code)
    join in_scope using (region_code), params
    where v.period <= params.period
),

per_region as (
    select
        indicator_code,
        region_code,
        sum(value) as total,
        avg(value) as mean,
        arg_max(value, period) as latest,
        arg_max(organisations_reporting, period) as organisations_reporting,
        max(period) as last_period,
        count(*) as quarters_reported
    from region_quarters
    group by indicator_code, region_code
),

period_targets as (
    select t.indicator_code, t.region_code, t.target
    from indicator_targets as t
    join chosen using (indicator_code), params
    where t.period = params.period
),

end_targets as (
    select t.indicator_code, t.region_code, t.target
    from indicator_targets as t
    join chosen using (indicator_code), params
    where t.period = params.last_period
),

final as (
    select
        c.indicator_code,
        c.level,
        c.outcome,
        c.title,
        c.unit,
        c.direction,
        c.aggregation,
        c.sensitive,
        s.region_code,
        case c.aggregation
            when 'sum' then p.total
            when 'mean' then p.mean
            else p.latest
        end as value,
        p.last_period,
        coalesce(p.quarters_reported, 0) as quarters_reported,
        p.organisations_reporting,
        case
            when pt.target is not null then pt.target
            when et.target is not null then et.target
            when not c.is_count then c.target
        end as target,
        case
            when pt.target is not null then 'period'
            when et.target is not null then 'end'
            when not c.is_count then 'programme'
            else 'none'
        end as target_basis,
        c.target as programme_target
    from chosen as c
    cross join in_scope as s
    left join per_region as p using (indicator_code, region_code)
    left join period_targets as pt using (indicator_code, region_code)
    left join end_targets as et using (indicator_code, region_code)
)

select
    *,
    100 * value / nullif(target, 0) as percent_of_target
from final
order by
    case level when 'goal' then 0 when 'outcome' then 1 else 2 end,
    outcome nulls first,
    indicator_code,
    region_code
