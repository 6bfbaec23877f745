"""Outliers (docs/quality.md): each value against its indicator's series by the modified
z-score (median and median absolute deviation; threshold `[quality] outlier_threshold`, 3.5 by
default, Iglewicz and Hoaglin), and against the indicator's min_value / max_value where set.
Shown on the Data quality page, and as warnings in the upload preview."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import duckdb
import pandas as pd

from monitoring import i18n, quality
from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.db.errors import DATABASE_ERRORS
from monitoring.db.results import kept_query, kept_rows
from monitoring.i18n import _
from monitoring.periods import period_of
from monitoring.quality import listed_rows  # (the tab's values; a name of this module too)
from monitoring.quality.queries import run_named
from monitoring.settings import Settings

log = logging.getLogger("monitoring.quality")

MIN_SERIES = 5  # fewer values than this make no series to judge against


def modified_z(values: list[float]) -> list[float | None]:
    """The modified z-score of each value in its series (the macro modified_z that the queries
    apply, migration 0021, written here for tests and readers): 0.6745 (x - median) / MAD;
    with MAD 0, (x - median) / (1.2533 x mean absolute deviation); None for a series of
    fewer than MIN_SERIES values or no spread."""
    if len(values) < MIN_SERIES:
        return [None] * len(values)
    series = pd.Series(values, dtype="float64")
    median = series.median()
    deviations = (series - median).abs()
    mad = deviations.median()
    if mad > 0:
        return [0.6745 * (v - median) / mad for v in values]
    mean_ad = deviations.mean()
    if mean_ad > 0:
        return [(v - median) / (1.2533 * mean_ad) for v in values]
    return [None] * len(values)


@team_only
def outliers(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every value up to `as_of` flagged as an outlier or out of bounds, a row each (`cells`
    1), in the query's order (the Outliers tab's downloads, the quality command). `worded`
    adds why, for the rows a reader is shown: at 1,000,000 values 31,000 are flagged, and
    writing every reason out took 0.1 s of each Outliers and Follow-up tab computed, for a
    page that shows the first thousand."""
    return _judged(db, settings, as_of, first=None)


@team_only
def shown(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """What the Outliers tab shows: the first quality.FIRST_SHOWN rows of `outliers` and one
    row counting the others (`flagged_count`, `listed_rows`). Their count is taken from each series'
    values, and only the indicators that hold the first rows have their values judged one by
    one (on PostgreSQL at 1,000,000 values 0.6 s, where every value judged took 0.9 s)."""
    return _judged(db, settings, as_of, first=quality.FIRST_SHOWN)


def _judged(db: Database, settings: Settings, as_of: dt.date, first: int | None) -> pd.DataFrame:
    threshold = settings.quality.outlier_threshold
    return kept_query(
        db,
        "quality_outliers",
        period=period_of(as_of),
        threshold=threshold,
        indicators=None,
        first_rows=first,
    )


def flagged_count(found: pd.DataFrame) -> int:
    """How many values are flagged, of `outliers` or `shown` (its rows and its count)."""
    return int(found.cells.sum()) if len(found) else 0


@team_only
def first_outliers(db: Database, settings: Settings, as_of: dt.date, count: int) -> pd.DataFrame:
    """The first `count` rows of `outliers` (in its order: by indicator code first), without
    judging every value where neither the whole result nor the Outliers tab's (`shown`,
    when it lists as many) is kept for this data version: the indicators are judged a few at
    a time, in code order (`_next_size`), until `count` rows are found or every indicator is
    judged. A series is one indicator's, so each indicator's rows are those of the whole
    result.

    For the Follow-up tab, which lists the first flagged values to mark: at 1,000,000 values
    the whole result (31,000 rows) took 0.09-0.12 s on DuckDB and 0.85-1.06 s on PostgreSQL,
    which reads one indicator's values by its index (docs/benchmarks.md). The rows found are not
    kept (kept_results holds whole results); the page's own cache holds them."""
    threshold = settings.quality.outlier_threshold
    period = period_of(as_of)
    asked = {"period": period, "threshold": threshold, "indicators": None}
    kept = kept_rows(db, "quality_outliers", **asked, first_rows=None)
    if kept is None and count <= quality.FIRST_SHOWN:
        kept = kept_rows(db, "quality_outliers", **asked, first_rows=quality.FIRST_SHOWN)
    if kept is not None:
        return listed_rows(kept).head(count).reset_index(drop=True)
    codes = db.query("indicators_units").indicator_code.tolist()  # in the queries' order
    found: list[pd.DataFrame] = []
    rows, done, size = 0, 0, 1
    while rows < count and done < len(codes):
        part = db.query(
            "quality_outliers",
            **(asked | {"indicators": codes[done : done + size]}),
            first_rows=None,
        )
        found.append(part)
        rows, done = rows + len(part), done + size
        size = _next_size(size, done, rows, count)
    found = [part for part in found if len(part)]  # (an empty part's texts have no type)
    if not found:  # nothing asked for (count 0), or nothing flagged: no row, the columns
        return db.query("quality_outliers", **(asked | {"indicators": []}), first_rows=None)
    return pd.concat(found, ignore_index=True).head(count)


def _next_size(size: int, done: int, rows: int, count: int) -> int:
    """How many indicators to judge next, after `done` of them gave `rows` of the `count`
    wanted: as many as the rows found per indicator so far say are still needed, at least
    one and at most twice the last query's; twice as many while none is found. (At 1,000,000
    values the first indicator has no outlier and the next two 2,100: 5 + 70 ms on
    PostgreSQL, where judging two and then four took 26 + 119 ms.)"""
    if rows == 0:
        return size * 2
    needed = -(-(count - rows) * done // rows)  # rounded up
    return max(1, min(needed, size * 2))


def worded(found: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Rows of `outliers` with `why`: the reasons they are flagged, in the language."""
    return found.assign(why=whys(found, threshold))


def whys(found: pd.DataFrame, threshold: float) -> list[str]:
    """In words, why each flagged row is flagged (templates translated once, numbers written
    together: tens of thousands of values are flagged at 1,000,000)."""
    if found.empty:
        return []
    z_text = _("modified z-score {z} (beyond {threshold}; median of {n} values {median})")
    low_text = _("below the indicator's minimum {low}")
    high_text = _("above the indicator's maximum {high}")
    beyond = (found.z.notna() & (found.z.abs() > threshold)).to_numpy()
    below = (found.min_value.notna() & (found.value < found.min_value)).to_numpy()
    above = (found.max_value.notna() & (found.value > found.max_value)).to_numpy()
    limit = i18n.number(threshold, 1)

    def written(column: str, where) -> Iterator[str]:  # only the figures a reason names
        return iter(i18n.numbers(found[column].to_numpy()[where], 1))

    zs, medians = written("z", beyond), written("median", beyond)
    lows, highs = written("min_value", below), written("max_value", above)
    out = []
    for is_beyond, n, is_below, is_above in zip(beyond, found.n, below, above, strict=True):
        reasons = []
        if is_beyond:
            reasons.append(
                z_text.format(z=next(zs), threshold=limit, n=int(n), median=next(medians))
            )
        if is_below:
            reasons.append(low_text.format(low=next(lows)))
        if is_above:
            reasons.append(high_text.format(high=next(highs)))
        out.append("; ".join(reasons))
    return out


@dataclass(frozen=True)
class UploadWarning:
    line: int
    value: float
    reason: str  # "{value} is an outlier for {code}: {why}" ("" where not worded)
    why: str = ""  # the reason alone, to add to another warning about the same value


def series_summary(db: Database) -> pd.DataFrame:
    """The summary of every stored series (queries/series_summary.sql), which an upload's
    outlier warnings compare with: read where kept for this data version, else computed and
    kept (prepared after each write, monitoring/quality/prepared.py)."""
    return kept_query(db, "series_summary", indicators=None)


def prepared_series(db: Database) -> pd.DataFrame | None:
    """`series_summary` if it is kept for this data version, else None (nothing is run: the
    preview then summarises only the series of its own indicators, and keeps nothing)."""
    return kept_rows(db, "series_summary", indicators=None)


# Summaries begun ahead run on threads of their own, each on a cursor of its own (at most
# this many at once: more previews at the same moment wait for one, as they would inline).
_AHEAD = ThreadPoolExecutor(max_workers=2, thread_name_prefix="series-ahead")


class SeriesAhead:
    """The stored series an upload of indicator values is compared with, summarised while
    the file is checked rather than after (validation.Context's `series`).

    Where no summary is kept for this data version (prepared_series: none after a write that
    no dashboard has prepared for), summarising the stored series of the file's indicators
    is the slowest statement of a preview (0.45-0.52 s of 1.3 s for 100,000 rows beside
    900,000 on PostgreSQL). Its input is known as soon as the file is read: the indicator
    codes the file names, `indicators`. So it begins then, on another cursor (on PostgreSQL
    another server process, on DuckDB DuckDB's own threads), while the preview checks the
    rows and stages and compares them; the preview waits for it only where the outlier
    warnings read it. Called with the indicators of the checked rows, it returns the summary
    if it covers them (codes are checked as written, spaces aside), else None, and the
    preview summarises them itself as before; likewise if the summary ahead failed.
    """

    def __init__(self, db: Database, indicators: Iterable[str]):
        self.indicators = frozenset(indicators)
        self._kept = prepared_series(db)
        self._future: Future | None = None
        if self._kept is None and self.indicators:
            self._future = _AHEAD.submit(_summarise, db, sorted(self.indicators))

    def __call__(self, indicators: Iterable[str]) -> pd.DataFrame | None:
        if self._kept is not None:
            return self._kept
        if self._future is None or not set(indicators) <= self.indicators:
            return None
        try:
            return self._future.result()
        except DATABASE_ERRORS as e:  # (summarised again inline, where the error shows)
            log.warning("The stored series could not be summarised ahead: %s", e)
            return None

    def settle(self) -> None:
        """Wait until the summary ahead, if any, is done (its result or its error unused): a
        preview that never read it (a file refused at its header) must not return while its
        cursor still runs, or closing the database then would fail (DuckDB refuses to close a
        connection busy with another call)."""
        if self._future is not None:
            wait([self._future])


def _summarise(db: Database, indicators: list[str]) -> pd.DataFrame:
    with db.cursor() as cur:
        return run_named(cur, "series_summary", indicators=indicators)


def upload_warnings(
    cur: duckdb.DuckDBPyConnection, settings: Settings, *, described: int | None = None
) -> list[UploadWarning]:
    """Outliers among the new and changed values of an upload staged on `cur` (upload_rows),
    in line order. With `described`, only the first `described` get their reason in words
    (the others are only counted by the preview: worded, 30,000 of them took 6 s)."""
    threshold = settings.quality.outlier_threshold
    found = run_named(cur, "quality_upload_outliers", threshold=threshold)
    limit = len(found) if described is None else max(0, described)
    worded = found.head(limit)
    text = _("{value} is an outlier for {code}: {why}")
    why = whys(worded, threshold)
    reasons = [
        text.format(value=value, code=code, why=reason)
        for value, code, reason in zip(
            i18n.numbers(worded.value, 1), worded.indicator_code, why, strict=True
        )
    ]
    unworded = [""] * (len(found) - len(reasons))
    return [
        UploadWarning(int(line), float(value), reason, one)
        for line, value, reason, one in zip(
            found.line.to_numpy().tolist(),
            found.value.to_numpy().tolist(),
            reasons + unworded,
            why + unworded,
            strict=True,
        )
    ]
