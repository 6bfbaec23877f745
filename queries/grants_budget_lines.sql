-- Budget against actual spending per budget line, per category and in all (docs/spending.md).
-- Parameters:
--   $as_of        reporting date: later transactions are ignored
--   $first/$last  first and last quarter of the range shown (2021Q1)
--   $currency     reporting currency (USD, UZS): amounts converted by transactions_in and
--                 budget_in (queries/schema.sql); an amount without a rate is left out, counted
--   $categories   list of budget categories to keep, or NULL for all
--   $time_share   share of the range's days elapsed by $as_of, for the burn rate
-- Money stays DECIMAL until the final select, which rounds it to cents for display.
-- Spending is expenditure less refunds. A budget line's category is the one the budget gives
-- it; a line with spending and no budget has category ''.
with params as (
    select
        cast($as_of as date) as as_of,
        period_of(cast($as_of as date)) as as_of_period,
        cast($first as varchar) as first_period,
        cast($last as varchar) as last_period,
        cast($categories as varchar[]) as categories,
        cast($time_share as double) as time_share
),

line_categories as (
    select budget_line, min(category) as category
    from budget
    group by budget_line
),

planned as (
    select
        b.budget_line,
        sum(b.amount_in) as budget_total,
        sum(b.amount_in) filter (where b.period <= p.as_of_period) as budget_to_date,
        count(*) filter (where b.missing_rate) as budget_rows_without_rate
    from budget_in($currency) as b, params as p
    where b.period between p.first_period and p.last_period
    group by b.budget_line
),

actual as (
    select
        t.budget_line,
        sum(t.amount_in) filter (where t.kind = 'expenditure') as expenditure,
        sum(t.amount_in) filter (where t.kind = 'refund') as refunds,
        sum(t.spent_in) as spent,
        sum(t.without_rate) as transactions_without_rate
    from spending_to(cast($as_of as date)) as t, params as p
    where t.to_currency = $currency
      and t.kind in ('expenditure', 'refund')
      and t.period between p.first_period and p.last_period
    group by t.budget_line
),

lines as (
    select
        budget_line,
        coalesce(c.category, '') as category,
        coalesce(pl.budget_total, 0) as budget_total,
        coalesce(pl.budget_to_date, 0) as budget_to_date,
        coalesce(a.expenditure, 0) as expenditure,
        coalesce(a.refunds, 0) as refunds,
        coalesce(a.spent, 0) as spent,
        coalesce(pl.budget_rows_without_rate, 0) as budget_rows_without_rate,
        coalesce(a.transactions_without_rate, 0) as transactions_without_rate
    from planned as pl
    full join actual as a using (budget_line)
    left join line_categories as c using (budget_line), params as p
    where p.categories is null or list_contains(p.categories, c.category)
),

grouped as (
    select
        case
            when grouping(budget_line) = 0 then 'line'
            when grouping(category) = 0 then 'category'
            else 'total'
        end as level,
        category,
        budget_line,
        sum(budget_total) as budget_total,
        sum(budget_to_date) as budget_to_date,
        sum(expenditure) as expenditure,
        sum(refunds) as refunds,
        sum(spent) as spent,
        sum(budget_rows_without_rate) as budget_rows_without_rate,
        sum(transactions_without_rate) as transactions_without_rate
    from lines
    group by grouping sets ((category, budget_line), (category), ())
),

final as (
    select
        g.level,
        g.category,
        g.budget_line,
        round(g.budget_total, 2) as budget_total,
        round(g.budget_to_date, 2) as budget_to_date,
        round(g.expenditure, 2) as expenditure,
        round(g.refunds, 2) as refunds,
        round(g.spent, 2) as spent,
        round(g.spent - g.budget_to_date, 2) as variance,
        case
            when g.budget_to_date > 0
                then cast(g.spent - g.budget_to_date as double) / cast(g.budget_to_date as double)
        end as variance_share,
        case
            when g.budget_total > 0
                then cast(g.spent as double) / cast(g.budget_total as double)
        end as spent_share,
        case
            when g.budget_total > 0 and p.time_share > 0
                then cast(g.spent as double) / cast(g.budget_total as double) / p.time_share
        end as burn_rate,
        cast(g.budget_rows_without_rate as integer) as budget_rows_without_rate,
        cast(g.transactions_without_rate as integer) as transactions_without_rate
    from grouped as g, params as p
)

select * from final
order by
    case level when 'line' then 0 when 'category' then 1 else 2 end,
    category = '',
    category,
    budget_line
