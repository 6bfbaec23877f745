"""The Streamlit settings that keep server details and formula cells away from viewers."""

import tomllib

from monitoring.settings import ROOT


def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_viewers_never_see_a_traceback():
    # "none": an error a page does not handle shows a generic message; details go to the log.
    assert config()["client"]["showErrorDetails"] == "none"


def test_developers_see_tracebacks_through_make_run_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--client.showErrorDetails $(ERROR_DETAILS)" in run
    assert "ERROR_DETAILS ?= full" in makefile


def test_no_table_toolbar_exports_cells_unneutralised():
    # The toolbar's "Download as CSV" would write =HYPERLINK(...) as it is; the app's own
    # downloads neutralise it. Streamlit 1.67 turns the toolbar's export off app-wide only.
    assert config()["client"]["disableDataExport"] is True
