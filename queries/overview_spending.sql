-- The programme's budget and spending as of a date, in US dollars (the Overview page).
-- Parameters: $as_of (reporting date).
-- Money follows the one rule of docs/spending.md, defined in queries/schema.sql and used by
-- every page: each transaction at the rate of its month (transactions_converted, made by
-- transactions_in, summed per quarter by spending_to), each budget row at the mean rate of its quarter's three months (budget_in),
-- in exact decimals, rounded to cents only here at the end. These are the Grant spending
-- page's figures for the whole programme (queries/grants_budget_lines.sql). An amount whose
-- month (or, for a budget row, any month of its quarter) has no rate is counted, never
-- converted with a guess. Spending is expenditure less refunds.
with params as (
    select cast($as_of as date) as as_of, period_of(cast($as_of as date)) as as_of_period
),

planned as (
    select
        sum(b.amount_in) as budget_total,
        sum(b.amount_in) filter (where b.period <= p.as_of_period) as budget_to_date,
        count(*) filter (where b.missing_rate) as budget_rows_without_rate
    from budget_in('USD') as b, params as p
),

actual as (
    select
        sum(t.spent_in) as spent_to_date,
        sum(t.amount_in) filter (where t.kind = 'disbursement') as disbursed_to_date,
        cast(coalesce(sum(t.without_rate), 0) as bigint) as transactions_without_rate
    from spending_to(cast($as_of as date)) as t
    where t.to_currency = 'USD'
)

select
    coalesce(round(pl.budget_total, 2), 0) as budget_total,
    coalesce(round(pl.budget_to_date, 2), 0) as budget_to_date,
    coalesce(round(a.spent_to_date, 2), 0) as spent_to_date,
    coalesce(round(a.disbursed_to_date, 2), 0) as disbursed_to_date,
    a.transactions_without_rate,
    pl.budget_rows_without_rate
from planned as pl, actual as a
