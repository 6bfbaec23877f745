-- Later committed batches that changed rows this batch wrote: undoing it would throw their
-- changes away, so the undo is refused while any exist.
with mine as (
    select table_name, row_key
    from upload_changes
    where batch_id = $batch
),

theirs as (
    select c.batch_id, c.table_name, c.row_key
    from upload_changes c
    join upload_batches b using (batch_id)
    where c.batch_id > $batch
        and b.status = 'committed'
),

final as (
    select
        b.batch_id,
        b.file_name,
        b.uploaded_by,
        b.uploaded_at,
        count(*) as rows
    from mine
    join theirs using (table_name, row_key)
    join upload_batches b on b.batch_id = theirs.batch_id
    group by b.batch_id, b.file_name, b.uploaded_by, b.uploaded_at
)

select * from final order by batch_id
