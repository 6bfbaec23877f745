"""A dashboard-like process for the tests of writing while it serves, and the CLI as a process.

`Reader` holds a database the way the dashboard does (`monitoring.cli.remote.serve`: open,
take the command line's jobs) and reads it in a loop on its own threads, printing what it
sees whenever that changes; `cli` runs `python -m monitoring ...` in a process of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SESSIONS = 2  # the reader's sessions (READER's threads), each printing what it sees, "@k"
READER = """
import logging, sys, threading, time
from monitoring.cli import remote

lock = threading.Lock()


class Jobs(logging.Handler):  # the jobs the dashboard runs: "job Running ...", "job Ran ..."
    def emit(self, record):
        with lock:
            sys.stdout.write("job " + record.getMessage() + "\\n")
            sys.stdout.flush()


logging.getLogger("monitoring.cli").addHandler(Jobs(logging.INFO))
logging.getLogger("monitoring.cli").setLevel(logging.INFO)
db = remote.serve(sys.argv[1])

def read(session):
    seen = None  # each session's own: another's query may have started before a commit
    while True:
        with db.cursor() as cur:  # one statement: one snapshot
            now = cur.execute(
                "select (select coalesce(max(batch_id), 0) from upload_batches), "
                "(select count(undone_at) from upload_batches), "
                "(select count(*) from budget), (select count(*) from indicator_values)"
            ).fetchone()
        with lock:
            if now != seen:
                seen = now
                sys.stdout.write("seen " + " ".join(map(str, now)) + f" @{session}\\n")
                sys.stdout.flush()
        time.sleep(0.02)

for session in range(int(sys.argv[2])):  # sessions reading at once, as browser tabs would
    threading.Thread(target=read, args=(session,), daemon=True).start()
with lock:
    print("serving", flush=True)
while True:
    time.sleep(1)
"""


def environment(settings_path: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "TZ": "UTC"}
    env.pop("MONITORING_DB", None)
    if settings_path is not None:
        env["MONITORING_SETTINGS"] = str(settings_path)
    return env


def cli(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m monitoring ARGS` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "monitoring", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def _of(line: str, session: int) -> bool:
    """Whether the reader's `line` was printed by `session` (it ends " @k")."""
    return line.endswith(f" @{session}")


class Reader:
    """A process holding `path` as the dashboard does, reading it in a loop."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.path = path
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(path), str(SESSIONS)],
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=ROOT,
            env=env,
        )
        threading.Thread(target=self._collect, daemon=True).start()
        try:
            self.wait_for(lambda line: line == "serving")
        except BaseException:
            self.stop()
            raise

    def _collect(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.strip())
                self._changed.notify_all()

    def wait_for(self, wanted, timeout: float = 60) -> str:
        """The first line printed that `wanted(line)` accepts (a guard against a hang, not
        a timing check: the line is normally there at once)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if wanted(line):
                        return line
                if self.process.poll() is not None:
                    raise AssertionError(f"the reader stopped: {self.log()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the reader never printed it; it printed {self.lines}")
                self._changed.wait(min(left, 0.2))

    def wait_for_each_session(self, prefix: str = "seen") -> None:
        """Until every session of the reader has printed a line starting with `prefix`."""
        for session in range(SESSIONS):
            self.wait_for(lambda line, k=session: line.startswith(prefix) and _of(line, k))

    def seen(self, session: int | None = None) -> list[tuple[int, ...]]:
        """Every state the reader's sessions (or one `session`) saw, in order: (newest batch,
        undone batches, budget rows, indicator values)."""
        with self._changed:
            return [
                tuple(int(x) for x in s.split()[1:-1])
                for s in self.lines
                if s.startswith("seen") and (session is None or _of(s, session))
            ]

    def log(self) -> str:
        """What the reader wrote to its standard error."""
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self._log.close()


def state(path: Path):
    """Every row of the contract's tables, and how many batches and changes are recorded
    (not when: the same import made twice differs only in its times)."""
    from monitoring.contract import TABLES
    from monitoring.db import Database, close_all
    from monitoring.intake.batches import table_checksums

    close_all()
    database = Database(path)
    try:
        with database.cursor() as cur:
            counts = cur.execute(
                "select (select count(*) from upload_batches), "
                "(select count(*) from upload_changes)"
            ).fetchone()
        return table_checksums(database, tuple(TABLES)), counts
    finally:
        database.close()


def bumped_values_file(folder: Path) -> Path:
    """The sample's indicator values, each value one more: a file that changes every row."""
    rows = (ROOT / "data" / "sample" / "indicator_values.csv").read_bytes().splitlines()
    at = rows[0].decode().split(",").index("value")

    def bumped(line: bytes) -> bytes:
        cells = line.decode().split(",")
        if cells[at]:
            cells[at] = str(float(cells[at]) + 1)
        return ",".join(cells).encode()

    path = folder / "values.csv"
    path.write_bytes(b"\n".join([rows[0], *map(bumped, rows[1:])]) + b"\n")
    return path
