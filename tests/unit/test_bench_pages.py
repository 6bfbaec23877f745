"""`make bench`'s page step, small: `python -m tests.bench.pages` over the sample, in a
process of its own as tests/bench/run.py starts it. The step wraps the dashboard's cached
calls to record them (tests/bench/pages.py CallRecorder); when ui/common.py's call changed
its signature, every page of the benchmark failed to draw and `make bench` had nothing to
report, with every test of the dashboard itself still passing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from monitoring.access import accounts
from monitoring.db import Database
from monitoring.settings import ROOT
from tests.bench.generate import BENCH_USER


def test_the_benchmark_draws_each_page_and_records_its_core_calls(sample_db_path, tmp_path):
    path = tmp_path / "bench.duckdb"
    shutil.copyfile(sample_db_path, path)
    db = Database(path)
    accounts.add_user(db, BENCH_USER, accounts.ADMIN, None, by="test")
    db.close()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.pages",
            "--runs",
            "1",
            "--pages",
            "overview",
            "quality",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MONITORING_DB": str(path)},
        check=True,
        timeout=600,
    )
    pages = json.loads(run.stdout.strip().splitlines()[-1])["pages"]

    assert "overview" in pages and "quality › Outliers" in pages
    for name, figures in pages.items():
        assert figures["problems"] == [], name
        assert figures["cold_ms"] > 0 and figures["warm_ms"] > 0, name
    # The core calls the pages made were recorded and replayed, each page's data work.
    assert pages["overview"]["ours_calls_ms"], pages["overview"]
    assert pages["overview"]["naive_over_ours"] > 0
