-- The stored targets an upload of indicator_targets (temp table upload_rows) changes: line,
-- key, old and new target, and the revision_reason the file gives ($reason_given: whether the
-- file has that column at all; without it, the stored reason is no reason for this change).
select
    r.line,
    r.indicator_code,
    r.period,
    r.region_code,
    s.target as old_target,
    r.target as new_target,
    case when $reason_given then nullif(trim(r.revision_reason), '') end as reason
from upload_rows as r
join indicator_targets as s
    on s.indicator_code = r.indicator_code and s.period = r.period
    and s.region_code = r.region_code
where r.is_changed and r.target is distinct from s.target
order by r.line
