"""AppTest fixtures: run page scripts in-process against a sample database in tmp_path.

`app` is signed in as the admin of the test database; `app_as(role)` as another role or
nobody (None); `donor_app(regions=..., pages=...)` opens the dashboard through a new share
link of the sample database.

AppTest cannot send cookies (st.context.cookies is empty in it), so the browser is played
here: `ui.session_cookie.browser_cookies` reads the AppTest's own cookie jar (kept in its
session state, TEST_COOKIES), and `at.session_state[USER_KEY] = NAME` before the first run
stands for a browser that signed in as NAME earlier: at that run the jar gets the cookie of
a real session of NAME, started and claimed through monitoring/access/sessions.py in the
database the dashboard uses. Later runs read the jar only. `claim_ticket(at)` does what the
browser does with a sign-in's ticket.
"""

from __future__ import annotations

import re
import shutil
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import streamlit as st
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from monitoring.access import sessions, sharing
from monitoring.db import Database, close_all, open_database
from monitoring.settings import ROOT
from tests.conftest import account_name, run_coroutine
from ui import session_cookie
from ui.access import USER_KEY

TEST_SECRET = "a test secret for signing share links, long enough"
TEST_COOKIES = "_test_browser_cookies"  # the AppTest's cookie jar, in its session state


def _test_browser_cookies() -> dict[str, str]:
    if TEST_COOKIES not in st.session_state:  # the AppTest's first run
        jar = st.session_state[TEST_COOKIES] = {}
        name = st.session_state.get(USER_KEY)
        if name:  # "this browser signed in as NAME earlier"
            db = open_database()
            started = sessions.start(db, name, sessions.PASSWORD)
            jar[session_cookie.COOKIE] = sessions.claim(db, started.ticket)
    return st.session_state[TEST_COOKIES]


@pytest.fixture(autouse=True)
def test_browser(monkeypatch):
    """The AppTest's browser: its cookie jar, and the address that sets the sign-in cookie."""
    monkeypatch.setattr(session_cookie, "browser_cookies", _test_browser_cookies)
    monkeypatch.setenv(session_cookie.SERVED_ENV, "1")


def post_form(path: str, form: dict[str, str], cookies: dict[str, str]) -> tuple[int, list]:
    """POST a form to the dashboard's own routes (ui/session_cookie.py) as a browser would,
    over HTTPS, through ASGI: (status, headers as (name, value) text pairs)."""
    app = Starlette(routes=session_cookie.routes())
    body = urlencode(form).encode()
    headers = [
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"content-length", str(len(body)).encode()),
    ]
    if cookies:
        headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    run_coroutine(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


def claim_ticket(at: AppTest) -> tuple[int, list]:
    """Do what the browser does with the sign-in ticket the last run handed over: post it to
    the address that sets the cookie (the real route), keep the cookie in the AppTest's jar.
    Returns the answer's status and headers."""
    handoff = next(h.proto.body for h in at.html if "data-signin-handoff" in h.proto.body)
    ticket = re.search(r'name="ticket" value="([^"]+)"', handoff).group(1)
    jar = dict(at.session_state[TEST_COOKIES]) if TEST_COOKIES in at.session_state else {}
    status, headers = post_form(session_cookie.address(), {"ticket": ticket, "next": "/"}, jar)
    for name, value in headers:
        if name == "set-cookie":
            cookie = SimpleCookie(value)
            for key, morsel in cookie.items():
                jar[key] = morsel.value
    at.session_state[TEST_COOKIES] = jar
    return status, headers


@pytest.fixture(scope="module")
def sample_db_path(sample_db_path, tmp_path_factory):
    """The session's sample database, copied for this module: what a module's tests write
    (share links, sessions, uploads) stays in it, so no module sees another's links, and
    the first page run of a test prepares the protected views of its module's links only
    (ui/access.py `prepare_link_views`), not of every link made before it in the session."""
    path = tmp_path_factory.mktemp("app-sample") / "monitoring.duckdb"
    shutil.copy(sample_db_path, path)
    return path


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
