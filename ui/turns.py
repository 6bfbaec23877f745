"""Page scripts take turns: at most MONITORING_PAGES_AT_ONCE of them (default 2) run at once in
one server process; the others wait for a turn, first come first served.

Streamlit runs each session's script in a thread of its own, and Python runs one thread's
Python at a time. Ten sessions asking for pages at once ran ten scripts side by side, which
took turns at Python's lock every few milliseconds: each render then cost 67-72 ms of the
server's CPU instead of 49-51 ms with one session (a third more in switching threads and in
the kernel), and the server served fewer renders per second with ten sessions than with one
(`python -m tests.bench.soak --only capacity`; docs/benchmarks.md, Capacity, 5 December
2026). Two at a time keep both cores busy (one script's Python, the other's queries, which
run outside the lock) without that cost.

Long work steps aside (`step_aside()`) when it is done now rather than read from a cache: a
donor link's disclosure audit (up to minutes after new data, or waiting for the background
preparation of it), a data quality check or a report file computed now (`ui.common.cached(...,
long_work=True)`), reading or writing an uploaded file. Its script gives its turn up for the
rest of its run, so that it never holds the other sessions' pages back; the runs after it,
served from the caches, keep their turns. It does not wait for a turn again: long work can
run inside a cached call (a donor's view is made inside the first page figure that needs
it), whose lock other sessions' scripts, holding their turns, may be waiting on; waiting for
one of their turns there would wait forever.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

ENV = "MONITORING_PAGES_AT_ONCE"
DEFAULT = 2


def pages_at_once(environ: dict[str, str] | None = None) -> int:
    """How many scripts may run at once (the environment's ENV, at least 1)."""
    given = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not given:
        return DEFAULT
    try:
        count = int(given)
    except ValueError:
        raise ValueError(
            f"{ENV} must be a whole number of page scripts (at least 1), not {given!r}."
        ) from None
    if count < 1:
        raise ValueError(f"{ENV} must be at least 1, not {count}.")
    return count


class Turns:
    """A number of turns, each held by one thread at a time."""

    def __init__(self, count: int):
        self._free = threading.BoundedSemaphore(count)
        self._held = threading.local()

    def holds(self) -> bool:
        """Whether the calling thread has a turn."""
        return getattr(self._held, "turn", False)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for a turn, hold it while the block runs (and when it raises: a rerun or a
        stop of the script raises), then give it to the next in line."""
        if self.holds():  # a script run inside a script run (AppTest's, or nested)
            yield
            return
        self._free.acquire()
        self._held.turn = True
        try:
            yield
        finally:
            self._give_back()

    def step_aside(self) -> None:
        """Give the calling thread's turn to the next in line, for the rest of its run (see the
        module's text). Outside a turn (a fragment's rerun, a test): nothing to give up."""
        self._give_back()

    def _give_back(self) -> None:
        if self.holds():
            self._held.turn = False
            self._free.release()


_TURNS = Turns(pages_at_once())


def turn() -> contextlib.AbstractContextManager[None]:
    """The whole of a page script's run (dashboard.py)."""
    return _TURNS.turn()


def step_aside() -> None:
    """Before long work in a page script (see the module's text)."""
    _TURNS.step_aside()
