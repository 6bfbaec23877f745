"""The shipped deployment, run: Debian's nginx with deploy/nginx.conf over HTTPS.

The dashboard starts with the options of deploy/monitoring.service (on a free port, over a
copy of the sample database); nginx runs deploy/nginx.conf's server blocks, rendered with
test values, as this user on the loopback with a self-signed certificate; Chromium, through
the proxy only, signs in with a link from `python -m monitoring user link`, opens every page
of the navigation and uploads a 5 MB file (the upload limit, the websocket, the timeouts).
The backup unit's commands run against the serving dashboard too.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import http.client
import inspect
import io
import itertools
import os
import pwd
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitoring.access import sharing
from monitoring.db import Database
from tests.conftest import account_name
from tests.e2e.conftest import (
    ROOT,
    TEST_SECRET,
    exceptions_shown,
    free_port,
    screenshot,
    stop_process,
    streamlit_server,
    system_program,
    wait_until_rendered,
)
from tests.unit.upload_support import reopen_everything
from ui import session_cookie
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

DEPLOY = ROOT / "deploy"
# Options the test server helper sets itself (the port is a free one).
SET_BY_HELPER = {"server.port", "server.address", "server.headless", "browser.gatherUsageStats"}
UPLOAD_BYTES = 5 * 1024 * 1024


def nginx_path() -> str:
    return system_program("nginx", "the deployment test")


def unit_streamlit_options(unit: Path = DEPLOY / "monitoring.service") -> dict[str, str]:
    """The `--section.option value` pairs of the unit's `ExecStart=... streamlit run`."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    words = shlex.split(exec_start.removeprefix("ExecStart="))
    assert words[0].endswith("/.venv/bin/streamlit") and words[1] == "run"
    # The script the test servers run is the one the unit runs (server.py: sign-ins too).
    assert (ROOT / words[2]).is_file()
    assert f'"{words[2]}"' in inspect.getsource(streamlit_server), words[2]
    options = words[3:]
    assert len(options) % 2 == 0 and all(o.startswith("--") for o in options[::2]), options
    return {name[2:]: value for name, value in zip(options[::2], options[1::2], strict=True)}


def render_nginx(values: dict[str, str], path: Path = DEPLOY / "nginx.conf") -> str:
    """deploy/nginx.conf with every @PLACEHOLDER@ replaced; all of them must be given."""
    text = path.read_text(encoding="utf-8")
    placeholders = set(re.findall(r"@([A-Z_]+)@", text))
    assert placeholders == set(values), f"placeholders of {path.name}: {sorted(placeholders)}"
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def loopback_site(
    https_port: int, http_port: int, dashboard: str, cert: Path, key: Path, logs: Path
) -> dict[str, str]:
    """Values of deploy/nginx.conf's placeholders for a site on the loopback in front of
    the dashboard served at `dashboard`."""
    return {
        "SERVER_NAME": "127.0.0.1",
        "HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "TLS_CERTIFICATE": str(cert),
        "TLS_CERTIFICATE_KEY": str(key),
        "DASHBOARD_PORT": str(urlsplit(dashboard).port),
        "LOG_DIR": str(logs),
    }


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def insecure() -> ssl.SSLContext:
    """For the test's own requests to the self-signed certificate, nothing else."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@contextlib.contextmanager
def nginx(folder: Path, site: str):
    """Debian's nginx, as this user, serving `site` (server blocks) from `folder`."""
    binary = nginx_path()
    folder.mkdir()
    (folder / "monitoring.conf").write_text(site, encoding="utf-8")
    # As root, nginx would run its workers as `nobody`, who cannot use this folder.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
{user}
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/monitoring.conf;
}}
""",
        encoding="utf-8",
    )
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    command += ["-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx -t refused the rendered config:\n{checked.stderr}"
    with (folder / "nginx.out").open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        stop_process(proc)  # nginx's fast shutdown: the workers go with the master


def get(url: str, *, method: str = "GET", data: bytes | None = None, headers=None):
    """(status, headers, body) of one request that follows no redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(
        NoRedirect, urllib.request.HTTPSHandler(context=insecure())
    )
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_health(url: str, proc, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited ({proc.returncode}):\n{log.read_text()}")
        with contextlib.suppress(OSError):
            if get(f"{url}/_stcore/health")[2].strip() == b"ok":
                return
        time.sleep(0.2)
    pytest.fail(f"nginx did not answer on {url}:\n{log.read_text()}")


@dataclass
class Deployment:
    https: str  # the dashboard's public address, through nginx
    http: str  # the plain-HTTP listener, which redirects
    dashboard: str  # streamlit itself, behind nginx
    db: Path
    logs: Path  # nginx's @LOG_DIR@


@pytest.fixture(scope="module")
def deployed(sample_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deploy")
    db = folder / "monitoring.duckdb"
    shutil.copyfile(sample_db_path, db)
    database = Database(db)
    reopen_everything(database)  # the sample's approved quarters: the test uploads into them
    database.close()
    options = unit_streamlit_options()
    assert options["server.headless"] == "true"
    assert options["server.address"] == "127.0.0.1", "the dashboard listens on the loopback"
    assert options["client.showErrorDetails"] == "none", "no tracebacks for viewers"
    assert options["browser.gatherUsageStats"] == "false"
    args = tuple(
        word
        for name, value in options.items()
        if name not in SET_BY_HELPER
        for word in (f"--{name}", value)
    )
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": "a cookie secret of the deployment test " * 2}
    cert, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    logs = folder / "logs"
    logs.mkdir()
    with streamlit_server(db, folder / "streamlit.log", args=args, env=env) as dashboard:
        site = render_nginx(loopback_site(https_port, http_port, dashboard, cert, key, logs))
        with nginx(folder / "nginx", site) as proc:
            https = f"https://127.0.0.1:{https_port}"
            wait_for_health(https, proc, folder / "nginx" / "error.log")
            yield Deployment(https, f"http://127.0.0.1:{http_port}", dashboard, db, logs)


def values_csv(size: int = UPLOAD_BYTES) -> bytes:
    """At least `size` bytes of valid, new indicator_values rows (no errors, no warnings).

    Two percentage indicators broken down by age group, one row per age band, quarter and
    programme region, each with a long comment.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["indicator_code", "period", "region_code", "org_id", "sex", "age_group", "value"]
        + ["comment", "source"]
    )
    quarters = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    keys = itertools.product(["OC3.3", "OC3.4"], quarters, ["UZ-JI", "UZ-NG", "UZ-TO"])
    keys = list(keys)
    filler = "Reported in the quarterly community survey, checked by the partner. " * 14
    bands = ((low, high) for low in range(16, 100) for high in range(low, 100))
    n = 0
    while out.tell() < size:
        low, high = next(bands)
        for code, quarter, region in keys:
            value = 40 + n % 5
            comment = f"Row {n}. {filler}"
            row = [code, quarter, region, "", "all", f"{low}-{high}", value, comment]
            writer.writerow([*row, "Community survey"])
            n += 1
    return out.getvalue().encode("utf-8")


def test_https_answers_health_and_plain_http_redirects(deployed):
    status, headers, body = get(f"{deployed.https}/_stcore/health")
    assert (status, body.strip()) == (200, b"ok")
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["Referrer-Policy"] == "same-origin"
    status, headers, _ = get(f"{deployed.http}/upload?as_of=2021Q4")
    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/upload?as_of=2021Q4"


def test_streamlits_scripts_come_compressed(deployed):
    """A first load's scripts (some 4 MB, sent uncompressed by Streamlit) arrive gzipped to a
    browser that takes it, and as they are to one that does not: what a slow line feels."""
    _, _, page = get(f"{deployed.https}/", headers={"Accept-Encoding": "gzip"})
    page = gzip.decompress(page) if page[:2] == b"\x1f\x8b" else page
    script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', page.decode()).group(1)
    status, headers, body = get(f"{deployed.https}/{script}", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert len(gzip.decompress(body)) > 3 * len(body)  # under a third of the bytes
    _, headers, plain_body = get(f"{deployed.https}/{script}")  # a client that cannot unzip
    assert "Content-Encoding" not in headers and plain_body == gzip.decompress(body)


def test_a_body_beyond_streamlits_upload_limit_is_refused_by_nginx(deployed):
    limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "maxUploadSize"
    ]
    # Announced, not sent: nginx answers from the Content-Length alone.
    connection = http.client.HTTPSConnection(
        urlsplit(deployed.https).netloc, timeout=30, context=insecure()
    )
    try:
        connection.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
        connection.putheader("Content-Length", str(limit_mb * 1024 * 1024 + 1))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413 and b"Request Entity Too Large" in response.read()
    finally:
        connection.close()


def test_through_nginx_sign_in_open_every_page_and_upload_5_mb(deployed, browser, tmp_path):
    started = time.monotonic()
    # The one-time link an administrator prints on the server, for the public address.
    printed = subprocess.run(
        [sys.executable, "-m", "monitoring", "user", "link", account_name("admin")]
        + ["--base-url", deployed.https],
        cwd=ROOT,
        env={**os.environ, "MONITORING_DB": str(deployed.db), sharing.SECRET_ENV: TEST_SECRET},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    link = printed.strip().splitlines()[-1]
    assert link.startswith(f"{deployed.https}/?signin="), printed

    # The certificate is self-signed: this browser context, and only it, accepts it.
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-GB", ignore_https_errors=True
    )
    try:
        page = context.new_page()
        streamlit_requests = []
        page.on(
            "request",
            lambda r: streamlit_requests.append(r.url) if deployed.dashboard in r.url else None,
        )
        page.goto(link)
        wait_until_rendered(page)
        screenshot(page, "deploy-signed-in")
        assert exceptions_shown(page) == []
        sidebar = page.get_by_test_id("stSidebar")
        assert "Signed in as" in sidebar.inner_text(), "the one-time link signed nobody in"
        # Behind nginx, the dashboard knows it is served over HTTPS (X-Forwarded-Proto).
        cookie = next(c for c in context.cookies() if c["name"] == session_cookie.COOKIE)
        assert cookie["secure"] and cookie["httpOnly"], cookie
        for spec in PAGES:
            sidebar.get_by_role("link", name=spec.title).click()
            page.wait_for_url(re.compile(rf"/{'' if spec.default else spec.url_path}(\?|$)"))
            wait_until_rendered(page)
            assert exceptions_shown(page) == [], spec.url_path
            assert page.locator("h1").first.inner_text().strip(), spec.url_path
            assert page.url.startswith(deployed.https)
            screenshot(page, f"deploy-{spec.url_path}")

        # On the Data upload page (the last but one opened): a 5 MB file through the proxy.
        sidebar.get_by_role("link", name="Data upload").click()
        page.get_by_role("heading", name="Data upload").wait_for(timeout=30_000)
        wait_until_rendered(page)
        data = values_csv()
        rows = data.count(b"\n") - 1
        file = tmp_path / "indicator_values.csv"
        file.write_bytes(data)
        assert file.stat().st_size >= UPLOAD_BYTES
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
        page.get_by_text("Rows in the file").wait_for(timeout=60_000)
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        metrics = page.get_by_test_id("stMetric").all_inner_texts()
        assert [m.split("\n")[-1] for m in metrics] == [str(rows), str(rows), "0", "0", "0"]
        screenshot(page, "deploy-upload-preview")
        page.get_by_role(
            "button", name=f"Import {rows} new and 0 changed row(s) into indicator_values"
        ).click()
        page.get_by_text("Imported into indicator_values as batch").wait_for(timeout=60_000)
        wait_until_rendered(page)
        assert exceptions_shown(page) == []
        assert streamlit_requests == [], "the browser reached the dashboard only through nginx"
    finally:
        context.close()

    # The access log keeps no token and no session id: it has the paths only.
    log = (deployed.logs / "monitoring.access.log").read_text()
    assert '"GET / HTTP/1.1" 200' in log
    assert "/_stcore/upload_file/..." in log
    assert "signin" not in log and link.split("=")[-1] not in log
    assert time.monotonic() - started < 90


def unit_commands(unit: Path, key: str) -> list[list[str]]:
    """The command lines of every `key=` of a unit, split into words, %% unescaped."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    return [
        shlex.split(line.removeprefix(f"{key}=").replace("%%", "%"))
        for line in text.splitlines()
        if line.startswith(f"{key}=")
    ]


def test_the_backup_units_commands_back_up_while_serving_and_prune(deployed, tmp_path):
    unit = DEPLOY / "monitoring-backup.service"
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "2020-01-01T023000Z"
    old.mkdir()
    os.utime(old, (time.time() - 40 * 86400,) * 2)

    def local(words: list[str]) -> list[str]:
        return [
            w.replace("/opt/monitoring/.venv/bin/python", sys.executable).replace(
                "/var/backups/monitoring", str(backups)
            )
            for w in words
        ]

    env = {**os.environ, "MONITORING_DB": str(deployed.db), sharing.SECRET_ENV: TEST_SECRET}
    (backup,) = unit_commands(unit, "ExecStart")
    assert backup[:2] == ["/bin/sh", "-c"] and "-m monitoring backup --out" in backup[2]
    done = subprocess.run(
        local(backup), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    (prune,) = unit_commands(unit, "ExecStartPost")
    subprocess.run(local(prune), check=True, timeout=30)
    (made,) = backups.iterdir()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", made.name)
    assert {p.name for p in made.iterdir()} == {"monitoring.duckdb", "manifest.json"}
