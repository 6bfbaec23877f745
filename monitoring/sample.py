"""Load the committed sample tables (data/sample/*.csv) into a database, once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from monitoring.contract import LOAD_ORDER, TABLES, Table
from monitoring.db import Database
from monitoring.settings import ROOT

SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_USER = "sample data"

_SQL_TYPES = {
    "number": "double",
    "integer": "integer",
    "money": "decimal(18, 2)",
    "rate": "decimal(18, 6)",
    "date": "date",
    "boolean": "boolean",
}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _select_list(table: Table) -> str:
    """Cast each canonical CSV column to its stored type; empty cells take their default."""
    parts = []
    for col in table.columns:
        expr = f'"{col.name}"'
        if col.default is not None:
            expr = f"coalesce({expr}, '{col.default}')"
        sql_type = _SQL_TYPES.get(col.kind)
        if sql_type:
            expr = f"cast({expr} as {sql_type})"
        parts.append(f'{expr} as "{col.name}"')
    return ", ".join(parts)


def load_csv(db: Database, table: Table, path: Path, *, by: str, source: str) -> int:
    """Insert the rows of a canonical CSV whose key is new; record the batch. Returns rows."""
    sha = file_sha256(path)
    keys = ", ".join(f'"{k}"' for k in table.key)
    # Table and column names below come from the contract, never from a file or a user;
    # every value is a bound parameter.
    stage_sql = (
        f"create or replace temp table _stage as select {_select_list(table)} "  # noqa: S608
        "from read_csv($path, all_varchar = true, header = true)"
    )
    new_rows_sql = (
        "create or replace temp table _new as "  # noqa: S608
        f"select * from _stage anti join {table.name} using ({keys})"
    )
    insert_sql = f"insert into {table.name} by name select * from _new"  # noqa: S608
    key_json = ", ".join(f'cast("{k}" as varchar)' for k in table.key)
    changes_sql = (
        "insert into upload_changes (batch_id, table_name, row_key, action, new_row) "  # noqa: S608
        f"select $batch, $table, to_json([{key_json}]), 'insert', to_json(_new) from _new"
    )
    with db.transaction() as cur:
        done = cur.execute(
            "select count(*) from upload_batches "
            "where table_name = $table and sha256 = $sha and status = 'committed'",
            {"table": table.name, "sha": sha},
        ).fetchone()[0]
        if done:
            return 0
        cur.execute(stage_sql, {"path": str(path)})
        cur.execute(new_rows_sql)
        inserted = cur.execute("select count(*) from _new").fetchone()[0]
        total = cur.execute("select count(*) from _stage").fetchone()[0]
        batch = cur.execute(
            "insert into upload_batches (table_name, file_name, sha256, uploaded_by, "
            "rows_inserted, rows_unchanged, source) values ($table, $file, $sha, $by, $ins, "
            "$unch, $source) returning batch_id",
            {
                "table": table.name,
                "file": path.name,
                "sha": sha,
                "by": by,
                "ins": inserted,
                "unch": total - inserted,
                "source": source,
            },
        ).fetchone()[0]
        cur.execute(insert_sql)
        cur.execute(changes_sql, {"batch": batch, "table": table.name})
        cur.execute("drop table _stage; drop table _new")
    return inserted


def load_sample(db: Database, folder: Path = SAMPLE_DIR) -> dict[str, int]:
    """Load every sample table not loaded before. Returns rows inserted per table."""
    counts = {}
    for name in LOAD_ORDER:
        path = folder / f"{name}.csv"
        if not path.exists():
            raise FileNotFoundError(f"Sample table {path} is missing; run `make sample`.")
        counts[name] = load_csv(db, TABLES[name], path, by=SAMPLE_USER, source="sample")
    return counts
