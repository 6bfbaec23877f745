"""Query results kept per data version, in the database, for every process that opens it.

The data quality checks (monitoring/quality) group every one of a programme's values: at
1,000,000 values a check takes 0.3-1.2 s on DuckDB and 2-9 s on PostgreSQL, which reads and
groups rows one at a time (docs/scale.md). A dashboard keeps what it computed in memory,
but a server that restarts, a second replica on the same PostgreSQL or the command line
would compute it again. So `kept_query(db, name, **params)` runs a named query as
`Database.query` does and keeps its rows in the table `kept_results`, under a FINGERPRINT
of everything the rows depend on:

- the query's text, the migrations (its macros and views) and this file's FORMAT;
- the values of its parameters (the reporting date, the settings it is given);
- the engine, and the versions of pandas and pyarrow that wrote the rows (Parquet);
- the DATA VERSION: the latest upload batch, the number of batches undone and the count of
  transactions that wrote the data's tables (`stored_copies.source_writes`, counted by
  every `Database.transaction()` that writes them, monitoring/db/stored.py).

The next call with the same fingerprint reads the rows back instead of running the query.
New data has another data version, so a kept result is never out of date, only unused; it
is removed when a result of a newer data version is kept (and the oldest beyond KEEP rows).

A result is kept only if the data version read after the query is the one read before it:
a commit in between would otherwise put the rows of one version under the other's name.
Writes by other means than the dashboard's own (the DuckDB command line) are not seen, as
for the stored copies; `python -m monitoring refresh` counts a write and so starts afresh.
A read-only database, or a write that fails (another process writing at the same moment),
keeps nothing: the rows are returned all the same.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from monitoring.db.database import Database, query_parameters, query_text
from monitoring.db.errors import DATABASE_ERRORS

log = logging.getLogger("monitoring.db")

FORMAT = 1  # of the fingerprint's input and of the kept frame
KEEP = 200  # rows kept at most; the oldest beyond are removed when one is added

_VERSION_SQL = (
    "select (select coalesce(max(batch_id), 0) from upload_batches), "
    "(select count(undone_at) from upload_batches), "
    "(select coalesce(sum(source_writes), 0) from stored_copies)"
)


@dataclass(frozen=True)
class DataVersion:
    """What the kept results are keyed on: changes with every write to the data."""

    batch: int
    undone: int
    writes: int

    @property
    def label(self) -> str:
        return f"batch {self.batch}, {self.undone} undone, {self.writes} writes"


def data_version(db: Database) -> DataVersion:
    """The data version of `db` now (one query)."""
    with db.cursor() as cur:
        row = cur.execute(_VERSION_SQL).fetchone()
    return DataVersion(*(int(x) for x in row))


@cache
def _salt() -> str:
    """What every fingerprint shares: the format, the migrations, the frame's writers."""
    from monitoring.db.migrations import MIGRATIONS

    digest = hashlib.sha256(f"format {FORMAT};".encode())
    for path in sorted(Path(MIGRATIONS).glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in ("pandas", "pyarrow"):
        digest.update(f"{name}={metadata.version(name)};".encode())
    return digest.hexdigest()


def _plain(value):
    """A parameter's value as JSON, its type kept (a date is not its text)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return {type(value).__name__: value.isoformat()}
    return {type(value).__name__: str(value)}


def fingerprint(db: Database, name: str, bound: dict, version: DataVersion) -> str:
    """The sha256 (hex) of everything the rows of query `name` with `bound` depend on."""
    data = [
        _salt(),
        "postgresql" if db.is_postgres else "duckdb",
        name,
        query_text(name),
        sorted((k, _plain(v)) for k, v in bound.items()),
        [version.batch, version.undone, version.writes],
    ]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _to_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def _from_bytes(data) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(bytes(data)), engine="pyarrow")


def load(db: Database, key: str) -> pd.DataFrame | None:
    """The rows kept under `key`, or None (none kept, or unreadable: then the query runs)."""
    try:
        with db.cursor() as cur:
            row = cur.execute(
                "select frame from kept_results where fingerprint = $key", {"key": key}
            ).fetchone()
    except DATABASE_ERRORS:
        log.warning("Could not read the kept query results.", exc_info=True)
        return None
    if row is None:
        return None
    try:
        return _from_bytes(row[0])
    except (OSError, ValueError) as exc:  # pyarrow's errors are both
        log.warning("A kept query result (%s) was ignored: %s", key[:12], exc)
        return None


def keep(
    db: Database, key: str, name: str, version: DataVersion, frame: pd.DataFrame, seconds: float
) -> bool:
    """Keep `frame` under `key` in one transaction, removing the results of other data
    versions and the oldest beyond KEEP. False when nothing could be written."""
    if db.read_only:
        return False
    try:
        data = _to_bytes(frame)
    except (ValueError, TypeError, OSError) as exc:  # a column Parquet cannot hold
        log.info("The result of %s is not kept: %s", name, exc)
        return False
    try:
        with db.transaction() as cur:
            cur.execute(
                "insert or ignore into kept_results "
                "(fingerprint, query, data_version, frame, row_count, seconds) "
                "values ($key, $query, $version, $frame, $rows, $seconds)",
                {
                    "key": key,
                    "query": name,
                    "version": version.label,
                    "frame": data,
                    "rows": len(frame),
                    "seconds": float(seconds),
                },
            )
            cur.execute(
                "delete from kept_results where data_version <> $version",
                {"version": version.label},
            )
            cur.execute(
                "delete from kept_results where fingerprint not in (select fingerprint "
                "from kept_results order by kept_at desc, fingerprint limit $keep)",
                {"keep": KEEP},
            )
    except DATABASE_ERRORS:
        log.info("The result of %s was not kept (it will be run again).", name, exc_info=True)
        return False
    return True


_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


def _lock(key: str) -> threading.Lock:
    with _locks_lock:
        if len(_locks) > 4 * KEEP:  # of results computed long ago: none is held
            for old in [k for k, lock in _locks.items() if not lock.locked()]:
                del _locks[old]
        return _locks.setdefault(key, threading.Lock())


def _key_now(db: Database, name: str, params: dict) -> tuple[str, DataVersion]:
    """The fingerprint of query `name` with `params` at the data version now, and that."""
    bound = {k: params[k] for k in query_parameters(name) if k in params}
    version = data_version(db)
    return fingerprint(db, name, bound, version), version


def kept_rows(db: Database, name: str, **params) -> pd.DataFrame | None:
    """queries/NAME.sql's rows with `params` if this data version's are kept, else None
    (nothing is run: the caller may ask a narrower query instead)."""
    return load(db, _key_now(db, name, params)[0])


def kept_query(db: Database, name: str, **params) -> pd.DataFrame:
    """queries/NAME.sql's rows, as `Database.query(name, **params)` returns them: read from
    `kept_results` when this data version's are kept, else run and kept. Within a process,
    callers of the same result at the same time (viewers opening a tab after an upload, the
    checks prepared in the background) wait for the first instead of running it again."""
    key, version = _key_now(db, name, params)
    with _lock(key):
        found = load(db, key)
        if found is not None:
            return found
        start = time.perf_counter()
        frame = db.query(name, **params)
        seconds = time.perf_counter() - start
        if data_version(db) == version:
            keep(db, key, name, version, frame, seconds)
        return frame
