"""Timeliness (docs/quality.md): a quarter's value is on time when it was first uploaded
within `[quality] timeliness_days` days after the quarter ended, judged from the upload
history; late and missing values are listed with who should report them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring import quality
from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.db.results import kept_query
from monitoring.i18n import N_
from monitoring.periods import period_of, programme_periods
from monitoring.quality import listed_rows  # (the tab's values; a name of this module too)
from monitoring.settings import Settings

ON_TIME, LATE, MISSING, NOT_DUE, UNKNOWN = (
    N_("on time"),
    N_("late"),
    N_("missing"),
    N_("not due yet"),
    N_("no upload recorded"),
)


# The statuses whose values the Timeliness tab lists (the others it counts); it shows the
# first quality.FIRST_SHOWN of them (its downloads hold all of them).
LISTED = (LATE, MISSING)


@team_only
def timeliness(
    db: Database,
    settings: Settings,
    as_of: dt.date,
    today: dt.date | None = None,
    listed: tuple[str, ...] | None = None,
    first: int | None = None,
) -> pd.DataFrame:
    """Every expected value (indicator, region, quarter up to `as_of`) with its deadline, when
    it was first uploaded, its timeliness (`status`, one of the statuses above, judged in
    queries/quality_timeliness.sql as of `today`), days late, and for late and missing values
    who should report it; `cells` 1.

    With `listed`, only the values of those statuses are rows, with `first` only the first
    that many of them; the values that are not rows are counted, one row per status after
    them with the status and their number (`cells`), its other columns empty (`summary`
    counts both kinds). The Timeliness tab shows the first late and missing values
    (`shown`): at 1,000,000 values 11,900 of 33,554, whose frame took a third of the tab's
    time on PostgreSQL."""
    found = kept_query(
        db,
        "quality_timeliness",
        programme_regions=list(settings.programme.regions),
        periods=list(programme_periods(settings.programme)),
        period=period_of(as_of),
        days=settings.quality.timeliness_days,
        today=today or dt.date.today(),
        listed=None if listed is None else list(listed),
        first_rows=first,
    )
    found["deadline"] = pd.to_datetime(found.deadline).dt.date
    found["days_late"] = found.days_late.astype("Int64")
    return found


@team_only
def shown(
    db: Database, settings: Settings, as_of: dt.date, today: dt.date | None = None
) -> pd.DataFrame:
    """What the Timeliness tab shows: the first quality.FIRST_SHOWN late and missing values,
    the others counted."""
    return timeliness(db, settings, as_of, today, listed=LISTED, first=quality.FIRST_SHOWN)


@team_only
def late(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every late and missing value (the Timeliness tab's downloads)."""
    return listed_rows(timeliness(db, settings, as_of, listed=LISTED))


def summary(found: pd.DataFrame) -> dict[str, int]:
    """How many values are on time, late, missing, not due, without an upload (of
    `timeliness`, listed or counted)."""
    counts = found.groupby("status").cells.sum() if len(found) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in (ON_TIME, LATE, MISSING, NOT_DUE, UNKNOWN)}
