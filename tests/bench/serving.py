"""A page's load time while a command-line import runs against the dashboard's database.

    MONITORING_SETTINGS=... python -m tests.bench.serving --db upload-N.duckdb --csv values-N.csv

This process is the dashboard: AppTest runs dashboard.py and the overview page in it, signed
in as the bench account, and `ui.common.database()` makes it hold the database and take the
command line's jobs, as `streamlit run` does. The overview is rerun in a loop, in three
phases:
- before: `--seconds` seconds, nothing else running;
- during: while `python -m monitoring import CSV --db DB` runs in a process of its own (its
  whole life: start, sending the file, the job this process runs, the answer);
- after: `--seconds` seconds again.
Each loop is a cold rerun (Streamlit's caches emptied first: every figure computed again, as
at the first rerun after an import changes the data version) and then a warm one (what a
rerun costs otherwise). Before any of it, the same import runs against a copy of the
database with no dashboard (`alone`), for comparison.

Prints one JSON object: per phase and kind, the reruns, median, p95 and worst in ms; the
command's exit code and seconds, the job's seconds inside this process, and whether the page
showed the new batch at the first rerun after it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.db import close_all
from monitoring.settings import ROOT
from tests.bench.generate import BENCH_USER
from ui.access import USER_KEY

PHASES = ("before", "during", "after")
BY = "ServingBench"  # who imports: the page's header names them once it shows the new data


class JobLog(logging.Handler):
    """Keeps the job's own seconds from the dashboard's log line (monitoring/cli/remote.py)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"exit code \d+, ([\d.]+) s\)", record.getMessage())
        if found:
            self.seconds.append(float(found.group(1)))


def summary(samples: list[float]) -> dict:
    if not samples:
        return {"reruns": 0}
    ordered = sorted(samples)
    return {
        "reruns": len(samples),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def command(db: Path, csv: Path) -> list[str]:
    return [sys.executable, "-m", "monitoring", "import", str(csv), "--db", str(db), "--by", BY]


def timed_run(at: AppTest, cold: bool) -> float:
    if cold:
        st.cache_data.clear()
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page failed: {[e.value for e in at.exception]}")
    return elapsed


def signed_in_app() -> AppTest:
    """The dashboard in AppTest, signed in as the bench account the way the AppTests are: a
    browser whose cookie jar holds a sign-in session of it (tests/app/conftest.py)."""
    try:
        from tests.app.conftest import _test_browser_cookies
        from ui import session_cookie
    except ImportError:  # sign-in kept in the Streamlit session (before sign-in cookies)
        pass
    else:
        session_cookie.browser_cookies = _test_browser_cookies
        os.environ[session_cookie.SERVED_ENV] = "1"
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.session_state[USER_KEY] = BENCH_USER
    return at


def measure(db: Path, csv: Path, seconds: float) -> dict:
    env = {**os.environ, "TZ": "UTC"}
    env.pop("MONITORING_DB", None)
    alone_db = db.with_name(db.stem + "-alone.duckdb")
    shutil.copyfile(db, alone_db)
    started = time.perf_counter()
    alone = subprocess.run(command(alone_db, csv), capture_output=True, text=True, env=env)
    alone_s = time.perf_counter() - started
    alone_db.unlink()
    if alone.returncode != 0:
        raise RuntimeError(f"the import alone failed: {alone.stderr}")

    os.environ["MONITORING_DB"] = str(db)
    jobs = JobLog()
    logging.getLogger("monitoring.cli").addHandler(jobs)
    logging.getLogger("monitoring.cli").setLevel(logging.INFO)
    at = signed_in_app()
    at.run()  # the first session: imports, opening the database, serving (not timed)
    at.switch_page("views/overview.py").run()
    samples = {phase: {"cold": [], "warm": []} for phase in PHASES}

    def loop(phase: str, until) -> None:
        while not until():
            samples[phase]["cold"].append(timed_run(at, cold=True))
            samples[phase]["warm"].append(timed_run(at, cold=False))

    deadline = time.monotonic() + seconds
    loop("before", lambda: time.monotonic() >= deadline)
    # The command's output goes to files, not pipes: a pipe nobody reads while the loop runs
    # fills up, and the command then waits to write its summary (it did: 523 s for a 2.4 s
    # job on 1 December 2026).
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            command(db, csv), stdout=out_file, stderr=err_file, text=True, env=env
        )
        loop("during", lambda: process.poll() is not None)
        command_s = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    at.run()
    shown = f"by {BY}" in at.caption[0].value
    deadline = time.monotonic() + seconds
    loop("after", lambda: time.monotonic() >= deadline)
    close_all()
    return {
        "database": str(db),
        "rows": sum(1 for _ in csv.open()) - 1,
        "command": {
            "exit_code": process.returncode,
            "seconds": round(command_s, 2),
            "job_seconds": jobs.seconds[-1] if jobs.seconds else None,
            "alone_seconds": round(alone_s, 2),
            "summary": out.strip().splitlines()[-1:] or err.strip().splitlines()[-1:],
        },
        "new_data_at_next_rerun": shown,
        "phases": {
            phase: {kind: summary(runs) for kind, runs in samples[phase].items()}
            for phase in PHASES
        },
        "load_average_end": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=10.0, help="before and after")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.db.resolve(), args.csv.resolve(), args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
