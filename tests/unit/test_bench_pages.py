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


def test_the_postgresql_step_takes_each_page_on_both_databases_in_turn(
    sample_db_path, tmp_path, monkeypatch
):
    """The engines' figures of a page are taken one right after the other (alternating which
    goes first), not every page on one engine and then on the other, minutes apart."""
    from tests.bench import run as bench_run

    monkeypatch.setattr(bench_run, "RESULTS", tmp_path / "results")  # the steps' logs
    databases = {}
    for label in ("first", "second"):
        path = tmp_path / f"{label}.duckdb"
        shutil.copyfile(sample_db_path, path)
        db = Database(path)
        accounts.add_user(db, BENCH_USER, accounts.ADMIN, None, by="test")
        db.close()
        databases[label] = str(path)

    results = bench_run.measure_pages_alternately(
        databases, bench_run.DEFAULT_SETTINGS, runs=1, pages=["overview", "upload"]
    )

    assert results["first"]["order"] == [
        ("overview", "first"),
        ("overview", "second"),
        ("upload", "second"),
        ("upload", "first"),
    ]
    for label, path in databases.items():
        pages = results[label]["pages"]
        assert results[label]["database"] == path
        assert {"overview", "upload", "upload › Upload history"} <= set(pages), label
        for name, figures in pages.items():
            assert figures["problems"] == [], (label, name)
            assert figures["cold_ms"] > 0 and figures["warm_ms"] > 0, (label, name)
            assert "naive_ms" not in figures, "the engines are compared without the naive way"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "pages-first-overview.log",
        "pages-first-upload.log",
        "pages-second-overview.log",
        "pages-second-upload.log",
    ]
