-- Budget and spending per quarter of the range shown, and cumulated over it: the S-curve
-- (docs/spending.md).
-- Parameters: $as_of, $first, $last, $currency, $categories as in spending_budget_lines.sql.
-- Quarters after the reporting date's quarter have a budget but no spending yet (NULL).
with params as (
    select
        cast($as_of as date) as as_of,
        period_of(cast($as_of as date)) as as_of_period,
        cast($first as varchar) as first_period,
        cast($last as varchar) as last_period,
        cast($categories as varchar[]) as categories
),

quarters as (
    select period_of(q.day) as period
    from params as p,
        generate_series(
            cast(period_start(p.first_period) as timestamp),
            cast(period_start(p.last_period) as timestamp),
            interval 3 month
        ) as q(day)
),

line_categories as (
    select budget_line, min(category) as category
    from budget
    group by budget_line
),

planned as (
    select b.period, sum(b.amount_in) as budget
    from budget_in($currency) as b, params as p
    where p.categories is null or list_contains(p.categories, b.category)
    group by b.period
),

actual as (
    select t.period, sum(t.spent_in) as spent
    from spending_to(cast($as_of as date)) as t
    left join line_categories as c using (budget_line), params as p
    where t.to_currency = $currency
      and t.kind in ('expenditure', 'refund')
      and (p.categories is null or list_contains(p.categories, c.category))
    group by t.period
),

joined as (
    select
        q.period,
        coalesce(pl.budget, 0) as budget,
        case when q.period <= p.as_of_period then coalesce(a.spent, 0) end as spent
    from quarters as q
    left join planned as pl using (period)
    left join actual as a using (period), params as p
),

cumulated as (
    select
        *,
        sum(budget) over (order by period) as cumulative_budget,
        sum(spent) over (order by period) as cumulative_spent
    from joined
)

select
    period,
    period_end(period) as period_end,
    round(budget, 2) as budget,
    round(spent, 2) as spent,
    round(spent - budget, 2) as variance,
    case
        when budget > 0 then cast(spent - budget as double) / cast(budget as double)
    end as variance_share,
    round(cumulative_budget, 2) as cumulative_budget,
    case when spent is not null then round(cumulative_spent, 2) end as cumulative_spent,
    case when spent is not null then round(cumulative_spent - cumulative_budget, 2) end
        as cumulative_variance
from cumulated
order by period
