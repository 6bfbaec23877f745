"""Uploads as batches: preview a file, commit it in one transaction, list and undo batches.

A batch records the table, file name, SHA-256 of the file, who, when and the counts; every
row it inserted or updated is kept in upload_changes with its previous values, so undoing
the batch restores exactly what was there before. The same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from monitoring import i18n
from monitoring.access.markers import team_only
from monitoring.contract import TABLES, Table
from monitoring.db import Database, DatabaseError, stored
from monitoring.db.errors import WRITE_CONFLICTS
from monitoring.i18n import _, ngettext
from monitoring.intake.upload import raw_values, read_table
from monitoring.intake.validation import (
    ROW_STATUS,
    STATUS_COLUMN,
    VALUE_FIX,
    Check,
    Problem,
    Progress,
    check_raw,
    large_joins,
    note_staged,
    restage,
    run_named,
    sql_ident,
    stage_stored,
    staged_for,
)
from monitoring.quality import approvals, outliers, revisions
from monitoring.settings import Settings

SOURCES = ("upload", "cli", "sample")


_NAME = re.compile(r"[\w .@'’()\-]{1,100}")


def checked_name(by: str | None, missing: str) -> str:
    """Who imports or undoes: required, and plain (it is shown in every page's header).
    `missing`: what to say when no name is given (translated)."""
    name = " ".join((by or "").split())
    if not name:
        raise ValueError(missing)
    if not _NAME.fullmatch(name):
        raise ValueError(
            _(
                "A name may hold letters, digits, spaces and . @ ' ( ) - only, at most 100 "
                "characters."
            )
        )
    return name


def _collided(outcome: str, exc: Exception) -> DatabaseError:
    """A write that collided with another one on the same rows: say so, and to try again."""
    return DatabaseError(
        _(
            "Another change to the same table was saved at the same moment, so {outcome}. "
            "Try again. (DuckDB said: {error})"
        ).format(outcome=outcome, error=exc)
    )


class Refused(ValueError):
    """The file has errors (or nothing valid to import): nothing was written."""

    def __init__(self, check: Check, message: str):
        super().__init__(message)
        self.check = check


class UndoRefused(ValueError):
    """A batch cannot be undone; the message says why and what to do."""


class StalePreview(ValueError):
    """The stored data changed after the file was checked (another import or an undo), so
    its checks no longer hold: nothing was written; check the file again."""


@dataclass(frozen=True)
class PreviousLoad:
    batch_id: int
    file_name: str
    uploaded_by: str
    uploaded_at: dt.datetime

    def describe(self) -> str:
        return _(
            "This file was already imported as batch {batch} ({file}, by {name} on {when} "
            "UTC); importing it again changes nothing."
        ).format(
            batch=self.batch_id,
            file=self.file_name,
            name=self.uploaded_by,
            when=i18n.datetime(self.uploaded_at),
        )


@dataclass
class Preview:
    """A checked file and, if it was imported before, that batch.

    It holds what importing the file needs (the checked rows, in check.rows), not the
    file's cells (released once checked), and the data version it was checked against:
    commit_preview() writes these rows without reading or checking the file again, while
    that version still holds.
    """

    check: Check
    previous: PreviousLoad | None
    data_version: tuple[int, int] | None = None
    # The writes counted on the table when it was checked (stored.table_writes): while
    # they stay the same, its rows compare with the stored ones as they did.
    table_writes: int | None = None

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
            return ngettext(
                "Nothing to import: all {n} valid row(s) are already stored in {table} exactly "
                "as in the file. No batch was recorded.",
                "Nothing to import: all {n} valid row(s) are already stored in {table} exactly "
                "as in the file. No batch was recorded.",
                self.unchanged,
            ).format(n=self.unchanged, table=self.table)
        text = ngettext(
            "Imported into {table} as batch {batch}: {n} new row(s), {changed} changed, "
            "{unchanged} unchanged",
            "Imported into {table} as batch {batch}: {n} new row(s), {changed} changed, "
            "{unchanged} unchanged",
            self.inserted,
        ).format(
            table=self.table,
            batch=self.batch_id,
            n=self.inserted,
            changed=self.updated,
            unchanged=self.unchanged,
        )
        if self.rejected:
            text += ngettext(
                "; {n} row(s) with errors were left out",
                "; {n} row(s) with errors were left out",
                self.rejected,
            ).format(n=self.rejected)
        return text + "."


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    table: str
    deleted: int
    restored: int

    def describe(self) -> str:
        return _(
            "Batch {batch} undone: {deleted} row(s) it added were removed from {table} and "
            "{restored} row(s) it changed were restored."
        ).format(
            batch=self.batch_id, deleted=self.deleted, table=self.table, restored=self.restored
        )


def _data_version(cur: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """The newest batch and the number of undone ones (as Database.data_version(), on this
    cursor, so that inside a transaction it is the transaction's own view)."""
    row = cur.execute(
        "select coalesce(max(batch_id), 0), count(undone_at) from upload_batches"
    ).fetchone()
    return (int(row[0]), int(row[1]))


def _previous_load(cur: duckdb.DuckDBPyConnection, table: str, sha256: str) -> PreviousLoad | None:
    found = run_named(cur, "upload_previous_load", table=table, sha256=sha256)
    if found.empty:
        return None
    row = found.iloc[0]
    return PreviousLoad(
        int(row.batch_id), row.file_name, row.uploaded_by, row.uploaded_at.to_pydatetime()
    )


# Preview ------------------------------------------------------------------------------------------
@team_only
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

    Raises UnreadableFile when the file cannot be read as a table at all. The file is read
    once: the preview keeps its checked rows, which commit_preview() writes.
    """
    if progress:
        progress(0.02, _("Reading the file"))
    raw = read_table(data, file_name, table)
    # The stored series of the file's indicators summarised while it is checked, unless kept.
    series = (
        outliers.SeriesAhead(db, raw_values(raw, "indicator_code"))
        if raw.table.name == "indicator_values"
        else None
    )
    try:
        with db.cursor() as cur:
            version = _data_version(cur)  # first: any later change makes the preview stale
            writes = stored.table_writes(cur, raw.table.name)
            previous = _previous_load(cur, raw.table.name, raw.sha256)
            check = check_raw(
                cur,
                raw,
                settings,
                today=today,
                progress=progress,
                series=series,
            )
            _quality_checks(cur, check, settings)
    finally:
        if series is not None:
            series.settle()
    raw.release_rows()
    return Preview(check, previous, version, writes)


def _add_locks(check: Check, locks: list[approvals.Lock]) -> None:
    """The rows an approved quarter locks, as errors of the whole file (each at its line)."""
    check.errors.extend(Problem(k.line, k.column, k.period, k.reason(), k.fix()) for k in locks)
    check.file_errors += len(locks)
    check.approval_locks += len(locks)
    check.locked_lines |= {k.line for k in locks if k.line is not None}


def _quality_checks(cur: duckdb.DuckDBPyConnection, check: Check, settings: Settings) -> None:
    """The checks of docs/quality.md on the rows staged by check_raw (upload_rows): rows in an
    approved quarter refuse the whole file (nothing is written, "valid rows only" neither);
    a changed target without a revision_reason is an error of its line; outliers warn."""
    if check.file_errors or not len(check.rows):
        return
    table = check.table.name
    locks = approvals.locks_in_upload(cur, table)
    _add_locks(check, locks)
    if table == "indicator_targets":
        missing = revisions.missing_reasons(cur, check.columns)
        for m in missing:
            check.errors.append(Problem(m.line, revisions.REASON_COLUMN, "", m.reason(), m.fix()))
        if missing:
            bad = {m.line for m in missing}
            check.rows = check.rows[~check.rows["line"].isin(bad)].reset_index(drop=True)
    if table == "indicator_values":
        # Only the warnings the preview lists are worded (ProblemList keeps the first
        # MAX_LISTED_PER_COLUMN of a column and counts the others).
        # One warning per value: an outlier already warned about as far outside its
        # indicator's earlier values gets its z-score added to that warning.
        listed = getattr(check.warnings, "limit", None)
        room = None if listed is None else listed - check.warnings.per_column.get("value", 0)
        fix = _(VALUE_FIX)  # a far-outside warning's (the line may have others on "value")
        far = {
            p.line: i
            for i, p in enumerate(check.warnings)
            if p.line in check.far_outside and p.column == "value" and p.fix == fix
        }
        # From HASHED_FROM_ROWS rows on, joined by hashing on PostgreSQL (large_joins): planned
        # on its own, a file correcting 10,000 of 100,000 stored rows took 76 s there, not 5.
        with large_joins(cur, check.rows):
            found = outliers.upload_warnings(cur, settings, described=room)
        for w in found:
            if w.line in check.far_outside:
                i = far.get(w.line)
                if i is not None and w.why:
                    p = check.warnings[i]
                    check.warnings[i] = replace(p, reason=f"{p.reason}; {w.why}")
                continue
            check.warnings.append(Problem(w.line, "value", f"{w.value:g}", w.reason, fix))
    order = {name: i for i, name in enumerate(check.table.column_names)}

    def position(problem: Problem) -> tuple[int, int]:
        return problem.line or 0, order.get(problem.column or "", len(order))

    check.errors.sort(key=position)
    check.warnings.sort(key=position)


# Commit -------------------------------------------------------------------------------------------
def _changes_sql(table: Table, action: str) -> str:
    """The change log's rows of the staged rows that `action` writes: an insert's (the new
    rows, read alone, without the row as JSON: it is in the table, and an undo writes it
    into the log before deleting it, migration 0014) or an update's (the changed rows, each
    with its stored row before and as written)."""
    key = ", ".join(f"cast(r.{sql_ident(k)} as varchar)" for k in table.key)
    new_row = ", ".join(f"{sql_ident(c)} := r.{sql_ident(c)}" for c in table.column_names)
    columns = (
        "insert into upload_changes "  # noqa: S608 - identifiers from the contract only
        "(batch_id, line, table_name, row_key, action, old_row, new_row) "
        f"select $batch, r.line, $table, to_json([{key}]), '{action}', "
    )
    if action == "insert":
        return columns + "null, null from upload_rows r where r.is_new"
    join = " and ".join(f"s.{sql_ident(k)} = r.{sql_ident(k)}" for k in table.key)
    return (
        columns + f"to_json(s), to_json(struct_pack({new_row})) "
        f"from upload_rows r join {sql_ident(table.name)} s on {join} where r.is_changed"
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


@team_only
def commit_preview(
    db: Database,
    preview: Preview,
    *,
    by: str,
    valid_only: bool = False,
    source: str = "upload",
    progress: Progress | None = None,
) -> CommitResult:
    """Write a previewed file's checked rows in one transaction, without reading the file
    again. Refused (StalePreview, nothing written) when the stored data changed since the
    preview: its checks would no longer hold, so the file must be checked again.

    With `valid_only`, rows with errors are left out (and counted); errors about the file
    as a whole (its header) still refuse it. Raises Refused when the file may not be
    imported; nothing is written then either.
    """
    by = checked_name(by, _("Say who is importing the file (a name is recorded with every batch)."))
    if source not in SOURCES:
        raise ValueError(_("Unknown source {source}.").format(source=repr(source)))
    check = preview.check
    spec, raw = check.table, check.raw
    file_name = raw.file_name
    if progress:
        # Before the transaction, never inside it: the page's progress bar is where Streamlit
        # stops a script (a click elsewhere, a closed tab), which inside would roll it back.
        progress(0.5, _("Writing"))
    try:
        with db.transaction() as cur:
            if preview.data_version is None or _data_version(cur) != preview.data_version:
                raise StalePreview(
                    _(
                        "The stored data changed after {file} was checked (another import "
                        "or an undo), so nothing was written. Check the file again."
                    ).format(file=file_name)
                )
            previous = _previous_load(cur, spec.name, raw.sha256)
            if previous is not None:
                return CommitResult(spec.name, None, previous=previous)
            if check.file_errors or (check.errors and not valid_only):
                raise Refused(
                    check,
                    ngettext(
                        "{file} was not imported: it has {n} error(s). Nothing was written.",
                        "{file} was not imported: it has {n} error(s). Nothing was written.",
                        check.error_count,
                    ).format(file=file_name, n=check.error_count),
                )
            if not len(check.rows):
                raise Refused(
                    check, _("{file} has no valid rows to import.").format(file=file_name)
                )
            if check.new == 0 and check.changed == 0:
                return CommitResult(
                    spec.name,
                    None,
                    unchanged=check.unchanged,
                    rejected=check.invalid_rows,
                    check=check,
                )
            unwritten = preview.table_writes is not None and (
                stored.table_writes(cur, spec.name) == preview.table_writes
            )
            from_preview = _stage(cur, check, compared=unwritten)
            locks = approvals.locks_in_upload(cur, spec.name)  # approved since the preview?
            if locks:
                _add_locks(check, locks)
                raise Refused(
                    check,
                    _(
                        "{file} was not imported: {count} row(s) would change approved quarters "
                        "(first: line {line}, quarter {period}, approved by {who}). Nothing was "
                        "written."
                    ).format(
                        file=file_name,
                        count=len(locks),
                        line=locks[0].line,
                        period=locks[0].period,
                        who=locks[0].approved_by,
                    ),
                )
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
            for action, rows in (("insert", check.new), ("update", check.changed)):
                if rows:
                    cur.execute(_changes_sql(spec, action), {"batch": batch_id, "table": spec.name})
            # The change log's rows are this batch's: its copies remake this batch's rows.
            cur.wrote_only("upload_changes", {"batch_id": [batch_id]}, adds_only=True)
            if spec.name == "indicator_values" and check.new:
                # The cells this batch inserted, from its staged rows rather than read back
                # out of the change log's keys (stored.fill).
                stored.fill(
                    cur,
                    "upload_batch_cells_stored",
                    batch_id,
                    "select distinct cast($batch as integer), indicator_code, period, region_code "
                    "from upload_rows where is_new",
                    {"batch": batch_id},
                )
            if spec.name == "indicator_targets":
                revisions.record_revisions(cur, int(batch_id), by)
            _say_what_is_written(cur, spec, check.rows if from_preview else None)
            if spec.name == "indicator_values":
                _fold_new_values(cur, check.new)
            for statement in _apply_sql(spec):
                cur.execute(statement)
            cur.execute("drop table if exists upload_rows")
            # Before committing, db.transaction() rebuilds the stored copies of the views
            # that read the table written (monitoring/db/stored.py).
    except WRITE_CONFLICTS as exc:
        raise _collided(_("this import was cancelled and nothing was written"), exc) from None
    return CommitResult(
        spec.name,
        int(batch_id),
        inserted=check.new,
        updated=check.changed,
        unchanged=check.unchanged,
        rejected=check.invalid_rows,
        check=check,
    )


# An import's new values folded into organisation_first_reports_stored (stored.merge): an
# import only inserts values and changes others' values, never a key, so a first report
# only moves earlier. Each organisation's earliest quarter among the new rows is added where
# the copy has no row of it or a later one (the new rows grouped once), and then the later
# of two rows of one organisation, indicator and region is deleted (the copy grouped: 10,000
# rows at 1,000,000 values).
_FIRST_REPORTS_MERGED = (
    (
        "insert into organisation_first_reports_stored "  # noqa: S608 - constants only
        "select n.indicator_code, n.region_code, n.org_id, n.first_period from ("
        "select indicator_code, region_code, org_id, min(period) as first_period "
        "from upload_rows where is_new and org_id <> '' "
        "group by indicator_code, region_code, org_id) as n "
        "left join organisation_first_reports_stored as s on s.indicator_code = n.indicator_code "
        "and s.region_code = n.region_code and s.org_id = n.org_id "
        "where s.first_period is null or n.first_period < s.first_period"
    ),
    (
        "delete from organisation_first_reports_stored as s "  # noqa: S608 - constants only
        "using (select indicator_code, region_code, org_id, min(first_period) as first_period "
        "from organisation_first_reports_stored group by indicator_code, region_code, org_id "
        "having count(*) > 1) as d "
        "where s.indicator_code = d.indicator_code and s.region_code = d.region_code "
        "and s.org_id = d.org_id and s.first_period > d.first_period"
    ),
)


def _missing_rows_added(table: str, columns: tuple[str, ...], where: str = "is_new") -> str:
    """SQL adding to the copy `table` the distinct `columns` of the staged rows (`where`) that
    it lacks (stored.merge), for a copy whose rows only grow when values are added. The new
    rows are grouped first and the copy read for the quarters written only (`$periods`): at
    100,000 new rows beside 900,000 on PostgreSQL, 0.1 s for organisation_quarters_stored
    (both sides sorted, 0.49 s). Names and conditions are constants of this module."""
    listed = ", ".join(columns)
    matched = " and ".join(f"s.{c} = n.{c}" for c in columns)
    return (
        f"insert into {table} "  # noqa: S608 - constants only
        f"select {', '.join(f'n.{c}' for c in columns)} from ("
        f"select distinct {listed} from upload_rows where {where}) as n "
        f"where not exists (select 1 from {table} as s "
        f"where list_contains(cast($periods as varchar[]), s.period) and {matched})"
    )


# An import's new values' quarters of each organisation and indicator that
# organisation_quarters_stored lacks, and cells (indicator, quarter, region) that
# reported_cells_stored lacks: values are only added, and a changed value keeps its key.
_QUARTERS_MERGED = _missing_rows_added(
    "organisation_quarters_stored",
    ("org_id", "indicator_code", "period"),
    "is_new and org_id <> ''",
)
_CELLS_MERGED = _missing_rows_added(
    "reported_cells_stored", ("indicator_code", "period", "region_code")
)


def _fold_new_values(cur: stored.TrackedCursor, new: int) -> None:
    """Bring the copies of each organisation's first report (timeliness), of the quarters it
    reported (completeness) and of the cells with a value (both) up to date with the staged
    rows (stored.merge): the new rows folded in; a changed value moves none of them, so
    without new rows there is nothing to run.
    After _say_what_is_written, whose quarters ($periods: those of the new and changed rows)
    narrow the copy's rows read."""
    periods = {"periods": sorted(cur.narrowed["indicator_values"]["period"])}
    stored.merge(
        cur,
        {
            "organisation_first_reports_stored": [(sql, None) for sql in _FIRST_REPORTS_MERGED]
            if new
            else [],
            "organisation_quarters_stored": [(_QUARTERS_MERGED, periods)] if new else [],
            "reported_cells_stored": [(_CELLS_MERGED, periods)] if new else [],
        },
    )


def _say_what_is_written(
    cur: stored.TrackedCursor, table: Table, compared: pd.DataFrame | None = None
) -> None:
    """Name the values of the key columns that the staged rows (new or changed) write, for
    the stored copies refreshed in part by them (stored.StoredCopy.narrowed_by): an upload of
    one quarter's values remakes that quarter's rows of a copy, not all of it. An update
    leaves a row's key as it was.

    `compared`: the preview's rows (with ROW_STATUS), when the staged rows are those rows
    with their statuses as compared then (_stage): the values are read there instead of
    asking the database for them again (a statement of 30-40 ms at 100,000 rows on
    PostgreSQL). Key columns of text only: the staged rows hold them as the preview's texts."""
    columns = [c for c in stored.narrowing_columns(table.name) if c in table.key]
    if (
        compared is not None
        and set(columns) <= set(compared.columns)
        and all(table.column(c).sql_type == "varchar" for c in columns)
    ):
        written = compared.loc[compared[ROW_STATUS].isin(("new", "changed")), columns]
        # Each column's distinct values, found in its Arrow array (as Python objects, every
        # row's value took 60 ms at 100,000 rows).
        cur.wrote_only(
            table.name, {c: written[c].unique().tolist() for c in columns}, adds_only=True
        )
        return
    _name_written_keys(
        cur, table, sql_ident, "from upload_rows where is_new or is_changed", adds_only=True
    )


def _name_written_keys(
    cur, table: Table, key_of, rows: str, params: dict | None = None, *, adds_only: bool = False
) -> None:
    """cur.wrote_only for `table`: the distinct values of each key column that a stored copy
    is narrowed by (key_of(column): its SQL expression) among `rows` (a FROM clause);
    `adds_only` as there (an import inserts rows and changes others' values, never a key)."""
    columns = [c for c in stored.narrowing_columns(table.name) if c in table.key]
    if not columns:
        return
    listed = ", ".join(f"list(distinct {key_of(c)})" for c in columns)
    found = cur.execute(f"select {listed} {rows}", params).fetchall()[0]  # noqa: S608 - no input
    cur.wrote_only(
        table.name,
        {c: values or () for c, values in zip(columns, found, strict=True)},
        adds_only=adds_only,
    )


def _stage(cur: duckdb.DuckDBPyConnection, check: Check, *, compared: bool) -> bool:
    """The checked rows as `upload_rows` (full rows as they would be stored, new or
    changed), in the writing transaction. When nothing was written to the table since the
    preview (`compared`), its comparison still holds and is kept: the rows are not joined to
    the stored ones again (at 100,000 rows beside 900,000 on PostgreSQL, 0.5 s of a 4 s
    write), unless a changed row leaves out a column it keeps from its stored row. Otherwise
    they are compared again, and refused as stale when they no longer compare as they did
    (data written without a batch). True when the rows were staged as the preview compared
    them, row for row."""
    table = check.table
    if compared and staged_for(cur, check):
        # On the preview's own connection (commit_file), its staged rows are still there:
        # made by stage_sql, with every column a changed row keeps from its stored row.
        note_staged(cur, None)  # taken: dropped by this write (a retry stages them anew)
        return True
    complete = set(table.column_names) <= set(check.columns)
    if compared and (complete or check.changed == 0):
        frame = check.rows.rename(columns={ROW_STATUS: STATUS_COLUMN})
        restage(cur, frame, table, check.columns)
        return True
    stage_stored(cur, check.rows.drop(columns=ROW_STATUS), table, check.columns)
    counts = "select count(*) filter (where is_new), count(*) filter (where is_changed)"
    new, changed = cur.execute(f"{counts} from upload_rows").fetchone()
    if (new, changed) != (check.new, check.changed):
        raise StalePreview(
            _(
                "The stored rows of {table} changed after {file} was checked, so nothing was "
                "written. Check the file again."
            ).format(table=table.name, file=check.raw.file_name)
        )
    return False


@team_only
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
    """Read and check a file once, then write it in one transaction (preview_file, then
    commit_preview; checked again only when the data changed in between).

    Raises UnreadableFile or Refused; in both cases nothing is written.
    """
    by = checked_name(by, _("Say who is importing the file (a name is recorded with every batch)."))
    if source not in SOURCES:
        raise ValueError(_("Unknown source {source}.").format(source=repr(source)))
    for attempt in range(3):
        # One connection for both: the write takes the rows the preview staged there.
        with db.one_connection():
            preview = preview_file(
                db, data, file_name, settings, table=table, today=today, progress=progress
            )
            try:
                return commit_preview(
                    db, preview, by=by, valid_only=valid_only, source=source, progress=progress
                )
            except StalePreview:
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


# History and undo ---------------------------------------------------------------------------------
@team_only
def history(db: Database, limit: int = 200) -> pd.DataFrame:
    """Every batch, newest first, with its counts, who made it and whether it was undone."""
    return db.query("upload_history", limit=limit)


@dataclass(frozen=True)
class Receipt:
    """One of a person's uploads as the history records it: what they are told when they
    come back after a broken connection (was my upload saved?)."""

    batch_id: int
    table: str
    file_name: str
    uploaded_at: dt.datetime
    inserted: int
    updated: int
    rejected: int
    undone_at: dt.datetime | None = None
    undone_by: str | None = None

    def describe(self) -> str:
        counts = (
            _("{table}: {new} new, {changed} changed row(s), {rejected} left out")
            if self.rejected
            else _("{table}: {new} new, {changed} changed row(s)")
        ).format(table=self.table, new=self.inserted, changed=self.updated, rejected=self.rejected)
        text = _(
            "Your upload of {file} at {time} UTC on {day} was saved as batch {batch} ({counts})"
        ).format(
            file=self.file_name,
            time=f"{self.uploaded_at:%H:%M}",
            day=i18n.date(self.uploaded_at.date(), "medium"),
            batch=self.batch_id,
            counts=counts,
        )
        if self.undone_at is not None:
            text += _("; it was undone on {when} UTC by {name}").format(
                when=i18n.datetime(self.undone_at), name=self.undone_by
            )
        return text + "."


@team_only
def recent_uploads(db: Database, by: str, *, days: int = 7, limit: int = 3) -> list[Receipt]:
    """The latest uploads `by` made on the Data upload page in the last `days` days, newest
    first (an import is written whole or not at all: one that is not here was not saved)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    found = db.query("upload_recent_by", by=by, since=since, limit=limit)
    return [
        Receipt(
            int(r.batch_id),
            r.table_name,
            r.file_name,
            r.uploaded_at.to_pydatetime(),
            int(r.rows_inserted),
            int(r.rows_updated),
            int(r.rows_rejected),
            None if pd.isna(r.undone_at) else r.undone_at.to_pydatetime(),
            None if pd.isna(r.undone_by) else r.undone_by,
        )
        for r in found.itertuples()
    ]


def _referencing(table: Table) -> list[tuple[Table, str, str]]:
    """(table, column, referenced key column) of every column that points into `table`."""
    out = []
    for other in TABLES.values():
        for column in other.columns:
            if column.references and column.references.split(".")[0] == table.name:
                out.append((other, column.name, column.references.split(".")[1]))
    return out


def _key_match(table: Table, alias: str, row: str | None = None) -> str:
    """The change log's row `alias` names the row `row` (the table itself unless an alias)."""
    name = row or sql_ident(table.name)
    return " and ".join(
        f"{name}.{sql_ident(k)} = {alias}.row_key ->> {i}" for i, k in enumerate(table.key)
    )


def _say_what_is_undone(cur: stored.TrackedCursor, table: Table, batch_id: int) -> None:
    """As _say_what_is_written, for an undo: the key values of the rows the batch wrote (its
    change log), which the undo deletes or restores."""
    _name_written_keys(
        cur,
        table,
        lambda column: f"row_key ->> {table.key.index(column)}",
        "from upload_changes where batch_id = $batch",
        {"batch": batch_id},
    )


def log_inserted_rows_sql(table: Table) -> str:
    """SQL writing into the change log each row that batch $batch inserted into `table`
    ($table: its name), as the table holds it, where the import left it out (migration
    0014)."""
    return (
        f"update upload_changes c set new_row = to_json(s) from {sql_ident(table.name)} s "  # noqa: S608 - contract names
        "where c.batch_id = $batch and c.table_name = $table and c.action = 'insert' "
        f"and c.new_row is null and {_key_match(table, 'c', 's')}"
    )


def _log_inserted_rows(cur: duckdb.DuckDBPyConnection, table: Table, batch_id: int) -> None:
    """Before an undo: no later batch has changed the rows the batch inserted (the undo is
    refused otherwise), so the table holds them as the batch wrote them."""
    cur.execute(log_inserted_rows_sql(table), {"batch": batch_id, "table": table.name})


@team_only
def undo_batch(
    db: Database, batch_id: int, *, by: str, ignore_approvals: bool = False
) -> UndoResult:
    """Restore what a batch changed. Refused (UndoRefused) when that cannot be exact, or when
    it wrote a row of an approved quarter (docs/quality.md) unless `ignore_approvals` (a copy
    replayed to an earlier data version, monitoring/intake/replay.py)."""
    by = checked_name(by, _("Say who is undoing the batch (a name is recorded with every batch)."))
    try:
        with db.transaction() as cur:
            found = cur.execute(
                "select table_name, status, undone_at, undone_by from upload_batches "
                "where batch_id = $batch",
                {"batch": batch_id},
            ).fetchone()
            if found is None:
                raise UndoRefused(
                    _("There is no batch {batch}. See the upload history.").format(batch=batch_id)
                )
            table_name, status, undone_at, undone_by = found
            if status == "undone":
                raise UndoRefused(
                    _("Batch {batch} was already undone on {when} UTC by {name}.").format(
                        batch=batch_id, when=i18n.datetime(undone_at), name=undone_by
                    )
                )
            later = run_named(cur, "upload_undo_conflicts", batch=batch_id)
            if len(later):
                listed = "; ".join(
                    _("batch {batch} ({file}, by {name} on {day}, {n} row(s))").format(
                        batch=r.batch_id,
                        file=r.file_name,
                        name=r.uploaded_by,
                        day=i18n.date(r.uploaded_at.date(), "medium"),
                        n=r.rows,
                    )
                    for r in later.itertuples()
                )
                raise UndoRefused(
                    _(
                        "Batch {batch} cannot be undone: rows it wrote were changed again by a "
                        "later batch: {listed}. Undoing it now would throw away those later "
                        "changes. Undo the later batch(es) first, newest first."
                    ).format(batch=batch_id, listed=listed)
                )
            table = TABLES[table_name]
            _log_inserted_rows(cur, table, batch_id)  # read by the locks and by a replay
            cur.wrote_only("upload_changes", {"batch_id": [batch_id]})
            locked = [] if ignore_approvals else approvals.locks_in_batch(cur, batch_id)
            if locked:
                raise UndoRefused(approvals.undo_refusal(batch_id, locked))
            _refuse_if_referenced(cur, table, batch_id)
            revisions.remove_revisions(cur, batch_id)
            params = {"batch": batch_id}
            name = sql_ident(table.name)
            _say_what_is_undone(cur, table, batch_id)
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
            # The stored copies reading the table: rebuilt by db.transaction(), as for commits.
    except WRITE_CONFLICTS as exc:
        raise _collided(_("the undo was cancelled and nothing changed"), exc) from None
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
                _(
                    "Batch {batch} cannot be undone: {n} row(s) of {other} refer to {table} "
                    "rows it added (column {column}). Undo or correct those {other} rows first."
                ).format(batch=batch_id, n=count, other=other.name, table=table.name, column=column)
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
