"""Timeliness (docs/quality.md): a quarter's value is on time when it was first uploaded
within `[quality] timeliness_days` days after the quarter ended, judged from the upload
history; late and missing values are listed with who should report them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.db.results import kept_query
from monitoring.i18n import N_
from monitoring.periods import period_of, programme_periods
from monitoring.settings import Settings

ON_TIME, LATE, MISSING, NOT_DUE, UNKNOWN = (
    N_("on time"),
    N_("late"),
    N_("missing"),
    N_("not due yet"),
    N_("no upload recorded"),
)


@team_only
def timeliness(
    db: Database, settings: Settings, as_of: dt.date, today: dt.date | None = None
) -> pd.DataFrame:
    """Every expected value (indicator, region, quarter up to `as_of`) with its deadline, when
    it was first uploaded, its timeliness (`status`, one of the statuses above, judged in
    queries/quality_timeliness.sql as of `today`), days late, and for late and missing values
    who should report it."""
    found = kept_query(
        db,
        "quality_timeliness",
        programme_regions=list(settings.programme.regions),
        periods=list(programme_periods(settings.programme)),
        period=period_of(as_of),
        days=settings.quality.timeliness_days,
        today=today or dt.date.today(),
    )
    found["deadline"] = pd.to_datetime(found.deadline).dt.date
    found["days_late"] = found.days_late.astype("Int64")
    return found


def summary(found: pd.DataFrame) -> dict[str, int]:
    """How many values are on time, late, missing, not due, without an upload."""
    counts = found.status.value_counts() if len(found) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in (ON_TIME, LATE, MISSING, NOT_DUE, UNKNOWN)}
