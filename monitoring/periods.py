"""Quarters and reporting dates: every page is computed as of a quarter end."""

from __future__ import annotations

import datetime as dt
import re

from monitoring.i18n import _
from monitoring.settings import Programme

_PERIOD = re.compile(r"(\d{4})Q([1-4])")


def period_of(day: dt.date) -> str:
    """The quarter a date falls in, written 2021Q2."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_start(period: str) -> dt.date:
    match = _PERIOD.fullmatch(period)
    if not match:
        raise ValueError(_("{period} is not a quarter like 2021Q1.").format(period=repr(period)))
    return dt.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)


def period_end(period: str) -> dt.date:
    """The last day of a quarter."""
    start = period_start(period)
    first_of_next = dt.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def periods_between(first: str, last: str) -> list[str]:
    """Every quarter from `first` to `last`, both included."""
    out, current = [], period_start(first)
    while period_of(current) <= last:
        out.append(period_of(current))
        current = period_end(period_of(current)) + dt.timedelta(days=1)
    return out


def programme_periods(programme: Programme) -> list[str]:
    return periods_between(period_of(programme.start), period_of(programme.end))


def reporting_dates(programme: Programme, latest_period: str | None) -> list[dt.date]:
    """Quarter ends a manager can pick, oldest first, up to the latest quarter with data."""
    periods = programme_periods(programme)
    if latest_period:
        periods = [p for p in periods if p <= latest_period] or periods[:1]
    else:
        periods = periods[:1]
    return [min(period_end(p), programme.end) for p in periods]


def default_reporting_date(programme: Programme, latest_period: str | None) -> dt.date:
    """The end of the latest quarter with data (never past the programme's end)."""
    return reporting_dates(programme, latest_period)[-1]


def months_elapsed(programme: Programme, as_of: dt.date) -> tuple[int, int]:
    """(months elapsed by `as_of`, months in the programme), counting started months."""

    def month_index(day: dt.date) -> int:
        return day.year * 12 + day.month

    total = month_index(programme.end) - month_index(programme.start) + 1
    done = month_index(as_of) - month_index(programme.start) + 1
    return max(0, min(total, done)), total


def time_share(programme: Programme, as_of: dt.date) -> float:
    """Share of the programme's days elapsed by the end of `as_of` (0 to 1)."""
    total = (programme.end - programme.start).days + 1
    done = (as_of - programme.start).days + 1
    return max(0.0, min(1.0, done / total))
