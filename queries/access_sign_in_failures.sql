-- Failed sign-ins for one user name since $since and since its latest success: how many,
-- and when the latest was. Attempts refused while slowed down are not failures.
with last_success as (
    select max(attempted_at) as at
    from sign_in_attempts
    where user_name = $user_name and outcome = 'success'
)

select
    count(*) as failures,
    max(a.attempted_at) as last_failure_at
from sign_in_attempts as a
cross join last_success as s
where a.user_name = $user_name
  and a.outcome in ('wrong_password', 'unknown_user')
  and a.attempted_at > $since
  and (s.at is null or a.attempted_at > s.at)
