-- What slows down a sign-in attempt (monitoring/access/throttle.py): the failed sign-ins of
-- its user name since $since and since the name's latest success, those of its client
-- address since $since (NULL $client: none), when the latest of each was, and the password
-- checks in progress in every process. A check in progress counts as a failure until its
-- outcome is recorded, so that parallel attempts are not all let through; one started
-- before $abandoned_before belongs to a process that stopped and counts no more. Attempts
-- refused while slowed down are not failures.
with last_success as (
    select max(attempted_at) as at
    from sign_in_attempts
    where user_name = $user_name and outcome = 'success'
),

checks as (
    select user_name, client, started_at
    from sign_in_checks
    where started_at > $abandoned_before
),

failures as (
    select user_name, client, attempted_at
    from sign_in_attempts
    where outcome in ('wrong_password', 'unknown_user') and attempted_at > $since
    union all
    select user_name, client, started_at as attempted_at
    from checks
),

by_name as (
    select f.*
    from failures as f
    cross join last_success as s
    where f.user_name = $user_name and (s.at is null or f.attempted_at > s.at)
),

by_client as (
    select *
    from failures
    where client = $client
)

select
    (select count(*) from by_name) as name_failures,
    (select max(attempted_at) from by_name) as name_last_failure_at,
    (select count(*) from by_client) as client_failures,
    (select max(attempted_at) from by_client) as client_last_failure_at,
    (select count(*) from checks) as checks_in_progress
