"""The Reports area of the overview and indicators pages (ui/reports.py): buttons that make
the report files, for the roles and share links that may have them."""

from __future__ import annotations

from monitoring.access import sharing
from monitoring.db import Database
from tests.app.conftest import TEST_SECRET, no_exceptions

MAKE = ["Make the IPTT workbook", "Make the PDF report", "Make the IATI activity file"]


def labels(at, kind="button") -> list[str]:
    return [b.label for b in at.get(kind)] if kind != "button" else [b.label for b in at.button]


def link_app(app_as, sample_db_path, downloads, regions=None):
    at = app_as(None)
    db = Database(sample_db_path)
    try:
        _, token = sharing.create_share_link(
            db, "Reports test", "30d", by="tests", regions=regions, downloads=downloads,
            secret=TEST_SECRET,
        )  # fmt: skip
    finally:
        db.close()
    at.query_params[sharing.SHARE_PARAM] = token
    return at


def test_a_manager_makes_the_pdf_report_on_the_overview(app_as):
    at = app_as("manager").run()
    no_exceptions(at)
    assert [label for label in labels(at) if label.startswith("Make the")] == MAKE
    assert not [d for d in labels(at, "download_button") if "PDF report" in d]
    next(b for b in at.button if b.label == "Make the PDF report").click().run()
    no_exceptions(at)
    made = [d for d in labels(at, "download_button") if d.startswith("Download the PDF report")]
    assert made and made[0].endswith("KB)")


def test_the_indicators_page_has_the_reports_too(app_as):
    at = app_as("staff")
    at.run()
    at.switch_page("views/indicators.py").run()
    no_exceptions(at)
    assert [label for label in labels(at) if label.startswith("Make the")] == MAKE


def test_a_link_says_what_its_donor_may_download(app_as, sample_db_path):
    at = link_app(app_as, sample_db_path, ["tables", "reports"], regions=["UZ-JI"]).run()
    no_exceptions(at)
    # A link limited to a region: its reports, but not the whole programme's IATI file.
    assert [label for label in labels(at) if label.startswith("Make the")] == MAKE[:2]

    at = link_app(app_as, sample_db_path, ["tables"]).run()
    no_exceptions(at)
    assert not [label for label in labels(at) if label.startswith("Make the")]
    assert "Download CSV" in labels(at, "download_button")

    at = link_app(app_as, sample_db_path, []).run()
    no_exceptions(at)
    assert not [label for label in labels(at) if label.startswith("Make the")]
    assert labels(at, "download_button") == []
