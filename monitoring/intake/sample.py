"""Load the committed sample tables (data/sample/*.csv) into a database, once.

They go through the same checks and commit path as any upload (monitoring/intake/batches.py):
each table is one batch, recognised by its SHA-256, so loading again changes nothing. The
indicator values come in a batch per quarter, dated as a programme's regions would have sent
them (`VALUES_DAYS_AFTER`), so that the Data quality page's timeliness reads like a real
upload history rather than everything late by years (all of it loaded today).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from monitoring.contract import LOAD_ORDER
from monitoring.db import Database
from monitoring.intake.batches import commit_file
from monitoring.periods import period_end
from monitoring.quality.approvals import approve_sample
from monitoring.settings import ROOT, Settings, load_settings

SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_USER = "sample data"
# Days after each quarter's end that its sample values were uploaded (the quarters in order,
# then again from the first): most within the 30 days of [quality] timeliness_days, two
# later. Illustrative, as the sample's approvals are (docs/quality.md).
VALUES_DAYS_AFTER = (18, 25, 41, 21, 27, 35)
BY_QUARTER = "indicator_values"


def load_sample(
    db: Database, folder: Path = SAMPLE_DIR, settings: Settings | None = None
) -> dict[str, int]:
    """Load every sample table not loaded before. Returns rows inserted per table."""
    settings = settings or load_settings()
    counts = {}
    for name in LOAD_ORDER:
        path = folder / f"{name}.csv"
        if not path.exists():
            raise FileNotFoundError(f"Sample table {path} is missing; run `make sample`.")
        if name == BY_QUARTER:
            counts[name] = _load_by_quarter(db, path, settings)
            continue
        result = commit_file(
            db, path.read_bytes(), path.name, settings, by=SAMPLE_USER, table=name, source="sample"
        )
        counts[name] = result.inserted
    # Every quarter of the sample approved for the whole programme, by an approver named as
    # illustrative (docs/quality.md), so that share links show it; once, on the first load.
    approve_sample(db, settings)
    return counts


def quarter_files(data: bytes) -> list[tuple[str, bytes]]:
    """A table of values as one CSV file per quarter (its `period`), in the quarters'
    order, each with the table's header."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = next(reader)
    at = header.index("period")
    rows: dict[str, list[list[str]]] = {}
    for row in reader:
        if row:
            rows.setdefault(row[at], []).append(row)
    files = []
    for period in sorted(rows):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows[period])
        files.append((period, out.getvalue().encode("utf-8")))
    return files


def _load_by_quarter(db: Database, path: Path, settings: Settings) -> int:
    """The sample's values, a batch per quarter, each dated VALUES_DAYS_AFTER its quarter's
    end; a quarter loaded before is left as it is."""
    inserted = 0
    for n, (period, data) in enumerate(quarter_files(path.read_bytes())):
        result = commit_file(
            db,
            data,
            f"{path.stem}-{period}.csv",
            settings,
            by=SAMPLE_USER,
            table=BY_QUARTER,
            source="sample",
        )
        inserted += result.inserted
        if result.batch_id is None:
            continue
        days = VALUES_DAYS_AFTER[n % len(VALUES_DAYS_AFTER)]
        sent = dt.datetime.combine(period_end(period), dt.time(9, 30), dt.UTC)
        with db.transaction() as cur:
            cur.execute(
                "update upload_batches set uploaded_at = $at where batch_id = $batch",
                {"at": sent + dt.timedelta(days=days), "batch": result.batch_id},
            )
    return inserted
