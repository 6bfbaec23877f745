-- What donors could be shown of each protected view (monitoring/access/published.py,
-- docs/access.md "What donors saw before"): every cell of a view's protected grid that read
-- as a count or as "<5", with the value behind it. A donor who opened a link before an upload
-- and again after it knows both views; the disclosure audit of the later one is run knowing
-- what the earlier ones showed, wherever the data behind it is unchanged.
-- One row per fact, kept by the first view that showed it (`base`: the fingerprint of that
-- view's cells before the audit, so that auditing the same cells again is not told its own
-- result).
create table published_cells (
    scope          varchar not null,  -- the view's regions, by code: "UZ-JI UZ-NG UZ-TO"
    indicator_code varchar not null,
    region_code    varchar not null,  -- '*': all the view's regions
    sex            varchar not null,
    age_group      varchar not null,
    period_column  varchar not null,  -- a quarter, or 'to_date'
    through        varchar not null,  -- the last quarter the cell summed (its own, for a quarter)
    state          varchar not null,  -- '' (a count shown) or 'small' ("<5")
    value          double not null,   -- the count behind it then
    low            double not null,   -- what a donor read of it: low <= the count <= high
    high           double not null,   -- (exact, rounded to a range, or 1 to 4 for "<5")
    base           varchar not null,  -- the fingerprint of the view that first showed it
    shown_at       timestamptz not null default current_timestamp,
    primary key (
        scope, indicator_code, region_code, sex, age_group, period_column, through, state, value,
        low, high
    )
);
