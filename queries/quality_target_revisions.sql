-- Target revisions recorded by uploads (docs/quality.md), newest first: of one indicator
-- ($indicator, or NULL for all), in $regions (NULL: all), of quarters up to $period.
select
    t.indicator_code,
    t.period,
    t.region_code,
    t.old_target,
    t.new_target,
    t.reason,
    t.revised_by,
    t.revised_at,
    t.batch_id
from target_revisions as t
join upload_batches as b using (batch_id)
where b.status = 'committed'
  and ($indicator is null or t.indicator_code = $indicator)
  and ($regions is null or list_contains($regions, t.region_code))
  and t.period <= $period
order by t.revised_at desc, t.indicator_code, t.period, t.region_code
