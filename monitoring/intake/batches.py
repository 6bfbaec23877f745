"""Uploads as batches: preview a file, commit it in one transaction, list and undo batches.

A batch records the table, file name, SHA-256 of the file, who, when and the counts; every
row it inserted or updated is kept in upload_changes with its previous values, so undoing
the batch restores exactly what was there before. The same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from monitoring.contract import TABLES, Table
from monitoring.db import Database, DatabaseError, refresh_stored_views
from monitoring.intake.upload import read_table
from monitoring.intake.validation import (
    Check,
    Progress,
    check_raw,
    run_named,
    sql_ident,
)
from monitoring.settings import Settings

SOURCES = ("upload", "cli", "sample")


_NAME = re.compile(r"[\w .@'’()\-]{1,100}")


def checked_name(by: str | None, doing: str) -> str:
    """Who imports or undoes: required, and plain (it is shown in every page's header)."""
    name = " ".join((by or "").split())
    if not name:
        raise ValueError(f"Say who is {doing} (a name is recorded with every batch).")
    if not _NAME.fullmatch(name):
        raise ValueError(
            "A name may hold letters, digits, spaces and . @ ' ( ) - only, at most 100 characters."
        )
    return name


class Refused(ValueError):
    """The file has errors (or nothing valid to import): nothing was written."""

    def __init__(self, check: Check, message: str):
        super().__init__(message)
        self.check = check


class UndoRefused(ValueError):
    """A batch cannot be undone; the message says why and what to do."""


@dataclass(frozen=True)
class PreviousLoad:
    batch_id: int
    file_name: str
    uploaded_by: str
    uploaded_at: dt.datetime

    def describe(self) -> str:
        return (
            f"This file was already imported as batch {self.batch_id} "
            f"({self.file_name}, by {self.uploaded_by} on {self.uploaded_at:%d %b %Y %H:%M} UTC); "
            "importing it again changes nothing."
        )


@dataclass
class Preview:
    """A checked file and, if it was imported before, that batch."""

    check: Check
    previous: PreviousLoad | None

    @property
    def has_changes(self) -> bool:
        """Whether importing would insert or change any row."""
        return self.check.new + self.check.changed > 0

    @property
    def can_commit(self) -> bool:
        return self.previous is None and self.check.ok and self.has_changes

    @property
    def can_commit_valid_rows(self) -> bool:
        return self.previous is None and self.check.importable_rows and self.has_changes


@dataclass(frozen=True)
class CommitResult:
    table: str
    batch_id: int | None  # None when the file had been imported before
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    previous: PreviousLoad | None = None
    check: Check | None = None

    def describe(self) -> str:
        if self.batch_id is None and self.previous is not None:
            return self.previous.describe()
        if self.batch_id is None:
            return (
                f"Nothing to import: all {self.unchanged} valid row(s) are already stored in "
                f"{self.table} exactly as in the file. No batch was recorded."
            )
        text = (
            f"Imported into {self.table} as batch {self.batch_id}: {self.inserted} new row(s), "
            f"{self.updated} changed, {self.unchanged} unchanged"
        )
        if self.rejected:
            text += f"; {self.rejected} row(s) with errors were left out"
        return text + "."


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    table: str
    deleted: int
    restored: int

    def describe(self) -> str:
        return (
            f"Batch {self.batch_id} undone: {self.deleted} row(s) it added were removed from "
            f"{self.table} and {self.restored} row(s) it changed were restored."
        )


def _previous_load(cur: duckdb.DuckDBPyConnection, table: str, sha256: str) -> PreviousLoad | None:
    found = run_named(cur, "upload_previous_load", table=table, sha256=sha256)
    if found.empty:
        return None
    row = found.iloc[0]
    return PreviousLoad(
        int(row.batch_id), row.file_name, row.uploaded_by, row.uploaded_at.to_pydatetime()
    )


# Preview ------------------------------------------------------------------------------------------
def preview_file(
    db: Database,
    data: bytes,
    file_name: str,
    settings: Settings,
    *,
    table: str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Preview:
    """Read and check a file against the stored data. Writes nothing.

    Raises UnreadableFile when the file cannot be read as a table at all.
    """
    if progress:
        progress(0.02, "Reading the file")
    raw = read_table(data, file_name, table)
    with db.cursor() as cur:
        previous = _previous_load(cur, raw.table.name, raw.sha256)
        check = check_raw(cur, raw, settings, today=today, progress=progress)
    return Preview(check, previous)


# Commit -------------------------------------------------------------------------------------------
def _changes_sql(table: Table) -> str:
    join = " and ".join(f"s.{sql_ident(k)} = r.{sql_ident(k)}" for k in table.key)
    key = ", ".join(f"cast(r.{sql_ident(k)} as varchar)" for k in table.key)
    new_row = ", ".join(f"{sql_ident(c)} := r.{sql_ident(c)}" for c in table.column_names)
    return (
        "insert into upload_changes "  # noqa: S608 - identifiers from the contract only
        "(batch_id, line, table_name, row_key, action, old_row, new_row) "
        f"select $batch, r.line, $table, to_json([{key}]), "
        "case when r.is_new then 'insert' else 'update' end, "
        "case when r.is_new then null else to_json(s) end, "
        f"to_json(struct_pack({new_row})) "
        f"from upload_rows r left join {sql_ident(table.name)} s on {join} "
        "where r.is_new or r.is_changed"
    )


def _apply_sql(table: Table) -> list[str]:
    name = sql_ident(table.name)
    join = " and ".join(f"{name}.{sql_ident(k)} = r.{sql_ident(k)}" for k in table.key)
    values = [c for c in table.column_names if c not in table.key]
    assignments = ", ".join(f"{sql_ident(c)} = r.{sql_ident(c)}" for c in values)
    columns = ", ".join(sql_ident(c) for c in table.column_names)
    return [
        f"update {name} set {assignments} from upload_rows r "  # noqa: S608
        f"where {join} and r.is_changed",
        f"insert into {name} ({columns}) select {columns} from upload_rows where is_new",  # noqa: S608
    ]


def commit_file(
    db: Database,
    data: bytes,
    file_name: str,
    settings: Settings,
    *,
    by: str,
    table: str | None = None,
    valid_only: bool = False,
    source: str = "upload",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> CommitResult:
    """Check the file again and, if it may be imported, write it in one transaction.

    With `valid_only`, rows with errors are left out (and counted); errors about the file
    as a whole (its header) still refuse it. Raises UnreadableFile or Refused; in both
    cases nothing is written.
    """
    by = checked_name(by, "importing the file")
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}.")
    raw = read_table(data, file_name, table)
    spec = raw.table
    try:
        with db.transaction() as cur:
            previous = _previous_load(cur, spec.name, raw.sha256)
            if previous is not None:
                return CommitResult(spec.name, None, previous=previous)
            check = check_raw(cur, raw, settings, today=today, progress=progress)
            if check.file_errors or (check.errors and not valid_only):
                raise Refused(
                    check,
                    f"{file_name} was not imported: it has {len(check.errors)} error(s). "
                    "Nothing was written.",
                )
            if not len(check.rows):
                raise Refused(check, f"{file_name} has no valid rows to import.")
            if check.new == 0 and check.changed == 0:
                return CommitResult(
                    spec.name,
                    None,
                    unchanged=check.unchanged,
                    rejected=check.invalid_rows,
                    check=check,
                )
            if progress:
                progress(0.95, "Writing")
            batch_id = cur.execute(
                "insert into upload_batches (table_name, file_name, sha256, uploaded_by, "
                "rows_inserted, rows_updated, rows_unchanged, rows_rejected, source) values "
                "($table, $file, $sha, $by, $ins, $upd, $unch, $rej, $source) returning batch_id",
                {
                    "table": spec.name,
                    "file": file_name[:255],
                    "sha": raw.sha256,
                    "by": by,
                    "ins": check.new,
                    "upd": check.changed,
                    "unch": check.unchanged,
                    "rej": check.invalid_rows,
                    "source": source,
                },
            ).fetchone()[0]
            cur.execute(_changes_sql(spec), {"batch": batch_id, "table": spec.name})
            for statement in _apply_sql(spec):
                cur.execute(statement)
            cur.execute("drop table if exists upload_rows")
            refresh_stored_views(cur, (spec.name,))
    except duckdb.TransactionException as exc:
        raise DatabaseError(
            "Another change to the same table was saved at the same moment, so this import "
            f"was cancelled and nothing was written. Try again. (DuckDB said: {exc})"
        ) from None
    return CommitResult(
        spec.name,
        int(batch_id),
        inserted=check.new,
        updated=check.changed,
        unchanged=check.unchanged,
        rejected=check.invalid_rows,
        check=check,
    )


# History and undo ---------------------------------------------------------------------------------
def history(db: Database, limit: int = 200) -> pd.DataFrame:
    """Every batch, newest first, with its counts, who made it and whether it was undone."""
    return db.query("upload_history", limit=limit)


def _referencing(table: Table) -> list[tuple[Table, str, str]]:
    """(table, column, referenced key column) of every column that points into `table`."""
    out = []
    for other in TABLES.values():
        for column in other.columns:
            if column.references and column.references.split(".")[0] == table.name:
                out.append((other, column.name, column.references.split(".")[1]))
    return out


def _key_match(table: Table, alias: str) -> str:
    name = sql_ident(table.name)
    return " and ".join(
        f"{name}.{sql_ident(k)} = {alias}.row_key ->> {i}" for i, k in enumerate(table.key)
    )


def undo_batch(db: Database, batch_id: int, *, by: str) -> UndoResult:
    """Restore what a batch changed. Refused (UndoRefused) when that cannot be exact."""
    by = checked_name(by, "undoing the batch")
    try:
        with db.transaction() as cur:
            found = cur.execute(
                "select table_name, status, undone_at, undone_by from upload_batches "
                "where batch_id = $batch",
                {"batch": batch_id},
            ).fetchone()
            if found is None:
                raise UndoRefused(f"There is no batch {batch_id}. See the upload history.")
            table_name, status, undone_at, undone_by = found
            if status == "undone":
                raise UndoRefused(
                    f"Batch {batch_id} was already undone on {undone_at:%d %b %Y %H:%M} UTC "
                    f"by {undone_by}."
                )
            later = run_named(cur, "upload_undo_conflicts", batch=batch_id)
            if len(later):
                listed = "; ".join(
                    f"batch {r.batch_id} ({r.file_name}, by {r.uploaded_by} on "
                    f"{r.uploaded_at:%d %b %Y}, {r.rows} row(s))"
                    for r in later.itertuples()
                )
                raise UndoRefused(
                    f"Batch {batch_id} cannot be undone: rows it wrote were changed again by a "
                    f"later batch: {listed}. Undoing it now would throw away those later "
                    "changes. Undo the later batch(es) first, newest first."
                )
            table = TABLES[table_name]
            _refuse_if_referenced(cur, table, batch_id)
            params = {"batch": batch_id}
            name = sql_ident(table.name)
            deleted = cur.execute(
                f"delete from {name} using upload_changes c "  # noqa: S608
                f"where c.batch_id = $batch and c.action = 'insert' and {_key_match(table, 'c')}",
                params,
            ).fetchone()[0]
            values = [c for c in table.columns if c.name not in table.key]
            assignments = ", ".join(
                f"{sql_ident(c.name)} = cast(c.old_row ->> '$.{c.name}' as {c.sql_type})"
                for c in values
            )
            restored = cur.execute(
                f"update {name} set {assignments} from upload_changes c "  # noqa: S608
                f"where c.batch_id = $batch and c.action = 'update' and {_key_match(table, 'c')}",
                params,
            ).fetchone()[0]
            cur.execute(
                "update upload_batches set status = 'undone', undone_at = current_timestamp, "
                "undone_by = $by where batch_id = $batch",
                {"batch": batch_id, "by": by[:200]},
            )
            refresh_stored_views(cur, (table.name,))
    except duckdb.TransactionException as exc:
        raise DatabaseError(
            "Another change was saved at the same moment, so the undo was cancelled and "
            f"nothing changed. Try again. (DuckDB said: {exc})"
        ) from None
    return UndoResult(batch_id, table_name, int(deleted), int(restored))


def _refuse_if_referenced(cur: duckdb.DuckDBPyConnection, table: Table, batch_id: int) -> None:
    """Removing rows that other tables point at would leave them pointing at nothing."""
    for other, column, key in _referencing(table):
        position = table.key.index(key)
        count = cur.execute(
            f"select count(*) from {sql_ident(other.name)} o join upload_changes c "  # noqa: S608
            f"on o.{sql_ident(column)} = c.row_key ->> {position} "
            "where c.batch_id = $batch and c.action = 'insert'",
            {"batch": batch_id},
        ).fetchone()[0]
        if count:
            raise UndoRefused(
                f"Batch {batch_id} cannot be undone: {count} row(s) of {other.name} refer to "
                f"{table.name} rows it added (column {column}). Undo or correct those "
                f"{other.name} rows first."
            )


# Checksums ----------------------------------------------------------------------------------------
HISTORY_TABLES = ("upload_batches", "upload_changes")


def table_checksums(db: Database, tables: tuple[str, ...] | None = None) -> dict[str, str]:
    """An MD5 of every row of each table (contract tables and the upload history)."""
    names = tables or (*TABLES, *HISTORY_TABLES)
    out = {}
    with db.cursor() as cur:
        for name in names:
            row = cur.execute(
                "select count(*), md5(coalesce(string_agg(j, chr(10) order by j), '')) "  # noqa: S608
                f"from (select cast(to_json(t) as varchar) as j from {sql_ident(name)} t)"
            ).fetchone()
            out[name] = f"{row[0]}:{row[1]}"
    return out
