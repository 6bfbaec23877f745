"""What the soak test writes and compares: the upload file and a snapshot of every table.

- `values_file` writes an indicator-values upload file of N rows, every one new beside the
  sample database (monitoring init --sample): indicator OC1.2 (broken down by sex and age
  group) for each organisation of the sample, in its region, for each programme quarter and
  sex, over distinct age groups `A-B`, so the key space is large enough for 100,000 rows;
- `snapshot` reads every table of a database file: its row count and an order-independent
  digest of its rows (the sum of DuckDB's hash of each whole row), so two states compare
  exactly, table by table, without keeping the rows; of a moment (a timestamp column: when
  a batch was uploaded) only whether it is set.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import duckdb

from monitoring.settings import ROOT

INDICATOR = "OC1.2"
PERIODS = ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
HEADER = ("indicator_code", "period", "region_code", "org_id", "sex", "age_group", "value")


def _organisations() -> list[tuple[str, str]]:
    with (ROOT / "data" / "sample" / "organisations.csv").open(newline="") as f:
        return [(r["org_id"], r["region_code"]) for r in csv.DictReader(f)]


def _age_groups():
    """Distinct `A-B` groups none of the sample's (which uses all, 15-29, 30+, ...)."""
    for width in itertools.count(1):
        for start in range(0, 100):
            yield f"{start}-{start + width}"


def values_file(path: Path, rows: int) -> Path:
    """Write `rows` new indicator values (canonical CSV) to `path`."""
    cells = [
        (period, org, region, sex)
        for org, region in _organisations()
        for period in PERIODS
        for sex in ("female", "male")
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        written = 0
        for n, age in enumerate(_age_groups()):
            for period, org, region, sex in cells:
                if written == rows:
                    return path
                out.writerow((INDICATOR, period, region, org, sex, age, 1 + (n + written) % 9))
                written += 1
    return path


# Written by whoever reads a donor view or a data quality check, not by an import: a serving
# dashboard may add a row at any moment (monitoring/access/kept.py, published.py,
# monitoring/db/results.py), so they are no part of an import's before or after.
NOT_COMPARED = frozenset(
    {
        "protected_cells",
        "published_cells",
        "published_grids",
        "published_grid_cells",
        "kept_results",
    }
)


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and not temporary order by table_name"
        ).fetchall()
        if r[0] not in NOT_COMPARED
    ]


def _row(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A table's row as one value to hash. A moment written by the import (when a batch was
    uploaded, when a stored copy was rebuilt) differs between two runs of the same import:
    only whether it is set counts."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = $t "
        "and database_name = current_database() order by column_index",
        {"t": table},
    ).fetchall()
    parts = [
        f'"{c}" is null' if t.startswith(("TIMESTAMP", "DATE", "TIME")) else f'"{c}"'
        for c, t in columns
    ]
    return "row(" + ", ".join(parts) + ")"


def snapshot(path: Path) -> dict[str, list[int]]:
    """Every table of the database file: {table: [rows, digest of its rows]}.

    Opened read-write, as the next process to use the file would (a write-ahead log left by
    a killed writer is replayed or discarded here, as it would be then)."""
    con = duckdb.connect(str(path))
    try:
        found = {}
        for name in tables(con):
            q = (
                f"select count(*), coalesce(sum(hash({_row(con, name)})), 0)::hugeint "  # noqa: S608
                f'from "{name}"'
            )
            count, digest = con.execute(q).fetchone()
            found[name] = [int(count), int(digest)]
        return found
    finally:
        con.close()


def batches(path: Path) -> list[tuple]:
    """The upload history: (batch_id, table, file, rows inserted) of every batch."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select batch_id, table_name, file_name, rows_inserted from upload_batches "
            "order by batch_id"
        ).fetchall()
    finally:
        con.close()


def stored_file_rows(path: Path, csv_path: Path) -> int:
    """How many of the upload file's rows are stored in indicator_values (by key)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select count(*) from indicator_values v join read_csv($csv, header = true, "
            "all_varchar = true) f on v.indicator_code = f.indicator_code "
            "and v.period = f.period and v.region_code = f.region_code "
            "and v.org_id = f.org_id and v.sex = f.sex and v.age_group = f.age_group",
            {"csv": str(csv_path)},
        ).fetchone()[0]
    finally:
        con.close()
