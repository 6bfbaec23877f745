-- Organisations for the regional map: where they are, grant money and latest values.
-- Parameters:
--   $as_of    the date money is counted up to (end of the chosen quarter)
--   $period   the chosen quarter; values of later quarters are ignored
--   $regions  list of region codes to include, or NULL for all
-- Position: the organisation's lat/lon; without them, its region's centre from the regions
-- table (located = false, so the map can flag it). Grants are converted to US dollars like
-- queries/overview_spending.sql: a UZS amount at the rate of its month; an amount whose month
-- has no rate is counted in *_without_rate and left out, never converted with a guess.
--   grants_awarded / awarded_usd: grants awarded on or before $as_of, not cancelled
--   received_usd: disbursements less refunds on the organisation's grants up to $as_of
-- latest_values: for each indicator the organisation reported a total row for (sex and
-- age_group 'all'), its latest value up to $period.
with params as (
    select cast($as_of as date) as as_of, cast($period as varchar) as period
),

orgs as (
    select o.*, r.name_en as region_name, r.lat as region_lat, r.lon as region_lon
    from organisations as o
    left join regions as r using (region_code)
    where $regions is null or list_contains($regions, o.region_code)
),

awarded as (
    select
        g.org_id,
        count(*) as grants_awarded,
        sum(case when g.currency = 'USD' then g.amount else g.amount / x.per_usd end)
            as awarded_usd,
        count(*) filter (where g.currency <> 'USD' and x.per_usd is null)
            as grants_without_rate
    from grants as g
    left join exchange_rates as x
        on x.currency = g.currency and x.month = strftime(g.awarded_on, '%Y-%m'),
        params
    where g.awarded_on <= params.as_of and coalesce(g.status, '') <> 'cancelled'
    group by g.org_id
),

grant_money as (
    select
        g.org_id,
        t.kind,
        case when t.currency = 'USD' then t.amount else t.amount / x.per_usd end as amount_usd,
        t.currency <> 'USD' and x.per_usd is null as missing_rate
    from transactions as t
    join grants as g using (grant_id)
    left join exchange_rates as x
        on x.currency = t.currency and x.month = strftime(t.date, '%Y-%m'),
        params
    where t.date <= params.as_of and t.kind in ('disbursement', 'refund')
),

received as (
    select
        org_id,
        sum(case kind when 'disbursement' then amount_usd else -amount_usd end)
            as received_usd,
        count(*) filter (where missing_rate) as transactions_without_rate
    from grant_money
    group by org_id
),

org_quarters as (
    select v.org_id, v.indicator_code, v.period, v.value, i.unit
    from indicator_values as v
    join indicators as i using (indicator_code), params
    where v.org_id <> '' and v.sex = 'all' and v.age_group = 'all'
      and v.period <= params.period
),

latest as (
    select org_id, indicator_code, any_value(unit) as unit,
           arg_max(value, period) as value, max(period) as period
    from org_quarters
    group by org_id, indicator_code
),

latest_values as (
    select
        org_id,
        list(
            {'indicator_code': indicator_code, 'value': value, 'period': period, 'unit': unit}
            order by indicator_code
        ) as latest_values
    from latest
    group by org_id
),

final as (
    select
        o.org_id,
        org_shown_name(o.name, o.kind, o.region_name, cast($unnamed_kinds as varchar[])) as name,
        o.kind,
        o.region_code,
        o.region_name,
        o.district,
        o.women_led,
        o.status,
        o.lat is not null and o.lon is not null as located,
        case when o.lat is not null and o.lon is not null then o.lat else o.region_lat end
            as lat,
        case when o.lat is not null and o.lon is not null then o.lon else o.region_lon end
            as lon,
        coalesce(a.grants_awarded, 0) as grants_awarded,
        coalesce(a.awarded_usd, 0) as awarded_usd,
        coalesce(r.received_usd, 0) as received_usd,
        coalesce(a.grants_without_rate, 0) + coalesce(r.transactions_without_rate, 0)
            as amounts_without_rate,
        l.latest_values
    from orgs as o
    left join awarded as a using (org_id)
    left join received as r using (org_id)
    left join latest_values as l using (org_id)
)

select *
from final
order by region_code, kind, name
