-- The committed batch (not undone) that loaded this very file into this table, if any:
-- the same file twice is recognised by its SHA-256 and changes nothing.
select batch_id, file_name, uploaded_by, uploaded_at
from upload_batches
where table_name = $table
    and sha256 = $sha256
    and status = 'committed'
order by batch_id desc
limit 1
