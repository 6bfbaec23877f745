"""Timeliness (docs/quality.md): a quarter's value is on time when it was first uploaded
within `[quality] timeliness_days` days after the quarter ended, judged from the upload
history; late and missing values are listed with who should report them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.access.markers import team_only
from monitoring.db import Database
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


def judge(row, today: dt.date) -> str:
    """One expected value's timeliness."""
    if not row.reported:
        return MISSING if row.deadline < today else NOT_DUE
    if row.first_uploaded_at is None or pd.isna(row.first_uploaded_at):
        return UNKNOWN  # written without a batch (not through an upload)
    return ON_TIME if pd.Timestamp(row.first_uploaded_at).date() <= row.deadline else LATE


@team_only
def timeliness(
    db: Database, settings: Settings, as_of: dt.date, today: dt.date | None = None
) -> pd.DataFrame:
    """Every expected value (indicator, region, quarter up to `as_of`) with its deadline, when
    it was first uploaded, its timeliness (`status`), days late and who should report it."""
    today = today or dt.date.today()
    found = db.query(
        "quality_timeliness",
        programme_regions=list(settings.programme.regions),
        periods=list(programme_periods(settings.programme)),
        period=period_of(as_of),
        days=settings.quality.timeliness_days,
    )
    if found.empty:
        return found.assign(status=pd.Series(dtype=str), days_late=pd.Series(dtype="Int64"))
    found["deadline"] = [pd.Timestamp(d).date() for d in found.deadline]
    found["status"] = [judge(r, today) for r in found.itertuples()]
    late = []
    for r in found.itertuples():
        if r.status == LATE:
            late.append((pd.Timestamp(r.first_uploaded_at).date() - r.deadline).days)
        elif r.status == MISSING:
            late.append((today - r.deadline).days)
        else:
            late.append(None)
    found["days_late"] = pd.array(late, dtype="Int64")
    return found


def summary(found: pd.DataFrame) -> dict[str, int]:
    """How many values are on time, late, missing, not due, without an upload."""
    counts = found.status.value_counts() if len(found) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in (ON_TIME, LATE, MISSING, NOT_DUE, UNKNOWN)}
