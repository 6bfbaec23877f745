"""A server that starts prepares before anyone comes (ui/startup.py): the share links'
protected views and the data quality checks of the default reporting date, as after an upload
on the dashboard. Before, it waited for the first page run, and a donor who came first after
a restart or a command-line import waited for the whole disclosure audit (49 s at 1,000,000
values over 14 regions: docs/benchmarks.md)."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitoring.access import sharing
from monitoring.db import Database
from monitoring.settings import ROOT
from tests.e2e.conftest import (
    TEST_SECRET,
    exceptions_shown,
    screenshot,
    streamlit_server,
    wait_until_rendered,
)

pytestmark = pytest.mark.e2e

PREPARED_VIEWS = "Prepared the protected views of 1 link scope(s)"
PREPARED_CHECKS = "Data quality checks prepared as of 2022-06-30"


def logged_within(log: Path, lines: tuple[str, ...], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        text = log.read_text(errors="replace")
        if all(line in text for line in lines) or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def test_a_server_prepares_donors_views_and_the_checks_before_anyone_comes(
    browser, sample_db_path, tmp_path
):
    path = tmp_path / "monitoring.duckdb"
    shutil.copyfile(sample_db_path, path)
    db = Database(path)
    _, token = sharing.create_share_link(db, "donor", "30d", by="tests", secret=TEST_SECRET)
    db.close()
    log = tmp_path / "streamlit.log"
    with streamlit_server(path, log) as url:
        # No page has been asked for: the server did it on its own, and says so in its log.
        text = logged_within(log, (PREPARED_VIEWS, PREPARED_CHECKS))
        assert PREPARED_VIEWS in text and PREPARED_CHECKS in text, text[-2000:]

        page = browser.new_page()
        try:
            page.goto(f"{url}/?{sharing.SHARE_PARAM}={token}")
            wait_until_rendered(page)
            assert exceptions_shown(page) == []
            main = page.get_by_test_id("stMain").inner_text()
            assert "Programme overview" in main
            screenshot(page, "startup-donor-overview")
        finally:
            page.close()
    # The donor's page read what the start prepared: no second audit of the same data.
    assert log.read_text(errors="replace").count("Prepared the protected views") == 1


def test_a_command_line_import_is_followed_by_the_links_views_of_the_new_data(
    sample_db_path, tmp_path
):
    """A command sent to the running dashboard as a job changes the data: the links' views of
    the new data are prepared after it at once, not at the next page run (nobody visits)."""
    path = tmp_path / "monitoring.duckdb"
    shutil.copyfile(sample_db_path, path)
    db = Database(path)
    sharing.create_share_link(db, "donor", "30d", by="tests", secret=TEST_SECRET)
    db.close()
    budget = tmp_path / "budget.csv"
    budget.write_text("budget_line,category,period,amount,currency\n9.9,other,2022Q1,5,USD\n")
    log = tmp_path / "streamlit.log"
    with streamlit_server(path, log):
        assert PREPARED_VIEWS in logged_within(log, (PREPARED_VIEWS,))
        imported = subprocess.run(
            [sys.executable, "-m", "monitoring", "import", str(budget), "--db", str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count(PREPARED_VIEWS) < 2:
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
    text = log.read_text(errors="replace")
    assert "Ran `python -m monitoring import" in text  # it ran in the dashboard, as a job


def test_a_server_without_its_database_file_makes_none_at_the_start(tmp_path):
    path = tmp_path / "nothing-here" / "monitoring.duckdb"
    path.parent.mkdir()
    log = tmp_path / "streamlit.log"
    with streamlit_server(path, log):
        time.sleep(1)  # the start is over once the server answers (streamlit_server waits)
        assert not path.exists()
    assert "Nothing was prepared" not in log.read_text(errors="replace")
