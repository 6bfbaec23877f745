"""monitoring/db/pgserver.py: the throwaway PostgreSQL the tests and `make bench` start."""

from __future__ import annotations

import psycopg

from monitoring.db.pgserver import TemporaryServer


def test_a_server_left_running_by_a_killed_run_is_replaced(tmp_path):
    """`make bench` killed mid-run leaves its server and folder: the next run starts over."""
    left = TemporaryServer(tmp_path / "pg").start()  # never stopped, as after kill -9
    url = left.create_database("left")
    with TemporaryServer(tmp_path / "pg") as server:
        fresh = server.create_database("fresh")
        with psycopg.connect(fresh) as con:
            names = {r[0] for r in con.execute("select datname from pg_database").fetchall()}
        assert "fresh" in names and "left" not in names  # a new cluster, not the old one
        with psycopg.connect(fresh, autocommit=True) as con:
            con.execute("create table kept as select 42 as answer")
        copy = server.create_database("copy", template="fresh")  # a copy of another
        with psycopg.connect(copy) as con:
            assert con.execute("select answer from kept").fetchall() == [(42,)]
        # settle(): what the copy wrote is written out (a checkpoint after it) before timing
        last = "select cast(checkpoint_lsn as text) from pg_control_checkpoint()"
        with psycopg.connect(copy, autocommit=True) as con:
            before = con.execute(last).fetchone()[0]
            con.execute("create table written as select generate_series(1, 1000) as n")
            server.settle()
            moved = "select checkpoint_lsn > cast(%s as pg_lsn) from pg_control_checkpoint()"
            assert con.execute(moved, [before]).fetchone()[0]
    try:
        psycopg.connect(url, connect_timeout=2).close()
        reachable = True
    except psycopg.OperationalError:
        reachable = False
    assert not reachable, "the old server was stopped"
    assert not (tmp_path / "pg").exists(), "the folder is removed at the end"
