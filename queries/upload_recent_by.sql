-- The latest uploads one person made on the Data upload page since a moment, newest first:
-- after a broken connection the page says from these whether their upload was saved.
select
    batch_id,
    table_name,
    file_name,
    uploaded_at,
    rows_inserted,
    rows_updated,
    rows_unchanged,
    rows_rejected,
    status,
    undone_at,
    undone_by
from upload_batches
where uploaded_by = $by
    and source = 'upload'
    and uploaded_at >= $since
order by batch_id desc
limit $limit
