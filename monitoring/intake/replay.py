"""The data as it stood after an upload batch, replayed in a copy of the database.

`--data-version N` makes a report file from the data as they stood right after batch N was
committed (docs/reports.md), so that last quarter's report can be made again after later
uploads. The database file is copied to a temporary folder and, in the copy, every change
made after batch N is reversed, newest first: a later batch is undone (as `undo` does), and
a batch of N or before that was undone later is redone from the rows it recorded. The
original is never written. Exact, because every write to the data goes through a batch
(monitoring/intake/batches.py) and each batch records every row it wrote and what was there
before.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from monitoring.access.markers import team_only
from monitoring.contract import TABLES
from monitoring.db import Database
from monitoring.db.versions import DataVersion
from monitoring.intake.batches import undo_batch
from monitoring.intake.validation import sql_ident

REPLAY_USER = "replay"


@team_only
def database_after_batch(db: Database, batch: int, folder: Path) -> tuple[Database, DataVersion]:
    """A copy of `db` in `folder` holding the data as they stood right after batch `batch`,
    and that data version. ValueError when there is no such batch."""
    with db.cursor() as cur:
        frame = cur.execute(
            "select batch_id, uploaded_at, status, undone_at from upload_batches order by 1"
        ).df()
    if batch not in set(frame.batch_id):
        latest = int(frame.batch_id.max()) if len(frame) else 0
        raise ValueError(
            f"There is no upload batch {batch}: batches run from 1 to {latest} "
            "(python -m monitoring history lists them)."
        )
    made = frame.set_index("batch_id").uploaded_at[batch]
    events: list[tuple[pd.Timestamp, str, int]] = []
    for row in frame.itertuples(index=False):
        if row.batch_id > batch and row.status == "committed":
            events.append((row.uploaded_at, "undo", int(row.batch_id)))
        elif row.batch_id <= batch and not pd.isna(row.undone_at) and row.undone_at > made:
            events.append((row.undone_at, "redo", int(row.batch_id)))
    undone_before = int(((~frame.undone_at.isna()) & (frame.undone_at <= made)).sum())
    with db.cursor() as cur:
        cur.execute("checkpoint")  # the file holds every committed change
    copy_path = Path(folder) / f"after-batch-{batch}.duckdb"
    shutil.copyfile(db.path, copy_path)
    copy = Database(copy_path)
    for _, action, batch_id in sorted(events, reverse=True):
        if action == "undo":
            undo_batch(copy, batch_id, by=REPLAY_USER, ignore_approvals=True)  # a copy
        else:
            redo_batch(copy, batch_id)
    at = pd.Timestamp(made).tz_convert("UTC").to_pydatetime().replace(microsecond=0)
    return copy, DataVersion(batch, undone_before, at.astimezone(dt.UTC))


def redo_batch(db: Database, batch_id: int) -> None:
    """Write again what an undone batch wrote (the rows recorded in upload_changes)."""
    with db.transaction() as cur:
        table_name = cur.execute(
            "select table_name from upload_batches where batch_id = $batch", {"batch": batch_id}
        ).fetchone()[0]
        table = TABLES[table_name]
        name = sql_ident(table.name)
        columns = ", ".join(sql_ident(c.name) for c in table.columns)
        values = ", ".join(
            f"cast(c.new_row ->> '$.{c.name}' as {c.sql_type})" for c in table.columns
        )
        params = {"batch": batch_id}
        cur.execute(
            f"insert into {name} ({columns}) select {values} from upload_changes c "  # noqa: S608
            "where c.batch_id = $batch and c.action = 'insert'",
            params,
        )
        key = " and ".join(
            f"{name}.{sql_ident(k)} = c.row_key ->> {i}" for i, k in enumerate(table.key)
        )
        assignments = ", ".join(
            f"{sql_ident(c.name)} = cast(c.new_row ->> '$.{c.name}' as {c.sql_type})"
            for c in table.columns
            if c.name not in table.key
        )
        cur.execute(
            f"update {name} set {assignments} from upload_changes c "  # noqa: S608
            f"where c.batch_id = $batch and c.action = 'update' and {key}",
            params,
        )
        cur.execute(
            "update upload_batches set status = 'committed', undone_at = null, "
            "undone_by = null where batch_id = $batch",
            params,
        )
