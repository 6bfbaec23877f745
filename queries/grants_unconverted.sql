-- Amounts that cannot be shown in the reporting currency because a month has no rate in
-- exchange_rates: transactions up to the reporting date and budget rows (docs/spending.md).
-- They are left out of every converted total, never converted with a guess.
-- Parameters: $as_of, $currency; $regions: list of region codes, or NULL for all. With
-- regions, only transactions of the small grants in them (a grant's region, else its
-- organisation's) and no budget rows: the budget is not split by region (docs/access.md).
with params as (
    select cast($as_of as date) as as_of, cast($regions as varchar[]) as regions
),

grants_in_regions as (
    select g.grant_id
    from grants as g
    left join organisations as o on o.org_id = g.org_id, params as p
    where list_contains(p.regions, coalesce(g.region_code, o.region_code))
),

transactions_without_rate as (
    select
        'transaction' as source,
        t.transaction_id as reference,
        t.grant_id,
        t.budget_line,
        t.kind,
        strftime(t.date, '%Y-%m-%d') as date_or_period,
        t.month as rate_month,
        round(t.amount, 2) as amount,
        t.currency
    from transactions_converted_stored as t, params as p
    where t.to_currency = $currency and t.missing_rate and t.date <= p.as_of
      and (p.regions is null or t.grant_id in (select grant_id from grants_in_regions))
),

budget_without_rate as (
    select
        'budget' as source,
        b.budget_line || ' ' || b.period as reference,
        cast(null as varchar) as grant_id,
        b.budget_line,
        b.category as kind,
        b.period as date_or_period,
        strftime(period_start(b.period), '%Y-%m') || ' to '
            || strftime(period_end(b.period), '%Y-%m') as rate_month,
        round(b.amount, 2) as amount,
        b.currency
    from budget_in($currency) as b, params as p
    where b.missing_rate and p.regions is null
)

select * from transactions_without_rate
union all
select * from budget_without_rate
order by source desc, date_or_period, reference
