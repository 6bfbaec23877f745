"""Memory and time of one upload as the Data upload page makes it, in a process of its own.

    python -m tests.bench.upload_memory prepare --out FOLDER [--rows 100000]
        writes FOLDER/sample.duckdb (the sample tables), FOLDER/values.csv (indicator values
        with comments and sources, about 190 bytes a row: 100,000 rows are ~19 MB, the size
        of the file in issue 15) and FOLDER/values.xlsx (the same rows as a workbook);
    python -m tests.bench.upload_memory run --db FOLDER/sample.duckdb --file FOLDER/values.csv
        previews the file, then commits it, as the page does (the preview is kept while the
        person looks at it, as the session keeps it), and prints JSON: seconds of each step,
        the process's resident memory before, its peak (VmHWM) and what is
        still held after the preview; tracemalloc's peak of Python allocations.

The database is copied first, so a run never changes FOLDER/sample.duckdb.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERIODS = ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
REGIONS = ("UZ-JI", "UZ-TO", "UZ-NG", "UZ-SA", "UZ-FA", "UZ-AN", "UZ-BU")
INDICATORS = ("OC1.1", "OC1.2", "OC2.2", "OC3.1")  # counts of people or things: any value
HEADER = "indicator_code,period,region_code,org_id,sex,age_group,value,comment,source"
COMMENT = (
    "Reported by the partner in the quarterly narrative; figures cross-checked against the "
    "attendance sheets and committee records"
)


def rows_text(count: int) -> list[str]:
    """`count` distinct, valid indicator_values rows (age groups N-M make the keys differ)."""
    out = []
    n = 0
    for low in range(0, 10_000):
        for high in range(low + 1, low + 40):
            for code in INDICATORS:
                for period in PERIODS:
                    for region in REGIONS:
                        if n == count:
                            return out
                        value = (n * 7) % 50
                        out.append(
                            f"{code},{period},{region},,female,{low}-{high},{value},"
                            f'"{COMMENT} (row {n})",Partner report {period}'
                        )
                        n += 1
    return out


def prepare(out: Path, rows: int) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "sample.duckdb"
    for path in (db, Path(f"{db}.wal")):
        path.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "monitoring", "init", "--db", str(db), "--sample"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    lines = rows_text(rows)
    csv_path = out / "values.csv"
    csv_path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    import csv

    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("indicator_values")
    for cells in csv.reader([HEADER, *lines]):
        sheet.append([float(c) if i == 6 and c != "value" else c for i, c in enumerate(cells)])
    xlsx_path = out / "values.xlsx"
    workbook.save(xlsx_path)
    return {
        "db": str(db),
        "csv": str(csv_path),
        "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
        "xlsx": str(xlsx_path),
        "xlsx_mb": round(xlsx_path.stat().st_size / 2**20, 1),
    }


def rss_mb() -> float:
    """The process's resident memory now."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This program's peak resident memory: VmHWM, which starts again at exec. Not getrusage's
    ru_maxrss: Linux carries that over from the parent that started this process (the bench
    runner, which may have held a copied database: 2 GB reported for a 357 MB upload)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(db_path: Path, file: Path, traced: bool) -> dict:
    import gc

    from monitoring import i18n
    from monitoring.db import Database
    from monitoring.intake import batches
    from monitoring.settings import load_settings

    work = Path(tempfile.mkdtemp())
    try:
        copy = work / "upload.duckdb"
        shutil.copy(db_path, copy)
        settings = load_settings()
        db = Database(copy)
        db.connection()
        from tests.unit.upload_support import reopen_everything

        reopen_everything(db)  # the sample's approved quarters are locked (docs/quality.md)
        if file.suffix == ".xlsx":
            import openpyxl  # noqa: F401 - imported by the server at its first workbook too
        data = file.read_bytes()  # (the page has the file's bytes before it checks them)
        # Babel's locale data is read once per process (a server has it from its first page),
        # not per upload: read before measuring.
        i18n.number(1234.5, 1), i18n.percent(0.5), i18n.date(dt.date.today())
        gc.collect()
        before = rss_mb()
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        preview = batches.preview_file(db, data, file.name, settings)
        preview_s = time.perf_counter() - started
        gc.collect()
        held = rss_mb()  # what the session keeps while the person reads the preview
        traced_held = tracemalloc.get_traced_memory()[0] / 2**20 if traced else None
        started = time.perf_counter()
        if preview.check.errors:
            result = None  # nothing to import: the preview is what is measured
        elif hasattr(batches, "commit_preview"):
            result = batches.commit_preview(db, preview, by="bench")
        else:  # the code before issue 15: the file is read and checked again
            result = batches.commit_file(db, data, file.name, settings, by="bench")
        commit_s = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        db.close()
        return {
            "file": file.name,
            "file_mb": round(len(data) / 2**20, 1),
            "rows": preview.check.total_rows,
            "errors": getattr(preview.check, "error_count", len(preview.check.errors)),
            "batch": result.batch_id if result else None,
            "preview_s": round(preview_s, 2),
            "commit_s": round(commit_s, 2),
            "rss_before_mb": round(before),
            "rss_held_after_preview_mb": round(held),
            "peak_rss_mb": round(peak_mb()),
            "peak_growth_mb": round(peak_mb() - before),
            "tracemalloc_peak_mb": round(traced_peak) if traced else None,
            "tracemalloc_held_after_preview_mb": round(traced_held) if traced else None,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare", "run"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--tracemalloc", action="store_true", help="(slower) Python's own peak")
    args = parser.parse_args(argv)
    if args.step == "prepare":
        print(json.dumps(prepare(args.out, args.rows)))
    else:
        print(json.dumps(run(args.db, args.file, args.tracemalloc)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
