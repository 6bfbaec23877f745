-- Stored copies of views are refreshed by the transactions that write their tables, and never
-- by a read (monitoring/db/stored.py, docs/database.md).
--
-- Before: stored_views held a stamp of each view's sources (upload batches and row counts),
-- compared by every read, and a read that found it changed rebuilt the copy. Now each copy
-- has a count of the transactions that wrote its view's tables, kept by those transactions,
-- and the count it was made at: equal means up to date. The copies themselves
-- (<view>_stored, declared in monitoring/db/stored.py) are rebuilt after every upgrade.
drop table if exists stored_views;

create table stored_copies (
    stored_table  varchar primary key,          -- the table holding the copy
    view_name     varchar not null,             -- the view it copies
    source_writes bigint not null default 0,    -- transactions that wrote the view's tables
    copy_writes   bigint,                       -- source_writes when made; NULL: never made
    refreshed_at  timestamptz
);
