"""GET /health/database (server.py, ui/session_cookie.py): "ok" while the process can read its
database, 503 while it cannot: what a proxy's health checks take a replica out by."""

from __future__ import annotations

from starlette.requests import Request

from monitoring.db import close_all
from tests.conftest import run_coroutine
from ui import session_cookie


def get(path: str):
    """The answer of the route server.py serves at `path` to a GET."""
    route = next(r for r in session_cookie.routes() if r.path == path)
    request = Request({"type": "http", "method": "GET", "path": path, "headers": []})
    response = run_coroutine(route.endpoint(request))
    response.text = response.body.decode()
    return response


def test_the_health_address_reads_the_database(sample_db_path, tmp_path, monkeypatch):
    copy = tmp_path / "monitoring.duckdb"
    copy.write_bytes(sample_db_path.read_bytes())
    monkeypatch.setenv("MONITORING_DB", str(copy))
    answer = get("/health/database")
    assert answer.status_code == 200
    assert answer.text == "ok"
    close_all()


def test_a_database_that_cannot_be_read_makes_it_unhealthy(tmp_path, monkeypatch):
    bad = tmp_path / "monitoring.duckdb"
    bad.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("MONITORING_DB", str(bad))
    answer = get("/health/database")
    assert answer.status_code == 503
    assert answer.text == "database unavailable"
    assert str(bad) not in answer.text  # no server paths to whoever asks
    close_all()


def test_postgresql_that_is_down_makes_it_unhealthy(monkeypatch):
    monkeypatch.setenv("MONITORING_DB", "postgresql://nobody@127.0.0.1:1/none")
    answer = get("/health/database")
    assert answer.status_code == 503
    close_all()
