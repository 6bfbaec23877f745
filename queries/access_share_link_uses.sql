-- Every use of a donor share link, newest first: when, which link, which page, and whether
-- it opened or was refused (expired, revoked). $link_id: one link, or NULL for all.
select
    u.used_at,
    u.link_id,
    l.label,
    u.page,
    u.outcome
from share_link_uses as u
left join share_links as l using (link_id)
where $link_id is null or u.link_id = $link_id
order by u.used_at desc, u.link_id
limit $limit
