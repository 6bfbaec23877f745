"""Commands run by the dashboard while it serves: the command's side and the dashboard's side.

DuckDB lets one process at a time open a database file for writing; while the dashboard
serves, it is that process. So the dashboard takes jobs from the command line through the
job channel (monitoring/db/channel.py, a Unix socket beside the database), and a command
that needs the database (`import`, `undo`, `history`, `user ...`, `share ...`, `refresh`,
`migrate`, `backup`, `init`, `audit-disclosure`) first looks whether a process takes jobs
for its file:

- if one does, the command sends it the arguments as typed, with what only the command's
  side has: the bytes of the file to import (under its own name), a password typed at the
  terminal or piped in, who runs the command, the backup folder as an absolute path. The
  dashboard parses the same arguments and runs the same command function (`run` in
  monitoring/cli/main.py) on its own connection, one job at a time, and sends back what
  the command printed and its exit code; the command prints them and exits with it. So
  the checks, the summary, the history and the exit codes are the same as without it;
- if none does, the command opens the file itself, as it always did.

A job runs to its end in the dashboard even when the command is interrupted (the import is
one transaction either way: the upload history says whether it was written). The dashboard
refuses a job from a command of another release (other migrations) with exit code 3:
restart it first. docs/architecture.md ("Writing while it serves") says why this design.
"""

from __future__ import annotations

import base64
import io
import logging
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path

from monitoring import i18n
from monitoring.db import Database, DatabaseInUse, database_path, open_database
from monitoring.db.channel import ChannelError, JobServer, send_job, serving
from monitoring.db.database import is_postgres
from monitoring.db.migrations import load_migrations
from monitoring.i18n import _

log = logging.getLogger("monitoring.cli")

PROTOCOL = 1
OPEN_WAIT_S = 30.0  # how long the dashboard waits for a command that holds the file
DATABASE_BUSY = 3

_job = threading.local()  # on the thread running a job: active, user, stdout, stderr, stdin
_servers: dict[Path, JobServer | None] = {}
_servers_lock = threading.Lock()
# Called with the database after each job the dashboard ran (ui/startup.py: the share links'
# views of the new data prepared at once, not at the next page run of anyone).
_after_jobs: list[Callable[[Database], None]] = []


def after_each_job(fn: Callable[[Database], None]) -> None:
    """Have `fn(db)` called after each job this process runs (once, however often asked);
    its failure is logged, never the job's."""
    if fn not in _after_jobs:
        _after_jobs.append(fn)


def in_job() -> bool:
    """Whether this thread runs a job sent by a command (in the dashboard's process)."""
    return bool(getattr(_job, "active", False))


def caller() -> str | None:
    """Who ran the command whose job this thread runs, as their system knows them."""
    return getattr(_job, "user", None)


def release() -> tuple[str, ...]:
    """What both sides must agree on: the migrations this code knows."""
    return tuple(m.name for m in load_migrations())


# The dashboard's side -----------------------------------------------------------------------


def serve(path: str | Path | None = None, *, wait: float = OPEN_WAIT_S) -> Database:
    """The shared database of this process, open and taking the command line's jobs.

    The dashboard calls this on every run (cheap once it serves). Opening waits up to `wait`
    seconds while a command holds the file (one run before the dashboard opened it), then
    raises DatabaseInUse. When the socket cannot be made (a read-only folder), the dashboard
    serves without taking jobs, and says so in its log."""
    db = open_database(path)
    if db.is_postgres:
        # Every process opens a PostgreSQL database itself: no file lock, no jobs to take.
        db.connection()
        return db
    if db.path in _servers and db.is_open:
        return db
    with _servers_lock:
        if db.path in _servers and db.is_open:
            return db
        _open_waiting(db, wait)
        server = JobServer(db.path, partial(_handle, db, release()))
        try:
            server.start()
        except OSError as exc:
            log.warning(
                "The dashboard takes no jobs from the command line for %s: it cannot listen "
                "on %s (%s). Commands on this database stop with exit code 3 while it runs.",
                db.path,
                server.path,
                exc,
            )
            server = None
        _servers[db.path] = server
        db.on_close(partial(_stop_serving, db.path, server))
    return db


def _open_waiting(db: Database, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            db.connection()
            return
        except DatabaseInUse:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


def _stop_serving(path: Path, server: JobServer | None) -> None:
    with _servers_lock:
        if _servers.get(path) is server:
            _servers.pop(path, None)
    if server is not None:
        server.stop()


class _PerThread:
    """sys.stdout, sys.stderr or sys.stdin for every thread: the job's own on a thread
    running a job, the process's everywhere else."""

    def __init__(self, name: str, original):
        self._name = name
        self._original = original

    def _stream(self):
        own = getattr(_job, self._name, None)
        return own if own is not None else self._original

    def write(self, text):
        return self._stream().write(text)

    def flush(self):
        stream = self._stream()
        if stream is not None:
            stream.flush()

    def isatty(self) -> bool:
        stream = self._stream()
        return bool(stream is not None and stream.isatty())

    def readline(self, size: int = -1):
        return self._stream().readline(size)

    def read(self, size: int = -1):
        return self._stream().read(size)

    def __getattr__(self, name):
        return getattr(self._stream(), name)


def _route_streams() -> None:
    """Make sys.stdout, sys.stderr and sys.stdin per thread (again, if something such as a
    test runner put its own in place since)."""
    for name in ("stdout", "stderr", "stdin"):
        current = getattr(sys, name)
        if not isinstance(current, _PerThread):
            setattr(sys, name, _PerThread(name, current))


def _handle(db: Database, ours: tuple[str, ...], request: dict, peer_uid: int) -> dict:
    """Run one job (in the dashboard's process) and return its output and exit code."""
    out, err = io.StringIO(), io.StringIO()

    def answer(code: int) -> dict:
        return {"code": int(code), "stdout": out.getvalue(), "stderr": err.getvalue()}

    theirs = tuple(request.get("release") or ())
    if request.get("protocol") != PROTOCOL or theirs != ours:
        with i18n.language(request.get("lang")):
            err.write(
                _(
                    "error: the running dashboard holding {path} is of another release of this "
                    "program than this command (it knows {ours} migration(s), last {our_last}; "
                    "this command {theirs}, last {their_last}). Restart the dashboard (it "
                    "applies the migrations it lacks, after keeping a copy), then run the "
                    "command again."
                ).format(
                    path=db.path,
                    ours=len(ours),
                    our_last=ours[-1] if ours else _("none"),
                    theirs=len(theirs),
                    their_last=theirs[-1] if theirs else _("none"),
                )
                + "\n"
            )
        return answer(DATABASE_BUSY)
    if Path(request.get("database", "")) != db.path:
        with i18n.language(request.get("lang")):
            err.write(
                _("error: this dashboard serves {path}, not {asked}.").format(
                    path=db.path, asked=request.get("database")
                )
                + "\n"
            )
        return answer(DATABASE_BUSY)
    started = time.perf_counter()
    shown = " ".join(request.get("argv") or [])[:200]
    log.info("Running `python -m monitoring %s` for user id %s.", shown, peer_uid)
    with tempfile.TemporaryDirectory(prefix="monitoring-job-") as folder:
        overrides = dict(request.get("set") or {})
        for attr, sent in (request.get("files") or {}).items():
            file = Path(folder) / (Path(sent["name"]).name or "file")
            file.write_bytes(base64.b64decode(sent["data"]))
            overrides[attr] = str(file)
        _route_streams()
        _job.active, _job.user = True, request.get("user")
        _job.stdout, _job.stderr = out, err
        _job.stdin = io.StringIO(request.get("stdin") or "")
        try:
            # In the command's language (its --lang or its LANG), not the dashboard's.
            with i18n.language(request.get("lang")):
                code = _run(request.get("argv") or [], overrides, db.path)
        finally:
            for name in ("active", "user", "stdout", "stderr", "stdin"):
                setattr(_job, name, None)
    log.info(
        "Ran `python -m monitoring %s` for user id %s (exit code %s, %.2f s).",
        shown,
        peer_uid,
        code,
        time.perf_counter() - started,
    )
    for after in list(_after_jobs):
        try:
            after(db)
        except Exception:  # the job is done and answered as it went
            log.exception("After the job `python -m monitoring %s`, %r failed.", shown, after)
    return answer(code)


def _run(argv: list[str], overrides: dict, db_path: Path) -> int:
    from monitoring.cli import main as cli

    try:
        args = cli.build_parser().parse_args(argv)
        for name, value in overrides.items():
            setattr(args, name, value)
        args.db = str(db_path)
        return cli.run(args)
    except SystemExit as exc:  # argparse, or a command that exits
        return exc.code if isinstance(exc.code, int) else 2
    except Exception:
        # What the command would have shown had it crashed on its own; the log keeps it too.
        log.exception("The job `python -m monitoring %s` failed.", " ".join(argv)[:200])
        sys.stderr.write(traceback.format_exc())
        return 1


# The command's side -------------------------------------------------------------------------


class _RunHere(Exception):
    """The command refuses its arguments before it needs the database: run it here."""


def send(argv: list[str], args, *, wait: float = 0.0) -> int | None:
    """Send the parsed command to the process holding its database, print its answer and
    return its exit code; None when no process takes jobs for that file (or the command
    needs no database): then it runs here. `wait`: seconds to look for one."""
    if in_job() or not hasattr(args, "db") or _runs_here(args):
        return None
    db_path = database_path(args.db)
    if is_postgres(db_path):
        return None  # PostgreSQL serves many processes: the command opens it itself
    deadline = time.monotonic() + wait
    while not serving(db_path):
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
    try:
        request = _request(argv, args, db_path)
    except _RunHere:
        return None
    try:
        answer = send_job(db_path, request)
    except ChannelError as exc:
        print(
            _(
                "error: the dashboard holding {path} stopped before it answered ({reason}). "
                "Whether the command took effect: {command}"
            ).format(
                path=db_path,
                reason=exc,
                command=f"python -m monitoring history --db {db_path}",
            ),
            file=sys.stderr,
        )
        return DATABASE_BUSY
    if answer is None:
        return None  # it stopped a moment ago: the file is free
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    sys.stdout.flush()
    return int(answer.get("code", 1))


def _runs_here(args) -> bool:
    from monitoring.cli import backup

    # restore replaces the file: it must never run while a process holds it.
    return args.func is backup.cmd_restore


def _request(argv: list[str], args, db_path: Path) -> dict:
    from monitoring.cli import access, backup
    from monitoring.cli import main as cli
    from monitoring.intake.upload import MAX_FILE_BYTES

    request = {
        "protocol": PROTOCOL,
        "release": list(release()),
        "database": str(db_path),
        "argv": list(argv),
        "user": access.local_user(),
        "set": {},
        "files": {},
        "stdin": None,
        "lang": i18n.current(),  # the command's language: the job answers in it
    }
    if args.func is cli.cmd_import:
        file = Path(args.file)
        if not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
            raise _RunHere  # refused before the database is opened: same message here
        data = base64.b64encode(file.read_bytes()).decode("ascii")
        request["files"]["file"] = {"name": file.name, "data": data}
    elif args.func is backup.cmd_backup:
        request["set"]["out"] = str(Path(args.out).absolute())
    elif args.func in (access.cmd_user_add, access.cmd_user_password) and not args.no_password:
        request["stdin"] = access.read_password(args.name) + "\n"
    return request
