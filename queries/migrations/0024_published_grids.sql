-- The whole protected grid of each indicator of a view shown rounded
-- (privacy.protection = "round"; monitoring/access/published.py, docs/access.md "What donors
-- saw before"). Under rounding a figure over several regions is rounded on its own, so it
-- says more than its cells' rounded values (10 and 10 shown, their sum shown as 15); those
-- figures follow from the grid's states, so the grid is kept, not each of its 2^regions
-- figures. The audit of a later view of the same regions reads each grid's figures where the
-- counts behind them are unchanged. A grid is kept once (`digest`: a hash of its scope,
-- indicator, settings, states and values), by the first view that showed it (`base`).
-- (From this version on, `published_cells` also holds the cells a view withheld, state
-- 'hidden', low 0 and high infinity, but zeros: a later view guards them too.)
create table published_grids (
    digest         varchar primary key,
    scope          varchar not null,  -- the view's regions, by code: "UZ-JI UZ-NG UZ-TO"
    indicator_code varchar not null,
    protection     varchar not null,  -- privacy.protection then
    rounding_base  integer not null,  -- privacy.rounding_base then
    threshold      integer not null,  -- privacy.threshold then
    base           varchar not null,  -- the fingerprint of the view that first showed it
    shown_at       timestamptz not null default current_timestamp
);

create table published_grid_cells (
    digest         varchar not null,  -- published_grids.digest
    region_code    varchar not null,  -- '*': all the view's regions
    sex            varchar not null,
    age_group      varchar not null,
    period_column  varchar not null,  -- a quarter, or 'to_date'
    state          varchar not null,  -- '' (shown), 'small' ("<5") or 'hidden'
    value          double not null,   -- the count behind it then
    primary key (digest, region_code, sex, age_group, period_column)
);
