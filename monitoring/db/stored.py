"""Stored copies of views: declared here once, refreshed by the writes, never by a read.

A view that many queries read and that costs a scan of a large table is also kept as a
stored copy, a table holding the view's rows (docs/database.md, docs/benchmarks.md). The
queries of queries/*.sql name the copy.

- Declared once: STORED_COPIES (the view, its copy, the tables the view reads).
- Refreshed by the writes: every transaction of `Database.transaction()` notes which tables
  its statements write (monitoring/db/statements.py); before it commits, it counts one
  write on each copy whose tables it wrote (`stored_copies.source_writes`) and rebuilds
  that copy, in the same transaction. Uploads, undos and the sample load go through it.
  `Database.cursor()` refuses a write to those tables outside a transaction.
- Never by a read: a copy whose count of writes differs from the one it was made at, or that
  is missing, is out of date; a query that names it reads the view instead (a temporary
  view of the query's own cursor, in memory) and a warning is logged. Writes made by other
  means (the DuckDB command line) are not seen: `python -m monitoring refresh` rebuilds every
  copy after them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import duckdb

from monitoring.db.errors import CATALOG_ERRORS, DatabaseError
from monitoring.db.postgres import on_postgres
from monitoring.db.statements import written_tables

log = logging.getLogger("monitoring.db")

REFRESH_COMMAND = "python -m monitoring refresh"


@dataclass(frozen=True)
class StoredCopy:
    view: str  # the view, defined by the migrations
    table: str  # the table holding its rows, named by the queries
    sources: tuple[str, ...]  # every table the view reads (through macros too)
    # Columns of an index made with the copy on PostgreSQL, which reads every row of a table
    # without one (DuckDB skips blocks by their min/max and needs none).
    postgres_index: tuple[str, ...] = ()
    # Columns of the copy, also columns of each table of `narrowed_from`, such that a copy
    # row depends only on those tables' rows with the same values in them: a transaction
    # that wrote only rows of those tables whose values it names (TrackedCursor.wrote_only)
    # refreshes only the copy's rows with those values instead of rebuilding it.
    narrowed_by: tuple[str, ...] = ()
    narrowed_from: tuple[str, ...] = ()
    # For a copy narrowed by one column: SQL selecting the values of that column whose rows
    # of the copy already account for table $table's rows with them. A write that only adds
    # such rows to $table (TrackedCursor.wrote_only(..., adds_only=True)) leaves those rows
    # of the copy as they are: they are not remade.
    covered: str = ""

    @property
    def watched(self) -> frozenset[str]:
        """Names whose writes make the copy out of date: the sources, the view, the copy."""
        return frozenset({*self.sources, self.view, self.table})


# The one declaration. Names are constants of this file, never input: the SQL below is
# built from them. A new copy: add it here and name its table in the queries (docs/database.md).
STORED_COPIES: tuple[StoredCopy, ...] = (
    # One value per indicator, period and region: every indicator query reads it, and it
    # costs a scan of every indicator value.
    # An upload of values refreshes only its indicators, quarters and regions.
    StoredCopy(
        "indicator_region_values",
        "indicator_region_values_stored",
        ("indicator_values", "indicators"),
        narrowed_by=("indicator_code", "period", "region_code"),
        narrowed_from=("indicator_values",),
    ),
    # Every transaction in each reporting currency, converted exactly: once per write, not
    # once per spending query. spending_to reads the reporting date's quarter by date.
    StoredCopy(
        "transactions_converted",
        "transactions_converted_stored",
        ("transactions", "exchange_rates"),
        postgres_index=("date",),
    ),
    # Spending summed per currency, grant, budget line, kind and quarter (migration 0012):
    # the spending queries read it through the table macro spending_to(as_of), which adds
    # the reporting date's own quarter from its transactions.
    StoredCopy(
        "spending_quarters",
        "spending_quarters_stored",
        ("transactions", "exchange_rates"),
    ),
    # Every region code the data uses (the map, the region pickers): the distinct codes of
    # every indicator value, a scan of them all.
    StoredCopy(
        "region_codes_used",
        "region_codes_used_stored",
        (
            "regions",
            "organisations",
            "indicator_values",
            "indicator_targets",
            "grants",
            "milestones",
        ),
        narrowed_by=("region_code",),
        narrowed_from=("regions", "indicator_values", "indicator_targets"),
        # A region listed as used in a table stays so when rows of it are added there: an
        # upload into regions its table already uses remakes nothing (at 1,000,000 values
        # each remade region scans every value).
        covered="select region_code from region_codes_used_stored "
        "where list_contains(used_in, $table)",
    ),
    # The counts whose female and male rows, or whose age groups, do not add up to their
    # total (validation rules sex_adds_up and age_groups_add_up, migration 0015): checking
    # either rule joined or grouped every count for each reporting date. An upload of values
    # remakes only its indicators', quarters' and regions' rows, as for indicator_region_values.
    # The cells each upload batch inserted values of (migration 0016), for the timeliness
    # check: the change log's keys read out of their JSON once, by the write of their batch.
    StoredCopy(
        "upload_batch_cells",
        "upload_batch_cells_stored",
        ("upload_changes",),
        narrowed_by=("batch_id",),
        narrowed_from=("upload_changes",),
    ),
    # The cells (indicator, quarter, region) with a value (migration 0018): completeness and
    # timeliness grouped every value into them for each reporting date.
    StoredCopy(
        "reported_cells",
        "reported_cells_stored",
        ("indicator_values",),
        narrowed_by=("indicator_code", "period", "region_code"),
        narrowed_from=("indicator_values",),
    ),
    # Each organisation's first report of an indicator in a region (migration 0019), for
    # the timeliness check's "who should report": it grouped every value for each reporting
    # date. Narrowed by indicator and region; an import folds its new rows into it (merge).
    StoredCopy(
        "organisation_first_reports",
        "organisation_first_reports_stored",
        ("indicator_values",),
        narrowed_by=("indicator_code", "region_code"),
        narrowed_from=("indicator_values",),
    ),
    # The quarters in which each organisation reported each indicator (migration 0020), for
    # the completeness per organisation, which grouped every value. Narrowed by indicator and
    # quarter; an import adds the rows of its new values itself (merge).
    StoredCopy(
        "organisation_quarters",
        "organisation_quarters_stored",
        ("indicator_values",),
        narrowed_by=("indicator_code", "period"),
        narrowed_from=("indicator_values",),
    ),
    # How many values of each series each quarter holds, value by value (migration 0026): the
    # outlier rule's medians and deviations (the Outliers tab, an upload's series summary)
    # grouped every value into lists. A write remakes its indicators' and quarters' rows; an
    # import's new values are not folded in by the import itself (stored.merge), which was
    # slower: at 100,000 new rows beside 900,000 on PostgreSQL 0.43 s against 0.23.
    StoredCopy(
        "series_value_counts",
        "series_value_counts_stored",
        ("indicator_values",),
        postgres_index=("indicator_code", "period"),
        narrowed_by=("indicator_code", "period"),
        narrowed_from=("indicator_values",),
    ),
    StoredCopy(
        "rule_sex_parts",
        "rule_sex_parts_stored",
        ("indicator_values", "indicators"),
        narrowed_by=("indicator_code", "period", "region_code"),
        narrowed_from=("indicator_values",),
    ),
    StoredCopy(
        "rule_age_parts",
        "rule_age_parts_stored",
        ("indicator_values", "indicators"),
        narrowed_by=("indicator_code", "period", "region_code"),
        narrowed_from=("indicator_values",),
    ),
)
BY_TABLE = {copy.table: copy for copy in STORED_COPIES}


def copies_watching(tables: Iterable[str]) -> tuple[StoredCopy, ...]:
    """The copies that writes to `tables` make out of date."""
    names = {t.lower() for t in tables}
    return tuple(c for c in STORED_COPIES if c.watched & names)


def copies_named(names: Iterable[str]) -> frozenset[StoredCopy]:
    """The copies among `names` (e.g. the names a query uses)."""
    return frozenset(BY_TABLE[n] for n in names if n in BY_TABLE)


def _declare(cur: duckdb.DuckDBPyConnection, copies: Iterable[StoredCopy]) -> None:
    for copy in copies:
        cur.execute(
            "insert or ignore into stored_copies (stored_table, view_name) values ($t, $v)",
            {"t": copy.table, "v": copy.view},
        )


def mark_written(cur: duckdb.DuckDBPyConnection, copies: Iterable[StoredCopy]) -> None:
    """Count one write on each copy (its sources changed), in the caller's transaction."""
    copies = tuple(copies)
    _declare(cur, copies)
    cur.execute(
        "update stored_copies set source_writes = source_writes + 1 "
        "where list_contains($tables, stored_table)",
        {"tables": [c.table for c in copies]},
    )


def table_writes(cur: duckdb.DuckDBPyConnection, table: str) -> int | None:
    """How many transactions have written `table` (or another source of the copies that
    read it), as counted for the copies that read it; None when no copy reads it. The same
    count later means that no write through Database.transaction() touched the table in
    between (writes made by other means are not counted, as for the copies themselves)."""
    watching = [c.table for c in copies_watching((table,))]
    if not watching:
        return None
    row = cur.execute(
        "select count(*), sum(source_writes) from stored_copies where stored_table = any($t)",
        {"t": watching},
    ).fetchall()[0]  # all: DuckDB refuses other work on a cursor with rows left unread
    return int(row[1]) if row[0] == len(watching) else None


def narrowing_columns(table: str) -> tuple[str, ...]:
    """The columns whose values a writer of `table` names (TrackedCursor.wrote_only) for
    the copies that can be refreshed in part after it."""
    found: dict[str, None] = {}
    for copy in STORED_COPIES:
        if table in copy.narrowed_from:
            found.update(dict.fromkeys(copy.narrowed_by))
    return tuple(found)


Narrowed = dict[str, dict[str, frozenset]]  # table -> column -> the values its writes had
Filled = dict[str, frozenset]  # a copy's table -> the values of its one narrowing column


def _narrowing(
    copy: StoredCopy, written: Iterable[str], narrowed: Narrowed
) -> dict[str, list] | None:
    """The values of each of `copy.narrowed_by` that the transaction's writes to the copy's
    tables had, or None when the copy must be rebuilt whole: a table written that the copy
    cannot be narrowed from, a write whose values were not named, or a value NULL."""
    if not copy.narrowed_by:
        return None
    values: dict[str, set] = {column: set() for column in copy.narrowed_by}
    for table in copy.watched & frozenset(written):
        named = narrowed.get(table)
        if table not in copy.narrowed_from or named is None:
            return None
        for column in copy.narrowed_by:
            if column not in named or None in named[column]:
                return None
            values[column] |= named[column]
    return {column: sorted(found) for column, found in values.items()}


def _not_covered(
    cur: duckdb.DuckDBPyConnection,
    copy: StoredCopy,
    values: dict[str, list],
    written: Iterable[str],
    added_only: frozenset[str],
) -> dict[str, list]:
    """`values` less those whose rows of `copy` already account for every table of the copy
    the transaction wrote, when it only added rows to each (StoredCopy.covered)."""
    tables = copy.watched & frozenset(written)
    if not copy.covered or len(copy.narrowed_by) != 1 or not tables <= added_only:
        return values
    (column,) = copy.narrowed_by
    left = set(values[column])
    for table in tables:
        # The copy's own SQL (a constant above), its table name bound.
        found = cur.execute(copy.covered, {"table": table}).fetchall()
        left -= {row[0] for row in found}
    return {column: sorted(left)}


def fill(cur: TrackedCursor, table: str, value, rows_sql: str, params: dict | None = None) -> bool:
    """Write the rows of the copy `table` (narrowed by one column) that have `value` in it,
    from `rows_sql` (a SELECT of the copy's columns in order; the writer's own staged rows),
    instead of from the copy's view when the transaction commits: the refresh then leaves
    the copy's rows with `value` as they are. For rows that only this transaction writes
    and knows already (an import's cells, each batch's own), where the view would read them
    back out of what was just written (the change log's JSON keys: 0.2-0.4 s of a
    100,000-row import on PostgreSQL). Done only when the copy holds its view's rows before
    this transaction (True); otherwise nothing is written here, and the commit rebuilds the
    copy whole from its view, these rows included."""
    copy = BY_TABLE[table]
    if len(copy.narrowed_by) != 1:
        raise ValueError(f"{table} is not narrowed by one column: its rows cannot be filled")
    if not _made_at(cur.raw, [copy], writes_behind=0):  # before mark_written
        return False
    cur.raw.execute(f"insert into {copy.table} {rows_sql}", params)  # noqa: S608 - a constant
    cur.filled[copy.table] = cur.filled.get(copy.table, frozenset()) | {value}
    return True


def merge(cur: TrackedCursor, statements: dict[str, Iterable[tuple[str, dict | None]]]) -> set[str]:
    """Bring each copy named in `statements` up to date with the rows this transaction adds
    to its tables, by the writer's own statements for it (folding its staged rows into the
    copy), instead of remaking the rows they narrow from the view when the transaction
    commits (which, for an import touching every indicator and region, reads every stored
    value again). For writes that only add rows (`TrackedCursor.wrote_only(...,
    adds_only=True)`: an import); if the transaction writes a copy's tables otherwise too,
    the commit remakes the narrowed rows from the view as usual, so the copy stays right
    either way. Done only for the copies that hold their view's rows before this
    transaction (returned); for the others nothing is written here and the commit rebuilds
    them. Call it after the writes it accounts for have been staged, with statements naming
    the copy's table (constants, values bound)."""
    current = _made_at(cur.raw, [BY_TABLE[t] for t in statements], writes_behind=0)
    for table, listed in statements.items():
        if table in current:  # (before mark_written)
            for sql, params in listed:
                cur.raw.execute(sql, params)
    cur.merged |= current
    return current


def _made_at(
    cur: duckdb.DuckDBPyConnection, copies: Iterable[StoredCopy], *, writes_behind: int
) -> set[str]:
    """The copies among `copies` whose table exists and was made `writes_behind` writes
    before the count recorded now: 0, a copy holding its view's rows (fill, before the
    transaction's mark_written); 1, after mark_written, one that held them before this
    transaction's writes (refresh)."""
    found = cur.execute(
        "select c.stored_table from stored_copies as c join information_schema.tables as t "
        "on t.table_catalog = current_database() and t.table_schema = current_schema() "
        "and t.table_type = 'BASE TABLE' and t.table_name = c.stored_table "
        "where c.copy_writes = c.source_writes - $behind and c.stored_table = any($tables)",
        {"tables": [c.table for c in copies], "behind": writes_behind},
    ).fetchall()
    return {row[0] for row in found}


def _narrowed_to(cur, column: str) -> str:
    """SQL keeping the rows whose `column` is among the bound list $column, in the form each
    engine filters the table with as it reads it, below a view's grouping. DuckDB makes
    `= any(...)` a join above the grouping, which then groups every row (at 1,000,000 values
    100 ms a write for rule_age_parts), and filters by list_contains as it scans; the dialect
    writes list_contains for PostgreSQL as a CASE around `= ANY` (for its NULLs), which
    PostgreSQL then finds no index for (a 100,000-row import's refresh of the rule copies
    0.25 s -> 0.6 s), so PostgreSQL gets `= any`."""
    if on_postgres(cur):
        return f"{column} = any(${column})"
    return f"list_contains(${column}, {column})"


def refresh(
    cur: duckdb.DuckDBPyConnection,
    copies: Iterable[StoredCopy],
    written: Iterable[str],
    narrowed: Narrowed,
    added_only: Iterable[str] = (),
    filled: Filled | None = None,
    merged: Iterable[str] = (),
) -> None:
    """Bring `copies` up to date after a transaction's writes (mark_written first), in it:
    a copy whose rows the writes narrow (`narrowed`, see StoredCopy.narrowed_by) and that
    was up to date before them has those rows deleted and made again from its view, except
    those that already account for rows added (`added_only`: the tables to which the writes
    only added rows, see StoredCopy.covered), those the transaction wrote itself
    (`filled`, see fill), and all of them where the transaction folded the rows it added
    into the copy itself (`merged`, see merge) and wrote its tables no other way; every
    other copy is rebuilt whole."""
    copies = tuple(copies)
    filled = filled or {}
    written = frozenset(written)
    added_only = frozenset(added_only)
    merged = frozenset(merged)
    partial = {c: _narrowing(c, written, narrowed) for c in copies}
    partial = {c: v for c, v in partial.items() if v is not None}
    if partial:
        current = _made_at(cur, partial, writes_behind=1)
        partial = {c: v for c, v in partial.items() if c.table in current}
    for copy, values in partial.items():
        if copy.table in merged and copy.watched & written <= added_only:
            values = {}  # merged by the writer: nothing to remake
        else:
            values = _not_covered(cur, copy, values, written, added_only)
        if copy.table in filled:
            (column,) = copy.narrowed_by
            values = {column: [v for v in values[column] if v not in filled[copy.table]]}
        if values and all(values.values()):
            # Names from STORED_COPIES (constants above), never from input; values bound.
            where = " and ".join(_narrowed_to(cur, column) for column in copy.narrowed_by)
            cur.execute(f"delete from {copy.table} where {where}", values)  # noqa: S608
            cur.execute(
                f"insert into {copy.table} select * from {copy.view} where {where}",  # noqa: S608
                values,
            )
        cur.execute(
            "update stored_copies set copy_writes = source_writes, "
            "refreshed_at = current_timestamp where stored_table = $t",
            {"t": copy.table},
        )
    rebuild(cur, [c for c in copies if c not in partial])


def rebuild(
    cur: duckdb.DuckDBPyConnection, copies: Iterable[StoredCopy] | None = None
) -> dict[str, int]:
    """Make each copy (every one when None) from its view and record it as up to date, in
    the caller's transaction. Returns the rows of each copy."""
    rows = {}
    for copy in STORED_COPIES if copies is None else copies:
        _declare(cur, (copy,))
        # Names from STORED_COPIES (constants above), never from input.
        cur.execute(f"create or replace table {copy.table} as select * from {copy.view}")  # noqa: S608
        if copy.postgres_index and on_postgres(cur):
            index = "_".join((copy.table, *copy.postgres_index))
            cur.execute(f"create index {index} on {copy.table} ({', '.join(copy.postgres_index)})")
        rows[copy.table] = cur.execute(f"select count(*) from {copy.table}").fetchone()[0]  # noqa: S608
        cur.execute(
            "update stored_copies set copy_writes = source_writes, "
            "refreshed_at = current_timestamp where stored_table = $t",
            {"t": copy.table},
        )
    return rows


def out_of_date(cur: duckdb.DuckDBPyConnection) -> dict[StoredCopy, str]:
    """The copies that do not hold their view's rows now, each with the reason. Reads the
    catalog and one small table: cheap enough to run before a query."""
    try:
        found = cur.execute(
            "select c.stored_table, c.source_writes, c.copy_writes, t.table_name is not null "
            "from stored_copies as c left join information_schema.tables as t "
            "on t.table_catalog = current_database() and t.table_schema = current_schema() "
            "and t.table_type = 'BASE TABLE' and t.table_name = c.stored_table"
        ).fetchall()
    except CATALOG_ERRORS:
        return {c: "the database has no table stored_copies" for c in STORED_COPIES}
    known = {row[0]: row[1:] for row in found}
    stale = {}
    for copy in STORED_COPIES:
        if copy.table not in known:
            stale[copy] = "it was never made"
            continue
        source_writes, copy_writes, exists = known[copy.table]
        if not exists:
            stale[copy] = "its table is missing"
        elif copy_writes is None:
            stale[copy] = "it was never made"
        elif copy_writes != source_writes:
            stale[copy] = (
                f"{source_writes - copy_writes} write(s) to {', '.join(copy.sources)} "
                "since it was made"
            )
    return stale


def warn_out_of_date(path, stale: dict[StoredCopy, str]) -> None:
    for copy, reason in stale.items():
        log.warning(
            "The stored copy %s in %s is out of date (%s): queries read the view %s instead, "
            "which is slower. Run `%s` to rebuild it.",
            copy.table,
            path,
            reason,
            copy.view,
            REFRESH_COMMAND,
        )


def read_views_instead(cur: duckdb.DuckDBPyConnection, copies: Iterable[StoredCopy]) -> None:
    """On this cursor only, let each copy's name stand for its view: a temporary view, kept
    in memory by this connection and gone with it. Nothing is written to the database."""
    for copy in copies:
        # Names from STORED_COPIES, never from input.
        cur.execute(
            f"create or replace temp view {copy.table} as select * from {copy.view}"  # noqa: S608
        )


class TrackedCursor:
    """A DuckDB cursor that notes the tables its statements write (`written`).

    In a transaction (`Database.transaction()`) the stored copies of what it wrote are
    refreshed before the commit. Outside one, a write to a copy's tables is refused: it
    would commit at once, leaving the copy out of date. Everything else is the cursor's.
    """

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        *,
        in_transaction: bool,
        pin=None,
        late: Callable[[duckdb.DuckDBPyConnection], dict[StoredCopy, str]] | None = None,
    ):
        self.raw = cur
        self.in_transaction = in_transaction
        self.pin = pin  # database.Pin when the cursor is a thread's one connection, else None
        self._late = late  # the database's copies out of date now (Database._out_of_date)
        self.written: set[str] = set()
        self.narrowed: Narrowed = {}
        self._not_only_added: set[str] = set()  # named once without adds_only
        self.filled: Filled = {}  # copies' rows written by the transaction itself (fill)
        self.merged: set[str] = set()  # copies the transaction brought up to date (merge)

    @contextlib.contextmanager
    def reading(self, copies: Iterable[StoredCopy]) -> Iterator[None]:
        """Inside, each of `copies` that is out of date reads as its view on this cursor, as
        `Database.query` reads them (a named query run on a cursor of its own temp tables:
        an upload's checks). The views are dropped at the end, so that a write on this
        cursor after (an import's, on its preview's connection) finds the copies' tables."""
        copies = list(copies)
        stale = self._late(self.raw) if copies and self._late else {}  # (asked once)
        late = [c for c in copies if c in stale]
        read_views_instead(self.raw, late)
        try:
            yield
        finally:
            for copy in late:  # (names from STORED_COPIES, never from input)
                self.raw.execute(f"drop view if exists {copy.table}")

    def wrote_only(
        self, table: str, values: dict[str, Iterable], *, adds_only: bool = False
    ) -> None:
        """Say that every row this transaction writes in `table` (inserted, updated or
        deleted) has, before and after the write, each column's value among `values`
        (column -> values): the stored copies narrowed by those columns refresh only
        their rows with those values (StoredCopy.narrowed_by). Said twice, the values add
        up. `adds_only`: the writes only insert rows, or update rows without changing those
        columns (an upload's import; not an undo, which deletes): a copy's rows that
        already account for such rows stay as they are (StoredCopy.covered); said once
        without it, it no longer holds for the table."""
        table = table.lower()
        named = self.narrowed.setdefault(table, {})
        for column, found in values.items():
            named[column] = named.get(column, frozenset()) | frozenset(found)
        if not adds_only:
            self._not_only_added.add(table)

    @property
    def added_only(self) -> frozenset[str]:
        """The tables whose every write was named with adds_only (see wrote_only)."""
        return frozenset(self.narrowed) - self._not_only_added

    def _note(self, sql: str) -> None:
        self._wrote(written_tables(self.raw, sql))

    def _wrote(self, tables: Iterable[str]) -> None:
        tables = frozenset(t.lower() for t in tables)
        if not tables:
            return
        copies = copies_watching(tables)
        if copies and not self.in_transaction:
            raise DatabaseError(
                f"Write to {', '.join(sorted(tables))} inside Database.transaction(), "
                f"which refreshes the stored copies ({', '.join(c.table for c in copies)}) "
                "in the same transaction; a cursor commits each statement at once."
            )
        self.written |= tables

    def execute(self, query, parameters=None):
        if isinstance(query, str):
            self._note(query)
        self.raw.execute(query, parameters)
        return self

    def executemany(self, query, parameters=None):
        if isinstance(query, str):
            self._note(query)
        self.raw.executemany(query, parameters)
        return self

    def sql(self, query, *args, **kwargs):
        self._note(query)
        return self.raw.sql(query, *args, **kwargs)

    def append(self, table_name, df, *args, **kwargs):
        self._wrote((table_name,))
        self.raw.append(table_name, df, *args, **kwargs)
        return self

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"TrackedCursor(written={sorted(self.written)})"


def refresh_stored_copies(
    cur: duckdb.DuckDBPyConnection | TrackedCursor, tables: Iterable[str] | None = None
) -> dict[str, int]:
    """Rebuild now, on `cur` and inside its transaction, the copies that read any of
    `tables` (every copy when None or empty). `Database.transaction()` does this by itself
    before it commits; call it to refresh earlier in a transaction."""
    copies = copies_watching(tables) if tables else STORED_COPIES
    if isinstance(cur, TrackedCursor):
        for copy in copies:
            cur.written -= copy.watched  # up to date again: no second rebuild at the commit
        cur = cur.raw
    mark_written(cur, copies)
    return rebuild(cur, copies)
