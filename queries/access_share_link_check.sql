-- One share link as needed to check a token: its nonce, scope, expiry and revocation.
select link_id, label, nonce, regions, pages, expires_at, revoked_at, downloads,
    coalesce(unapproved, false) as unapproved
from share_links
where link_id = $link_id
