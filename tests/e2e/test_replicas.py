"""Several replicas on one PostgreSQL, run: Debian's HAProxy with deploy/haproxy.cfg.

Two dashboards (`streamlit run server.py`, the same database URL, the same share secret,
the same cookie secret) serve a fresh copy of the PostgreSQL test sample; HAProxy runs
deploy/haproxy.cfg, rendered with test values, in front of them as a plain process on the
loopback. Chromium, through the proxy only, signs in and uploads a file on the replica its
sticky cookie chose; a second browser, pinned by that cookie to the other replica and
carrying the first one's sign-in cookie, is signed in there and finds the new batch on the
upload page. HAProxy's log shows that each replica served requests, and no token. Then,
on a deployment of its own, a replica is stopped under a signed-in browser: its next page
comes from the other replica at once, still signed in, and the health checks mark the
stopped one down.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitoring.db import Database
from tests.conftest import new_postgres_database
from tests.e2e.conftest import (
    ROOT,
    exceptions_shown,
    free_port,
    screenshot,
    signed_in,
    stop_process,
    streamlit_server,
    system_program,
    wait_until_rendered,
)
from tests.unit.upload_support import VALUES_HEADER, reopen_everything
from ui import session_cookie

pytestmark = pytest.mark.e2e

CONFIG = ROOT / "deploy" / "haproxy.cfg"
# The same for every replica (docs/deploy.md): Streamlit signs its cookies with it.
COOKIE_SECRET = "the cookie secret every replica of the replicas test shares " * 2
# New rows for the sample's indicator_values: an age band the sample has no values for.
UPLOAD_ROWS = [
    ["OC3.3", quarter, "UZ-JI", "", "all", "17-99", str(value), "Replica test", "Survey"]
    for quarter, value in (("2021Q1", 41), ("2021Q2", 42), ("2021Q3", 43))
]


def haproxy_path() -> str:
    return system_program("haproxy", "the replicas test")


def render_haproxy(values: dict[str, str], path: Path = CONFIG) -> str:
    """deploy/haproxy.cfg with every @PLACEHOLDER@ replaced; all of them must be given.

    Not as root, the lines `chroot`, `user` and `group` of its global section are left out:
    only root may use them (HAProxy refuses to start otherwise). Nothing else changes.
    """
    text = path.read_text(encoding="utf-8")
    placeholders = set(re.findall(r"@([A-Z_0-9]+)@", text))
    assert placeholders == set(values), f"placeholders of {path.name}: {sorted(placeholders)}"
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if os.geteuid() != 0:
        text, dropped = re.subn(r"(?m)^[ \t]*(chroot|user|group)[ \t].*\n", "", text)
        assert dropped == 3, "the global section names a chroot, a user and a group"
    return text


def sticky_cookie(config: str) -> tuple[str, dict[str, str]]:
    """The name of the cookie that pins a browser to a replica, and each server's value."""
    (name,) = re.findall(r"(?m)^\s*cookie\s+(\S+)\s+insert\b", config)
    servers = dict(re.findall(r"(?m)^\s*server\s+(\S+)\s+\S+.*?\bcookie\s+(\S+)", config))
    assert len(servers) == 2, servers
    return name, servers


@contextlib.contextmanager
def haproxy(folder: Path, config: str):
    """HAProxy in the foreground (-db) with `config`; its log (standard output) in folder."""
    binary = haproxy_path()
    folder.mkdir()
    cfg = folder / "haproxy.cfg"
    cfg.write_text(config, encoding="utf-8")
    checked = subprocess.run([binary, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert checked.returncode == 0, f"haproxy -c refused the rendered config:\n{checked.stdout}"
    assert "WARNING" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr
    log = folder / "haproxy.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [binary, "-db", "-f", str(cfg)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield proc, log
    finally:
        stop_process(proc)


def wait_for_health(url: str, proc, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"haproxy exited ({proc.returncode}):\n{log.read_text()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        time.sleep(0.2)
    pytest.fail(f"haproxy did not answer on {url}:\n{log.read_text()}")


@dataclass
class Replicas:
    proxy: str  # the public address: HAProxy
    replicas: dict[str, str]  # HAProxy's server name -> that replica's own address
    cookie: str  # the sticky cookie's name
    values: dict[str, str]  # HAProxy's server name -> its cookie value
    log: Path  # HAProxy's log
    stop: dict[str, Callable[[], None]]  # HAProxy's server name -> stops that replica


@contextlib.contextmanager
def deployment(server, template: str, folder: Path):
    """Two replicas on a new copy of `template` on the PostgreSQL `server`, HAProxy in
    front (deploy/haproxy.cfg); the sample's quarters reopened for uploads."""
    haproxy_path()  # fails at once, before anything starts, when HAProxy is missing
    folder.mkdir(exist_ok=True)
    url = new_postgres_database(server, template)
    database = Database(url)
    reopen_everything(database)  # the sample's approved quarters: the test uploads into them
    database.close()
    # Streamlit takes no --server.cookieSecret on its command line: the environment, as
    # deploy/monitoring.service's secrets.env. The share secret: streamlit_server's.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET}
    port = free_port()
    with contextlib.ExitStack() as stack:
        addresses, stops = [], []
        for n in (1, 2):
            replica = stack.enter_context(contextlib.ExitStack())
            addresses.append(
                replica.enter_context(streamlit_server(url, folder / f"r{n}.log", env=env))
            )
            stops.append(replica.close)
        config = render_haproxy(
            {
                "LISTEN": f"127.0.0.1:{port}",
                "REPLICA_1": urlsplit(addresses[0]).netloc,
                "REPLICA_2": urlsplit(addresses[1]).netloc,
            }
        )
        cookie, values = sticky_cookie(config)
        proc, log = stack.enter_context(haproxy(folder / "haproxy", config))
        proxy = f"http://127.0.0.1:{port}"
        wait_for_health(proxy, proc, log)
        names = list(values)  # in the order of the server lines: @REPLICA_1@, @REPLICA_2@
        yield Replicas(
            proxy,
            dict(zip(names, addresses, strict=True)),
            cookie,
            values,
            log,
            dict(zip(names, stops, strict=True)),
        )


@pytest.fixture(scope="module")
def replicas(postgres_server, postgres_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    with deployment(postgres_server, postgres_sample, folder) as running:
        yield running


def new_context(browser):
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")


def only_through(page, deployment: Replicas, seen: list[str]) -> None:
    """Record every request of `page` that went to a replica directly, not via the proxy."""

    def check(request) -> None:
        if any(address in request.url for address in deployment.replicas.values()):
            seen.append(request.url)

    page.on("request", check)


def test_an_upload_through_one_replica_is_seen_through_the_other(replicas, browser, tmp_path):
    direct: list[str] = []
    file = tmp_path / "replica-values.csv"
    file.write_text(
        "\n".join([VALUES_HEADER, *(",".join(row) for row in UPLOAD_ROWS)]) + "\n",
        encoding="utf-8",
    )
    rows = len(UPLOAD_ROWS)

    # The first browser: HAProxy picks its replica and pins it there with the cookie.
    first = new_context(browser)
    try:
        page = first.new_page()
        only_through(page, replicas, direct)
        page.goto(signed_in(f"{replicas.proxy}/upload", "admin"))
        page.get_by_role("heading", name="Data upload").wait_for(timeout=60_000)
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        assert "Signed in as" in page.get_by_test_id("stSidebar").inner_text()
        cookies = {c["name"]: c for c in first.cookies()}
        assert replicas.cookie in cookies, f"HAProxy set no sticky cookie: {sorted(cookies)}"
        pinned = cookies[replicas.cookie]
        assert pinned["httpOnly"] and pinned["sameSite"] == "Lax", pinned
        (server,) = [s for s, v in replicas.values.items() if v == pinned["value"]]
        (other,) = set(replicas.values) - {server}

        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
        page.get_by_text("Rows in the file").wait_for(timeout=60_000)
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        metrics = page.get_by_test_id("stMetric").all_inner_texts()
        assert [m.split("\n")[-1] for m in metrics] == [str(rows), str(rows), "0", "0", "0"]
        page.get_by_role(
            "button", name=f"Import {rows} new and 0 changed row(s) into indicator_values"
        ).click()
        done = page.get_by_text("Imported into indicator_values as batch")
        done.wait_for(timeout=60_000)
        batch = re.search(r"as batch (\d+)", done.inner_text())[1]
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        # The upload's own requests (file, websocket) stayed on the pinned replica.
        assert {c["name"]: c["value"] for c in first.cookies()}[replicas.cookie] == pinned["value"]
        signed_in_cookie = next(c for c in first.cookies() if c["name"] == session_cookie.COOKIE)
    finally:
        first.close()

    # The second browser: pinned to the other replica, with the first one's sign-in cookie
    # (sign-in sessions are rows of the shared database, not of a replica's memory).
    second = new_context(browser)
    try:
        second.add_cookies(
            [
                {
                    "name": replicas.cookie,
                    "value": replicas.values[other],
                    "url": replicas.proxy,
                    "httpOnly": True,
                    "sameSite": "Lax",
                },
                signed_in_cookie,
            ]
        )
        page = second.new_page()
        only_through(page, replicas, direct)
        page.goto(f"{replicas.proxy}/upload")
        page.get_by_role("heading", name="Data upload").wait_for(timeout=60_000)
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        assert "Signed in as test-admin" in page.get_by_test_id("stSidebar").inner_text()
        values = {c["name"]: c["value"] for c in second.cookies()}
        assert values[replicas.cookie] == replicas.values[other], "HAProxy moved the browser"
        main = page.get_by_test_id("stMain")
        text = main.inner_text()
        assert f"Your upload of {file.name}" in text and f"saved as batch {batch}" in text, text
        screenshot(page, "replicas-other-replica-upload")
        page.get_by_role("tab", name="Upload history").click()
        # The newest batch is the one offered for undoing.
        label = f"Batch {batch} · indicator_values · {file.name} · by test-admin"
        box = page.get_by_test_id("stSelectbox").filter(has_text="Batch to undo")
        box.wait_for(timeout=60_000)  # the tab is built when opened: its click reruns the page
        wait_until_rendered(page)
        shown = box.inner_text() + " ".join(
            box.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
        )
        assert label in shown, shown
        assert page.get_by_role("button", name=f"Undo batch {batch}").count() == 1
        assert exceptions_shown(page) == []
        screenshot(page, "replicas-other-replica-history")
    finally:
        second.close()

    assert direct == [], "the browsers reached the replicas only through HAProxy"
    # HAProxy logs a websocket when it closes: the browsers' closed with their contexts.
    deadline = time.monotonic() + 10
    while True:
        log = replicas.log.read_text()
        served = {
            name: re.findall(rf"(?m)^\S+ \[[^]]+\] monitoring dashboard/{name} .*\"GET (\S+) ", log)
            for name in replicas.values
        }
        if all("/_stcore/stream" in paths for paths in served.values()):
            break
        assert time.monotonic() < deadline, f"no websocket through each replica:\n{log}"
        time.sleep(0.2)
    for name, paths in served.items():
        assert "/upload" in paths, (name, paths, log)
    assert re.search(rf"dashboard/{server} .*\"PUT /_stcore/upload_file/\.\.\. ", log), log
    assert re.search(rf"dashboard/{server} .*\"POST /auth/session ", log), log
    # The log keeps paths only: no query string (sign-in token), no upload session id.
    requests = re.findall(r'"[A-Z]+ (\S+) HTTP/', log)
    assert requests and not [r for r in requests if "?" in r], requests
    assert "signin" not in log and "/_stcore/upload_file/..." in requests
    assert " is DOWN" not in log, "a health check failed"


def pinned_to(context, deployment: Replicas) -> str:
    """The server name the browser context's sticky cookie names."""
    value = {c["name"]: c["value"] for c in context.cookies()}[deployment.cookie]
    (server,) = [s for s, v in deployment.values.items() if v == value]
    return server


def test_when_a_replica_stops_its_browsers_go_on_through_the_other(
    postgres_server, postgres_sample, browser, tmp_path
):
    with deployment(postgres_server, postgres_sample, tmp_path / "failover") as running:
        context = new_context(browser)
        try:
            page = context.new_page()
            page.goto(signed_in(f"{running.proxy}/indicators", "staff"))
            wait_until_rendered(page)
            assert exceptions_shown(page) == []
            stopped = pinned_to(context, running)
            (other,) = set(running.values) - {stopped}
            running.stop[stopped]()

            # At once, before any health check: the refused connection is sent on to the
            # other replica (option redispatch), which pins the browser anew.
            page.reload()
            page.get_by_role("heading", name="Outcome indicators").wait_for(timeout=60_000)
            wait_until_rendered(page)
            assert exceptions_shown(page) == []
            assert pinned_to(context, running) == other
            sidebar = page.get_by_test_id("stSidebar").inner_text()
            assert "Signed in as test-staff" in sidebar, "the sign-in is in the database"
        finally:
            context.close()

        # The health checks take the stopped replica out (3 failures, 5 s apart).
        deadline = time.monotonic() + 40
        while f"Server dashboard/{stopped} is DOWN" not in running.log.read_text():
            assert time.monotonic() < deadline, running.log.read_text()
            time.sleep(0.5)
        assert f"Server dashboard/{other} is DOWN" not in running.log.read_text()
