"""Python's cyclic garbage collector paused while much is made that no cycle holds.

Reading a large upload makes millions of lists (one per row), and a PostgreSQL result of
33,000 rows 170,000 tuples and values; none of them is in a cycle, and all are freed by
their reference counts, yet every few hundred new containers the collector walks the young
ones, and now and then every object of the process. An upload of 1,000,000 rows spent most
of its reading time there; a PostgreSQL result of 33,000 rows 10-40 ms in half the reads.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside. It is the process's: threads inside at the same time share
    one pause, and it is on again when the last leaves, if it was on before the first came."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
