"""The report files made on a page in the page's language (ui/reports.py through
ui.common.cached, which runs the core in the language of the run; docs/reports.md)."""

from __future__ import annotations

import pytest

from monitoring import i18n
from monitoring.i18n import _
from tests.app.conftest import no_exceptions


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_pdf_report_is_made_in_the_pages_language(app_as, lang):
    at = app_as("manager")
    at.query_params["lang"] = lang
    at.run()
    no_exceptions(at)
    with i18n.language(lang):
        make, ready = _("Make the PDF report"), _("Download the PDF report ({size} KB)")
    assert make != "Make the PDF report"
    next(b for b in at.button if b.label == make).click().run()
    no_exceptions(at)
    prefix = ready.split("{size}")[0]
    made = [d.label for d in at.get("download_button") if d.label.startswith(prefix)]
    assert made, [d.label for d in at.get("download_button")]
