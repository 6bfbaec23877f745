-- Budget and spending as of a date, in US dollars.
-- Parameters: $as_of (reporting date).
-- UZS amounts are converted with the rate of the transaction's month; a budget quarter
-- uses the mean rate of its months. Amounts with no rate are counted, never guessed.
-- Spending is expenditure less refunds.
with params as (
    select cast($as_of as date) as as_of, period_of(cast($as_of as date)) as as_of_period
),

quarter_rates as (
    select
        currency,
        cast(left(month, 4) as integer) || 'Q'
            || cast((cast(right(month, 2) as integer) + 2) // 3 as varchar) as period,
        avg(per_usd) as per_usd
    from exchange_rates
    group by all
),

budget_usd as (
    select
        b.period,
        case when b.currency = 'USD' then b.amount else b.amount / r.per_usd end as amount_usd,
        b.currency <> 'USD' and r.per_usd is null as missing_rate
    from budget as b
    left join quarter_rates as r on r.currency = b.currency and r.period = b.period
),

transactions_usd as (
    select
        t.kind,
        case when t.currency = 'USD' then t.amount else t.amount / r.per_usd end as amount_usd,
        t.currency <> 'USD' and r.per_usd is null as missing_rate
    from transactions as t
    left join exchange_rates as r
        on r.currency = t.currency and r.month = strftime(t.date, '%Y-%m'),
        params
    where t.date <= params.as_of
)

select
    (select sum(amount_usd) from budget_usd) as budget_total,
    (select sum(amount_usd) from budget_usd, params where period <= params.as_of_period)
        as budget_to_date,
    coalesce((
        select sum(case kind when 'expenditure' then amount_usd else -amount_usd end)
        from transactions_usd where kind in ('expenditure', 'refund')
    ), 0) as spent_to_date,
    coalesce((
        select sum(amount_usd) from transactions_usd where kind = 'disbursement'
    ), 0) as disbursed_to_date,
    (select count(*) from transactions_usd where missing_rate) as transactions_without_rate,
    (select count(*) from budget_usd where missing_rate) as budget_rows_without_rate
