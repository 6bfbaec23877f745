"""A dashboard whose database cannot be opened shows a plain message in the browser: what
to do, no server path, no traceback; the traceback goes to the server's log."""

import pytest

from tests.e2e.conftest import exceptions_shown, streamlit_server, wait_until_rendered

pytestmark = pytest.mark.e2e


def test_a_database_path_that_cannot_be_made_shows_a_plain_message(browser, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("not a folder", encoding="utf-8")
    log = tmp_path / "streamlit.log"
    with streamlit_server(blocker / "data" / "monitoring.duckdb", log) as url:
        page = browser.new_page()
        try:
            page.goto(url)
            wait_until_rendered(page)
            shown = page.locator("[data-testid=stApp]").inner_text()
            assert exceptions_shown(page) == []
            assert page.get_by_test_id("stException").count() == 0
            assert "cannot reach its database right now" in shown
            assert "Try again in a few minutes" in shown
            for secret in (str(tmp_path), "a-file-not-a-folder", "Traceback", "Error"):
                assert secret not in shown, secret
            assert page.get_by_role("textbox", name="Password").count() == 0
        finally:
            page.close()
    logged = log.read_text()
    assert "Cannot create the folder" in logged and "a-file-not-a-folder" in logged
