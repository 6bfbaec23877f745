-- Record the targets an upload changes (temp table upload_rows, before it is applied) as
-- revisions of batch $batch, by $by at $at, with the file's reason (docs/quality.md).
insert into target_revisions
    (batch_id, line, indicator_code, period, region_code, old_target, new_target, reason,
     revised_by, revised_at)
select
    $batch, r.line, r.indicator_code, r.period, r.region_code, s.target, r.target,
    trim(r.revision_reason), $by, $at
from upload_rows as r
join indicator_targets as s
    on s.indicator_code = r.indicator_code and s.period = r.period
    and s.region_code = r.region_code
where r.is_changed and r.target is distinct from s.target
