-- Accounts, oldest first, with the time of each one's latest successful sign-in.
-- $user_name: one account's name, or NULL for all.
with last_sign_in as (
    select user_name, max(attempted_at) as last_sign_in_at
    from sign_in_attempts
    where outcome = 'success'
    group by user_name
)

select
    u.user_name,
    u.role,
    u.password_hash,
    u.created_by,
    u.created_at,
    u.password_changed_at,
    s.last_sign_in_at
from users as u
left join last_sign_in as s using (user_name)
where $user_name is null or u.user_name = $user_name
order by u.created_at, u.user_name
