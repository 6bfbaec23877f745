-- Grant money for the regional map, per organisation and per region, in US dollars: the one
-- money query of the map (docs/map.md), read for the organisations' circles and for the
-- regions' tooltips and table (monitoring/reports/map.py).
-- Parameters:
--   $as_of    the date money is counted up to (end of the chosen quarter)
--   $regions  list of region codes whose region rows to keep, or NULL for all
-- The grants counted are those of the Grant spending page's totals (queries/grants_position.sql)
-- and of the Overview through a share link (queries/overview_spending_grants.sql): awarded on
-- or before $as_of and not cancelled. A grant counts in its own region_code, or its
-- organisation's region when that is empty. Money follows the one rule of docs/spending.md
-- (queries/schema.sql): an award at the rate of its month (money_in), each transaction at the
-- rate of its month (transactions_converted, summed per quarter by spending_to), in exact decimals rounded to cents only in the
-- last step; an amount whose month has no rate is counted in amounts_without_rate and left
-- out, never converted with a guess.
--   grants_awarded / awarded_usd: the grants counted and their awards
--   received_usd: disbursements less refunds on them up to $as_of
-- level 'organisation' (one row per org_id) or 'region' (one row per region_code).
with params as (
    select cast($as_of as date) as as_of, cast($regions as varchar[]) as regions
),

counted as (
    select
        g.grant_id,
        g.org_id,
        coalesce(nullif(g.region_code, ''), o.region_code) as region_code,
        money_in(g.amount, g.currency, 'USD', x.per_usd, null) as awarded
    from grants as g
    left join organisations as o on o.org_id = g.org_id
    left join exchange_rates as x
        on x.currency = g.currency and x.currency <> 'USD'
        and x.month = strftime(g.awarded_on, '%Y-%m'), params as p
    where g.awarded_on <= p.as_of and coalesce(g.status, '') <> 'cancelled'
),

received as (
    select
        t.grant_id,
        sum(case t.kind when 'disbursement' then t.amount_in else -t.amount_in end)
            as received,
        sum(t.without_rate) as transactions_without_rate
    from spending_to(cast($as_of as date)) as t
    where t.to_currency = 'USD'
      and t.kind in ('disbursement', 'refund')
      and t.grant_id in (select grant_id from counted)
    group by t.grant_id
),

per_grant as (
    select
        c.*,
        r.received,
        coalesce(r.transactions_without_rate, 0)
            + case when c.awarded is null then 1 else 0 end as amounts_without_rate
    from counted as c
    left join received as r using (grant_id)
),

grouped as (
    select
        case when grouping(org_id) = 0 then 'organisation' else 'region' end as level,
        case when grouping(org_id) = 0 then org_id end as org_id,
        case when grouping(region_code) = 0 then region_code end as region_code,
        count(*) as grants_awarded,
        coalesce(round(sum(awarded), 2), 0) as awarded_usd,
        coalesce(round(sum(received), 2), 0) as received_usd,
        cast(sum(amounts_without_rate) as integer) as amounts_without_rate
    from per_grant
    group by grouping sets ((org_id), (region_code))
)

select g.*
from grouped as g, params as p
where g.level = 'organisation' or p.regions is null or list_contains(p.regions, g.region_code)
order by g.level, g.region_code, g.org_id
