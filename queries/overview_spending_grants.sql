-- The small grants of some regions as of a date, in US dollars: the programme's money that is
-- tied to a region (the budget and project spending are not split by region; docs/access.md).
-- Parameters:
--   $as_of          reporting date: grants awarded later and later transactions are ignored
--   $regions        list of region codes (a grant's region, else its organisation's)
--   $programme_end  a grant without an end date runs to the programme's end
-- Money follows the one rule of docs/spending.md (queries/schema.sql), as on the Grant
-- spending page (queries/grants_position.sql, whose totals these are): an award at the rate
-- of the month it was made (money_in), each transaction at the rate of its month
-- (transactions_converted, summed per quarter by spending_to), in exact decimals rounded to cents only here at the end.
-- Budget: the awards of the grants, cancelled ones left out. Budget to date: each award
-- spread evenly over its days, from the award to its end date (award x days elapsed / days,
-- divided exactly by money_div), so spent / budget to date is the grants' burn rate.
-- Spent is expenditure less refunds.
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
        s.awarded_on,
        s.end_on,
        money_in(s.amount, s.currency, 'USD', r.per_usd, null) as awarded
    from scoped as s
    left join exchange_rates as r
        on r.currency = s.currency and r.currency <> 'USD'
        and r.month = strftime(s.awarded_on, '%Y-%m')
),

planned as (
    select
        a.awarded,
        case
            when a.end_on <= p.as_of or a.end_on <= a.awarded_on then a.awarded
            else money_div(
                a.awarded * (date_diff('day', a.awarded_on, p.as_of) + 1),
                date_diff('day', a.awarded_on, a.end_on) + 1
            )
        end as awarded_to_date
    from awards as a, params as p
),

flows as (
    select t.*
    from spending_to(cast($as_of as date)) as t
    where t.to_currency = 'USD'
      and t.grant_id in (select grant_id from scoped)
)

select
    coalesce((select round(sum(awarded), 2) from planned), 0) as budget_total,
    coalesce((select round(sum(awarded_to_date), 2) from planned), 0) as budget_to_date,
    coalesce((select round(sum(spent_in), 2) from flows), 0) as spent_to_date,
    coalesce((select round(sum(amount_in), 2) from flows where kind = 'disbursement'), 0)
        as disbursed_to_date,
    cast((select coalesce(sum(without_rate), 0) from flows) as bigint)
        as transactions_without_rate,
    (select count(*) from awards where awarded is null) as budget_rows_without_rate
