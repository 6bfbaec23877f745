"""Commands while the dashboard serves: sent to it, run there, same output and exit codes.

A dashboard-like process (tests/unit/serving_support.py `Reader`) holds the database as the
dashboard does and reads it in a loop; commands run against the same file. Real databases
in tmp_path, real processes, no timing assertions.
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
import sys

import pytest

from monitoring.cli import remote
from monitoring.cli.main import main
from monitoring.db import Database, channel, close_all
from tests.unit.serving_support import (
    ROOT,
    SESSIONS,
    Reader,
    bumped_values_file,
    cli,
    environment,
    state,
)
from tests.unit.upload_support import csv_bytes, reopen_everything

BUDGET = "budget_line,category,period,amount,currency"
PASSWORD = "a long enough password for the tests"


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    return environment(settings.path)


@pytest.fixture
def copy(sample_db_path, tmp_path):
    def make(name: str):
        path = tmp_path / name
        shutil.copy(sample_db_path, path)
        database = Database(path)
        reopen_everything(database)  # the sample's approved quarters: the tests change them
        database.close()
        return path

    return make


@pytest.fixture
def served(copy, env):
    """A copy of the sample database held by a dashboard-like process."""
    reader = Reader(copy("served.duckdb"), env)
    yield reader
    reader.stop()


def write(tmp_path, name, *lines) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(*lines))
    return str(path)


def masked(text: str, path) -> str:
    """`text` without the database's path, the times of day (the two runs may fall in
    different minutes) and how long a step took (an upgrade's seconds)."""
    text = re.sub(r"\d\d:\d\d", "HH:MM", text.replace(str(path), "DB"))
    return re.sub(r"\d+\.\d\d s\b", "N s", text)


def batch_of(output: str) -> int:
    return int(re.search(r"Imported into \w+ as batch (\d+)", output).group(1))


def test_an_import_while_it_serves_is_run_by_it_and_read_at_once(served, tmp_path, env, capsys):
    served.wait_for_each_session()
    before = served.seen()[0]
    file = write(tmp_path, "budget.csv", BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,x,2022Q1,5,USD")

    run = cli("import", file, "--db", str(served.path), "--by", "Aziza", env=env)

    assert run.returncode == 0, run.stderr
    assert "budget.csv: table budget (CSV, UTF-8, comma-separated, 2 data row(s))" in run.stdout
    assert "2 row(s): 1 new, 1 changed, 0 unchanged, 0 with errors" in run.stdout
    batch = batch_of(run.stdout)
    served.wait_for_each_session(f"seen {batch} ")
    after = (batch, before[1], before[2] + 1, before[3])
    # Each session saw the data before, then after, and nothing in between. (Across sessions
    # the lines may interleave: one session's query can start before the commit and end
    # after another's has seen it.)
    for session in range(SESSIONS):
        assert served.seen(session) == [before, after], f"session {session}"

    assert main(["history", "--db", str(served.path), "--limit", "1"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:5] == [str(batch), "budget", "budget.csv", "cli", "Aziza"]


def test_every_command_answers_as_it_does_without_the_dashboard(
    copy, served, tmp_path, capsys, monkeypatch
):
    """The same commands on two copies of one database, one held by a dashboard-like
    process and one not: the same output and the same exit codes."""
    alone = copy("alone.duckdb")
    good = write(tmp_path, "budget.csv", BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,x,2022Q1,5,USD")
    again = write(tmp_path, "more.csv", BUDGET, "9.9,x,2022Q1,6,USD")
    bad = write(tmp_path, "bad.csv", BUDGET, "9.9,x,2022Q9,-5,USD")
    image = tmp_path / "image.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    commands = [
        (["import", good, "--by", "Aziza"], None),
        (["import", good], None),
        (["import", bad], None),
        (["import", str(image)], None),
        (["import", again, "--dry-run"], None),
        (["import", again, "--by", "Aziza"], None),
        (["undo", "{first}"], None),
        (["undo", "{second}"], None),
        (["undo", "{second}"], None),
        (["user", "add", "maria.k", "--role", "staff"], PASSWORD),
        (["user", "add", "maria.k", "--role", "staff"], PASSWORD),
        (["user", "role", "maria.k", "manager"], None),
        (["user", "password", "maria.k"], PASSWORD),
        (["user", "remove", "maria.k"], None),
        (["share", "revoke", "99"], None),
        (["refresh"], None),
        (["migrate", "--dry-run"], None),
        (["migrate"], None),
    ]
    answers = {}
    for where in (served.path, alone):
        answers[where] = []
        batches = {}
        for args, stdin in commands:
            args = [a.format(**batches) for a in args]
            monkeypatch.setattr(sys, "stdin", io.StringIO((stdin or "") + "\n"))
            code = main([*args, "--db", str(where)])
            out = capsys.readouterr()
            if "Imported into" in out.out:
                batches["first" if "first" not in batches else "second"] = batch_of(out.out)
            answers[where].append((args[:2], code, masked(out.out, where), masked(out.err, where)))
    codes = [a[1] for a in answers[alone]]
    assert codes == [0, 0, 1, 2, 0, 0, 1, 0, 1, 0, 2, 0, 0, 0, 2, 0, 0, 0]
    for served_answer, own_answer in zip(answers[served.path], answers[alone], strict=True):
        assert served_answer == own_answer
    assert any(s[0] >= batches["second"] for s in served.seen()), "the reader ran them"


def test_share_links_and_sign_in_links_are_made_by_the_dashboard(served, capsys):
    db = ["--db", str(served.path)]
    made = ["share", "create", "--label", "Donor review", "--expires", "90d", "--regions", "UZ-JI"]
    assert main([*made, *db]) == 0
    assert "?share=" in capsys.readouterr().out
    assert main(["share", "list", *db]) == 0
    assert "Donor review" in capsys.readouterr().out
    assert main(["user", "link", "test-admin", *db]) == 0
    link = capsys.readouterr()
    assert "?signin=" in link.out and "was not checked" not in link.err, "the account is checked"


def test_a_command_of_another_release_is_refused(copy, env):
    path = copy("mine.duckdb")
    db = remote.serve(path)  # this process is the dashboard now
    request = {
        "protocol": remote.PROTOCOL,
        "release": ["0001_initial"],
        "database": str(db.path),
        "argv": ["history"],
    }
    answer = channel.send_job(db.path, request)
    assert answer["code"] == 3
    assert "another release of this program" in answer["stderr"]
    answer = channel.send_job(db.path, {**request, "release": list(remote.release())})
    assert answer["code"] == 0, answer["stderr"]
    assert "batch_id" in answer["stdout"]
    close_all()
    assert not channel.socket_path(db.path).exists(), "the socket goes with the connection"
    assert channel.send_job(db.path, request) is None


def test_the_dashboard_waits_for_a_command_that_holds_the_file(copy, env):
    path = copy("held.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom monitoring.db import Database\n"
            "db = Database(sys.argv[1]); db.connection(); print('held', flush=True)\n"
            "time.sleep(1); db.close()",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert holder.stdout.readline().strip() == "held"
    db = remote.serve(path, wait=60)
    assert holder.wait() == 0, "opened once the command had finished"
    assert db.is_open and channel.serving(db.path)
    holder.stdout.close()


@pytest.mark.parametrize("killed", ["the command", "the dashboard"])
def test_a_kill_during_a_served_import_leaves_the_tables_before_or_after(
    killed, copy, env, tmp_path
):
    """kill -9 of the command, or of the dashboard, while the dashboard runs its import:
    every table is as before the import or as after it, never in between."""
    file = bumped_values_file(tmp_path)
    reference = copy("reference.duckdb")
    before = state(reference)
    assert main(["import", str(file), "--db", str(reference), "--by", "T"]) == 0
    after = state(reference)
    assert after != before
    close_all()

    path = copy("killed.duckdb")
    reader = Reader(path, env)
    command = subprocess.Popen(
        [sys.executable, "-m", "monitoring", "import", str(file), "--db", str(path), "--by", "T"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        reader.wait_for(lambda line: line.startswith("job Running `python -m monitoring import"))
        if killed == "the command":
            command.send_signal(signal.SIGKILL)
            command.wait()
            # The job runs to its end in the dashboard, which serves the next command.
            reader.wait_for(lambda line: line.startswith("job Ran `python -m monitoring import"))
            assert main(["history", "--db", str(path)]) == 0
        else:
            reader.process.send_signal(signal.SIGKILL)
            out, err = command.communicate(timeout=120)
            assert command.returncode in (0, 3), err  # 0: the job had just finished
            if command.returncode == 3:
                assert "stopped before it answered" in err
    finally:
        reader.stop()
        if command.poll() is None:
            command.kill()
        command.wait()
        command.stdout.close()
        command.stderr.close()
    assert state(path) == after if killed == "the command" else state(path) in (before, after)


def test_a_process_killed_after_making_the_schema_leaves_a_file_that_opens(tmp_path, env):
    """The migrations are checkpointed into the file at once: DuckDB cannot replay some of
    them from its write-ahead log (a list default), so a kill before the next checkpoint
    would leave a file nothing opens."""
    path = tmp_path / "new.duckdb"
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\nfrom monitoring.db import Database\n"
            "Database(sys.argv[1]).connection()\nos._exit(0)  # no close, no checkpoint",
            str(path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    db = Database(path)
    assert db.data_version() == (0, 0)
    db.close()
