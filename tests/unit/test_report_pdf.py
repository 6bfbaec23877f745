"""The PDF report (monitoring/reports/report.py), its text read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from monitoring.db.versions import current_version
from monitoring.reports import report
from tests.conftest import ENGINES, sample_database
from tests.unit.reports_support import AS_OF, copy_of, pdf_text, programme_settings, view


@pytest.fixture(scope="module", params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db, programme_settings()
    db.close()


@pytest.fixture(scope="module")
def team_pdf(sample):
    db, settings = sample
    started = time.perf_counter()
    data = report.pdf_report(db, view(db, settings), settings, AS_OF)
    return data, time.perf_counter() - started


def test_the_report_has_every_part_a4_pages_and_the_data_version(team_pdf, sample, tmp_path):
    db, _ = sample
    data, took = team_pdf
    assert took < 10, f"the sample's PDF took {took:.1f} s"
    text = pdf_text(data, tmp_path)
    for part in ("Programme report", "Summary", "Indicators by goal, outcome and status",
                 "Indicators per goal and outcome, by status", "Spending against budget and time",
                 "Budget and spending to date, by quarter", "Milestone timeline", "Indicators",
                 "By budget category", "Small grants", "Achieved, and the change each led to",
                 "Late (overdue)", "Data quality", "Method"):  # fmt: skip
        assert part in text, part
    version = current_version(db)
    assert f"data version {version.label} ({version.time_text})" in " ".join(text.split())
    pages = text.count("\f")
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "18 of 18 months" in text and "0.87 (on pace)" in text
    assert "Illustrative sample data, not real results." in text
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout
    assert b"595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(
        [shutil.which("pdffonts"), "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "NotoSans" in fonts  # the shipped fonts, embedded


def test_text_from_the_data_prints_as_typed(sample_db_path, tmp_path):
    """Cyrillic and Uzbek Latin (oʻ gʻ with U+02BB) render; Typst markup in the data is text."""
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    title = "Oʻzbekiston gʻalaba: Жиззах *bold* _x_ #emph[y] $z$ <l> @r [a]"
    with db.transaction() as cur:
        cur.execute("update milestones set title = ? where milestone_id = 'M-23'", [title])
    data = report.pdf_report(db, view(db, settings), settings, AS_OF)
    words = pdf_text(data, tmp_path).split()
    assert all(word in words for word in title.split()), [
        w for w in title.split() if w not in words
    ]
    assert "emph" not in " ".join(words).replace("#emph[y]", "")  # no markup was run
    db.close()


def test_the_same_data_date_and_scope_give_the_same_bytes(team_pdf, sample):
    db, settings = sample
    assert report.pdf_report(db, view(db, settings), settings, AS_OF) == team_pdf[0]


def test_a_donor_report_shows_what_the_donor_sees(sample, tmp_path):
    db, settings = sample
    data = report.pdf_report(
        db, view(db, settings, ["UZ-JI"], donor=True), settings, AS_OF, label="USIP review"
    )
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "share link “USIP review”" in text and "Scope Jizzakh" in text
    assert "Small grants: time elapsed and awards spent" in text
    assert "By budget category" not in text  # the budget is not split by region
    assert "counts from 1 to 4 are shown as “<5”" in text
