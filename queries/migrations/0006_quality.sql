-- Trustworthy numbers (docs/quality.md): approval and locking of quarters, follow-ups of
-- values, revisions of targets, bounds per indicator, and share links that show quarters not
-- yet approved.
--
-- quarter_approvals: every approval and reopening of a quarter, never updated or deleted.
-- A scope (period, region_code; '' = the whole programme) is approved while its latest event
-- is an approval; an approved scope locks its values against uploads and undo.
create sequence approval_event_seq start 1;

create table quarter_approvals (
    event_id    integer primary key default nextval('approval_event_seq'),
    period      varchar not null check (regexp_full_match(period, '\d{4}Q[1-4]')),
    region_code varchar not null default '',   -- '' : the whole programme
    action      varchar not null check (action in ('approve', 'reopen')),
    acted_by    varchar not null,
    acted_at    timestamptz not null,
    reason      varchar                        -- required for a reopening
);

-- A value marked for follow-up by a manager, with the value as it was then. Listed while it
-- is open: until a manager closes it, or a later upload changes the value.
create sequence follow_up_seq start 1;

create table follow_ups (
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

-- A target changed by an upload: old and new value, why, who and when, and the batch that
-- changed it (undoing the batch removes the record).
create table target_revisions (
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

-- Optional bounds of an indicator's values (a value outside is flagged, not refused).
alter table indicators add column min_value double;

alter table indicators add column max_value double;

-- Why a target was changed: required by an upload that changes a stored target.
alter table indicator_targets add column revision_reason varchar;

-- true: the link's donor sees quarters not yet approved as well.
alter table share_links add column unapproved boolean default false;

-- The scopes approved now: each (period, region_code) whose latest event is an approval,
-- with who approved it and when. Every lock and the donors' quarters read this.
create or replace macro approved_scopes() as table
    select period, region_code, acted_by as approved_by, acted_at as approved_at
    from quarter_approvals
    qualify row_number() over (partition by period, region_code order by event_id desc) = 1
        and action = 'approve';
