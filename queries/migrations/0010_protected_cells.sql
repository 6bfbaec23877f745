-- The disclosure audit's results, kept for every process that opens the database
-- (monitoring/access/kept.py, docs/access.md): the cells that secondary suppression hid in
-- a donor view, under a fingerprint of everything that went into it (the view's regions and
-- quarters, the privacy settings, the cells' values and states, the audit's code), so that a
-- server that restarts, a second replica or a command does not run the audit again.
create table protected_cells (
    fingerprint varchar primary key,  -- sha256 of the audit's input (hex)
    regions     varchar not null,     -- the view's regions, for reading: "UZ-JI UZ-NG"
    hidden      varchar not null,     -- JSON: the cells hidden and the audit's summary
    seconds     double not null,      -- how long the audit took
    kept_at     timestamptz not null default current_timestamp
);
