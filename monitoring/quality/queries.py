"""Running named queries (queries/*.sql) on a cursor: its temp tables (an upload's staged rows)
are read, inside a transaction too."""

from __future__ import annotations

import contextlib

import duckdb
import pandas as pd

from monitoring.db import copies_read, query_parameters, query_text


def run_named(cur: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/NAME.sql on this cursor with the $parameters it uses taken from `params`
    (it may read the cursor's temp tables, e.g. an upload's `upload_rows`). A stored copy
    it names that is out of date is read as its view, as `Database.query` reads it (on a
    cursor of `Database.cursor()` or `transaction()`; a bare cursor reads what it names)."""
    wanted = query_parameters(name)
    bound = {k: params[k] for k in wanted}
    reading = getattr(cur, "reading", None)
    with reading(copies_read(name)) if reading else contextlib.nullcontext():
        return cur.execute(query_text(name), bound).df()


def execute_named(cur: duckdb.DuckDBPyConnection, name: str, **params) -> None:
    """Run a named statement that writes (inside the caller's transaction)."""
    wanted = query_parameters(name)
    cur.execute(query_text(name), {k: params[k] for k in wanted})
