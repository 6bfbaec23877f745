"""The deployment files (deploy/) agree with the code, the settings and docs/deploy.md.

tests/e2e/test_deploy.py runs deploy/nginx.conf and the service's options for real; this
checks, without a server, what that cannot: the docs show the files as they are, the upload
limits agree, and every environment variable the code reads is documented.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from monitoring.intake.upload import MAX_FILE_MB

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
NGINX = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```$", text, flags=re.S | re.M)


@pytest.mark.parametrize("name", sorted(p.name for p in DEPLOY.iterdir()))
def test_docs_show_every_deploy_file_as_it_is(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert text in fenced_blocks(DOC), f"docs/deploy.md does not show deploy/{name} as it is"


def test_nginx_takes_uploads_up_to_streamlits_limit_above_the_pages_own():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    streamlit_mb = config["server"]["maxUploadSize"]
    (nginx_size,) = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", NGINX, flags=re.M)
    assert int(nginx_size) == streamlit_mb
    assert streamlit_mb > MAX_FILE_MB, "room for a file's multipart envelope above the limit"
    assert f"`client_max_body_size {streamlit_mb}m` is Streamlit's" in DOC
    assert f"own limit of {MAX_FILE_MB} MB" in DOC


def test_the_docs_sed_command_fills_every_placeholder(tmp_path):
    command = re.search(r"^sed -e .*?deploy/nginx\.conf", DOC, flags=re.S | re.M)[0]
    words = shlex.split(command.replace("\\\n", " "))
    sed = shutil.which("sed")
    rendered = subprocess.run(
        [sed, *words[1:]], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert re.findall(r"@[A-Z_]+@", rendered) == []
    assert "listen 443 ssl;" in rendered and "listen 80;" in rendered
    service = (DEPLOY / "monitoring.service").read_text(encoding="utf-8")
    (port,) = re.findall(r"--server\.port (\d+)", service)
    assert f"proxy_pass http://127.0.0.1:{port};" in rendered


def test_every_environment_variable_the_code_reads_is_documented_and_set():
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for folder in ("monitoring", "ui", "views")
        for p in (ROOT / folder).rglob("*.py")
    ) + (ROOT / "dashboard.py").read_text(encoding="utf-8")
    names = set(re.findall(r"[\"'](MONITORING_[A-Z_]+)[\"']", code))
    assert {"MONITORING_DB", "MONITORING_SETTINGS"} <= names
    for name in names:
        assert f"| `{name}` |" in DOC, f"{name} is not in docs/deploy.md's table"
    env_file = (DEPLOY / "monitoring.env").read_text(encoding="utf-8")
    set_there = set(re.findall(r"^([A-Z_]+)=", env_file, flags=re.M))
    assert set_there - {"TZ"} <= names, "monitoring.env sets only variables the code reads"
    for unit in ("monitoring.service", "monitoring-backup.service"):
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/monitoring/monitoring.env" in text


def test_the_service_serves_on_the_loopback_without_tracebacks():
    service = (DEPLOY / "monitoring.service").read_text(encoding="utf-8")
    for option in (
        "--server.headless true",
        "--server.address 127.0.0.1",
        "--client.showErrorDetails none",
        "--browser.gatherUsageStats false",
    ):
        assert option in service
    assert "EnvironmentFile=/etc/monitoring/secrets.env" in service
    backup = (DEPLOY / "monitoring-backup.service").read_text(encoding="utf-8")
    assert "-m monitoring backup --out " in backup
