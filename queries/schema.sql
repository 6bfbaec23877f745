-- Schema of the monitoring database as the migrations leave it: the tables of the data
-- contract (monitoring/contract.py, docs/data-contract.md), the upload history, helper macros
-- and views, access, and the bookkeeping of schema versions and stored copies.
--
-- For reading only: no database is made from this file. Databases are made and upgraded by
-- the numbered migrations of queries/migrations/ (docs/database.md); a change to the schema
-- is a new migration, then the same change here. tests/unit/test_migrations.py checks that
-- this file and the migrations make the same tables, columns, constraints, views and macros.
--
-- References between tables (organisation -> region, value -> indicator ...) are checked by
-- upload validation, not by FOREIGN KEY constraints: DuckDB refuses updates of rows that a
-- foreign key points at, and an upload must be able to correct a region's name.
-- Empty optional key parts are stored as '' (org_id) or 'all' (sex, age_group), never NULL.

create table if not exists regions (
    region_code varchar primary key check (regexp_full_match(region_code, 'UZ-[A-Z]{2}')),
    name_en     varchar not null check (trim(name_en) <> ''),
    name_uz     varchar,
    name_ru     varchar,
    lat         double check (lat between -90 and 90),
    lon         double check (lon between -180 and 180)
);

create table if not exists organisations (
    org_id         varchar primary key check (trim(org_id) <> ''),
    name           varchar not null check (trim(name) <> ''),
    kind           varchar not null check (kind in ('cso', 'cswg', 'authority', 'community_group')),
    region_code    varchar not null,
    district       varchar,
    women_led      boolean,
    status         varchar check (status in ('existing', 'new')),
    established_on date,
    lat            double check (lat between -90 and 90),
    lon            double check (lon between -180 and 180)
);

create table if not exists indicators (
    indicator_code        varchar primary key check (trim(indicator_code) <> ''),
    level                 varchar not null check (level in ('goal', 'outcome', 'output')),
    outcome               integer check (outcome in (1, 2, 3)),
    title                 varchar not null check (trim(title) <> ''),
    unit                  varchar not null check (unit in ('number', 'percent')),
    direction             varchar not null check (direction in ('increase', 'decrease')),
    aggregation           varchar not null check (aggregation in ('sum', 'latest', 'mean')),
    baseline              double,
    target                double not null,
    disaggregation        varchar check (disaggregation in ('sex', 'age_group', 'sex;age_group')),
    sensitive             boolean not null default false,
    means_of_verification varchar,
    min_value             double,   -- optional bounds of its values (0006, docs/quality.md)
    max_value             double,
    title_ru              varchar,  -- the title in Russian and Uzbek, optional (0007)
    title_uz              varchar
);

create table if not exists indicator_targets (
    indicator_code varchar not null,
    period         varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    region_code    varchar not null,
    target         double not null,
    revision_reason varchar,          -- why a stored target was changed (0006)
    primary key (indicator_code, period, region_code)
);

create table if not exists indicator_values (
    indicator_code varchar not null,
    period         varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    region_code    varchar not null,
    org_id         varchar not null default '',
    sex            varchar not null default 'all' check (sex in ('female', 'male', 'all')),
    age_group      varchar not null default 'all'
                   check (age_group = 'all' or regexp_full_match(age_group, '\d+(-\d+|\+)')),
    value          double not null,
    comment        varchar,
    source         varchar,
    deviation_narrative varchar,  -- why it is over or under target, for the donor (0003)
    primary key (indicator_code, period, region_code, org_id, sex, age_group)
);

create table if not exists grants (
    grant_id    varchar primary key check (trim(grant_id) <> ''),
    org_id      varchar not null,
    title       varchar not null,
    region_code varchar,
    awarded_on  date not null,
    end_on      date,
    amount      decimal(18, 2) not null check (amount >= 0),
    currency    varchar not null check (currency in ('USD', 'UZS')),
    purpose     varchar,
    status      varchar check (status in ('active', 'closed', 'cancelled')),
    title_ru    varchar,  -- the title in Russian and Uzbek, optional (0007)
    title_uz    varchar
);

create table if not exists transactions (
    transaction_id varchar primary key check (trim(transaction_id) <> ''),
    grant_id       varchar,
    date           date not null,
    kind           varchar not null
                   check (kind in ('commitment', 'disbursement', 'expenditure', 'refund')),
    amount         decimal(18, 2) not null check (amount >= 0),
    currency       varchar not null check (currency in ('USD', 'UZS')),
    budget_line    varchar not null,
    description    varchar
);

create table if not exists budget (
    budget_line varchar not null,
    category    varchar not null,
    period      varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    amount      decimal(18, 2) not null check (amount >= 0),
    currency    varchar not null check (currency in ('USD', 'UZS')),
    category_ru varchar,  -- the category in Russian and Uzbek, optional (0007)
    category_uz varchar,
    primary key (budget_line, period)
);

create table if not exists exchange_rates (
    currency varchar not null check (currency in ('USD', 'UZS')),
    month    varchar not null check (regexp_full_match(month, '\d{4}-(0[1-9]|1[0-2])')),
    per_usd  decimal(18, 6) not null check (per_usd > 0),
    primary key (currency, month)
);

create table if not exists milestones (
    milestone_id   varchar primary key check (trim(milestone_id) <> ''),
    title          varchar not null,
    stage          integer not null check (stage between 1 and 4),
    level          varchar not null
                   check (level in ('community', 'regional', 'national', 'international')),
    audience       varchar,
    region_code    varchar,
    planned_on     date not null,
    achieved_on    date,
    status         varchar not null
                   check (status in ('planned', 'in_progress', 'achieved', 'delayed', 'dropped')),
    outcome        varchar,
    evidence_url   varchar,
    indicator_code varchar,
    title_ru       varchar,  -- the title in Russian and Uzbek, optional (0007)
    title_uz       varchar
);

-- Upload history: one row per committed file (or sample load), and the rows it changed,
-- with their previous values, so that a batch can be undone exactly.
create sequence if not exists upload_batch_seq start 1;

create table if not exists upload_batches (
    batch_id       integer primary key default nextval('upload_batch_seq'),
    table_name     varchar not null,
    file_name      varchar not null,
    sha256         varchar not null,
    uploaded_by    varchar not null,
    uploaded_at    timestamptz not null default current_timestamp,
    rows_inserted  integer not null default 0,
    rows_updated   integer not null default 0,
    rows_unchanged integer not null default 0,
    rows_rejected  integer not null default 0,
    source         varchar not null default 'upload' check (source in ('upload', 'sample', 'cli')),
    status         varchar not null default 'committed' check (status in ('committed', 'undone')),
    undone_at      timestamptz,
    undone_by      varchar
);

create table if not exists upload_changes (
    batch_id   integer not null,
    line       integer,
    table_name varchar not null,
    row_key    varchar not null,   -- JSON array of the key values
    action     varchar not null check (action in ('insert', 'update')),
    old_row    varchar,            -- JSON object of the stored row before, NULL for inserts
    new_row    varchar             -- JSON object of the row as written; for an insert, NULL
                                   -- until its batch is undone (migration 0014)
);

-- Periods are quarters written 2021Q1.
create or replace macro period_start(p) as
    make_date(cast(left(p, 4) as integer), (cast(right(p, 1) as integer) - 1) * 3 + 1, 1);

create or replace macro period_end(p) as
    cast(period_start(p) + interval 3 month - interval 1 day as date);

create or replace macro period_of(d) as
    cast(year(d) as varchar) || 'Q' || cast(quarter(d) as varchar);

-- One value per indicator, period and region, from the total rows only (sex and age_group
-- 'all': breakdown rows are parts of the total, never added to it). Where a region reported
-- a region-level row (org_id ''), that row is the region's value; otherwise its
-- organisations' rows are combined: summed for counts, averaged for percentages and means.
create or replace view indicator_region_values as
with totals as (
    select v.indicator_code, v.period, v.region_code, v.org_id, v.value,
           i.unit, i.aggregation
    from indicator_values v
    join indicators i using (indicator_code)
    where v.sex = 'all' and v.age_group = 'all'
)
select
    indicator_code,
    period,
    region_code,
    coalesce(
        max(value) filter (where org_id = ''),
        case
            when any_value(unit) = 'number' and any_value(aggregation) <> 'mean'
                then sum(value) filter (where org_id <> '')
            else avg(value) filter (where org_id <> '')
        end
    ) as value,
    count(*) filter (where org_id <> '') as organisations_reporting
from totals
group by indicator_code, period, region_code;

-- Stored copies of views (monitoring/db/stored.py STORED_COPIES): indicator_region_values
-- reads every indicator value, transactions_converted converts every transaction,
-- spending_quarters sums them per quarter, region_codes_used lists the regions used; their
-- copies (<view>_stored, made from the views after every upgrade and by every transaction
-- that writes their tables) hold the same rows, and the queries read them. source_writes
-- counts the transactions that wrote a view's tables, copy_writes is that count when the copy
-- was made: a copy whose two differ is out of date, and queries read its view instead.
create table if not exists stored_copies (
    stored_table  varchar primary key,          -- the table holding the copy
    view_name     varchar not null,             -- the view it copies
    source_writes bigint not null default 0,    -- transactions that wrote the view's tables
    copy_writes   bigint,                       -- source_writes when made; NULL: never made
    refreshed_at  timestamptz
);

-- The disclosure audit's results, kept for every process (monitoring/access/kept.py): the
-- cells secondary suppression hid in a donor view, under a fingerprint of all it read.
create table if not exists protected_cells (
    fingerprint varchar primary key,  -- sha256 of the audit's input (hex)
    regions     varchar not null,     -- the view's regions, for reading: "UZ-JI UZ-NG"
    hidden      varchar not null,     -- JSON: the cells hidden and the audit's summary
    seconds     double not null,      -- how long the audit took
    kept_at     timestamptz not null default current_timestamp
);

-- What donors could read in each protected view (monitoring/access/published.py): every
-- cell of its grid shown as a count or as "<5" (or withheld), and which counts it summed,
-- which later views of the same regions are audited knowing (docs/access.md, "What donors
-- saw before"; migrations 0023 and 0025).
create table if not exists published_cells (
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

-- Each indicator's whole protected grid of a view shown rounded (migration 0024,
-- monitoring/access/published.py): its figures over sets of regions follow from it.
create table if not exists published_grids (
    digest         varchar primary key,
    scope          varchar not null,  -- the view's regions, by code: "UZ-JI UZ-NG UZ-TO"
    indicator_code varchar not null,
    protection     varchar not null,  -- privacy.protection then
    rounding_base  integer not null,  -- privacy.rounding_base then
    threshold      integer not null,  -- privacy.threshold then
    base           varchar not null,  -- the fingerprint of the view that first showed it
    shown_at       timestamptz not null default current_timestamp
);

create table if not exists published_grid_cells (
    digest         varchar not null,  -- published_grids.digest
    region_code    varchar not null,  -- '*': all the view's regions
    sex            varchar not null,
    age_group      varchar not null,
    period_column  varchar not null,  -- a quarter, or 'to_date'
    state          varchar not null,  -- '' (shown), 'small' ("<5") or 'hidden'
    value          double not null,   -- the count behind it then
    primary key (digest, region_code, sex, age_group, period_column)
);

-- Query results kept per data version (monitoring/db/results.py): the rows of a slow
-- analytic query under a fingerprint of the query, its parameters and the data version.
create table if not exists kept_results (
    fingerprint  varchar primary key,  -- sha256 (hex) of the query, parameters, data version
    query        varchar not null,     -- the query's name (queries/NAME.sql), for reading
    data_version varchar not null,     -- "batch 12, 1 undone, 40 writes"
    frame        blob not null,        -- the rows, as a Parquet file
    row_count    bigint not null,
    seconds      double not null,      -- how long the query took
    kept_at      timestamptz not null default current_timestamp
);

-- The migrations applied to this database (monitoring/db/migrations.py): its schema version
-- is the highest.
create table if not exists schema_migrations (
    version    integer primary key,
    name       varchar not null,
    applied_at timestamptz not null default current_timestamp
);

-- Milestones as they stood on a reporting date (docs/milestones.md), the one definition of
-- milestone status that every query uses. Status follows the date, never today's status
-- column: 'dropped' stays dropped; 'achieved' if achieved on or before the date; 'overdue'
-- if planned before the date and not achieved by then; otherwise 'planned'. days_late is
-- achieved_on - planned_on for a milestone achieved (0 when on time or early) and
-- as_of - planned_on for an overdue one. A milestone is due when planned on or before the
-- date and achieved or overdue by then (one planned on the date itself is still to come until
-- achieved; migration 0017). stages, levels, regions, statuses: lists of values to keep, or NULL
-- for all; '' in regions stands for milestones without a region (national, international).
create or replace macro milestones_as_of(as_of, stages, levels, regions, statuses) as table
with dated as (
    select
        m.*,
        coalesce(m.region_code, '') as region_key,
        case
            when m.status = 'dropped' then 'dropped'
            when m.achieved_on <= as_of then 'achieved'
            when m.planned_on < as_of then 'overdue'
            else 'planned'
        end as status_as_of
    from milestones as m
    where (stages is null or list_contains(stages, m.stage))
      and (levels is null or list_contains(levels, m.level))
      and (regions is null or list_contains(regions, coalesce(m.region_code, '')))
)

select
    *,
    case when status_as_of = 'achieved' then achieved_on end as achieved_as_of,
    status_as_of in ('achieved', 'overdue') and planned_on <= as_of as due,
    case status_as_of
        when 'achieved' then greatest(0, date_diff('day', planned_on, achieved_on))
        when 'overdue' then date_diff('day', planned_on, as_of)
    end as days_late
from dated
where statuses is null or list_contains(statuses, status_as_of);

-- Whether a milestone is in a donor's view (docs/access.md). scope_regions: the link's
-- region codes, or NULL for every milestone; with regions, a milestone is in view when it is
-- of one of them, has no region, or is national or international (not tied to a region).
-- hidden_indicators: indicator codes never shown (sensitive), or NULL; a milestone tied to
-- one is out of view, because its title speaks of the same work.
create or replace macro milestone_in_view(region_code, level, indicator_code, scope_regions,
        hidden_indicators) as
    (scope_regions is null
        or coalesce(region_code, '') = ''
        or level in ('national', 'international')
        or list_contains(scope_regions, region_code))
    and (hidden_indicators is null
        or not list_contains(hidden_indicators, coalesce(trim(indicator_code), '')));

-- The milestones a viewer may see as of a date, with the reader's filters (0005).
create or replace macro milestones_shown(
    as_of, stages, levels, regions, statuses, scope_regions, hidden_indicators
) as table
    select *
    from milestones_as_of(as_of, stages, levels, regions, statuses)
    where milestone_in_view(region_code, level, indicator_code, scope_regions, hidden_indicators);

-- An organisation's name, and a text naming it (a grant's title), as a viewer may see them
-- (docs/access.md). unnamed_kinds: NULL for an account; in a donor view, the setting
-- privacy.unnamed_organisation_kinds, whose organisations are described, never named.
create or replace macro org_shown_name(name, kind, region_name, unnamed_kinds) as
    case when list_contains(unnamed_kinds, kind)
        then 'a ' || replace(kind, '_', ' ') || coalesce(' in ' || region_name, '')
            || ' (name withheld)'
        else name end;

create or replace macro org_shown_text(text, kind, unnamed_kinds) as
    case when list_contains(unnamed_kinds, kind) then '(not shared in this view)' else text end;

-- Money (docs/spending.md): one definition of conversion and of spending for every query.
-- DuckDB divides DECIMALs in floating point (DECIMAL / DECIMAL and // both give DOUBLE), so
-- money_div divides in 128-bit integers: n / d to 10 decimal places, rounded half away from
-- zero, as DECIMAL(38, 10). d must be positive; |n| below 10^17.
create or replace macro money_div(n, d) as
    cast(
        sign(n) * (
            (2 * abs(cast(cast(n as decimal(38, 10)) * 10000000000 as hugeint)) * 10000000000
                + cast(cast(d as decimal(38, 10)) * 10000000000 as hugeint))
            // (2 * cast(cast(d as decimal(38, 10)) * 10000000000 as hugeint))
        ) as decimal(38, 0)
    ) * 0.0000000001;

-- An amount in to_currency: amount x to_per_usd / from_per_usd, each rate that of the
-- amount's month and 1 for USD by definition. Same currency: no rate needed. NULL when a
-- needed rate is missing: the amount is flagged, never converted with a guess.
create or replace macro money_in(amount, from_currency, to_currency, from_per_usd, to_per_usd) as
    case
        when from_currency = to_currency then cast(amount as decimal(38, 10))
        else money_div(
            cast(amount as decimal(38, 2))
                * cast(if(to_currency = 'USD', 1, to_per_usd) as decimal(38, 6)),
            if(from_currency = 'USD', 1, from_per_usd)
        )
    end;

-- Transactions in to_currency at the rate of their month. spent_in is the transaction's
-- effect on spending: + for an expenditure, - for a refund, NULL for other kinds.
create or replace macro transactions_in(to_currency) as table
with converted as (
    select
        t.*,
        strftime(t.date, '%Y-%m') as month,
        money_in(t.amount, t.currency, to_currency, src.per_usd, dst.per_usd) as amount_in
    from transactions as t
    left join exchange_rates as src
        on src.currency = t.currency and src.currency <> 'USD'
        and src.month = strftime(t.date, '%Y-%m')
    left join exchange_rates as dst
        on dst.currency = to_currency and dst.currency <> 'USD'
        and dst.month = strftime(t.date, '%Y-%m')
)

select
    *,
    amount_in is null as missing_rate,
    case kind when 'expenditure' then amount_in when 'refund' then -amount_in end as spent_in
from converted;

-- Every transaction in each reporting currency (transactions_in, one row per transaction
-- and currency, with its quarter): the spending queries read its stored copy
-- (monitoring/db/stored.py) as `transactions_converted_stored as t where t.to_currency =
-- $currency`, so that the exact conversion of 200,000 transactions is done once per upload,
-- not per query.
create or replace view transactions_converted as
select 'USD' as to_currency, *, period_of(date) as period from transactions_in('USD')
union all
select 'UZS' as to_currency, *, period_of(date) as period from transactions_in('UZS');

-- Spending summed per currency, grant, budget line, kind and quarter (migration 0012): the
-- spending queries read spending_to(as_of), which takes the quarters before as_of's from the
-- stored copy spending_quarters_stored and sums as_of's own quarter up to as_of from the
-- transactions, so the figures are exact for any date.
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
-- macro's tables when it is made); the upgrade and every write fill it.
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

-- Every region code the data uses and the tables that use it (the map, the region pickers);
-- queries read its stored copy, region_codes_used_stored (migration 0009).
create or replace view region_codes_used as
with used as (
    select distinct region_code, 'regions' as used_in from regions
    union all
    select distinct region_code, 'organisations' from organisations
    union all
    select distinct region_code, 'indicator_values' from indicator_values
    union all
    select distinct region_code, 'indicator_targets' from indicator_targets
    union all
    select distinct region_code, 'grants' from grants where region_code is not null
    union all
    select distinct region_code, 'milestones' from milestones where region_code is not null
)
select region_code, list(distinct used_in order by used_in) as used_in
from used
group by region_code;

-- Budget rows in to_currency at the mean rate of the quarter's three months (the ratio of
-- two means is the ratio of the sums, so no rounding is needed). A quarter missing any
-- month's rate is not converted: amount_in NULL, missing_rate true.
create or replace macro budget_in(to_currency) as table
with quarter_rates as (
    select currency, period_of(cast(month || '-01' as date)) as period, sum(per_usd) as rate_sum
    from exchange_rates
    where currency <> 'USD'
    group by all
    having count(*) = 3
),

converted as (
    select
        b.*,
        case
            when b.currency = to_currency then cast(b.amount as decimal(38, 10))
            else money_div(
                cast(b.amount as decimal(38, 2))
                    * cast(if(to_currency = 'USD', 3, dst.rate_sum) as decimal(38, 6)),
                if(b.currency = 'USD', 3, src.rate_sum)
            )
        end as amount_in
    from budget as b
    left join quarter_rates as src on src.currency = b.currency and src.period = b.period
    left join quarter_rates as dst on dst.currency = to_currency and dst.period = b.period
)

select *, amount_in is null as missing_rate
from converted;

-- Access (docs/access.md): accounts of managers, staff and admins, sign-in attempts (to slow
-- down guessing), donor share links and every use of them. Donors have no account: they
-- reach the dashboard through a share link only. password_hash is an argon2id hash, NULL for
-- an account that signs in only through the organisation's identity provider.
create table if not exists users (
    user_name           varchar primary key
                        check (regexp_full_match(user_name, '[a-z0-9][a-z0-9._@-]{0,63}')),
    role                varchar not null check (role in ('manager', 'staff', 'admin')),
    password_hash       varchar,
    created_by          varchar not null,
    created_at          timestamptz not null,
    password_changed_at timestamptz
);

create table if not exists sign_in_attempts (
    user_name    varchar not null,
    attempted_at timestamptz not null,
    outcome      varchar not null
                 check (outcome in ('success', 'wrong_password', 'unknown_user', 'refused')),
    client       varchar  -- the client address; NULL: the command line, or before 0004
);

-- One-time sign-in links (monitoring/access/signin_links.py): the nonce of every link redeemed.
create table if not exists sign_in_link_uses (
    nonce     varchar primary key,
    user_name varchar not null,
    used_at   timestamptz not null,
    signed_in boolean default true  -- false: came with a share link, used up unused (0004)
);

-- Sign-in sessions (monitoring/access/sessions.py, 0004): the browser holds a signed,
-- HttpOnly cookie with the session's id and a secret, stored here as its SHA-256; until it
-- has the cookie, the row holds the SHA-256 of the one-time ticket exchanged for it.
create table if not exists sign_in_sessions (
    session_id    varchar primary key,
    user_name     varchar not null,
    method        varchar not null check (method in ('password', 'link')),
    client        varchar,
    created_at    timestamptz not null,
    ticket_hash   varchar,
    secret_hash   varchar,
    claimed_at    timestamptz,
    last_seen_at  timestamptz not null,
    ended_at      timestamptz,
    ended_because varchar check (ended_because in ('signed_out', 'replaced', 'password_changed',
        'role_changed', 'removed', 'idle', 'too_long'))
);

-- Password checks in progress (monitoring/access/throttle.py, 0004), counted as failures
-- while they run; and the row each reservation of a check updates first, so that
-- reservations are made one after another in every process.
create table if not exists sign_in_checks (
    check_id   varchar primary key,
    user_name  varchar not null,
    client     varchar,
    started_at timestamptz not null
);

create table if not exists sign_in_gate (
    gate     varchar primary key,
    taken_at timestamptz
);

create sequence if not exists share_link_seq start 1;

create table if not exists share_links (
    link_id    integer primary key default nextval('share_link_seq'),
    label      varchar not null check (trim(label) <> ''),
    nonce      varchar not null,   -- random, carried in the signed token: ids are guessable
    regions    varchar[],          -- NULL: every region of the programme
    pages      varchar[],          -- NULL: every dashboard page a donor may see
    created_by varchar not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    revoked_by varchar,
    downloads  varchar[] default ['tables', 'reports'], -- what its donor may download (0003)
    unapproved boolean default false    -- true: quarters not yet approved are shown too (0006)
);

create table if not exists share_link_uses (
    link_id integer not null,
    used_at timestamptz not null,
    page    varchar,
    outcome varchar not null check (outcome in ('opened', 'expired', 'revoked'))
);

-- Trustworthy numbers (0006, docs/quality.md): approvals and reopenings of quarters (a scope
-- is approved while its latest event is an approval; region_code '' is the whole programme),
-- values marked for follow-up, and targets revised by uploads.
create sequence if not exists approval_event_seq start 1;

create table if not exists quarter_approvals (
    event_id    integer primary key default nextval('approval_event_seq'),
    period      varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    region_code varchar not null default '',
    action      varchar not null check (action in ('approve', 'reopen')),
    acted_by    varchar not null,
    acted_at    timestamptz not null,
    reason      varchar
);

create sequence if not exists follow_up_seq start 1;

create table if not exists follow_ups (
    follow_up_id   integer primary key default nextval('follow_up_seq'),
    indicator_code varchar not null,
    period         varchar not null,
    region_code    varchar not null,
    org_id         varchar not null default '',
    sex            varchar not null default 'all',
    age_group      varchar not null default 'all',
    value          double,
    note           varchar not null,
    marked_by      varchar not null,
    marked_at      timestamptz not null,
    closed_by      varchar,
    closed_at      timestamptz,
    close_note     varchar
);

create table if not exists target_revisions (
    batch_id       integer not null,
    line           integer,
    indicator_code varchar not null,
    period         varchar not null,
    region_code    varchar not null,
    old_target     double not null,
    new_target     double not null,
    reason         varchar not null,
    revised_by     varchar not null,
    revised_at     timestamptz not null
);

create or replace macro approved_scopes() as table
    select period, region_code, acted_by as approved_by, acted_at as approved_at
    from quarter_approvals
    qualify row_number() over (partition by period, region_code order by event_id desc) = 1
        and action = 'approve';

-- The validation rules' parts (migration 0015), read from their stored copies
-- rule_sex_parts_stored and rule_age_parts_stored by queries/quality_rule_*.sql.

-- Each count (indicator, quarter, region, organisation, age group) with its female, male
-- and all-sexes rows, where female + male differs from all. One grouping, not a join of the
-- three rows: a write's refresh of its indicators, quarters and regions then reads only their
-- rows (monitoring/db/stored.py narrows by the grouped columns).
create or replace view rule_sex_parts as
select indicator_code, period, region_code, org_id, age_group, female, male, total
from (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        age_group,
        -- one row at most of each sex (the primary key)
        max(value) filter (where sex = 'female') as female,
        max(value) filter (where sex = 'male') as male,
        max(value) filter (where sex = 'all') as total
    from indicator_values
    -- counts only: percentages and means of parts do not add up to the whole
    where indicator_code in (select indicator_code from indicators where unit = 'number')
    group by indicator_code, period, region_code, org_id, age_group
) as s
-- NULL, and so left out, unless all three rows are there
where abs(female + male - total) > 0;

-- Each count (indicator, quarter, region, organisation, sex) with at least two age groups
-- and a row for all ages, where the age groups' sum differs from it: the groups ('|'
-- between) and their values in the order of the groups (then values).
create or replace view rule_age_parts as
select
    p.indicator_code,
    p.period,
    p.region_code,
    p.org_id,
    p.sex,
    p.left_value,
    a.value as right_value,
    p.part_groups,
    p.part_values
from (
    select
        indicator_code,
        period,
        region_code,
        org_id,
        sex,
        sum(value) as left_value,
        string_agg(age_group, '|' order by age_group, value) as part_groups,
        list(value order by age_group, value) as part_values
    from indicator_values
    where age_group <> 'all'
      and indicator_code in (select indicator_code from indicators where unit = 'number')
    group by indicator_code, period, region_code, org_id, sex
    having count(*) >= 2
) as p
join indicator_values as a
    on a.indicator_code = p.indicator_code and a.period = p.period
    and a.region_code = p.region_code and a.org_id = p.org_id
    and a.sex = p.sex and a.age_group = 'all'
where abs(p.left_value - a.value) > 0;

-- The cells (indicator, quarter, region) that have a value (migration 0018), read by
-- queries/quality_completeness.sql and quality_timeliness.sql from the stored copy
-- reported_cells_stored.
create or replace view reported_cells as
select indicator_code, period, region_code
from indicator_values
group by indicator_code, period, region_code;

-- Each organisation's first report of an indicator in a region (migration 0019), read by
-- queries/quality_timeliness.sql from the stored copy organisation_first_reports_stored.
create or replace view organisation_first_reports as
select indicator_code, region_code, org_id, min(period) as first_period
from indicator_values
where org_id <> ''
group by indicator_code, region_code, org_id;

-- The quarters in which each organisation reported each indicator (migration 0020), read by
-- queries/quality_completeness_organisations.sql from the stored copy
-- organisation_quarters_stored.
create or replace view organisation_quarters as
select org_id, indicator_code, period
from indicator_values
where org_id <> ''
group by org_id, indicator_code, period;

-- The cells (indicator, quarter, region) each upload batch inserted values of (migration 0016),
-- read by queries/quality_timeliness.sql from the stored copy upload_batch_cells_stored.
create or replace view upload_batch_cells as
select distinct
    batch_id,
    row_key ->> 0 as indicator_code,
    row_key ->> 1 as period,
    row_key ->> 2 as region_code
from upload_changes
where table_name = 'indicator_values' and action = 'insert';

-- How many values of each series (indicator, sex and age group) each quarter holds, value by
-- value (migration 0026), for the outlier rule's medians; kept as series_value_counts_stored.
create or replace view series_value_counts as
select indicator_code, sex, age_group, period, value, cast(count(*) as integer) as values_count
from indicator_values
group by indicator_code, sex, age_group, period, value;

-- The stored copy of series_value_counts, made empty here where the database has none yet
-- (a new one), so that the macro below can name it: DuckDB checks a macro's tables when it
-- is made. The upgrade remakes every stored copy from its view after the migrations.
create table if not exists series_value_counts_stored as
select * from series_value_counts where false;

-- Each distinct value of each series (of the indicators `indicators`, a list of codes, NULL:
-- every one), its quarters up to `up_to` (NULL: all), with how many values have it (`c`)
-- and the series' figures: its count (n), two lowest and two highest values, median, median
-- absolute deviation (mad) and, where that is 0, mean absolute deviation (mean_ad; NULL
-- elsewhere). Written once for the Outliers tab (queries/quality_outliers.sql) and the
-- summary of the stored series an upload compares with (queries/series_summary.sql).
-- The value at a position of a series' sorted values is the distinct value whose run of
-- equal values covers it (positions `upto - c` to `upto - 1`, counted from 0); the median
-- halves and adds the two middle ones ((n - 1) / 2 rounded down and up: the same one for an
-- odd count), as DuckDB's median() interpolates them; the MAD the same over each value's
-- absolute deviation from the median. `series_row` is true on one row of each series.
create or replace macro series_deviations(up_to, indicators) as table
with tallied as (
    select indicator_code, sex, age_group, value, cast(sum(values_count) as integer) as c
    from series_value_counts_stored
    where (up_to is null or period <= up_to)
      and (indicators is null or indicator_code = any(indicators))
    group by indicator_code, sex, age_group, value
),

placed as (
    select
        *,
        sum(c) over (
            partition by indicator_code, sex, age_group order by value
            rows between unbounded preceding and current row
        ) as upto,
        sum(c) over (partition by indicator_code, sex, age_group) as n
    from tallied
),

centred as (
    select
        indicator_code,
        sex,
        age_group,
        cast(n as bigint) as n,
        min(value) as lowest,
        max(case when upto - c <= 1 and 1 < upto then value end) as second_lowest,
        max(value) as highest,
        max(case when upto - c <= n - 2 and n - 2 < upto then value end) as second_highest,
        max(case when 2 * (upto - c) <= n - 1 and n - 1 < 2 * upto then value end) * 0.5
        + max(case when 2 * (upto - c) <= n and n < 2 * upto then value end) * 0.5 as median
    from placed
    group by indicator_code, sex, age_group, n
),

deviations as (
    select
        m.*,
        t.value,
        t.c,
        abs(t.value - m.median) as d,
        sum(t.c) over (
            partition by t.indicator_code, t.sex, t.age_group order by abs(t.value - m.median)
            rows between unbounded preceding and current row
        ) as upto
    from tallied as t
    join centred as m using (indicator_code, sex, age_group)
),

measured as (
    select
        *,
        max(case when 2 * (upto - c) <= n - 1 and n - 1 < 2 * upto then d end) over (
            partition by indicator_code, sex, age_group
        ) * 0.5
        + max(case when 2 * (upto - c) <= n and n < 2 * upto then d end) over (
            partition by indicator_code, sex, age_group
        ) * 0.5 as mad,
        sum(c * d) over (partition by indicator_code, sex, age_group) / n as mean_ad
    from deviations
)

-- `upto = n`: one row of each series (the last of its values by deviation), for those who
-- want the series' figures only.
select
    indicator_code,
    sex,
    age_group,
    value,
    c,
    n,
    lowest,
    second_lowest,
    highest,
    second_highest,
    median,
    mad,
    case when mad = 0 then mean_ad end as mean_ad,
    upto = n as series_row
from measured;

-- The outlier rule of docs/quality.md (migration 0021), written once for
-- queries/quality_outliers.sql and queries/quality_upload_outliers.sql: the modified
-- z-score (none for fewer than five values or no spread), and whether a value is flagged
-- (beyond the threshold either way, or outside its indicator's bounds).
create or replace macro modified_z(x, n, median, mad, mean_ad) as
    case
        when n < 5 then null
        when mad > 0 then 0.6745 * (x - median) / mad
        when mean_ad > 0 then (x - median) / (1.2533 * mean_ad)
    end;

create or replace macro outlier_flagged(z, x, threshold, min_value, max_value) as
    coalesce(abs(z) > threshold, false)
    or coalesce(x < min_value, false)
    or coalesce(x > max_value, false);

-- The first quarter of each indicator in each programme region in which it was reported or
-- given a target (migration 0022): the cells the Data quality page expects a value in, for
-- queries/quality_completeness.sql and quality_timeliness.sql.
--
-- The stored copy of reported_cells, made empty here if there is none yet so that the macro
-- can name it (DuckDB checks a macro's tables when it is made); the upgrade and every write
-- fill it.
create table if not exists reported_cells_stored as select * from reported_cells where false;

create or replace macro first_expected(programme_regions) as table
select indicator_code, region_code, min(period) as first_period
from (
    select indicator_code, region_code, period from reported_cells_stored
    union all
    select indicator_code, region_code, period from indicator_targets
)
where list_contains(programme_regions, region_code)
group by all;
