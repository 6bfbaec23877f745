"""After a broken connection the upload page says which of the person's uploads were saved,
and an import writes the rows its preview checked (checked again only when the data changed).
"""

from __future__ import annotations

import re
import shutil

import pytest

from monitoring.db import open_database
from monitoring.intake import batches
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import open_tab
from tests.app.test_upload_page import BUDGET, button, checksums, upload
from ui.upload import TAB_KEY


@pytest.fixture
def database_copy(sample_db_path, tmp_path):
    path = tmp_path / "upload.duckdb"
    shutil.copy(sample_db_path, path)
    return path


@pytest.fixture
def upload_page(app_as, database_copy, monkeypatch):
    """A factory: a new browser session of `role` on the upload page, over one database."""

    def make(role: str):
        at = app_as(role)
        monkeypatch.setenv("MONITORING_DB", str(database_copy))
        at.run()
        at.switch_page("views/upload.py").run()
        no_exceptions(at)
        return at

    return make


def receipts(at) -> str:
    """The notice of the person's latest uploads, as read (markdown escapes removed)."""
    shown = "\n".join(i.value for i in at.info if "Your latest uploads" in i.value)
    return re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "")


def test_a_new_session_of_the_same_person_is_told_the_upload_was_saved(upload_page):
    first = upload_page("staff")
    assert receipts(first) == ""  # nothing uploaded yet
    upload(first, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    button(first, "Import").click().run()
    no_exceptions(first)
    batch = int(open_tab(first, TAB_KEY, "Upload history").dataframe[0].value.iloc[0]["Batch"])

    # The connection broke: the browser comes back with a new session of the same person.
    again = upload_page("staff")
    told = receipts(again)
    assert "Your upload of budget.csv at " in told
    assert f"was saved as batch {batch} (budget: 0 new, 1 changed row(s))" in told
    assert "An upload that is not listed here was not saved" in told
    # The same session, after a rerun, says the same.
    again.run()
    assert receipts(again) == told
    # Another person's page does not list it.
    assert receipts(upload_page("admin")) == ""


def test_a_preview_that_was_never_imported_is_not_listed(upload_page):
    at = upload_page("staff")
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    assert receipts(upload_page("staff")) == ""


def test_an_import_after_the_data_changed_is_checked_again_and_writes_nothing(
    upload_page, database_copy
):
    at = upload_page("staff")
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    # Meanwhile someone else imports (this process's own database, as the page's is).
    batches.commit_file(
        open_database(database_copy),
        BUDGET + b"9.9,other,2022Q1,5,USD\n",
        "other.csv",
        load_settings(),
        by="Someone else",
    )
    before = checksums(database_copy)
    button(at, "Import").click().run()
    no_exceptions(at)
    assert "changed after this file was checked" in at.warning[0].value
    assert "It has been checked again above" in at.warning[0].value
    assert checksums(database_copy) == before, "the stale import wrote nothing"
    button(at, "Import").click().run()
    no_exceptions(at)
    assert "Imported into budget as batch" in at.success[0].value
