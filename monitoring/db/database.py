"""The monitoring database: open it (creating or upgrading its schema), run named queries.

One DuckDB instance per database file and process, shared by every browser session;
each query runs on its own cursor, because DuckDB 2.0 refuses concurrent use of one
connection ("connection is busy") instead of waiting. DuckDB lets one process at a time
open the file: while the dashboard holds it, commands send it their jobs through the job
channel (monitoring/db/channel.py, monitoring/cli/remote.py) instead of opening it.

The schema is made by the migrations of queries/migrations (monitoring/db/migrations.py);
opening a database applies the missing ones. Stored copies of views (monitoring/db/stored.py)
are refreshed by the transactions that write their tables; a query reads a copy when it is
up to date and its view otherwise, and never writes. docs/database.md has the whole story.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from monitoring.db import migrations as migrations_module
from monitoring.db import postgres, stored
from monitoring.db.dialect import default_macros
from monitoring.db.errors import DatabaseError, DatabaseInUse
from monitoring.db.statements import named_tables
from monitoring.i18n import _
from monitoring.settings import ROOT

QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "monitoring.duckdb"
_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")
log = logging.getLogger("monitoring.db")

# Which stored copies are out of date changes only when data is written, and every write in
# this process goes through Database.transaction() (other processes cannot write while this
# one has the file open: DuckDB locks it). So the answer is kept per database file until the
# next transaction on it.
_writes: dict[Path, int] = {}
_stale: dict[Path, tuple[int, dict[stored.StoredCopy, str]]] = {}


def _wrote(path: Path) -> None:
    _writes[path] = _writes.get(path, 0) + 1


@cache
def copies_read(name: str) -> frozenset[stored.StoredCopy]:
    """The stored copies the named query reads: names in its SQL (not in its comments) and
    in the bodies of the macros it calls (spending_to reads spending_quarters_stored)."""
    return stored.copies_named(_names_read(query_text(name)))


def _names_read(sql: str) -> frozenset[str]:
    macros = default_macros()
    names: set[str] = set()
    texts = [sql]
    while texts:
        found = named_tables(texts.pop()) - names
        names |= found
        texts += [macros[n].body.sql(dialect="duckdb") for n in found if n in macros]
    return frozenset(names)


def database_path(path: str | os.PathLike | None = None) -> Path | postgres.PostgresURL:
    """The database: `path`, else $MONITORING_DB, else data/monitoring.duckdb. A
    `postgresql://` URL names a PostgreSQL database (docs/scale.md), anything else a file."""
    given = path or os.environ.get("MONITORING_DB") or DEFAULT_DB
    if isinstance(given, postgres.PostgresURL):
        return given
    if postgres.is_url(str(given)):
        return postgres.PostgresURL(str(given))
    return Path(given).resolve()


def is_postgres(path) -> bool:
    return isinstance(path, postgres.PostgresURL)


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


def connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `path`; DatabaseInUse with a plain message when another
    process holds it. For a PostgreSQL URL: a new pool of connections, the caller's to close."""
    if is_postgres(path):
        try:
            return postgres.PostgresConnection(path, max_size=2 if read_only else 20)
        except Exception as exc:  # noqa: BLE001 - psycopg_pool's timeout, psycopg's errors
            raise DatabaseError(
                _("Cannot connect to the database {path}: {error}").format(path=path, error=exc)
            ) from None
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseInUse(
                _(
                    "The database {path} is in use by another program that takes no jobs from "
                    "the command line: another command still running, a dashboard started "
                    "before this release, or another program. Try again when it has finished. "
                    "DuckDB said: {error}"
                ).format(path=path, error=exc)
            ) from None
        raise DatabaseError(
            _("Cannot open the database {path}: {error}").format(path=path, error=exc)
        ) from None


def plan_migrations(
    path: str | os.PathLike | None = None, folder: Path | None = None
) -> migrations_module.Upgrade:
    """What opening the database would do to its schema (`migrate --dry-run`). Writes
    nothing: the file is opened read-only, and a missing file is not created."""
    resolved = database_path(path)
    if not is_postgres(resolved) and not resolved.exists():
        todo = migrations_module.load_migrations(folder)
        latest = todo[-1].version if todo else 0
        return migrations_module.Upgrade(resolved, 0, latest, todo, exists=False)
    with reading(resolved) as con:
        return migrations_module.plan(con, resolved, folder)


@contextmanager
def reading(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to read the file as it is, its schema left alone (no migration): a
    cursor of this process's own connection when it holds the file (the dashboard running
    a command's job: DuckDB refuses a second connection of another kind to it here), else
    a read-only connection of its own. DatabaseInUse when another process holds it."""
    resolved = database_path(path)
    with _shared_lock:
        held = _shared.get(resolved)
    if held is not None and held.is_open:
        with held.cursor() as cur:
            yield cur.raw
        return
    if is_postgres(resolved):
        pool = connect(resolved, read_only=True)
        cur = pool.cursor()
        try:
            yield cur
        finally:
            cur.close()
            pool.close()
        return
    con = connect(resolved, read_only=True)
    try:
        yield con
    finally:
        con.close()


class Pin:
    """A thread's one connection inside Database.one_connection(): its cursor, whether a
    cursor() or transaction() holds it now, and what the work on it left for the next
    (`staged`: the preview whose checked rows are the session's `upload_rows`, set and
    read by monitoring.intake)."""

    def __init__(self, raw: duckdb.DuckDBPyConnection):
        self.raw = raw
        self.busy = False
        self.staged: object | None = None


class Database:
    """A DuckDB database file shared by all sessions of this process.

    `migrations`: the folder of migrations to apply (default queries/migrations; tests use
    others). After the first connection, `upgrade` says what opening did to the schema.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        read_only: bool = False,
        migrations: Path | None = None,
    ):
        self.path = database_path(path)
        self.read_only = read_only
        self.migrations = migrations
        self.upgrade: migrations_module.Upgrade | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._on_close: list[Callable[[], None]] = []
        self._pinned = threading.local()  # .pin: this thread's Pin inside one_connection()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The process-wide connection, opened (the schema created or upgraded) on first use."""
        with self._lock:
            if self._con is None:
                self._con = self._open()
            return self._con

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.path)

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.is_postgres:
            return self._open_postgres()
        if not self.read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    _(
                        "Cannot create the folder {folder} of the database: {error}. Name a "
                        "database in a folder this program may write (--db or MONITORING_DB)."
                    ).format(folder=self.path.parent, error=exc.strerror or exc)
                ) from None
        con = connect(self.path, read_only=self.read_only)
        try:
            con.execute("set timezone = 'UTC'")
            self.upgrade = migrations_module.upgrade(
                con, self.path, read_only=self.read_only, folder=self.migrations
            )
            if self.upgrade.applied:
                # Into the file itself at once: DuckDB 2.0 cannot replay some schema changes
                # from its write-ahead log (a list default needs an extension it would
                # download), so a process killed before its next checkpoint would leave a
                # file no one can open.
                con.execute("checkpoint")
        except BaseException:
            con.close()
            raise
        self._log_upgrade()
        _stale.pop(self.path, None)
        return con

    def _open_postgres(self) -> postgres.PostgresConnection:
        pool = connect(self.path, read_only=False)
        cur = pool.cursor()
        try:
            # Replicas starting at once: one upgrades, the others wait, then find it done.
            cur.execute("select pg_advisory_lock(7203)")
            try:
                self.upgrade = migrations_module.upgrade(
                    cur, self.path, read_only=self.read_only, folder=self.migrations
                )
            finally:
                cur.execute("select pg_advisory_unlock(7203)")
        except BaseException:
            cur.close()
            pool.close()
            raise
        cur.close()
        self._log_upgrade()
        return pool

    def _log_upgrade(self) -> None:
        if self.upgrade.applied:
            # An upgrade (and the backup file it made) the operator should know of: shown.
            level = logging.INFO if self.upgrade.found == 0 else logging.WARNING
            log.log(level, "%s", self.upgrade.describe())

    @property
    def is_open(self) -> bool:
        """Whether this process holds the file now (its connection is open)."""
        return self._con is not None

    def on_close(self, fn: Callable[[], None]) -> None:
        """Call `fn` before the connection closes (the job channel stops listening)."""
        self._on_close.append(fn)

    def close(self) -> None:
        hooks, self._on_close = self._on_close, []
        for fn in hooks:
            fn()
        with self._lock:
            if self._con is not None:
                self._con.close()  # the file, or this database's pool of connections
                self._con = None

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """Inside, this thread's cursor() and transaction() run on one connection, each
        while no other of them holds it (a nested one gets a connection of its own): what
        one leaves in the session, such as a preview's staged rows (temporary tables), the
        next finds. commit_file's preview and write run so: the write takes the checked rows
        staged by the preview instead of copying them to the database again (on PostgreSQL,
        whose pool would hand the write another connection: 0.1 s of a 100,000-row import).
        Nested calls share the outer one's connection."""
        if getattr(self._pinned, "pin", None) is not None:
            yield
            return
        pin = Pin(self.connection().cursor())
        self._pinned.pin = pin
        try:
            yield
        finally:
            self._pinned.pin = None
            pin.raw.close()

    @contextmanager
    def _raw_cursor(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, Pin | None]]:
        """A cursor of its own, or this thread's pinned one while it is free (one_connection),
        with its Pin; given back (closed, or freed) at the end."""
        pin = getattr(self._pinned, "pin", None)
        if pin is not None and not pin.busy:
            pin.busy = True
            try:
                yield pin.raw, pin
            finally:
                pin.busy = False
            return
        cur = self.connection().cursor()
        try:
            yield cur, None
        finally:
            cur.close()

    @contextmanager
    def cursor(self) -> Iterator[stored.TrackedCursor]:
        """A cursor of its own for one piece of work on one thread. Each statement commits
        at once, so a write to a stored copy's tables is refused here: use transaction()."""
        with self._raw_cursor() as (cur, pin):
            yield stored.TrackedCursor(cur, in_transaction=False, pin=pin, late=self._out_of_date)

    @contextmanager
    def transaction(self, *, refresh_copies: bool = True) -> Iterator[stored.TrackedCursor]:
        """A cursor inside one transaction: committed at the end, rolled back on error.

        Before the commit, every stored copy of a view that reads a table written here is
        counted as written and rebuilt, in this transaction. With `refresh_copies=False`
        (a bulk load made of several transactions) the copies are only counted as written:
        queries read their views, with a warning, until `refresh_copies()`.
        """
        with self._raw_cursor() as (raw, pin):
            cur = stored.TrackedCursor(raw, in_transaction=True, pin=pin, late=self._out_of_date)
            raw.execute("begin transaction")
            try:
                yield cur
                copies = stored.copies_watching(cur.written)
                if copies:
                    stored.mark_written(raw, copies)
                    if refresh_copies:
                        stored.refresh(
                            raw,
                            copies,
                            cur.written,
                            cur.narrowed,
                            cur.added_only,
                            cur.filled,
                            cur.merged,
                        )
            except BaseException:
                raw.execute("rollback")
                raise
            finally:
                _wrote(self.path)  # stored copies may be out of date: check again
            raw.execute("commit")
            _wrote(self.path)

    def refresh_copies(self) -> dict[str, int]:
        """Rebuild every stored copy from its view in one transaction (`python -m monitoring
        refresh`, after writes made by other means). Returns the rows of each copy."""
        with self.transaction() as cur:
            return stored.rebuild(cur.raw)

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/NAME.sql with the $parameters it uses taken from `params`.

        A stored copy the query names that is out of date is not read: on this query's
        cursor its name stands for its view (see stored.py). Nothing is written."""
        return self._named(name, params, lambda result: result.df())

    def records(self, name: str, **params) -> list[dict]:
        """As query(), each row a dict of plain Python values: for a few rows, where making a
        DataFrame costs most of the time (an account looked up at every page run: 4.9 ms
        through a DataFrame, 0.5 ms through the rows)."""

        def rows(result) -> list[dict]:
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

        return self._named(name, params, rows)

    def _named(self, name: str, params: dict, fetch: Callable):
        wanted = query_parameters(name)
        missing = wanted - params.keys()
        if missing:
            raise DatabaseError(f"Query {name!r} needs {', '.join(sorted(missing))}.")
        bound = {k: params[k] for k in wanted}
        copies = copies_read(name)
        cur = self.connection().cursor()
        try:
            if copies:
                late = [c for c in copies if c in self._out_of_date(cur)]
                stored.read_views_instead(cur, late)
            return fetch(cur.execute(query_text(name), bound))
        finally:
            cur.close()

    def scalar(self, name: str, **params):
        """The single value of a one-row, one-column named query."""
        frame = self.query(name, **params)
        return None if frame.empty else frame.iat[0, 0]

    def ping(self) -> None:
        """Raise (DATABASE_ERRORS) unless the database answers a query now: the health
        address proxies check (docs/deploy.md)."""
        with self.cursor() as cur:
            cur.execute("select count(*) from schema_migrations").fetchone()

    def data_version(self) -> tuple[int, int]:
        """Changes whenever an upload is committed or undone: a key for caches."""
        with self.cursor() as cur:
            row = cur.execute(
                "select coalesce(max(batch_id), 0), count(undone_at) from upload_batches"
            ).fetchone()
        return (int(row[0]), int(row[1]))

    def out_of_date(self) -> dict[stored.StoredCopy, str]:
        """The stored copies that do not hold their view's rows now, with the reason."""
        cur = self.connection().cursor()
        try:
            return dict(self._out_of_date(cur))
        finally:
            cur.close()

    def _out_of_date(self, cur: duckdb.DuckDBPyConnection) -> dict[stored.StoredCopy, str]:
        if self.is_postgres:
            # Other processes (replicas, commands) write too: ask the database each time.
            stale = stored.out_of_date(cur)
            if stale:
                stored.warn_out_of_date(self.path, stale)
            return stale
        writes = _writes.get(self.path, 0)
        known = _stale.get(self.path)
        if known is not None and known[0] == writes:
            return known[1]
        stale = stored.out_of_date(cur)
        _stale[self.path] = (writes, stale)
        stored.warn_out_of_date(self.path, stale)  # once per state, not per query
        return stale


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
