"""The monitoring database: open it, create the schema, run named queries.

One DuckDB instance per database file and process, shared by every browser session;
each query runs on its own cursor, because DuckDB 2.0 refuses concurrent use of one
connection ("connection is busy") instead of waiting.

Stored views: a view that every indicator query reads and that costs a scan of every
indicator value (indicator_region_values) is also kept as a stored copy, a table of the
same rows. Queries name the view; `Database.query` reads the copy instead when it is up to
date, which a stamp of its sources decides (see STORED_VIEWS). Uploads and undos refresh the
copy in their own transaction (`refresh_stored_views`); a copy that is out of date (data
written some other way) is refreshed before use, or, when that cannot be done, the view is
read: a query never sees other rows than the view's. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from monitoring.settings import ROOT

QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "monitoring.duckdb"
_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")

# view -> (stored copy, tables the view reads). The copy's stamp: queries/schema.sql (the
# view's definition and the macros it uses), the upload batches (and undos) of those tables
# and their row counts (rows inserted by other means, as test fixtures do). Every change
# through an upload or an undo makes a new batch or undoes one, so it changes the stamp.
STORED_VIEWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "indicator_region_values": (
        "indicator_region_values_stored",
        ("indicator_values", "indicators"),
    ),
    "transactions_converted": (
        "transactions_converted_stored",
        ("transactions", "exchange_rates"),
    ),
}


def _stamp_sql(view: str, sources: tuple[str, ...]) -> str:
    """One row: the stamp of the view's sources now, and the stamp its copy was made at."""
    listed = ", ".join(f"'{t}'" for t in sources)
    counts = " || ':' || ".join(f"(select count(*) from {t})" for t in sources)  # noqa: S608
    schema = hashlib.sha256(query_text("schema").encode()).hexdigest()[:16]
    # Names from STORED_VIEWS only, never from input.
    sql = (
        f"select '{schema}:' || coalesce(max(batch_id), 0) || ':' || count(undone_at) "  # noqa: S608
        f"|| ':' || {counts}, (select stamp from stored_views where view_name = '{view}') "
        f"from upload_batches where table_name in ({listed})"
    )
    return sql


def refresh_stored_views(cur: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = ()) -> None:
    """Rebuild the stored copies of the views that read any of `tables` (all when empty),
    on `cur`, inside the caller's transaction if it has one."""
    for view, (stored, sources) in STORED_VIEWS.items():
        if tables and not set(tables) & set(sources):
            continue
        stamp = cur.execute(_stamp_sql(view, sources)).fetchone()[0]
        # Table and view names from STORED_VIEWS (constants above), never from input.
        cur.execute(f"create or replace table {stored} as select * from {view}")  # noqa: S608
        cur.execute(
            "insert or replace into stored_views (view_name, stamp) values ($view, $stamp)",
            {"view": view, "stamp": stamp},
        )


def _stored_views_fresh(cur: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The stored views whose copy holds the view's rows now."""
    fresh = set()
    for view, (_, sources) in STORED_VIEWS.items():
        now, made_at = cur.execute(_stamp_sql(view, sources)).fetchone()
        if now == made_at:
            fresh.add(view)
    return frozenset(fresh)


# Which copies are fresh changes only when data is written, and every write in this process
# goes through Database.transaction() (other processes cannot write: DuckDB locks the file).
# So the answer is kept per database file until the next transaction on it.
_writes: dict[Path, int] = {}
_fresh: dict[Path, tuple[int, frozenset[str]]] = {}


def _wrote(path: Path) -> None:
    _writes[path] = _writes.get(path, 0) + 1


@cache
def _views_read(name: str) -> tuple[str, ...]:
    """The stored views the named query reads."""
    text = query_text(name)
    return tuple(v for v in STORED_VIEWS if re.search(rf"\b{v}\b", text))


class DatabaseError(RuntimeError):
    """The database cannot be opened or a query cannot run; the message says why."""


def database_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: `path`, else $MONITORING_DB, else data/monitoring.duckdb."""
    return Path(path or os.environ.get("MONITORING_DB") or DEFAULT_DB).resolve()


@cache
def query_text(name: str) -> str:
    """The SQL of the named query in queries/NAME.sql."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise DatabaseError(f"Bad query name {name!r}.")
    path = QUERIES / f"{name}.sql"
    if not path.exists():
        raise DatabaseError(f"There is no query {name!r} (looked for {path}).")
    return path.read_text(encoding="utf-8")


@cache
def query_parameters(name: str) -> frozenset[str]:
    """Names of the $parameters the named query uses (comments ignored)."""
    sql = re.sub(r"--[^\n]*", "", query_text(name))
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    return frozenset(_PARAM.findall(sql))


class Database:
    """A DuckDB database file shared by all sessions of this process."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        self.path = database_path(path)
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The process-wide connection, opened (and the schema created) on first use."""
        with self._lock:
            if self._con is None:
                self._con = self._open()
            return self._con

    def _open(self) -> duckdb.DuckDBPyConnection:
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseError(
                    f"The database {self.path} is in use by another program (usually the "
                    "running dashboard). Stop it, or make the change through the dashboard, "
                    f"then try again. DuckDB said: {exc}"
                ) from None
            raise DatabaseError(f"Cannot open the database {self.path}: {exc}") from None
        con.execute("set timezone = 'UTC'")
        if not self.read_only:
            con.execute(query_text("schema"))
        _fresh.pop(self.path, None)
        return con

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one piece of work on one thread."""
        cur = self.connection().cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside one transaction: committed at the end, rolled back on error."""
        with self.cursor() as cur:
            cur.execute("begin transaction")
            try:
                yield cur
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                _wrote(self.path)  # stored views may be out of date: check again
            cur.execute("commit")
            _wrote(self.path)

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/NAME.sql with the $parameters it uses taken from `params`."""
        wanted = query_parameters(name)
        missing = wanted - params.keys()
        if missing:
            raise DatabaseError(f"Query {name!r} needs {', '.join(sorted(missing))}.")
        bound = {k: params[k] for k in wanted}
        with self.cursor() as cur:
            return cur.execute(self._reading_stored_views(cur, name), bound).df()

    def scalar(self, name: str, **params):
        """The single value of a one-row, one-column named query."""
        frame = self.query(name, **params)
        return None if frame.empty else frame.iat[0, 0]

    def data_version(self) -> tuple[int, int]:
        """Changes whenever an upload is committed or undone: a key for caches."""
        with self.cursor() as cur:
            row = cur.execute(
                "select coalesce(max(batch_id), 0), count(undone_at) from upload_batches"
            ).fetchone()
        return (int(row[0]), int(row[1]))

    def _reading_stored_views(self, cur: duckdb.DuckDBPyConnection, name: str) -> str:
        """The SQL of the named query, reading the stored copy of each view it names that
        is up to date (refreshed first if need be and possible)."""
        sql = query_text(name)
        views = _views_read(name)
        if not views:
            return sql
        try:
            fresh = self._fresh_views(cur)
            if not set(views) <= fresh and not self.read_only:
                self._refresh_stale()
                fresh = self._fresh_views(cur)
        except duckdb.Error:  # e.g. a read-only database made before stored views existed
            return sql
        for view in set(views) & fresh:
            sql = re.sub(rf"\b{view}\b", STORED_VIEWS[view][0], sql)
        return sql

    def _fresh_views(self, cur: duckdb.DuckDBPyConnection) -> frozenset[str]:
        writes = _writes.get(self.path, 0)
        known = _fresh.get(self.path)
        if known is not None and known[0] == writes:
            return known[1]
        fresh = _stored_views_fresh(cur)
        _fresh[self.path] = (writes, fresh)
        return fresh

    def _refresh_stale(self) -> None:
        with self._refresh_lock, self.cursor() as cur:
            if _stored_views_fresh(cur) == frozenset(STORED_VIEWS):
                return  # another session refreshed them meanwhile
            cur.execute("begin transaction")
            try:
                refresh_stored_views(cur)
                cur.execute("commit")
            except duckdb.Error:  # a concurrent upload: read the view this time
                cur.execute("rollback")
            finally:
                _wrote(self.path)


_shared: dict[Path, Database] = {}
_shared_lock = threading.Lock()


def open_database(path: str | os.PathLike | None = None) -> Database:
    """The shared Database for `path` (or $MONITORING_DB): one per file and process."""
    resolved = database_path(path)
    with _shared_lock:
        db = _shared.get(resolved)
        if db is None:
            db = _shared[resolved] = Database(resolved)
        return db


def close_all() -> None:
    """Close every shared database (tests and the CLI use this)."""
    with _shared_lock:
        for db in _shared.values():
            db.close()
        _shared.clear()
