"""Browser tests: a real `streamlit run` server and headless Chromium (Debian's package)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from monitoring.access import sharing, signin_links
from tests.conftest import account_name
from ui.session_cookie import HANDING_OVER, HANDOFF_KEY

# The secret that signs share and sign-in links, for the servers and the tests alike.
TEST_SECRET = "a test secret for signing links in browser tests"

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Chromium is needed for the browser tests: install Debian's `chromium` package "
            "(`make test` and `make e2e` install it: scripts/system-packages.sh) or set "
            "CHROMIUM_PATH."
        )
    return path


def system_program(name: str, needed_by: str) -> str:
    """The path of Debian's `name` (on PATH or in /usr/sbin); the test fails, saying what to
    install, when it is missing."""
    path = shutil.which(name) or f"/usr/sbin/{name}"
    if not Path(path).exists():
        pytest.fail(
            f"{name} is needed for {needed_by}: install Debian's `{name}` package "
            "(`make test` and `make e2e` install it: scripts/system-packages.sh)."
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(sample_db_path, tmp_path_factory):
    """`streamlit run server.py` on a free port over a copy of the sample database."""
    folder = tmp_path_factory.mktemp("server")
    # A copy of its own: the server's process locks its database file.
    database = folder / "monitoring.duckdb"
    shutil.copyfile(sample_db_path, database)
    _add_share_links(database)
    _server_logs.append(folder / "streamlit.log")
    with streamlit_server(database, folder / "streamlit.log") as url:
        yield url


_server_logs: list[Path] = []  # the session server's log, for failed tests' reports
LOG_LINES_REPORTED = 15
PAGE_CHARS_REPORTED = 1200


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with the session server's log and then what its
    tab showed: its address, and the text of its main part (of the whole page where it has
    none) on one line, its lines joined by " | ". A failure seen only in CI, whose record
    keeps the last lines of the output, then says what the server and the page were doing."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    if "server" in item.fixturenames and _server_logs and _server_logs[-1].exists():
        lines = _server_logs[-1].read_text(errors="replace").splitlines()
        report.sections.append(
            ("the server's log, its end", "\n".join(lines[-LOG_LINES_REPORTED:]))
        )
    page = item.funcargs.get("page")
    if page is not None:
        try:
            main = page.locator("[data-testid=stMain]")  # the page's own part, else it all
            shown_part = main if main.count() else page.locator("body")
            text = shown_part.inner_text(timeout=2_000)
            shown = " | ".join(line.strip() for line in text.splitlines() if line.strip())
            report.sections.append(
                ("the tab at the failure", f"{page.url}\n{shown[:PAGE_CHARS_REPORTED]}")
            )
        except PlaywrightError as exc:
            report.sections.append(("the tab at the failure", f"{page.url}: {exc}"))
    return report


# Share links of the session server's database, made before it starts (it locks the file).
SHARE_LINKS = {
    "whole programme": {"regions": None, "pages": None},
    "Jizzakh only": {"regions": ["UZ-JI"], "pages": None},
}
_share_tokens: dict[str, str] = {}


def _add_share_links(path: Path) -> None:
    from monitoring.db import Database

    db = Database(path)
    try:
        for label, scope in SHARE_LINKS.items():
            _, _share_tokens[label] = sharing.create_share_link(
                db, label, "30d", by="tests", secret=TEST_SECRET, **scope
            )
    finally:
        db.close()


def share_link(server: str, label: str, page: str = "") -> str:
    """The address of one of SHARE_LINKS on the session server, opening `page`."""
    return f"{server}/{page}?{sharing.SHARE_PARAM}={_share_tokens[label]}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def _tab(browser):
    """The browser context and the tab that the tests' `page`s reuse, one test after another.

    A new context for each test started a new renderer process, which fetched, compiled and
    ran Streamlit's scripts afresh: twice the CPU time of a page load in a tab that has loaded
    one before (measured on 2 December 2026: 139 against 57 CPU seconds for a dozen signed-in
    loads), and most of the browser tests' time. `page` hands each test the tab as a new one
    would be: blank, no cookies (nobody signed in), no stored values, no other tabs, the
    default viewport."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    kept: list = []  # the tab, between two tests
    yield context, kept
    context.close()


@pytest.fixture
def page(_tab):
    context, kept = _tab
    context.clear_cookies()
    page = kept.pop() if kept else context.new_page()
    yield page
    for other in context.pages:
        if other is not page:
            other.close()
    try:
        if page.url.startswith("http"):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.goto("about:blank")  # closes the page's connection, as closing the tab did
        page.set_viewport_size(VIEWPORT)
        kept.append(page)
    except PlaywrightError:  # a tab left unusable (crashed, closed): the next test opens one
        with contextlib.suppress(PlaywrightError):
            page.close()
    context.clear_cookies()


def signed_in(url: str, role: str = "admin") -> str:
    """`url` with a fresh one-time sign-in link for the test account of `role`.

    Each test's browser context starts without the sign-in cookie: the first page.goto of a
    signed-in test goes through this (the page then takes its cookie and loads again).
    """
    token = signin_links.make_token(account_name(role), secret=TEST_SECRET)
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + [(signin_links.SIGNIN_PARAM, token)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# Counts the changes of the script's state (running, not running) since the page loaded: a
# MutationObserver that the first call in a document installs.
SCRIPT_RUNS = """() => {
  if (window.__scriptStateChanges === undefined) {
    window.__scriptStateChanges = 0;
    new MutationObserver(() => { window.__scriptStateChanges += 1; }).observe(document, {
      subtree: true, attributes: true, attributeFilter: ['data-test-script-state'],
    });
  }
  return window.__scriptStateChanges;
}"""

RENDERED = (
    "(handingOver) => document.querySelector("
    "'[data-testid=stApp][data-test-script-state=notRunning]') !== null"
    " && document.querySelector('[data-testid=stMain]') !== null"
    # something drawn: before the script's first run the page is an empty frame, "not
    # running" too (CI, 4 December: the grants page read before its first run)
    " && document.querySelector('[data-testid=stMain] [data-testid=stElementContainer]')"
    " !== null"
    " && document.querySelectorAll('[data-testid=stSkeleton]').length === 0"
    " && document.querySelector('[data-signin-handoff]') === null"
    # (a hand-over in Russian or Uzbek says HANDING_OVER in its language; the form above
    # loads after the message: its container marks it from the first paint)
    f" && document.querySelector('.st-key-{HANDOFF_KEY}') === null"
    " && !(document.querySelector('[data-testid=stMain]')?.innerText ?? '')"
    ".includes(handingOver)"
    " && Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
    ".every(chart => chart.offsetParent === null"  # not shown: a closed part
    " || chart.querySelector('svg.main-svg') !== null)"
    " && Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))"
    ".every(chart => chart.offsetParent === null || chart.querySelector('svg.marks') !== null)"
)


def _script_state_changes(page) -> int | None:
    try:
        return page.evaluate(SCRIPT_RUNS)
    except PlaywrightError:  # the page navigated while asked (a sign-in's hand-over)
        return None


def wait_until_rendered(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script has finished, no skeleton placeholders remain and every plotly and
    Vega-Lite chart shown has drawn its picture, past a sign-in's hand-over of its cookie (the page
    says HANDING_OVER, posts the ticket and loads again: ui/session_cookie.py), and the page has
    then stayed still for half a second. (A map's WebGL picture is waited for by the map's tests:
    test_map.wait_until_drawn.)

    After a click the state above is that of the page before it, until the rerun starts; and
    a sign-in's hand-over navigates once the page seemed drawn. A fixed pause after the first
    wait (until 2 December 2026) let a test read the address, which the rerun writes at its
    start, and then the page's text while the rerun was still replacing it (CI: the
    milestones' status filter). So the pause is watched: if the script ran, or the page
    navigated, during it, the wait starts again."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = max(1_000, int((deadline - time.monotonic()) * 1000))
        page.wait_for_function(RENDERED, arg=HANDING_OVER, timeout=left_ms)
        before = _script_state_changes(page)
        page.wait_for_timeout(500)
        after = _script_state_changes(page)
        if before is not None and before == after:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page kept rerunning or navigating for {timeout_ms} ms")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def exceptions_shown(page) -> list[str]:
    return page.locator("[data-testid=stException]").all_inner_texts()


@contextlib.contextmanager
def streamlit_server(
    db_path: Path,
    log_path: Path,
    args: tuple[str, ...] = (),
    env: dict | None = None,
    script: str = "server.py",
):
    """A `streamlit run server.py` of its own over `db_path`, for tests that write.

    `args`: more options of `streamlit run`; `env`: more environment variables; `script`:
    another script served the same way (the benchmark's bare one-line page).
    """
    port = free_port()
    env = {
        **os.environ,
        "MONITORING_DB": str(db_path),
        "TZ": "UTC",
        sharing.SECRET_ENV: TEST_SECRET,
        **(env or {}),
    }
    with log_path.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                time.sleep(0.3)
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited early:\n{log_path.read_text()}")
        else:
            pytest.fail(f"streamlit did not answer on {url}:\n{log_path.read_text()}")
        yield url
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen) -> None:
    """Ask a server the test started to stop (SIGTERM); kill it after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def writable_server(sample_db_path, tmp_path):
    """A server over a copy of the sample database in tmp_path: the test may change it."""
    path = tmp_path / "monitoring.duckdb"
    shutil.copy(sample_db_path, path)
    with streamlit_server(path, tmp_path / "streamlit.log") as url:
        yield url, path
