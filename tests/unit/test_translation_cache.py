"""Translations to PostgreSQL kept between processes (monitoring/db/dialect.py): the next
process reads them instead of translating again, a change of what a translation depends on
translates again, and a folder that others may write to is never used."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from monitoring.db.migrations import MIGRATIONS
from monitoring.settings import ROOT

TRANSLATE = """
import sys
import sqlglot
from monitoring.db import dialect
from monitoring.db.database import query_text
if "--no-parsing" in sys.argv:  # a translation can only come from the kept file
    def refused(*args, **kwargs):
        raise RuntimeError("parsed again")
    sqlglot.parse = refused
if "--migrations" in sys.argv:
    from pathlib import Path
    from monitoring.db import migrations
    migrations.MIGRATIONS = Path(sys.argv[sys.argv.index("--migrations") + 1])
print(dialect.to_postgres(query_text("grants_position")), end="")
"""


def translate(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MONITORING_SQL_CACHE": str(folder), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(TRANSLATE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_the_next_process_reads_the_kept_translation(tmp_path):
    folder = tmp_path / "kept"
    first = translate(folder)
    assert first.returncode == 0, first.stderr
    assert "SELECT" in first.stdout
    assert [p.read_text(encoding="utf-8") for p in folder.iterdir()] == [first.stdout]
    assert folder.stat().st_mode & 0o077 == 0  # made private to this user
    again = translate(folder, "--no-parsing")
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_a_changed_migration_translates_again(tmp_path):
    folder = tmp_path / "kept"
    assert translate(folder).returncode == 0
    changed = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, changed)
    last = sorted(changed.glob("*.sql"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    again = translate(folder, "--no-parsing", "--migrations", str(changed))
    assert again.returncode != 0
    assert "parsed again" in again.stderr
    assert translate(folder, "--migrations", str(changed)).returncode == 0
    assert len(list(folder.glob("*.sql"))) == 2


def test_a_folder_others_may_write_to_is_not_used(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    done = translate(folder)
    assert done.returncode == 0, done.stderr
    assert "SELECT" in done.stdout
    assert list(folder.iterdir()) == []
