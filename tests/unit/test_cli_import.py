"""`python -m monitoring import | history | undo`: same summary and errors, exit codes."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.cli.main import main
from monitoring.db import Database
from tests.unit.upload_support import checksums, csv_bytes

ROOT = Path(__file__).resolve().parents[2]
BUDGET = "budget_line,category,period,amount,currency"


@pytest.fixture
def db_path(sample_db_path, tmp_path, settings, monkeypatch):
    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    return path


def write(tmp_path, name, *lines) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(*lines))
    return str(path)


def sums(path):
    database = Database(path)
    try:
        return checksums(database)
    finally:
        database.close()


def test_import_prints_the_summary_and_exits_0(db_path, tmp_path, capsys):
    file = write(tmp_path, "budget.csv", BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,x,2022Q1,5,USD")
    assert main(["import", file, "--db", str(db_path), "--by", "Aziza"]) == 0
    out = capsys.readouterr().out
    assert "budget.csv: table budget (CSV, UTF-8, comma-separated, 2 data row(s))" in out
    assert "2 row(s): 1 new, 1 changed, 0 unchanged, 0 with errors" in out
    assert "Imported into budget as batch" in out

    assert main(["history", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "budget.csv" in out and "Aziza" in out and "cli" in out


def test_dry_run_writes_nothing_and_exits_0_when_valid(db_path, tmp_path, capsys):
    file = write(tmp_path, "budget.csv", BUDGET, "9.9,x,2022Q1,5,USD")
    before = sums(db_path)
    assert main(["import", file, "--db", str(db_path), "--dry-run"]) == 0
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert sums(db_path) == before


def test_a_file_with_errors_exits_1_and_lists_them_with_lines(db_path, tmp_path, capsys):
    file = write(tmp_path, "budget.csv", BUDGET, "9.9,x,2022Q1,5,USD", "9.9,x,2030Q1,-5,EUR")
    before = sums(db_path)
    assert main(["import", file, "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "line 3, column period '2030Q1': '2030Q1' is outside the programme" in out
    assert "line 3, column amount '-5': -5 is negative" in out
    assert "line 3, column currency 'EUR'" in out
    assert "Nothing was written" in out
    assert sums(db_path) == before
    assert main(["import", file, "--db", str(db_path), "--dry-run"]) == 1


def test_valid_only_imports_the_good_rows(db_path, tmp_path, capsys):
    file = write(tmp_path, "budget.csv", BUDGET, "9.9,x,2022Q1,5,USD", "9.9,x,2030Q1,-5,EUR")
    assert main(["import", file, "--db", str(db_path), "--valid-only"]) == 0
    out = capsys.readouterr().out
    assert "1 new row(s)" in out and "1 row(s) with errors were left out" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.csv"], "There is no file"),
        (["import", "{png}"], "the file cannot be read. This file is a PNG image"),
        (["import", "{good}", "--table", "nonsense"], "There is no table 'nonsense'"),
    ],
)
def test_unreadable_files_and_wrong_arguments_exit_2(db_path, tmp_path, capsys, args, message):
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    good = write(tmp_path, "b.csv", BUDGET, "9.9,x,2022Q1,5,USD")
    args = [a.format(png=png, good=good) for a in args] + ["--db", str(db_path)]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as caught:
        main(["import"])
    assert caught.value.code == 2


def test_a_missing_database_is_named_not_created(tmp_path, capsys):
    file = write(tmp_path, "b.csv", BUDGET, "9.9,x,2022Q1,5,USD")
    missing = tmp_path / "nope.duckdb"
    assert main(["import", file, "--db", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


def test_undo_and_a_refused_undo(db_path, tmp_path, capsys):
    first = write(tmp_path, "1.csv", BUDGET, "9.9,x,2022Q1,5,USD")
    second = write(tmp_path, "2.csv", BUDGET, "9.9,x,2022Q1,6,USD")
    assert main(["import", first, "--db", str(db_path)]) == 0
    assert main(["import", second, "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    batches = [
        int(line.split("as batch ")[1].split(":")[0])
        for line in out.splitlines()
        if "as batch" in line
    ]
    assert main(["undo", str(batches[0]), "--db", str(db_path)]) == 1
    assert "Not undone: Batch" in capsys.readouterr().out
    assert main(["undo", str(batches[1]), "--db", str(db_path)]) == 0
    assert "restored" in capsys.readouterr().out


def test_import_while_another_process_holds_the_database_fails_clearly(db_path, tmp_path):
    """A process that holds the file and takes no jobs (another command; the running
    dashboard takes them: tests/unit/test_writing_while_serving.py): a plain message,
    exit 3, and nothing changes."""
    file = write(tmp_path, "b.csv", BUDGET, "9.9,x,2022Q1,5,USD")
    holder = Database(db_path)
    holder.connection()
    try:
        before = checksums(holder)
        run = subprocess.run(
            [sys.executable, "-m", "monitoring", "import", file, "--db", str(db_path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert run.returncode == 3, run.stderr
        assert "in use by another program that takes no jobs" in run.stderr
        assert checksums(holder) == before
    finally:
        holder.close()


def test_init_with_the_sample_twice_changes_nothing(tmp_path, capsys, settings):
    path = tmp_path / "fresh.duckdb"
    assert main(["init", "--db", str(path), "--sample"]) == 0
    assert "Loaded illustrative sample data: regions 14" in capsys.readouterr().out
    before = sums(path)
    assert main(["init", "--db", str(path), "--sample"]) == 0
    assert "already loaded; nothing changed" in capsys.readouterr().out
    assert sums(path) == before
