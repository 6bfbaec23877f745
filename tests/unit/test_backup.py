"""`python -m monitoring backup` and `restore`: a consistent copy, checked, restored whole.

Real databases in tmp_path; the dashboard is a real process holding the file
(tests/unit/serving_support.py `Reader`); no timing assertions.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from monitoring.cli.main import main
from monitoring.db import Database, close_all
from monitoring.db.backup import DATA_FILE, MANIFEST
from tests.unit.serving_support import ROOT, Reader, bumped_values_file, environment, state
from tests.unit.upload_support import csv_bytes, reopen_everything

BUDGET = "budget_line,category,period,amount,currency"
PASSWORD = "a long enough password for the tests"


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    return environment(settings.path)


@pytest.fixture
def source(sample_db_path, tmp_path, capsys, monkeypatch, env):
    """A copy of the sample database with an import, an account and a share link more."""
    path = tmp_path / "source.duckdb"
    shutil.copy(sample_db_path, path)
    file = tmp_path / "budget.csv"
    file.write_bytes(csv_bytes(BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,x,2022Q1,5,USD"))
    db = ["--db", str(path)]
    assert main(["import", str(file), *db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "maria.k", "--role", "staff", *db]) == 0
    assert main(["share", "create", "--label", "Donor", "--expires", "30d", *db]) == 0
    close_all()
    database = Database(path)
    reopen_everything(database)  # the sample's approved quarters: imports below change them
    database.close()
    capsys.readouterr()
    return path


def contents(path) -> dict:
    """Every table's rows (sorted), the views, macros and sequences of a database file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("set timezone = 'UTC'")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where not internal order by 1"
            ).fetchall()
        ]
        out = {t: sorted(map(repr, con.execute(f'select * from "{t}"').fetchall())) for t in tables}  # noqa: S608
        out["(views)"] = con.execute(
            "select view_name, sql from duckdb_views() where not internal order by 1"
        ).fetchall()
        out["(macros)"] = con.execute(
            "select distinct function_name from duckdb_functions() "
            "where database_name = current_database() and not internal order by 1"
        ).fetchall()
        out["(sequences)"] = con.execute(
            "select sequence_name, last_value from duckdb_sequences() order by 1"
        ).fetchall()
        return out
    finally:
        con.close()


def test_a_backup_restores_every_table_row_for_row(source, tmp_path, capsys):
    out = tmp_path / "backup"
    assert main(["backup", "--out", str(out), "--db", str(source)]) == 0
    printed = capsys.readouterr().out
    assert f"Backed up {source} (schema version" in printed
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, DATA_FILE]
    manifest = json.loads((out / MANIFEST).read_text())
    original = contents(source)
    assert {t: m["rows"] for t, m in manifest["tables"].items()} == {
        t: len(rows) for t, rows in original.items() if not t.startswith("(")
    }
    assert manifest["tables"]["users"]["rows"] > 0 and manifest["schema_version"] > 0

    restored = tmp_path / "restored" / "monitoring.duckdb"
    assert main(["restore", str(out), "--db", str(restored)]) == 0
    assert "every table checked against the manifest" in capsys.readouterr().out
    assert contents(restored) == original

    # The restored database is a working one: the next batch follows the last one.
    last = duckdb.connect(str(restored), read_only=True)
    newest = last.execute("select max(batch_id) from upload_batches").fetchone()[0]
    last.close()
    file = tmp_path / "more.csv"
    file.write_bytes(csv_bytes(BUDGET, "9.9,x,2022Q1,6,USD"))
    assert main(["import", str(file), "--db", str(restored)]) == 0
    assert f"as batch {newest + 1}:" in capsys.readouterr().out


def tamper(folder, sql: str) -> None:
    con = duckdb.connect(str(folder / DATA_FILE))
    try:
        con.execute(sql)
        con.execute("checkpoint")
    finally:
        con.close()


def rewrite_manifest(folder, change) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_a_tampered_backup_is_refused_and_nothing_is_written(source, tmp_path, capsys):
    from monitoring.db.backup import _sha256_file

    out = tmp_path / "backup"
    assert main(["backup", "--out", str(out), "--db", str(source)]) == 0
    target = tmp_path / "target.duckdb"

    def refused(reason: str) -> None:
        capsys.readouterr()
        assert main(["restore", str(out), "--db", str(target)]) == 1
        assert reason in capsys.readouterr().err
        assert list(tmp_path.glob("*target*")) == [], "nothing written, no file left"

    tamper(out, "update regions set name_en = 'Elsewhere' where region_code = 'UZ-JI'")
    refused("is not the file that was backed up")

    # Even with the manifest's file digest made to match, the rows give it away.
    def fix_file(m):
        m["file_sha256"] = _sha256_file(out / DATA_FILE)
        m["file_bytes"] = (out / DATA_FILE).stat().st_size

    rewrite_manifest(out, fix_file)
    refused("table regions holds other rows than were backed up")

    tamper(out, "delete from regions where region_code = 'UZ-JI'")
    rewrite_manifest(out, fix_file)
    refused("table regions has 13 row(s), not 14")

    (out / MANIFEST).unlink()
    refused("holds no manifest.json")


def test_restore_replaces_a_database_only_with_force_and_whole(source, tmp_path, capsys):
    out = tmp_path / "backup"
    assert main(["backup", "--out", str(out), "--db", str(source)]) == 0
    backed_up = contents(source)
    file = tmp_path / "later.csv"
    file.write_bytes(csv_bytes(BUDGET, "9.9,x,2022Q1,7,USD"))
    assert main(["import", str(file), "--db", str(source)]) == 0
    close_all()
    later = contents(source)
    capsys.readouterr()

    assert main(["restore", str(out), "--db", str(source)]) == 2
    assert "add --force" in capsys.readouterr().err
    assert contents(source) == later, "untouched"

    assert main(["restore", str(out), "--db", str(source), "--force"]) == 0
    assert contents(source) == backed_up
    leftovers = [p.name for p in tmp_path.iterdir() if "restore" in p.name or p.suffix == ".wal"]
    assert leftovers == []

    assert main(["backup", "--out", str(out), "--db", str(source)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_backup_while_it_serves_then_a_restore_once_it_stopped(source, tmp_path, env, capsys):
    """The dashboard makes the backup while it serves; it refuses a restore over its file."""
    reader = Reader(source, env)
    try:
        out = tmp_path / "backup"
        assert main(["backup", "--out", str(out), "--db", str(source)]) == 0
        assert f"Backed up {source}" in capsys.readouterr().out
        assert main(["restore", str(out), "--db", str(source), "--force"]) == 3
        assert "stop it, restore, then start it again" in capsys.readouterr().err
    finally:
        reader.stop()
    assert contents(source) == contents(out / DATA_FILE)
    assert main(["restore", str(out), "--db", str(source), "--force"]) == 0


def test_a_backup_during_an_import_holds_the_data_before_or_after_it(source, tmp_path, env):
    """The backup is one snapshot: an import running at the same time is in it whole, or
    not at all."""
    file = bumped_values_file(tmp_path)
    before = state(source)
    reader = Reader(source, env)
    try:
        command = subprocess.Popen(
            [sys.executable, "-m", "monitoring", "import", str(file), "--db", str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        backups = []
        while (command.poll() is None and len(backups) < 8) or len(backups) < 2:
            out = tmp_path / f"backup-{len(backups)}"
            assert main(["backup", "--out", str(out), "--db", str(source)]) == 0
            backups.append(out)
        assert command.wait() == 0, command.stderr.read()
        command.stdout.close()
        command.stderr.close()
    finally:
        reader.stop()
    after = state(source)
    assert after != before
    for n, out in enumerate(backups):
        restored = tmp_path / f"restored-{n}.duckdb"
        assert main(["restore", str(out), "--db", str(restored)]) == 0
        assert state(restored) in (before, after)
