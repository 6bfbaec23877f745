"""The dashboard's database on PostgreSQL (docs/scale.md): the commands, migrate-store, and
state that replicas share through the database. A real server (tests/conftest.py:
postgres_server), never a mock."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from monitoring.db import Database, close_all
from monitoring.db.postgres import TEMPORARY_STATISTICS_TARGET, hash_joins
from monitoring.db.transfer import migrate_store
from monitoring.reports import overview
from tests.conftest import new_postgres_database, view_of
from tests.unit.upload_support import reopen_everything

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2022, 6, 30)


def progress(db: Database, settings):
    """The overview's indicator progress as of 2022Q2, as a team member sees it."""
    return overview.indicator_status(db, view_of(db, settings), settings, AS_OF)


def same(left, right) -> bool:
    return list(left.columns) == list(right.columns) and (
        left.astype(str).values.tolist() == right.astype(str).values.tolist()
    )


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "monitoring", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LC_ALL": "C.UTF-8", **(env or {})},
        timeout=300,
        check=False,
    )


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A new, empty PostgreSQL database (no schema yet)."""
    return new_postgres_database(postgres_server)


def test_init_with_the_sample_then_every_command_works_on_postgresql(pg_url, tmp_path, settings):
    done = cli("init", "--sample", "--db", pg_url)
    assert done.returncode == 0, done.stderr
    assert "Database ready" in done.stdout

    history = cli("history", "--db", pg_url)
    assert history.returncode == 0, history.stderr
    assert "indicator_values" in history.stdout

    # An upload of a value, then its undo, as on a file.
    db = Database(pg_url)
    reopen_everything(db)
    before = progress(db, settings)
    close_all()
    upload = tmp_path / "values.csv"
    upload.write_text(
        "indicator_code,period,region_code,value\nOC1.1,2022Q2,UZ-JI,77\n", encoding="utf-8"
    )
    imported = cli("import", str(upload), "--table", "indicator_values", "--db", pg_url)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    db = Database(pg_url)
    batch = _latest_batch(db)
    value = _value(db, "OC1.1", "2022Q2", "UZ-JI")
    assert value == 77
    close_all()
    undone = cli("undo", str(batch), "--db", pg_url)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    db = Database(pg_url)
    assert _value(db, "OC1.1", "2022Q2", "UZ-JI") != 77
    assert same(progress(db, settings), before)
    close_all()

    added = cli("user", "add", "ana", "--role", "manager", "--no-password", "--db", pg_url)
    assert added.returncode == 0, added.stdout + added.stderr
    shared = cli(
        "share",
        "create",
        "--label",
        "Donor review",
        "--expires",
        "30d",
        "--db",
        pg_url,
        "--base-url",
        "http://localhost:8501",
    )
    assert shared.returncode == 0, shared.stdout + shared.stderr
    assert "http://localhost:8501" in shared.stdout

    report = cli("report", "iptt", "--out", str(tmp_path / "iptt.xlsx"), "--db", pg_url)
    assert report.returncode == 0, report.stdout + report.stderr
    assert (tmp_path / "iptt.xlsx").stat().st_size > 5_000


def _latest_batch(db: Database) -> int:
    with db.cursor() as cur:
        return int(cur.execute("select max(batch_id) from upload_batches").fetchone()[0])


def _value(db: Database, code: str, period: str, region: str):
    with db.cursor() as cur:
        row = cur.execute(
            "select value from indicator_values where indicator_code = $c and period = $p "
            "and region_code = $r and org_id = '' and sex = 'all' and age_group = 'all'",
            {"c": code, "p": period, "r": region},
        ).fetchone()
    return None if row is None else row[0]


def test_migrate_store_copies_the_sample_and_checks_every_row(
    sample_db_path, pg_url, tmp_path, settings
):
    messages = []
    report = migrate_store(sample_db_path, pg_url, progress=messages.append)
    assert report.ok, [t for t in report.tables if not t.equal]
    by_name = {t.name: t for t in report.tables}
    assert by_name["indicator_values"].source_rows > 100
    assert by_name["indicator_region_values_stored"].target_rows > 0  # rebuilt on PostgreSQL
    assert any("indicator_values" in m for m in messages)

    # The same named queries give the same rows on both engines.
    file_db = Database(sample_db_path, read_only=True)
    pg_db = Database(pg_url)
    assert same(progress(file_db, settings), progress(pg_db, settings))
    close_all()

    # Into a database that holds rows: refused, nothing changed.
    again = cli("migrate-store", "--from", str(sample_db_path), "--to", pg_url)
    assert again.returncode == 2
    assert "already holds rows" in again.stderr


def test_the_planner_has_statistics_for_copied_and_newly_made_tables(sample_db_path, pg_url):
    """Without them PostgreSQL guesses at every join (a 100,000-row upload at 1,000,000
    values took twice as long): migrate-store analyses and vacuums what it copied, and a
    table made from a query (a stored copy, an upload's staged rows) is analysed as it is
    made; a stored copy declared with an index on PostgreSQL gets it."""
    assert migrate_store(sample_db_path, pg_url).ok
    db = Database(pg_url)
    try:
        with db.cursor() as cur:
            stats = {
                row[0]: row[1:]
                for row in cur.execute(
                    "select relname, last_analyze is not null, last_vacuum is not null "
                    "from pg_stat_user_tables"
                ).fetchall()
            }
            # Copied: analysed, and vacuumed too: an index-only scan (the map's
            # organisations) reads the index alone only for rows the visibility map marks,
            # which copied rows are not before.
            assert stats["indicator_values"] == (True, True)
            assert stats["organisations"] == (True, True)
            assert stats["indicator_region_values_stored"][0]  # made at the commit: analysed
            # spending_to finds the reporting date's quarter in the converted transactions
            # by date: an index made with the copy, each time it is made.
            indexed = cur.execute(
                "select indexdef from pg_indexes where tablename = 'transactions_converted_stored'"
            ).fetchall()
            assert [r[0].split(" USING ")[1] for r in indexed] == ["btree (date)"]
            cur.execute(
                "create or replace temp table staged as "
                "select * from indicator_values where sex = 'all'"
            )
            counted = cur.execute("select count(*) from staged").fetchone()[0]
            estimated = cur.execute(
                "select reltuples from pg_class where relname = 'staged'"
            ).fetchone()[0]
            assert counted > 100
            assert estimated == counted  # analysed: the planner knows its rows
            # ... from a smaller sample (a temporary table), the session's own target kept.
            distinct = cur.execute(
                "select n_distinct from pg_stats where tablename = 'staged' "
                "and attname = 'indicator_code'"
            ).fetchone()[0]
            assert (
                distinct
                == cur.execute("select count(distinct indicator_code) from staged").fetchone()[0]
            )
            bounds = cur.execute(
                "select histogram_bounds::text from pg_stats where tablename = 'staged' "
                "and attname = 'value'"
            ).fetchone()[0]
            assert len(bounds.strip("{}").split(",")) <= TEMPORARY_STATISTICS_TARGET + 1
            assert cur.execute("show default_statistics_target").fetchone()[0] == "100"
            # The dashboard's own session settings (monitoring/db/postgres.py).
            assert cur.execute("select current_setting('jit')").fetchone()[0] == "off"
            assert cur.execute("select current_setting('work_mem')").fetchone()[0] == "64MB"
            assert cur.execute("select current_setting('temp_buffers')").fetchone()[0] == "32MB"
    finally:
        db.close()


def test_hash_joins_last_for_their_statements_only(sample_db_path, pg_url):
    """An upload's comparison with the stored rows joins by hashing (postgres.hash_joins);
    the connection, which the pool hands to other work next, plans as before afterwards,
    after a statement that failed too."""
    assert migrate_store(sample_db_path, pg_url).ok
    db = Database(pg_url)
    # One value's rows looked up by the key: PostgreSQL's own choice is an index probe.
    join = (
        "explain select * from indicator_values a join indicator_values b "
        "using (indicator_code, period, region_code, org_id, sex, age_group) "
        "where a.period = '2021Q1' and a.indicator_code = 'OC1.1' and a.region_code = 'UZ-JI'"
    )

    def plan(cur) -> str:
        return " ".join(row[0] for row in cur.execute(join).fetchall())

    try:
        with db.cursor() as cur:
            assert "Nested Loop" in plan(cur)
            with hash_joins(cur):
                hashed = plan(cur)
            assert "Hash Join" in hashed and "Nested Loop" not in hashed
            assert "Nested Loop" in plan(cur)
            with pytest.raises(Exception, match="division by zero"), hash_joins(cur):
                cur.execute("select 1 / 0")
            assert "Nested Loop" in plan(cur)
    finally:
        db.close()


def _temporary_relations(db: Database) -> list[str]:
    """Every session's temporary tables and views in the database (pg_class lists them all)."""
    with db.cursor() as cur:
        rows = cur.execute(
            "select relname from pg_class where relpersistence = 't' and relkind in ('r', 'v') "
            "order by relname"
        ).fetchall()
    return [r[0] for r in rows]


def test_a_cursor_leaves_no_temporary_tables_on_its_pooled_connection(
    sample_db_path, pg_url, settings
):
    """As DuckDB's go with its cursor: a preview's staged rows (120 MB at 1,000,000 rows)
    do not stay on the connection the pool hands to other work; within one_connection()
    they stay for the write that follows, and go at its end."""
    from monitoring.intake.batches import commit_preview, preview_file

    assert migrate_store(sample_db_path, pg_url).ok
    db = Database(pg_url)
    data = (
        b"indicator_code,period,region_code,org_id,sex,age_group,value\n"
        b"G1,2021Q1,UZ-NG,,all,all,41\n"
    )
    try:
        reopen_everything(db)
        preview = preview_file(db, data, "g1.csv", settings)
        assert preview.check.new == 1
        assert _temporary_relations(db) == []
        with db.one_connection():
            preview = preview_file(db, data, "g1.csv", settings)
            assert "upload_rows" in _temporary_relations(db)  # (read on another connection)
            assert commit_preview(db, preview, by="a").inserted == 1
        assert _temporary_relations(db) == []
    finally:
        db.close()


def test_migrate_store_refuses_a_file_that_is_not_a_database(pg_url, tmp_path):
    done = cli("migrate-store", "--from", str(tmp_path / "none.duckdb"), "--to", pg_url)
    assert done.returncode == 2
    assert "--from must name an existing DuckDB database file" in done.stderr


def test_a_replica_sees_another_processs_upload_at_its_next_read(pg_url, tmp_path):
    """Replicas share no memory: the data version that keys every cache is read from the
    database, so an upload made by another process shows at this one's next rerun."""
    assert cli("init", "--sample", "--db", pg_url).returncode == 0
    db = Database(pg_url)
    reopen_everything(db)
    version = db.data_version()
    upload = tmp_path / "values.csv"
    upload.write_text(
        "indicator_code,period,region_code,value\nOC1.1,2022Q2,UZ-TO,55\n", encoding="utf-8"
    )
    imported = cli("import", str(upload), "--table", "indicator_values", "--db", pg_url)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert db.data_version() != version
    assert _value(db, "OC1.1", "2022Q2", "UZ-TO") == 55
    assert db.out_of_date() == {}  # the other process refreshed the stored copies in its commit


def test_a_bad_url_says_what_is_wrong(tmp_path):
    done = cli("history", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode != 0
    assert "Cannot connect to the database postgresql://nobody@127.0.0.1:1/none" in (
        done.stdout + done.stderr
    )


def test_a_postgresql_database_is_backed_up_and_restored_on_either_engine(
    postgres_server, postgres_sample, tmp_path, settings
):
    source = new_postgres_database(postgres_server, postgres_sample)
    out = tmp_path / "backup"
    made = cli("backup", "--out", str(out), "--db", source)
    assert made.returncode == 0, made.stdout + made.stderr
    assert (out / "monitoring.duckdb").is_file() and (out / "manifest.json").is_file()

    # Into a new PostgreSQL database: every row checked.
    target = new_postgres_database(postgres_server)
    restored = cli("restore", str(out), "--db", target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    # Into a file, as any backup.
    file_target = tmp_path / "restored.duckdb"
    restored = cli("restore", str(out), "--db", str(file_target))
    assert restored.returncode == 0, restored.stdout + restored.stderr

    left, right = Database(source), Database(target)
    assert same(progress(left, settings), progress(right, settings))
    assert left.data_version() == right.data_version()
    close_all()

    # A database that holds rows is never overwritten.
    again = cli("restore", str(out), "--db", target, "--force")
    assert again.returncode == 1
    assert "already holds rows" in again.stderr


# Each column type a page reads, with and without NULLs: pandas converts the plain ones
# itself, DuckDB the others (monitoring/db/postgres.py, df).
TYPED_RESULT = """
select * from (values
    ('a', cast(1.5 as double), cast(1 as bigint), cast(2 as integer), true,
     cast(null as varchar), cast(null as double), cast(3 as bigint), cast(null as boolean),
     cast('2022-06-30' as date), cast(2.25 as decimal(12, 2))),
    ('b', cast(-0.5 as double), cast(5 as bigint), cast(7 as integer), false,
     'x', cast(4.0 as double), cast(null as bigint), false,
     cast(null as date), cast(null as decimal(12, 2)))
) as t(text, float, whole, small, flag, some_text, some_float, some_whole, some_flag,
       day, money)
order by text
"""
PLAIN_RESULT = (  # its texts, floats, and whole numbers and booleans without NULLs
    "select text, float, whole, small, flag, some_text, some_float from ("  # noqa: S608 (constants)
    + TYPED_RESULT
    + ") as r order by text"
)


def test_a_result_has_the_same_dtypes_and_values_on_either_engine(pg_url, tmp_path):
    def frames(sql: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`sql`'s result on DuckDB, then on PostgreSQL."""
        found = []
        for where in (tmp_path / "types.duckdb", pg_url):
            database = Database(where)
            with database.cursor() as cur:
                found.append(cur.execute(sql).df())
            database.close()
        return found[0], found[1]

    duck, pg = frames(TYPED_RESULT)
    assert pg.dtypes.to_dict() == duck.dtypes.to_dict()
    pd.testing.assert_frame_equal(pg, duck)
    # and a result that pandas converts alone
    duck, pg = frames(PLAIN_RESULT)
    pd.testing.assert_frame_equal(pg, duck)
    assert str(pg.some_text.dtype) == str(duck.some_text.dtype)


def test_a_result_is_read_with_the_collector_paused_and_on_again_after(pg_url):
    import gc
    import traceback

    passes = []  # the functions running when the collector started a pass while rows were read

    def count(phase, info):
        if phase == "start":
            running = {frame.name for frame in traceback.extract_stack()}
            passes.append(running & {"fetchall", "_arrow_column"})

    database = Database(pg_url)
    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        with database.cursor() as cur:
            cur.execute(
                "select cast(n as bigint) as n, 'x' || n as t"
                " from generate_series(1, 50000) as s(n)"
            )
            frame = cur.df()  # 50,000 rows as Python tuples: dozens of passes if it ran
    finally:
        gc.callbacks.remove(count)
    assert len(frame) == 50_000 and frame.n.dtype == "int64" and frame.t.iloc[-1] == "x50000"
    assert not any(passes)
    assert gc.isenabled()
    gc.disable()
    try:
        with database.cursor() as cur:
            cur.execute("select 1 as n").df()
        assert not gc.isenabled()  # paused by someone else: left paused
    finally:
        gc.enable()
    database.close()
