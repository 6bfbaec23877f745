-- The small grants of some regions as of a date, in US dollars: the programme's money that is
-- tied to a region (the budget and project spending are not split by region; docs/access.md).
-- Parameters:
--   $as_of          reporting date: grants awarded later and later transactions are ignored
--   $regions        list of region codes (a grant's region, else its organisation's)
--   $programme_end  a grant without an end date runs to the programme's end
-- Budget: the awards of the grants, cancelled ones left out, each at the rate of its month
-- (as queries/grants_position.sql). Budget to date: each award spread evenly over its days,
-- from the award to its end date, so spent / budget to date is the grants' burn rate.
-- Spent is expenditure less refunds, each transaction at the rate of its month.
with params as (
    select
        cast($as_of as date) as as_of,
        cast($regions as varchar[]) as regions,
        cast($programme_end as date) as programme_end
),

scoped as (
    select
        g.grant_id,
        g.amount,
        g.currency,
        g.awarded_on,
        coalesce(g.end_on, p.programme_end) as end_on
    from grants as g
    left join organisations as o on o.org_id = g.org_id, params as p
    where g.awarded_on <= p.as_of
      and coalesce(g.status, '') <> 'cancelled'
      and list_contains(p.regions, coalesce(g.region_code, o.region_code))
),

awards as (
    select
        s.grant_id,
        money_in(s.amount, s.currency, 'USD', r.per_usd, null) as awarded,
        case
            when s.end_on <= s.awarded_on then 1.0
            else least(1.0,
                (date_diff('day', s.awarded_on, p.as_of) + 1)
                / (date_diff('day', s.awarded_on, s.end_on) + 1))
        end as time_share
    from scoped as s
    cross join params as p
    left join exchange_rates as r
        on r.currency = s.currency and r.currency <> 'USD'
        and r.month = strftime(s.awarded_on, '%Y-%m')
),

flows as (
    select t.*
    from transactions_in('USD') as t, params as p
    where t.grant_id in (select grant_id from scoped) and t.date <= p.as_of
)

select
    coalesce((select sum(awarded) from awards), 0) as budget_total,
    coalesce((select sum(cast(awarded as double) * time_share) from awards), 0)
        as budget_to_date,
    coalesce((select sum(spent_in) from flows), 0) as spent_to_date,
    coalesce((select sum(amount_in) from flows where kind = 'disbursement'), 0)
        as disbursed_to_date,
    (select count(*) from flows where missing_rate) as transactions_without_rate,
    (select count(*) from awards where awarded is null) as budget_rows_without_rate
