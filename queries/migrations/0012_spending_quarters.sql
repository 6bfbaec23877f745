-- Spending summed per quarter, read by the spending queries instead of every transaction
-- (docs/spending.md, docs/scale.md).
--
-- Every spending query sums the transactions up to a reporting date in one currency: each
-- read scanned the stored copy of every transaction in each reporting currency
-- (transactions_converted_stored, 200,000 rows per currency at the benchmark's scale), which
-- PostgreSQL does row by row (300-600 ms a query). A quarter's transactions sum to the same
-- amounts whatever the reporting date once the quarter is over, so they are summed once per
-- write, per currency, grant, budget line, kind and quarter (about a quarter as many rows),
-- and only the reporting date's own quarter is summed from its transactions, up to that
-- date, when a page asks: the figures are exact for any date, not only a quarter's end.

-- The sums of transactions_converted per currency, grant, budget line, kind and quarter.
-- Read from its stored copy, spending_quarters_stored (monitoring/db/stored.py).
create or replace view spending_quarters as
select
    to_currency,
    grant_id,
    budget_line,
    kind,
    period,
    sum(amount_in) as amount_in,
    sum(spent_in) as spent_in,
    count(*) as transactions,
    count(*) filter (where missing_rate) as without_rate,
    max(date) as last_on
from transactions_converted
group by to_currency, grant_id, budget_line, kind, period;

-- Its stored copy, made empty here so that the macro below can name it (DuckDB checks a
-- macro's tables when it is made); the upgrade fills it, as every new stored copy.
create table spending_quarters_stored as select * from spending_quarters where false;

-- Spending up to and including as_of (a date), in the shape of spending_quarters: the
-- stored sums of the quarters before as_of's quarter, then that quarter's transactions up
-- to as_of summed now (found by their date: on PostgreSQL through an index made with the
-- stored copy, monitoring/db/stored.py).
-- A query filters to_currency itself. amount_in and spent_in are NULL where every
-- transaction of a row lacks a rate, as sum() of the transactions would be.
create or replace macro spending_to(as_of) as table
select to_currency, grant_id, budget_line, kind, period, amount_in, spent_in, transactions,
    without_rate, last_on
from spending_quarters_stored
where period < period_of(as_of)
union all
select
    to_currency,
    grant_id,
    budget_line,
    kind,
    period,
    sum(amount_in) as amount_in,
    sum(spent_in) as spent_in,
    count(*) as transactions,
    count(*) filter (where missing_rate) as without_rate,
    max(date) as last_on
from transactions_converted_stored
where date >= period_start(period_of(as_of)) and date <= as_of
group by to_currency, grant_id, budget_line, kind, period;
