"""The monitoring database: open it, create the schema, run named queries.

One DuckDB instance per database file and process, shared by every browser session;
each query runs on its own cursor, because DuckDB 2.0 refuses concurrent use of one
connection ("connection is busy") instead of waiting.
"""

from __future__ import annotations

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
            cur.execute("commit")

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/NAME.sql with the $parameters it uses taken from `params`."""
        wanted = query_parameters(name)
        missing = wanted - params.keys()
        if missing:
            raise DatabaseError(f"Query {name!r} needs {', '.join(sorted(missing))}.")
        bound = {k: params[k] for k in wanted}
        with self.cursor() as cur:
            return cur.execute(query_text(name), bound).df()

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
