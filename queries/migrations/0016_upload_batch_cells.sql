-- The cells (indicator, quarter, region) whose values each upload batch inserted, read by the
-- Data quality page's timeliness (queries/quality_timeliness.sql: a value's first upload)
-- from its stored copy upload_batch_cells_stored (monitoring/db/stored.py).
--
-- Timeliness took a cell's first upload from the change log itself, reading the key of
-- every inserted row out of its JSON: at 1,000,000 values uploaded, 0.3-1.3 s of the check
-- on DuckDB, against 0.1 s without the log's rows (docs/benchmarks.md). The cells of a batch
-- do not change once it is written, so they are listed once, by the write, narrowed to its
-- batch. Whether the batch still counts (committed, not undone) and when it was uploaded are
-- read from upload_batches by the query, as before.
create or replace view upload_batch_cells as
select distinct
    batch_id,
    row_key ->> 0 as indicator_code,
    row_key ->> 1 as period,
    row_key ->> 2 as region_code
from upload_changes
where table_name = 'indicator_values' and action = 'insert';
