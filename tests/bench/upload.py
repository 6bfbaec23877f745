"""Time an upload of indicator values through the real pipeline, in a process of its own.

    python -m tests.bench.upload prepare --db BENCH.duckdb --rows N --out FOLDER
        writes FOLDER/values-N.csv (the N latest rows of the benchmark's indicator_values,
        as canonical CSV) and FOLDER/upload-N.duckdb (a copy of the benchmark database
        without those rows), so that every row of the file is new, beside stored data;
        and FOLDER/corrected-N.csv (the same rows, every tenth value changed by about 1 %);
    python -m tests.bench.upload preview|commit --db upload-N.duckdb --csv values-N.csv
        runs monitoring.batches.preview_file (read + validate + compare, writes nothing) or
        the commit as `monitoring import` makes it (commit_file: preview_file, then
        commit_preview on the same connection, the checked rows the preview staged written
        as one batch in one transaction; "seconds" is both,
        "preview_seconds" and "write_seconds" each) and prints
        {"seconds", "rows", "rows_per_s", "peak_rss_mb", ...} as JSON; with
        `--statements N`, also the N slowest statements of the preview and of the write, each
        with its milliseconds, and the seconds of all of them (timed around psycopg's execute
        and COPY on PostgreSQL, the dashboard's tracked cursor on DuckDB: where an import's
        time goes, docs/benchmarks.md); with `--prepared`, the data
        quality checks and the series summary are first prepared (untimed) as a dashboard
        prepares them after each write (monitoring/quality/prepared.py), so that the preview
        reads the kept summary of the stored series instead of grouping the stored values;
        with `--after values-N.csv --csv corrected-N.csv`, values-N.csv is first committed
        (untimed), and the step times a file that corrects a tenth of what it loaded.

Peak memory is the process's peak resident set (VmHWM, upload_memory.peak_mb): Python, pandas,
DuckDB and the file's bytes included. The upload page and the CLI refuse files over
monitoring.upload.MAX_ROWS rows or MAX_FILE_MB; `--lift-limits` raises both for this
process only, so that a 1,000,000-row file measures the pipeline rather than the refusal.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from monitoring.db import Database
from monitoring.intake import batches, upload
from monitoring.settings import load_settings
from tests.bench.upload_memory import peak_mb

KEY = "indicator_code, period, region_code, org_id, sex, age_group"


def prepare(db_path: Path, rows: int, out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"values-{rows}.csv"
    target = out / f"upload-{rows}.duckdb"
    Path(str(target) + ".wal").unlink(missing_ok=True)
    shutil.copyfile(db_path, target)
    db = Database(target)
    try:
        # One transaction: it rebuilds the stored copies of what the delete changes.
        with db.transaction() as cur:
            cur.execute(
                "create temp table chosen as select * from indicator_values "  # noqa: S608
                f"order by period desc, {KEY} limit {int(rows)}"
            )
            cur.execute(
                f"copy (select * from chosen order by {KEY}) to '{csv_path}' "  # noqa: S608
                "(header, delimiter ',')"
            )
            cur.execute(
                f"delete from indicator_values where ({KEY}) in (select ({KEY}) from chosen)"  # noqa: S608
            )
        with db.cursor() as cur:
            cur.execute("checkpoint")
    finally:
        db.close()
    corrected = out / f"corrected-{rows}.csv"
    corrected.write_text(correction(csv_path.read_text(encoding="utf-8")), encoding="utf-8")
    return {"csv": str(csv_path), "db": str(target), "corrected": str(corrected)}


CORRECTED_EVERY = 10  # a correction changes the value of every tenth row


def correction(text: str) -> str:
    """The CSV `text` with the value of every CORRECTED_EVERY-th row changed by about 1 %: a
    file that corrects a tenth of the values an earlier one loaded (the same rows, keys and
    order), as a region sends again after a review."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    value = rows[0].index("value")
    for row in rows[1::CORRECTED_EVERY]:
        row[value] = f"{float(row[value]) * 1.01 + 0.1:.2f}"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def load_first(db_path: str, csv_path: Path) -> None:
    """Commit `csv_path` (untimed) as the stored data a timed step then corrects."""
    db = Database(db_path)
    try:
        batches.commit_file(db, csv_path.read_bytes(), csv_path.name, load_settings(), by="bench")
    finally:
        db.close()


@contextlib.contextmanager
def timed_statements(url: str):
    """Every statement this process runs on the database (psycopg's execute and COPY for a
    postgresql:// URL, the dashboard's tracked cursor for DuckDB), as (seconds, its first
    160 characters), appended to the list this yields while it is open."""
    timed: list[tuple[float, str]] = []
    timer = _timed_psycopg if url.startswith("postgresql") else _timed_duckdb
    with timer(timed):
        yield timed


def _text(raw: str) -> str:
    return " ".join(raw.split())[:160]


@contextlib.contextmanager
def _timed_duckdb(timed: list[tuple[float, str]]):
    from monitoring.db import stored

    execute = stored.TrackedCursor.execute

    def timed_execute(cur, query, parameters=None):
        start = time.perf_counter()
        try:
            return execute(cur, query, parameters)
        finally:
            timed.append((time.perf_counter() - start, _text(str(query))))

    stored.TrackedCursor.execute = timed_execute
    try:
        yield
    finally:
        stored.TrackedCursor.execute = execute


@contextlib.contextmanager
def _timed_psycopg(timed: list[tuple[float, str]]):
    import psycopg

    execute, copy = psycopg.ClientCursor.execute, psycopg.ClientCursor.copy

    def text(cur, statement) -> str:
        return _text(statement if isinstance(statement, str) else statement.as_string(cur))

    def timed_execute(cur, statement, *args, **kwargs):
        start = time.perf_counter()
        try:
            return execute(cur, statement, *args, **kwargs)
        finally:
            timed.append((time.perf_counter() - start, text(cur, statement)))

    @contextlib.contextmanager
    def timed_copy(cur, statement, *args, **kwargs):
        start = time.perf_counter()
        with copy(cur, statement, *args, **kwargs) as out:
            yield out
        timed.append((time.perf_counter() - start, text(cur, statement)))

    psycopg.ClientCursor.execute, psycopg.ClientCursor.copy = timed_execute, timed_copy
    try:
        yield
    finally:
        psycopg.ClientCursor.execute, psycopg.ClientCursor.copy = execute, copy


def slowest(timed: list[tuple[float, str]], count: int) -> list[dict]:
    return [
        {"ms": round(seconds * 1000), "sql": sql}
        for seconds, sql in sorted(timed, key=lambda t: t[0], reverse=True)[:count]
    ]


def prepare_checks(db_path: Path) -> float:
    """What a dashboard does after a write (monitoring/quality/prepared.py): the data quality
    checks and the series summary computed and kept for this data version. Its seconds."""
    from monitoring.quality import prepared
    from monitoring.reports.overview import default_as_of

    settings = load_settings()
    db = Database(db_path)
    try:
        start = time.perf_counter()
        prepared.prepare(db, settings, default_as_of(db, settings))
        return time.perf_counter() - start
    finally:
        db.close()


def run_step(
    step: str,
    db_path: Path,
    csv_path: Path,
    lift_limits: bool,
    statements: int = 0,
    prepared: bool = False,
    previewed: Callable[[], None] = lambda: None,
) -> dict:
    """One step, timed; `previewed` is called when a commit's preview is done (before its
    write), for `statements` to tell the two parts' statements apart."""
    if prepared:
        seconds = prepare_checks(db_path)
        result = run_step(step, db_path, csv_path, lift_limits, statements)
        return {**result, "prepared": True, "prepare_seconds": round(seconds, 3)}
    if statements:
        splits: list[int] = []  # how many statements the preview ran (a commit's)
        with timed_statements(str(db_path)) as timed:
            result = run_step(
                step, db_path, csv_path, lift_limits, previewed=lambda: splits.append(len(timed))
            )
        split = splits[0] if splits else len(timed)
        result["statements"] = {
            "preview": slowest(timed[:split], statements),
            "write": slowest(timed[split:], statements),
            "preview_sql_seconds": round(sum(t for t, _ in timed[:split]), 3),
            "write_sql_seconds": round(sum(t for t, _ in timed[split:]), 3),
            "total_sql_seconds": round(sum(t for t, _ in timed), 3),
        }
        return result
    if lift_limits:
        upload.MAX_ROWS = 10**8
        upload.MAX_FILE_BYTES = 2**34
        upload.MAX_LINES = 10**9
    settings = load_settings()
    db = Database(db_path)
    db.connection()
    data = csv_path.read_bytes()
    start = time.perf_counter()
    if step == "preview":
        preview = batches.preview_file(db, data, csv_path.name, settings)
        check = preview.check
        outcome = {"new": check.new, "changed": check.changed, "errors": len(check.errors)}
    else:
        # As `monitoring import` does (commit_file): the preview, then its checked rows
        # written without reading or checking the file again, both on one connection (the
        # write takes the rows the preview staged; the page's write, a later rerun, copies
        # them to the database again).
        with db.one_connection():
            preview = batches.preview_file(db, data, csv_path.name, settings)
            checked = time.perf_counter()
            previewed()
            result = batches.commit_preview(db, preview, by="bench")
        outcome = {
            "inserted": result.inserted,
            "batch": result.batch_id,
            "preview_seconds": round(checked - start, 3),
            "write_seconds": round(time.perf_counter() - checked, 3),
        }
    seconds = time.perf_counter() - start
    with db.cursor() as cur:
        stored = cur.execute("select count(*) from indicator_values").fetchone()[0]
    db.close()
    rows = data.count(b"\n") - 1
    return {
        "step": step,
        "rows": rows,
        "file_mb": round(len(data) / 1e6, 1),
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(peak_mb()),
        "stored_rows_after": stored,
        "limits_lifted": lift_limits,
        **outcome,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare", "preview", "commit"])
    parser.add_argument("--db", required=True, help="a DuckDB file or a postgresql:// URL")
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--lift-limits", action="store_true")
    parser.add_argument("--statements", type=int, default=0, help="list the N slowest statements")
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="first prepare the quality checks and series summary, as after a write",
    )
    parser.add_argument(
        "--after",
        type=Path,
        help="first commit this file (untimed): the step then corrects what it loaded",
    )
    args = parser.parse_args(argv)
    if args.step == "prepare":
        print(json.dumps(prepare(Path(args.db), args.rows, args.out)))
    else:
        if args.after:
            load_first(args.db, args.after)
        result = run_step(
            args.step, args.db, args.csv, args.lift_limits, args.statements, args.prepared
        )
        print(json.dumps(result))  # one line: tests/bench/run.py reads the last
    return 0


if __name__ == "__main__":
    sys.exit(main())
