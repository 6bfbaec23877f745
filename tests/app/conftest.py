"""AppTest fixtures: run page scripts in-process against a sample database in tmp_path."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.db import close_all
from monitoring.settings import ROOT


@pytest.fixture
def app(sample_db_path, monkeypatch):
    """A fresh AppTest of the dashboard over the sample database, with empty caches."""
    monkeypatch.setenv("MONITORING_DB", str(sample_db_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    close_all()
    yield AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    close_all()


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
