"""Load the committed sample tables (data/sample/*.csv) into a database, once.

They go through the same checks and commit path as any upload (monitoring/intake/batches.py):
each table is one batch, recognised by its SHA-256, so loading again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from monitoring.contract import LOAD_ORDER
from monitoring.db import Database
from monitoring.intake.batches import commit_file
from monitoring.quality.approvals import approve_sample
from monitoring.settings import ROOT, Settings, load_settings

SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_USER = "sample data"


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
        result = commit_file(
            db, path.read_bytes(), path.name, settings, by=SAMPLE_USER, table=name, source="sample"
        )
        counts[name] = result.inserted
    # Every quarter of the sample approved for the whole programme, by an approver named as
    # illustrative (docs/quality.md), so that share links show it; once, on the first load.
    approve_sample(db, settings)
    return counts
