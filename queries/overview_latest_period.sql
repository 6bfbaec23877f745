-- The latest quarter inside the programme that has any indicator value or transaction.
-- Parameters: $start, $end (programme dates).
with periods as (
    select max(period) as period
    from indicator_values
    where period between period_of(cast($start as date)) and period_of(cast($end as date))
    union all
    select period_of(max(date))
    from transactions
    where date between cast($start as date) and cast($end as date)
)

select max(period) as latest_period
from periods
