-- Schema of the monitoring database: the tables of the data contract
-- (monitoring/contract.py, docs/data-contract.md), the upload history, and helper macros.
-- Idempotent: every statement may run again on an existing database.
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
    means_of_verification varchar
);

create table if not exists indicator_targets (
    indicator_code varchar not null,
    period         varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    region_code    varchar not null,
    target         double not null,
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
    status      varchar check (status in ('active', 'closed', 'cancelled'))
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
    indicator_code varchar
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
    new_row    varchar not null    -- JSON object of the row as written
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
