"""Time every page through AppTest over one database, and the same data work done naively.

Run in a process of its own (run.py starts it), because the database and settings are
chosen by environment variables before Streamlit reads them:

    MONITORING_DB=... MONITORING_SETTINGS=... python -m tests.bench.pages --runs 5

Prints one JSON object. Per page:
- cold: a full rerun of dashboard.py + the page with Streamlit's caches emptied first
  (st.cache_data and st.cache_resource) and the query results kept in the database deleted
  (the DuckDB connection stays open, as in a running server after an upload changes the
  data version);
- warm: the same rerun again, caches filled;
- kept: where the cold runs kept query results in the database (monitoring/db/results.py:
  the data quality checks), the cold rerun again with those results kept, as a server that
  restarted or another replica has them (cold runs delete them first);
- ours: the core calls the page made (recorded from `ui.common.cached`), replayed straight
  against the database, no cache: the page's data work;
- naive: the same figures computed the way a typical Streamlit dashboard does it, pandas
  over whole tables read on every rerun (tests/bench/naive.py); left out with `--no-naive`.
Each figure is the median of `--runs` runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring import i18n
from monitoring.access import sessions
from monitoring.db import open_database
from monitoring.reports import names, overview
from monitoring.settings import ROOT, load_settings
from tests.bench import naive
from tests.bench.generate import BENCH_USER
from ui import access, common, session_cookie
from ui.navigation import PAGES


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def clear_caches(*, kept: bool = False) -> None:
    """Streamlit's caches emptied, and the query results kept in the database
    (monitoring/db/results.py) deleted unless `kept`: after an upload none are kept for the
    new data version, so a cold run computes them, as the first viewer after an upload does.
    With `kept`, the run is that of a server that restarted, or another replica, after
    someone viewed the same data."""
    st.cache_data.clear()
    st.cache_resource.clear()
    if not kept:
        with open_database().transaction() as cur:
            cur.execute("delete from kept_results")


def kept_count() -> int:
    with open_database().cursor() as cur:
        return cur.execute("select count(*) from kept_results").fetchone()[0]


def measure_kept(at: AppTest, runs: int, result: dict) -> None:
    """When the cold runs kept query results, the rerun with Streamlit's caches emptied but
    the results kept: `kept_ms`."""
    if kept_count():
        kept = []
        for _ in range(runs):
            clear_caches(kept=True)
            kept.append(timed(at.run))
        result["kept_ms"] = median_ms(kept)


class CallRecorder:
    """Records the core calls pages make through ui.common.cached (module, name, args)."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.recording = False
        self._original = common._run

    def install(self) -> None:
        original = self._original

        def recording_run(
            module,
            name,
            db_path,
            version,
            audience,
            checking,
            lang,
            args,
            kwargs,
            _long_work=False,
        ):
            if self.recording:
                call = (module, name, audience, lang, args, kwargs)
                if call not in self.calls:
                    self.calls.append(call)
            return original(
                module, name, db_path, version, audience, checking, lang, args, kwargs, _long_work
            )

        common._run = recording_run

    def replay(self, db) -> dict[str, float]:
        """Run each recorded call once, uncached, as ui.common._run runs it (the viewer's
        protected view handed in, the data's texts in the language): seconds per call."""
        out = {}
        clear_caches()  # no query result kept in the database either
        for module, name, audience, lang, args, kwargs in self.calls:
            fn = getattr(importlib.import_module(module), name)
            start = time.perf_counter()
            with i18n.language(lang):
                if common.takes_view(fn):
                    result = fn(db, access.view_for(audience), *args, **dict(kwargs))
                else:
                    result = fn(db, *args, **dict(kwargs))
                names.localise(result, db)
            key = f"{module.rsplit('.', 1)[-1]}.{name}"
            out[key] = out.get(key, 0.0) + time.perf_counter() - start
        return out


# Changes outside this benchmark's files, tried without editing them (--what-if NAME): the
# figures they give are what docs/benchmarks.md proposes.
# Add a function that patches the change in (in this process only) to try another one; the
# two tried so far (downloads built on click, one delay trace per kind) are now in the code.
WHAT_IFS: dict[str, Callable[[], None]] = {}


def sign_in() -> None:
    """Play a browser that signed in as the benchmark's account earlier: AppTest sends no
    cookies, so the one of a real session (started and claimed in the database, as a
    password sign-in does) is what `ui.session_cookie.browser_cookies` hands the dashboard."""
    db = open_database()
    cookie = sessions.claim(db, sessions.start(db, BENCH_USER, sessions.PASSWORD).ticket)
    session_cookie.browser_cookies = lambda: {session_cookie.COOKIE: cookie}


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)


def problems(at: AppTest, spec) -> list[str]:
    """What went wrong in the last run: exceptions, errors, and a page that did not open
    (its title not shown: e.g. the sign-in form instead), so that a figure of a page that
    was not drawn is never reported as met."""
    shown = [str(e.value)[:300] for e in at.exception]
    shown += [f"error: {e.value}"[:300] for e in at.error]
    titles = [t.value for t in at.title]
    gate = ("Sign in", "This page is not open", "This link opens nothing", "No account")
    if not titles or any(t.startswith(gate) for t in titles):
        shown.append(f"page {spec.url_path!r} not shown: titles {titles[:3]!r}")
    return shown


# Parts of a page built only when opened (a tab of `st.tabs(on_change="rerun")`, an
# expander's toggle): (the widget's key, the value that opens it), or a tuple of those for a
# part inside another (an expander in a tab). Each is measured as the page rerun with that
# part open, cold and warm, reported as "page › part" ("page › tab › part").
PARTS = {
    "indicators": [
        ("detail-tab", "Each region"),
        ("detail-tab", "By sex and age"),
        ("detail-tab", "Reporting and notes"),
    ],
    "grants": [
        ("budget-tab", "By budget line"),
        ("budget-tab", "By quarter"),
        ("grants-tab", "By region"),
        ("grants-tab", "By grantee"),
    ],
    "milestones": [("timeline-table-open", True), ("per-quarter-open", True)],
    "quality": [
        ("quality-tab", "Completeness"),
        (("quality-tab", "Completeness"), ("completeness-organisations-open", True)),
        ("quality-tab", "Timeliness"),
        ("quality-tab", "Outliers"),
        ("quality-tab", "Validation rules"),
        ("quality-tab", "Follow-up"),
    ],
    "upload": [("upload-tab", "Upload history"), ("upload-tab", "Format and templates")],
    "admin": [("admin-tab", "Share links"), ("admin-tab", "Share link use")],
}


def opened_by(part: tuple) -> tuple[tuple[str, object], ...]:
    """A PARTS entry as the (key, value) pairs that open it, outermost first."""
    return (part,) if isinstance(part[0], str) else part


def part_name(page: str, part: tuple) -> str:
    labels = (value if isinstance(value, str) else key for key, value in opened_by(part))
    return " › ".join((page, *labels))


def measure_part(at: AppTest, spec, part: tuple, runs: int) -> dict:
    """The page rerun with one part opened, cold and warm; the part closed again after."""
    pairs = opened_by(part)
    before = {key: at.session_state[key] for key, _ in pairs if key in at.session_state}
    for key, value in pairs:
        at.session_state[key] = value
    cold = []
    for _ in range(runs):
        clear_caches()
        cold.append(timed(at.run))
    warm = [timed(at.run) for _ in range(runs)]
    result = {
        "cold_ms": median_ms(cold),
        "warm_ms": median_ms(warm),
        "problems": problems(at, spec),
    }
    measure_kept(at, runs, result)
    for key, value in before.items():
        at.session_state[key] = value
    return result


def measure(runs: int, pages: list[str] | None = None, *, naive_too: bool = True) -> dict:
    db = open_database()
    settings = load_settings()
    as_of = overview.default_as_of(db, settings)
    recorder = CallRecorder()
    recorder.install()
    sign_in()
    at = app()
    at.run()  # imports, first session: not timed
    results = {}
    for spec in PAGES:
        if pages and spec.url_path not in pages:
            continue
        at.switch_page(spec.path)
        cold = []
        for i in range(runs):
            clear_caches()
            recorder.recording = i == 0
            cold.append(timed(at.run))
            recorder.recording = False
        warm = [timed(at.run) for _ in range(runs)]
        page = {
            "cold_ms": median_ms(cold),
            "warm_ms": median_ms(warm),
            "cold_runs_ms": [round(s * 1000, 1) for s in cold],
            "problems": problems(at, spec),
        }
        measure_kept(at, runs, page)
        # The page's data work, uncached, call by call (median over runs).
        per_call = [recorder.replay(db) for _ in range(runs)]
        page["ours_ms"] = median_ms([sum(r.values()) for r in per_call])
        page["ours_calls_ms"] = {
            k: median_ms([r[k] for r in per_call]) for k in (per_call[0] if per_call else {})
        }
        baseline = naive.PAGES.get(spec.url_path) if naive_too else None
        if baseline is not None:
            with db.cursor() as cur:
                naive_runs = [
                    timed(lambda b=baseline, c=cur: b(c, settings, as_of)) for _ in range(runs)
                ]
            page["naive_ms"] = median_ms(naive_runs)
            page["naive_over_ours"] = (
                round(page["naive_ms"] / page["ours_ms"], 1) if page["ours_ms"] else None
            )
            if spec.url_path == "overview":
                ours = overview.indicator_progress(db, settings, as_of)
                with db.cursor() as cur:
                    page["naive_matches_ours"] = naive.check_overview(cur, settings, as_of, ours)
        recorder.calls = []
        results[spec.url_path] = page
        for part in PARTS.get(spec.url_path, []):
            results[part_name(spec.url_path, part)] = measure_part(at, spec, part, runs)
        at.switch_page(spec.path)  # the parts' widgets back to how a first visit has them
    return {
        "database": str(db.path),
        "settings": str(settings.path),
        "as_of": as_of.isoformat(),
        "runs": runs,
        "pages": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", nargs="*", help="url paths (default: every page)")
    parser.add_argument("--what-if", action="append", default=[], choices=sorted(WHAT_IFS))
    parser.add_argument(
        "--no-naive",
        action="store_true",
        help="leave out the naive baselines (the PostgreSQL step compares the engines only)",
    )
    args = parser.parse_args(argv)
    for name in args.what_if:
        WHAT_IFS[name]()
    if not os.environ.get("MONITORING_DB"):
        raise SystemExit("Set MONITORING_DB (and MONITORING_SETTINGS) first; run.py does.")
    print(json.dumps(measure(args.runs, args.pages, naive_too=not args.no_naive)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
