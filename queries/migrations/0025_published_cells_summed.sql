-- Which counts each recorded cell of a donor view summed (monitoring/access/published.py,
-- docs/access.md "What donors saw before"). A region that reports a quarter late, after the
-- next upload, joins the totals of that quarter: the total an earlier view showed over all
-- regions was of the others, and a later audit that took it for today's total left out
-- what a donor who saw both views knows (the late region's count, their difference).
-- `summed` is '' where the cell summed every count of its regions and quarters (nothing can
-- join it later), else each count it summed as "REGION@QUARTER", by region and quarter. It
-- is part of the key: the same cell may have been shown with the same value over other
-- counts. Cells recorded before this version read '' (as before: what their regions and
-- quarters hold now). DuckDB cannot change a table's key, so the table is made again.
create table published_cells_0025 (
    scope          varchar not null,  -- the view's regions, by code: "UZ-JI UZ-NG UZ-TO"
    indicator_code varchar not null,
    region_code    varchar not null,  -- '*': all the view's regions
    sex            varchar not null,
    age_group      varchar not null,
    period_column  varchar not null,  -- a quarter, or 'to_date'
    through        varchar not null,  -- the last quarter the cell summed (its own, for a quarter)
    state          varchar not null,  -- '' (a count shown), 'small' ("<5") or 'hidden'
    value          double not null,   -- the count behind it then
    low            double not null,   -- what a donor read of it: low <= the count <= high
    high           double not null,   -- (exact, rounded to a range, or 1 to 4 for "<5")
    summed         varchar not null default '',  -- '' all its counts; else "REGION@QUARTER ..."
    base           varchar not null,  -- the fingerprint of the view that first showed it
    shown_at       timestamptz not null default current_timestamp,
    primary key (
        scope, indicator_code, region_code, sex, age_group, period_column, through, state, value,
        low, high, summed
    )
);

insert into published_cells_0025 (
    scope, indicator_code, region_code, sex, age_group, period_column, through, state, value,
    low, high, summed, base, shown_at
)
select
    scope, indicator_code, region_code, sex, age_group, period_column, through, state, value,
    low, high, '', base, shown_at
from published_cells;

drop table published_cells;

alter table published_cells_0025 rename to published_cells;
