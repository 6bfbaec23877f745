"""Running the named queries of queries/quality_*.sql on a cursor (inside a transaction too)."""

from __future__ import annotations

import duckdb
import pandas as pd

from monitoring.db import query_parameters, query_text


def run_named(cur: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/NAME.sql on this cursor with the $parameters it uses taken from `params`
    (it may read the cursor's temp tables, e.g. an upload's `upload_rows`)."""
    wanted = query_parameters(name)
    return cur.execute(query_text(name), {k: params[k] for k in wanted}).df()


def execute_named(cur: duckdb.DuckDBPyConnection, name: str, **params) -> None:
    """Run a named statement that writes (inside the caller's transaction)."""
    wanted = query_parameters(name)
    cur.execute(query_text(name), {k: params[k] for k in wanted})
