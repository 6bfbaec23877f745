-- Sign-in sessions held by a browser cookie, and sign-in limits that hold under parallel
-- attempts (monitoring/access/sessions.py, monitoring/access/throttle.py, docs/access.md).
--
-- sign_in_sessions: one row per sign-in with a password or a one-time link. The browser
-- holds a signed, HttpOnly cookie with the session's id and a random secret; only the
-- secret's SHA-256 is stored. Until the browser has its cookie, the row holds the SHA-256
-- of a one-time ticket (valid for two minutes) that the browser exchanges for the cookie.
-- A session ends when its account signs out, changes password or role, or is removed, and
-- after the idle time and the maximum length of the settings ([access]).
create table sign_in_sessions (
    session_id    varchar primary key,
    user_name     varchar not null,
    method        varchar not null check (method in ('password', 'link')),
    client        varchar,              -- the client address at sign-in
    created_at    timestamptz not null,
    ticket_hash   varchar,              -- NULL once the browser has its cookie
    secret_hash   varchar,              -- NULL until then
    claimed_at    timestamptz,
    last_seen_at  timestamptz not null,
    ended_at      timestamptz,
    ended_because varchar check (ended_because in ('signed_out', 'replaced', 'password_changed',
        'role_changed', 'removed', 'idle', 'too_long'))
);

-- Password checks in progress: one row from the moment an attempt is let through (in the
-- same transaction that counted the failures) until its outcome is in sign_in_attempts.
-- A check counts as a failure while it runs, so parallel attempts cannot all be let through.
create table sign_in_checks (
    check_id   varchar primary key,
    user_name  varchar not null,
    client     varchar,
    started_at timestamptz not null
);

-- One row every reservation of a password check updates first: concurrent reservations
-- conflict on it, so they are made one after another, in every process.
create table sign_in_gate (
    gate     varchar primary key,
    taken_at timestamptz
);

insert into sign_in_gate values ('sign-in', null);

-- Where each attempt came from (NULL: the command line, or before this migration).
alter table sign_in_attempts add column client varchar;

-- false: the link's token arrived with a share link and was used up without signing in.
alter table sign_in_link_uses add column signed_in boolean default true;
