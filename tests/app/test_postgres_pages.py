"""Every page on PostgreSQL shows what it shows on DuckDB (docs/scale.md): the same sample, on
the session's throwaway server, each page opened signed in (and the overview through a
donor's link), every text of the page compared with the same page over the DuckDB file."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.access import sharing
from monitoring.db import Database, close_all
from monitoring.settings import ROOT
from tests.app.conftest import TEST_SECRET, no_exceptions
from tests.conftest import account_name, copy_to_postgres, new_postgres_database
from tests.i18n_support import shown_texts
from ui.access import USER_KEY
from ui.navigation import PAGES


@pytest.fixture(scope="module")
def both_engines(postgres_server, sample_db_path, tmp_path_factory) -> tuple[str, str]:
    """The sample as it is now, twice: a DuckDB file and a PostgreSQL database copied from
    it by migrate-store. Other modules add share links to the session's sample as they go,
    so the session's PostgreSQL template may be older than the file: compare copies made
    together."""
    copy = tmp_path_factory.mktemp("engines") / "sample.duckdb"
    copy.write_bytes(sample_db_path.read_bytes())
    return str(copy), copy_to_postgres(copy, new_postgres_database(postgres_server))


def page_texts(url: str, page, monkeypatch, *, token: str | None = None) -> list[str]:
    monkeypatch.setenv("MONITORING_DB", url)
    monkeypatch.setenv(sharing.SECRET_ENV, TEST_SECRET)
    st.cache_data.clear()
    st.cache_resource.clear()
    close_all()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if token:
        at.query_params[sharing.SHARE_PARAM] = token
    else:
        at.session_state[USER_KEY] = account_name("admin")
    at.run()
    if not page.default:
        at.switch_page(page.path).run()
    no_exceptions(at)
    texts = shown_texts(at)
    close_all()
    return texts


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_each_page_shows_the_same_on_both_engines(page, both_engines, monkeypatch):
    on_file = page_texts(both_engines[0], page, monkeypatch)
    on_server = page_texts(both_engines[1], page, monkeypatch)
    assert on_server == on_file
    assert len(on_file) > 20  # a page, not an error message


def test_a_donors_overview_shows_the_same_on_both_engines(both_engines, monkeypatch):
    """The protection (withheld cells, small counts) decided the same way on both."""
    texts = []
    for url in both_engines:
        db = Database(url)
        try:
            _, token = sharing.create_share_link(
                db, "Engines", "30d", regions=["UZ-JI"], by="tests", secret=TEST_SECRET
            )
        finally:
            db.close()
        shown = page_texts(url, PAGES[0], monkeypatch, token=token)
        # Each link has its own token (a random nonce): links on the page carry it.
        texts.append([re.sub(r"share=[\w.-]+", "share=TOKEN", t) for t in shown])
    assert texts[1] == texts[0]
    assert any("withheld" in t.lower() or "protect" in t.lower() for t in texts[0])
