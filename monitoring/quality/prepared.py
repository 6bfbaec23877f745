"""The data quality checks prepared after an upload, before anyone opens them.

Each check groups every value of the programme: at 1,000,000 values 0.4-1.4 s on DuckDB and
2-8 s on PostgreSQL for a tab of the Data quality page (docs/benchmarks.md). Their results are
kept in the database per data version (monitoring/db/results.py), so only the first viewer
after an upload or an undo waits. `prepare_in_background` makes that first viewer nobody: the
dashboard calls it when a commit or an undo of its own has finished, and a thread computes
every check for the new data as of the default reporting date (the one the pages open on),
keeping the results for every process and replica; and the summary of every stored series,
which the next upload's outlier warnings compare with (its preview then groups no stored
value: 0.9 s of a 100,000-row preview on PostgreSQL at 1,000,000 values). A viewer who opens
a tab meanwhile waits for the same computation instead of running a second
(monitoring/db/results.py `kept_query`).

Nothing is shown and nothing but `kept_results` is written; a failure (the database closed
or unreachable meanwhile) is logged and changes nothing: the first viewer computes instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable

from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.db.errors import DATABASE_ERRORS
from monitoring.quality import completeness, outliers, timeliness
from monitoring.settings import Settings

log = logging.getLogger("monitoring.quality")

# Works out the reporting date to prepare the checks for (in the preparing thread).
ReportingDate = Callable[[Database, Settings], dt.date]

# Threads preparing checks, with the database each uses and the event that stops it.
_running: list[tuple[Database, threading.Thread, threading.Event]] = []
_running_lock = threading.Lock()
# The databases whose closing stops their threads first.
_hooked: weakref.WeakSet[Database] = weakref.WeakSet()


def prepare(
    db: Database, settings: Settings, as_of: dt.date, stop: threading.Event | None = None
) -> dict[str, float]:
    """Compute (or read, where kept) every check of the Data quality page as of `as_of` but
    the validation rules (read from stored copies that the writes keep, monitoring/quality/
    rules.py: nothing to prepare), and
    the summary of the stored series an upload's preview reads (series_summary.sql): seconds
    per check. With `stop`, no further check is started once it is set."""
    seconds = {}
    for name, check in (
        ("completeness", lambda: completeness.completeness(db, settings, as_of)),
        ("organisations", lambda: completeness.by_organisation(db, settings, as_of)),
        ("timeliness", lambda: timeliness.shown(db, settings, as_of)),
        ("outliers", lambda: outliers.shown(db, settings, as_of)),
        # what the next upload's outlier warnings compare with (no reporting date)
        ("series", lambda: outliers.series_summary(db)),
    ):
        if stop is not None and stop.is_set():
            break
        start = time.perf_counter()
        check()
        seconds[name] = round(time.perf_counter() - start, 3)
    return seconds


def _run(
    db: Database, settings: Settings, reporting_date: ReportingDate, stop: threading.Event
) -> None:
    try:
        as_of = reporting_date(db, settings)
        seconds = prepare(db, settings, as_of, stop)
    except DATABASE_ERRORS as exc:
        log.info("The data quality checks were not prepared (%s): the first viewer will.", exc)
        return
    except Exception:  # a thread's failure must not pass unseen, nor stop the server
        log.exception("Preparing the data quality checks failed: the first viewer computes them.")
        return
    log.info("Data quality checks prepared as of %s: %s", as_of, seconds)


def _stop_threads_of(db: Database) -> None:
    """Before `db` closes: its threads stop after the check they are running (a database
    cannot close under a running query)."""
    with _running_lock:
        _hooked.discard(db)
        mine = [(t, e) for d, t, e in _running if d is db]
    for _thread, stop in mine:
        stop.set()
    for thread, _stop in mine:
        thread.join()


@team_only
def prepare_in_background(
    db: Database, settings: Settings, reporting_date: ReportingDate
) -> threading.Thread | None:
    """Start preparing the checks in a thread of this process, as of the date
    `reporting_date(db, settings)` gives there (the dashboard passes the pages' default,
    monitoring.reports.overview.default_as_of, which this package may not import), so that
    the caller's request waits for no query and any failure is handled in one place. The
    thread is returned (a daemon: a server killed does not wait for it; closing `db` stops it
    after its check); None when the settings say not to (`[quality] prepare_after_upload =
    false`)."""
    if not settings.quality.prepare_after_upload:
        return None
    stop = threading.Event()
    thread = threading.Thread(
        target=_run,
        args=(db, settings, reporting_date, stop),
        name="prepare-quality-checks",
        daemon=True,
    )
    with _running_lock:
        _running[:] = [entry for entry in _running if entry[1].is_alive()]
        _running.append((db, thread, stop))
        if db not in _hooked:
            _hooked.add(db)
            db.on_close(lambda: _stop_threads_of(db))
    thread.start()
    return thread


def wait(timeout: float | None = None) -> bool:
    """Wait for the checks being prepared in this process (a test, a benchmark): True when
    none is left running."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _running_lock:
        threads = [entry[1] for entry in _running]
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() for t in threads)
