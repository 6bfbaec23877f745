"""Secondary suppression of a large donor view in worker processes, one indicator at a time.

Indicators share no unknowns (monitoring/access/audit.py), so each is suppressed on its own
and the result is the same, cell for cell, whichever process does it. At 14 regions and
1,000,000 values the audit takes minutes in one process (docs/benchmarks.md, "A donor's
first view"); `suppress` spreads its indicators over worker processes, one taking the
largest first, the other the smallest.

A worker is a process of its own, `python -m monitoring.access.audit_workers`, never a copy
of the caller: `multiprocessing`'s spawned children re-run the `__main__` of the process
that starts them, which under `streamlit run` is the dashboard's page script, and a fork of
a server's threads can copy a lock another thread holds. Each worker lowers its priority
(NICENESS: the server's pages come before the audit) and reads jobs from its standard input
and writes results to its standard output, each a pickle after its length (8 bytes, big
endian): a job is (indicator code, its cells alone), a result (code, "ok", (cells hidden,
last audit)) or (code, "error", the traceback). The pipe joins a process to its own child
only; nothing else reads or writes it.

An indicator whose worker failed or could not start is left out of `suppress`'s answer,
with a warning in the log; the caller then suppresses it in its own process.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("monitoring.access")

NICENESS = 10  # added to a worker's niceness
SMALL_FIRST = 0.25  # the share of the cells the second worker audits smallest first
_HEADER = struct.Struct(">Q")
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `monitoring` package
_STOP_SECONDS = 10  # a worker's time to exit once its input is closed
_PARENT_POLL_SECONDS = 1.0  # how often a worker looks whether its parent is still there


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any | None:
    """The next message, or None at the end of the stream; EOFError if it stops inside one."""
    header = stream.read(_HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise EOFError("the stream ended inside a message's length")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError(f"the stream ended {size - len(data)} bytes before a message's end")
    return pickle.loads(data)  # noqa: S301 -- from this process's own child or parent


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def suppress(
    jobs: Mapping[str, Any],
    workers: int,
    answered: Callable[[str, tuple[frozenset, Any]], None] | None = None,
) -> dict[str, tuple[frozenset, Any]]:
    """`audit._suppress_indicator(cells, code)` of each job (code: the indicator's cells) in
    `workers` worker processes; the answers by code, without the indicators whose worker
    failed (the caller suppresses those itself). `answered` is called with each code and its
    answer as it comes (from the workers' threads).

    The first worker (and every other even one) takes the largest indicator left, the
    others the smallest: the largest, which set how long the whole takes, start at once,
    and meanwhile the many small ones are done within seconds, which a donor's page shows
    as they come (ui/access.py; docs/access.md, "While the audit runs")."""
    queue = deque(sorted(jobs, key=lambda code: (-len(jobs[code].values), code)))
    lock = threading.Lock()
    done: dict[str, tuple[frozenset, Any]] = {}
    # The smallest first, up to a share of all the cells; then the largest, so that no
    # large indicator is left to start late.
    small_first = [SMALL_FIRST * sum(len(job.values) for job in jobs.values())]

    def take(largest: bool) -> str | None:
        with lock:
            if not queue:
                return None
            size = len(jobs[queue[-1]].values)
            if largest or size > small_first[0]:
                return queue.popleft()
            small_first[0] -= size
            return queue.pop()

    def serve(largest: bool) -> None:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=_environment(),
            )
        except OSError as exc:
            log.warning("An audit worker could not start (%s); the audit runs here.", exc)
            return
        try:
            while True:
                code = take(largest)
                if code is None:
                    return
                try:
                    _send(process.stdin, (code, jobs[code]))
                    reply = _receive(process.stdout)
                except (OSError, EOFError, pickle.UnpicklingError) as exc:
                    reply = exc
                if not isinstance(reply, tuple):
                    log.warning(
                        "An audit worker stopped on %s (%s); it is audited here.",
                        code,
                        reply or f"exit code {process.poll()}",
                    )
                    return
                _, status, answer = reply
                if status == "ok":
                    with lock:
                        done[code] = answer
                    if answered is not None:
                        answered(code, answer)
                else:
                    log.warning("An audit worker failed on %s; audited here.\n%s", code, answer)
        finally:
            _stop(process)

    threads = [
        threading.Thread(target=serve, args=(n % 2 == 0,), name=f"audit-worker-{n}", daemon=True)
        for n in range(max(1, workers))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def _stop(process: subprocess.Popen) -> None:
    """Close a worker's input (it then exits) and wait for it; kill it if it does not."""
    for stream in (process.stdin, process.stdout):
        try:
            stream.close()
        except OSError:
            pass
    try:
        process.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def exit_with_parent(poll: float = _PARENT_POLL_SECONDS) -> threading.Thread:
    """Exit this process once the process that started it is gone. A worker notices a
    closed input only between indicators, and one indicator can take a minute or more: a
    server killed (not stopped, which closes its workers' input and waits) left its workers
    auditing for minutes, at the cost of the next server's pages and audit (seen after a
    benchmark's servers were stopped). The watching thread is a daemon: it never holds the
    worker up."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(0)  # nobody reads the answer: nothing to finish

    thread = threading.Thread(target=watch, name="audit-worker-parent", daemon=True)
    thread.start()
    return thread


def main() -> int:
    """A worker: jobs from standard input until it closes, results to standard output."""
    exit_with_parent()
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):
        pass
    # The results go out on the original standard output alone: whatever else writes there
    # (a library, a solver's C code) goes to the standard error instead.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    source = sys.stdin.buffer

    from monitoring.access.audit import _suppress_indicator

    while (job := _receive(source)) is not None:
        code, cells = job
        try:
            reply = (code, "ok", _suppress_indicator(cells, code))
        except Exception:  # reported to the caller, which audits the indicator itself
            reply = (code, "error", traceback.format_exc())
        _send(channel, reply)
    channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
