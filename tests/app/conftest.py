"""AppTest fixtures: run page scripts in-process against a sample database in tmp_path.

`app` is signed in as the admin of the test database; `app_as(role)` as another role or
nobody (None); `donor_app(regions=..., pages=...)` opens the dashboard through a new share
link of the sample database.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.access import sharing
from monitoring.db import Database, close_all
from monitoring.settings import ROOT
from tests.conftest import account_name
from ui.access import USER_KEY

TEST_SECRET = "a test secret for signing share links, long enough"


@pytest.fixture
def app_as(sample_db_path, monkeypatch):
    """A factory: a fresh AppTest over the sample database, empty caches, signed in as `role`."""
    monkeypatch.setenv("MONITORING_DB", str(sample_db_path))
    monkeypatch.setenv(sharing.SECRET_ENV, TEST_SECRET)

    def make(role: str | None) -> AppTest:
        st.cache_data.clear()
        st.cache_resource.clear()
        close_all()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        if role is not None:
            at.session_state[USER_KEY] = account_name(role)
        return at

    yield make
    close_all()


@pytest.fixture
def app(app_as):
    """A fresh AppTest of the dashboard over the sample database, signed in as an admin."""
    return app_as("admin")


@pytest.fixture
def donor_app(app_as, sample_db_path):
    """A factory: an AppTest opened through a new share link (regions, pages: None = all)."""

    def make(regions=None, pages=None, label="Test donor link") -> AppTest:
        at = app_as(None)  # closes the shared databases: write the link after that
        db = Database(sample_db_path)
        try:
            _, token = sharing.create_share_link(
                db, label, "30d", regions=regions, pages=pages, by="tests", secret=TEST_SECRET
            )
        finally:
            db.close()
        at.query_params[sharing.SHARE_PARAM] = token
        return at

    yield make


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
