-- Donor share links, newest first, with their status on $now and how often each was used.
-- $link_id: one link, or NULL for all. The nonce (part of the token) is never listed.
with uses as (
    select
        link_id,
        count(*) filter (where outcome = 'opened') as uses,
        max(used_at) filter (where outcome = 'opened') as last_used_at,
        count(*) filter (where outcome <> 'opened') as refused_uses
    from share_link_uses
    group by link_id
)

select
    l.link_id,
    l.label,
    l.regions,
    l.pages,
    l.downloads,
    coalesce(l.unapproved, false) as unapproved,
    l.created_by,
    l.created_at,
    l.expires_at,
    l.revoked_at,
    l.revoked_by,
    case
        when l.revoked_at is not null then 'revoked'
        when l.expires_at <= $now then 'expired'
        else 'active'
    end as status,
    coalesce(u.uses, 0) as uses,
    u.last_used_at,
    coalesce(u.refused_uses, 0) as refused_uses
from share_links as l
left join uses as u using (link_id)
where $link_id is null or l.link_id = $link_id
order by l.link_id desc
