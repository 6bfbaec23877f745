-- engines: postgresql
-- Indexes for PostgreSQL (docs/scale.md). DuckDB finds these rows by the min/max of each
-- block of a column (zonemaps) and needs no index; PostgreSQL reads every row without one.
-- On DuckDB this migration is recorded and runs nothing (monitoring/db/migrations.py).

-- The latest quarter with data (overview_latest_period, overview_data_freshness) and every
-- query limited to the quarters up to a reporting date.
create index indicator_values_period on indicator_values (period);

-- Transactions up to a date (overview_latest_period, the spending queries).
create index transactions_date on transactions (date);

-- The rows of one upload batch (undo, the batch's locks, redo).
create index upload_changes_batch on upload_changes (batch_id);
