-- Every approval and reopening of a quarter, newest first: who, when, why (docs/quality.md).
select
    q.event_id,
    q.period,
    q.region_code,
    r.name_en as region_name,
    q.action,
    q.acted_by,
    q.acted_at,
    q.reason
from quarter_approvals as q
left join regions as r on r.region_code = q.region_code
order by q.event_id desc
limit $limit
