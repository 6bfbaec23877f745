-- Query results kept per data version (monitoring/db/results.py, docs/database.md): the rows
-- of a slow analytic query (the data quality checks), so that the first process to run it
-- on new data keeps them for every other one (a server that restarts, a second replica, the
-- command line). Each row is found by a fingerprint of the query's text, its parameters,
-- the migrations and the data version; rows of an older data version are removed when a
-- newer result is kept.
create table kept_results (
    fingerprint  varchar primary key,  -- sha256 (hex) of the query, parameters, data version
    query        varchar not null,     -- the query's name (queries/NAME.sql), for reading
    data_version varchar not null,     -- "batch 12, 1 undone, 40 writes"
    frame        blob not null,        -- the rows, as a Parquet file
    row_count    bigint not null,
    seconds      double not null,      -- how long the query took
    kept_at      timestamptz not null default current_timestamp
);
