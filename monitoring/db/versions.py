"""The data version: which uploads a figure or a file was made from, and when they were made.

`Database.data_version()` is the cache key of the pages; `DataVersion` adds the time of the
latest change, which report files carry instead of the time they were made (docs/reports.md),
so that the same data, date and scope always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitoring.db.database import Database

# The time of a database without any upload: the earliest a zip file can record.
NO_DATA_TIME = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DataVersion:
    """The latest upload batch, the number of batches undone, and when that state began."""

    batch: int
    undone: int
    at: dt.datetime  # UTC

    @property
    def label(self) -> str:
        """'batch 10, 0 undone'."""
        return f"batch {self.batch}, {self.undone} undone"

    @property
    def time_text(self) -> str:
        """'30 Nov 2026 15:14 UTC'."""
        return f"{self.at:%d %b %Y %H:%M} UTC"


def current_version(db: Database) -> DataVersion:
    """The data version of `db` as it is now."""
    row = db.query("reports_data_version").iloc[0]
    at = row.changed_at
    when = NO_DATA_TIME if pd.isna(at) else pd.Timestamp(at).tz_convert("UTC").to_pydatetime()
    return DataVersion(int(row.batch), int(row.undone), when.replace(microsecond=0))
