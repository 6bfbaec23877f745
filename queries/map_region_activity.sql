-- Per region: organisations and grant money, for the regional map's tooltips and summary.
-- Parameters:
--   $as_of    the date money is counted up to (end of the chosen quarter)
--   $regions  list of region codes to include, or NULL for all
-- A grant counts in its own region_code, or its organisation's region when that is empty.
-- US dollars as in queries/map_organisations.sql: disbursements less refunds up to $as_of
-- (received), grants awarded up to $as_of and not cancelled (awarded); an amount whose month
-- has no exchange rate is counted in amounts_without_rate, never converted with a guess.
with params as (
    select cast($as_of as date) as as_of
),

grant_regions as (
    select g.*, coalesce(nullif(g.region_code, ''), o.region_code) as grant_region
    from grants as g
    left join organisations as o using (org_id)
),

awarded as (
    select
        g.grant_region as region_code,
        count(*) as grants_awarded,
        sum(case when g.currency = 'USD' then g.amount else g.amount / x.per_usd end)
            as awarded_usd,
        count(*) filter (where g.currency <> 'USD' and x.per_usd is null)
            as grants_without_rate
    from grant_regions as g
    left join exchange_rates as x
        on x.currency = g.currency and x.month = strftime(g.awarded_on, '%Y-%m'),
        params
    where g.awarded_on <= params.as_of and coalesce(g.status, '') <> 'cancelled'
    group by g.grant_region
),

received as (
    select
        g.grant_region as region_code,
        sum(
            case when t.currency = 'USD' then t.amount else t.amount / x.per_usd end
            * case t.kind when 'disbursement' then 1 else -1 end
        ) as received_usd,
        count(*) filter (where t.currency <> 'USD' and x.per_usd is null)
            as transactions_without_rate
    from transactions as t
    join grant_regions as g using (grant_id)
    left join exchange_rates as x
        on x.currency = t.currency and x.month = strftime(t.date, '%Y-%m'),
        params
    where t.date <= params.as_of and t.kind in ('disbursement', 'refund')
    group by g.grant_region
),

organisations_by_region as (
    select
        region_code,
        count(*) as organisations,
        count(*) filter (where lat is null or lon is null) as organisations_without_location
    from organisations
    group by region_code
),

regions_used as (
    select region_code from organisations_by_region
    union
    select region_code from awarded
    union
    select region_code from received
)

select
    u.region_code,
    coalesce(o.organisations, 0) as organisations,
    coalesce(o.organisations_without_location, 0) as organisations_without_location,
    coalesce(a.grants_awarded, 0) as grants_awarded,
    coalesce(a.awarded_usd, 0) as awarded_usd,
    coalesce(r.received_usd, 0) as received_usd,
    coalesce(a.grants_without_rate, 0) + coalesce(r.transactions_without_rate, 0)
        as amounts_without_rate
from regions_used as u
left join organisations_by_region as o using (region_code)
left join awarded as a using (region_code)
left join received as r using (region_code)
where $regions is null or list_contains($regions, u.region_code)
order by u.region_code
