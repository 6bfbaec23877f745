"""Versioned schema migrations (monitoring/db/migrations.py, docs/database.md): a database of
the previous release is upgraded keeping every row, after a backup; what is not ours, or is
newer, is refused untouched; a failed migration changes nothing."""

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from monitoring import i18n
from monitoring.cli.main import main
from monitoring.contract import TABLES
from monitoring.db import MIGRATIONS, QUERIES, STORED_COPIES, Database, DatabaseError, close_all
from monitoring.db.migrations import load_migrations
from monitoring.intake.batches import _key_match, commit_file
from tests.unit.upload_support import csv_bytes

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_SCHEMA = DATA / "schema_e5b0ac9.sql"  # queries/schema.sql as released at commit e5b0ac9
LATEST = load_migrations()[-1].version
STORED_TABLES = {c.table for c in STORED_COPIES}


def tables_of(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "order by 1"
        ).fetchall()
    ]


# Columns later migrations add to tables of the previous release: rows are compared without
# them (their values are the columns' defaults).
ADDED_COLUMNS = {
    "indicator_values": ("deviation_narrative",),  # 0003_reports
    "share_links": ("downloads", "unapproved"),  # 0003_reports, 0006_quality
    "indicators": ("min_value", "max_value"),  # 0006_quality
    "indicator_targets": ("revision_reason",),  # 0006_quality
    "sign_in_attempts": ("client",),  # 0004_sessions
    "sign_in_link_uses": ("signed_in",),  # 0004_sessions
}
# 0007_translations: the Russian and Uzbek texts beside the English ones
for _table, _text in (("indicators", "title"), ("grants", "title"), ("budget", "category"),
                      ("milestones", "title")):  # fmt: skip
    ADDED_COLUMNS[_table] = (*ADDED_COLUMNS.get(_table, ()), f"{_text}_ru", f"{_text}_uz")


def contents(path: Path) -> dict[str, str]:
    """Rows and a digest of the contents of every table of the file, read-only (the columns
    of the previous release only)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in tables_of(con):
            columns = {
                r[0]
                for r in con.execute(
                    "select column_name from duckdb_columns() where database_name = "
                    "current_database() and table_name = ?",
                    [table],
                ).fetchall()
            }
            added = [c for c in ADDED_COLUMNS.get(table, ()) if c in columns]
            rows = f"(select * exclude ({', '.join(added)}) from {table})" if added else table  # noqa: S608
            count, digest = con.execute(
                "select count(*), md5(coalesce(string_agg(j, chr(10) order by j), '')) "  # noqa: S608
                f"from (select cast(to_json(t) as varchar) as j from {rows} t)"
            ).fetchone()
            out[table] = f"{count}:{digest}"
        return out
    finally:
        con.close()


def file_state(path: Path) -> tuple:
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        sorted(p.name for p in path.parent.iterdir()),
    )


def make_old_release_database(path: Path, sample_db_path: Path) -> None:
    """A database as release e5b0ac9 left it: its schema, the sample tables and history loaded,
    accounts, share links and their uses, and its stored copies with their stamps."""
    sample = path.with_name("sample-source.duckdb")
    shutil.copy(sample_db_path, sample)
    con = duckdb.connect(str(path))
    try:
        con.execute("set timezone = 'UTC'")
        con.execute(OLD_SCHEMA.read_text(encoding="utf-8"))
        con.execute(f"attach '{sample}' as sample (read_only)")
        source_tables = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'sample'"
            ).fetchall()
        }
        for table in tables_of(con):
            if table in source_tables:
                columns = ", ".join(
                    r[0]
                    for r in con.execute(
                        "select column_name from duckdb_columns() where database_name = "
                        "current_database() and table_name = ? order by column_index",
                        [table],
                    ).fetchall()
                )
                values = columns
                if table == "upload_changes":  # NULL for inserts since 0014: see below
                    values = columns.replace("new_row", "coalesce(new_row, '')")
                con.execute(
                    f"insert into {table} ({columns}) select {values} from sample.{table}"  # noqa: S608
                )
        con.execute("detach sample")
        # That release logged each inserted row as it wrote it: here, as the table holds it.
        for name, spec in TABLES.items():
            con.execute(
                f"update upload_changes c set new_row = to_json(s) from {name} s "  # noqa: S608
                f"where c.table_name = '{name}' and c.new_row = '' and {_key_match(spec, 'c', 's')}"
            )
        assert (
            con.execute("select count(*) from upload_changes where new_row = ''").fetchone()[0] == 0
        )
        # What the sample leaves empty, as a database in use would hold it.
        con.execute(
            "insert into sign_in_attempts values ('test-admin', '2022-01-05 10:00+00', 'success');"
            "insert into sign_in_link_uses values ('n1', 'test-admin', '2022-01-05 10:00+00');"
            "insert into share_links (label, nonce, regions, pages, created_by, created_at, "
            "expires_at) values ('Donor review', 'abc', ['UZ-JI'], null, 'test-admin', "
            "'2022-01-05 10:00+00', '2022-04-05 10:00+00');"
            "insert into share_link_uses values (1, '2022-01-06 09:00+00', 'overview', 'opened');"
            # The release's stored copies, made by its first read, and their stamps.
            "create table indicator_region_values_stored as select * from indicator_region_values;"
            "create table transactions_converted_stored as select * from transactions_converted;"
            "insert into stored_views values ('indicator_region_values', 'e5b0ac9:10:0:418'),"
            "('transactions_converted', 'e5b0ac9:10:0:139');"
        )
        # Its sequences where its inserts left them.
        batches = con.execute("select max(batch_id) from upload_batches").fetchone()[0]
        con.execute(f"select nextval('upload_batch_seq') from range({batches})")  # noqa: S608
        con.execute("checkpoint")
    finally:
        con.close()
    sample.unlink()


@pytest.fixture
def old_db(tmp_path, sample_db_path) -> Path:
    path = tmp_path / "monitoring.duckdb"
    make_old_release_database(path, sample_db_path)
    return path


def test_the_first_migration_is_the_schema_of_the_previous_release():
    """Never edit a migration once released: a new one changes the schema."""
    first = load_migrations()[0]
    assert (first.version, first.name) == (1, "0001_initial")
    assert first.path.read_bytes() == OLD_SCHEMA.read_bytes()


def test_a_database_of_the_previous_release_is_upgraded_keeping_every_row(old_db, settings):
    before = contents(old_db)
    assert all(not rows.startswith("0:") for rows in before.values()), before  # every table

    db = Database(old_db)
    db.connection()
    upgrade = db.upgrade
    assert (upgrade.found, upgrade.legacy, upgrade.latest) == (1, True, LATEST)
    assert [m.name for m in upgrade.applied] == [m.name for m in load_migrations()[1:]]
    assert upgrade.backup == old_db.with_name(f"monitoring.before-v{LATEST}.duckdb")
    assert f"kept at {upgrade.backup}" in upgrade.describe()

    with db.cursor() as cur:
        versions = cur.execute("select version, name from schema_migrations order by 1").fetchall()
    assert versions == [(m.version, m.name) for m in load_migrations()]
    # The dashboard reads the upgraded file: the copies are those of the data.
    frame = db.query(
        "indicators_by_region", indicator="G1", first="2021Q1", last="2021Q1", regions=["UZ-JI"]
    )
    assert frame.value.tolist() == [pytest.approx(55.2)]
    assert db.out_of_date() == {}
    # The next batch number follows the release's (its sequence was kept).
    last = int(before["upload_batches"].split(":")[0])
    result = commit_file(
        db,
        csv_bytes("budget_line,category,period,amount,currency", "9.9,other,2022Q1,5,USD"),
        "budget.csv",
        settings,
        by="Tester",
    )
    assert result.batch_id == last + 1
    db.close()

    after = contents(old_db)
    kept = {t: v for t, v in before.items() if t not in STORED_TABLES and t != "stored_views"}
    changed_by_the_upload = {"budget", "upload_batches", "upload_changes"}
    assert {t: after[t] for t in kept if t not in changed_by_the_upload} == {
        t: v for t, v in kept.items() if t not in changed_by_the_upload
    }
    assert "stored_views" not in after  # replaced by stored_copies (0002)
    assert contents(upgrade.backup) == before  # the file as it was


def test_opening_an_upgraded_database_again_does_nothing(old_db):
    Database(old_db).connection()
    Database(old_db).close()
    state = file_state(old_db)
    again = Database(old_db)
    again.connection()
    assert again.upgrade.applied == () and again.upgrade.found == LATEST
    again.close()
    assert file_state(old_db) == state  # no write, no second backup


def test_migrate_dry_run_lists_the_migrations_and_writes_nothing(old_db, capsys):
    state = file_state(old_db)
    assert main(["migrate", "--db", str(old_db), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "schema version 1 (made before versions were recorded)" in out
    assert "0002_stored_copies" in out and f"monitoring.before-v{LATEST}.duckdb" in out
    assert "Dry run: nothing was written." in out
    assert file_state(old_db) == state

    assert main(["migrate", "--db", str(old_db)]) == 0
    out = capsys.readouterr().out
    assert f"from schema version 1 to {LATEST}" in out and "kept at" in out
    assert old_db.with_name(f"monitoring.before-v{LATEST}.duckdb").exists()
    close_all()  # as a new command would find it
    assert main(["migrate", "--db", str(old_db)]) == 0
    assert "the latest: nothing to do" in capsys.readouterr().out


def test_an_old_database_opened_read_only_is_refused_untouched(old_db):
    state = file_state(old_db)
    reader = Database(old_db, read_only=True)
    with pytest.raises(DatabaseError, match=r"python -m monitoring migrate --db") as refused:
        reader.connection()
    assert str(refused.value).startswith(f"{old_db} is at schema version 1 ")
    assert str(refused.value).count(str(old_db)) == 2  # what it is, and the command to run
    assert file_state(old_db) == state


def test_the_read_only_refusal_speaks_the_readers_language(old_db):
    with i18n.language("ru"), pytest.raises(DatabaseError) as refused:
        Database(old_db, read_only=True).connection()
    assert str(refused.value).startswith(f"{old_db} имеет версию схемы 1 ")
    assert "; этой программе нужна версия" in str(refused.value)
    assert f"`python -m monitoring migrate --db {old_db}`" in str(refused.value)


def test_a_database_newer_than_this_code_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.duckdb"
    Database(path).connection()
    Database(path).close()
    con = duckdb.connect(str(path))
    con.execute(
        "insert into schema_migrations (version, name) values (?, 'x_future')", [LATEST + 1]
    )
    con.close()
    state = file_state(path)
    for read_only in (False, True):
        with pytest.raises(DatabaseError, match="newer release"):
            Database(path, read_only=read_only).connection()
    assert file_state(path) == state


def test_a_database_that_is_not_ours_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "accounts.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table customers (id integer, name varchar); insert into customers values (1, 'A')"
    )
    con.close()
    state = file_state(path)
    with pytest.raises(DatabaseError, match="is not a monitoring database.*left untouched"):
        Database(path).connection()
    assert main(["migrate", "--db", str(path)]) == 3
    assert "customers" in capsys.readouterr().err
    assert file_state(path) == state


def broken_migrations(tmp_path) -> Path:
    """The real migrations, then one that changes things and fails half-way."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / f"{LATEST + 1:04d}_broken.sql").write_text(
        "alter table regions add column note varchar;\n"
        "create table extra (a integer);\n"
        "update regions set name_en = 'changed';\n"
        "select * from no_such_table;\n",
        encoding="utf-8",
    )
    return folder


def test_a_failed_migration_rolls_the_whole_upgrade_back(old_db, tmp_path):
    before = contents(old_db)
    with pytest.raises(DatabaseError, match=rf"{LATEST + 1:04d}_broken failed.*as it was"):
        Database(old_db, migrations=broken_migrations(tmp_path)).connection()
    assert contents(old_db) == before  # 0002 undone too: one transaction
    con = duckdb.connect(str(old_db), read_only=True)
    assert "note" not in [r[0] for r in con.execute("describe regions").fetchall()]
    con.close()
    db = Database(old_db)  # the real migrations still apply
    db.connection()
    assert db.upgrade.found == 1 and db.upgrade.applied
    db.close()


def test_a_new_file_gets_every_migration_in_one_transaction_or_none(tmp_path):
    path = tmp_path / "new.duckdb"
    with pytest.raises(DatabaseError, match="broken failed"):
        Database(path, migrations=broken_migrations(tmp_path)).connection()
    assert contents(path) == {}  # nothing of the first migrations either
    db = Database(path)
    db.connection()
    assert (db.upgrade.found, db.upgrade.backup) == (0, None)
    assert [m.name for m in db.upgrade.applied] == [m.name for m in load_migrations()]
    db.close()
    assert sorted(p.name for p in tmp_path.glob("new*")) == ["new.duckdb"]  # no backup


def test_migrations_are_numbered_without_gaps(tmp_path):
    folder = tmp_path / "gap"
    folder.mkdir()
    shutil.copy(MIGRATIONS / "0001_initial.sql", folder)
    (folder / "0003_skipped_two.sql").write_text("select 1;", encoding="utf-8")
    with pytest.raises(DatabaseError, match="without gaps"):
        load_migrations(folder)


def catalog(con) -> dict[str, list]:
    """The schema of a database, as comparable lists."""
    q = {
        "columns": "select table_name, column_name, data_type, column_default, is_nullable "
        "from duckdb_columns() where not internal order by all",
        "constraints": "select table_name, constraint_type, constraint_text "
        "from duckdb_constraints() order by all",
        "views": "select view_name, sql from duckdb_views() where not internal order by all",
        "macros": "select function_name, cast(parameters as varchar), macro_definition "
        "from duckdb_functions() where function_type in ('macro', 'table_macro') "
        "and not internal order by all",
        "sequences": "select sequence_name, start_value from duckdb_sequences() order by all",
    }
    out = {k: con.execute(sql).fetchall() for k, sql in q.items()}
    out["columns"] = [r for r in out["columns"] if r[0] not in STORED_TABLES]
    return out


def test_schema_sql_reads_as_the_schema_the_migrations_make(file_db):
    db = file_db
    """queries/schema.sql is for reading; it must say what the migrations make."""
    snapshot = duckdb.connect()
    snapshot.execute((QUERIES / "schema.sql").read_text(encoding="utf-8"))
    assert catalog(db.connection()) == catalog(snapshot)


def test_the_benchmark_upgrades_its_kept_database_and_deletes_the_copy(old_db):
    """`make bench` reuses a benchmark database of the same fingerprint; an upgrade keeps a
    copy of the file as it was (220 MB at 1,000,000 values), which the benchmark deletes."""
    from tests.bench.generate import upgrade_in_place

    said: list[str] = []
    upgrade_in_place(old_db, log=said.append)
    assert not list(old_db.parent.glob("*.before-v*"))
    assert said and "before-v" in said[0]
    db = Database(old_db, read_only=True)  # upgraded: a read-only open is not refused
    try:
        assert db.scalar("overview_data_freshness") is not None
    finally:
        db.close()
