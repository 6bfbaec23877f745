"""A database that cannot be used shows a plain message: what to do, no path, no traceback.

Whoever opens the dashboard (nobody signed in yet, here) must never see a server path or a
traceback; the operator finds the details in the server's log by the time shown.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from monitoring.db import close_all
from tests.app.conftest import no_exceptions


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def everything_shown(at) -> str:
    """Every element of the page, as its protocol message (texts, tables, exceptions)."""
    return "\n".join(str(n.proto) for n in _nodes(at._tree) if getattr(n, "proto", None))


def assert_plain(at, tmp_path, *secrets: str) -> str:
    no_exceptions(at)
    shown = everything_shown(at)
    for secret in (str(tmp_path), *secrets):
        assert secret not in shown, secret
    for word in ("Traceback", "Error(", "duckdb", ".duckdb", "errno", "/"):
        assert word not in " ".join(e.value for e in at.error), word
    assert len(at.error) == 1
    return at.error[0].value


def test_a_database_in_a_folder_that_cannot_be_made_says_so_plainly(app_as, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MONITORING_DB", str(blocker / "data" / "monitoring.duckdb"))
    at = app_as(None)
    at.run()
    message = assert_plain(at, tmp_path, "a-file-not-a-folder", "NotADirectory")
    assert "cannot reach its database right now" in message
    assert "Try again in a few minutes" in message
    assert "the server's log says what went wrong" in message
    assert "Time of the error, for the log:" in message
    assert not at.text_input  # no sign-in form under it


def test_a_database_of_another_application_is_refused_and_left_untouched(
    app_as, tmp_path, monkeypatch
):
    other = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(other))
    con.execute("create table customers (id integer, name varchar)")
    con.execute("insert into customers values (1, 'A')")
    con.close()
    monkeypatch.setenv("MONITORING_DB", str(other))
    at = app_as(None)
    at.run()
    message = assert_plain(at, tmp_path, "crm", "customers")
    assert "given a database file it cannot use" in message
    assert "Nothing in it was changed" in message
    assert "MONITORING_DB" in message
    close_all()
    con = duckdb.connect(str(other), read_only=True)
    try:
        tables = con.execute("select table_name from duckdb_tables()").fetchall()
    finally:
        con.close()
    assert tables == [("customers",)]


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_query_the_database_cannot_answer_shows_the_same_plain_message(
    app_as, sample_db_path, tmp_path, monkeypatch, role
):
    # A table a page reads is gone (a damaged or hand-edited file): DuckDB's own error, met
    # while the page runs, after the sign-in.
    broken = tmp_path / "broken.duckdb"
    shutil.copy(sample_db_path, broken)
    con = duckdb.connect(str(broken))
    con.execute("drop table milestones")
    con.close()
    monkeypatch.setenv("MONITORING_DB", str(broken))
    at = app_as(role)
    at.run()
    if not at.error:  # the overview does not read milestones first: open the page that does
        at.switch_page("views/milestones.py").run()
    message = assert_plain(at, tmp_path, "milestones does not exist", "Catalog")
    assert "cannot reach its database right now" in message
