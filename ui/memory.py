"""The server's lasting objects kept out of the cycle collector's way (`gc.freeze`).

Python's cycle collector goes, in each full collection, over every object it tracks: in the
dashboard's server after its first page run about 185,000 (Streamlit's, pandas', Babel's
locale data, the dashboard's modules), 80-110 ms each time at 1,000,000 values on this
project's benchmark machine, about once every 30 page runs. The collection holds the
interpreter's lock, so every session's script waits for it: a render that would take 60 ms
takes 170.

Nearly all of those objects live as long as the server. Once a page's first run is done
(what it imported and loaded is then in memory), `settle` moves them to the collector's
permanent generation: later full collections go over what was made since, and find what of
it is garbage as before. What was garbage in a cycle at that moment is collected first (one
collection after each page's first run, eight in a server's life). An object frozen and
later dropped is still freed when nothing refers to it; one left in a reference cycle stays
until the server stops: a bounded amount, of what existed after those first runs.

`server.py` turns this on (`enable`) for the server it starts; AppTest runs and the command
line do not freeze anything. docs/benchmarks.md has the measurements.
"""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger("monitoring.server")

_lock = threading.Lock()
_enabled = False
_settled: set[str] = set()  # the pages whose first run was followed by a freeze


def enable() -> None:
    """Freeze the server's lasting objects after each page's first run (server.py)."""
    global _enabled
    _enabled = True


def settle(page: str) -> None:
    """After a run of `page` (its address) that ended: the first time in an enabled server,
    collect what is garbage now and freeze the rest (the permanent generation)."""
    if not _enabled or page in _settled:
        return
    with _lock:
        if page in _settled:
            return
        _settled.add(page)
        gc.collect()
        gc.freeze()
    log.info(
        "%d objects frozen after the first run of /%s (ui/memory.py)", gc.get_freeze_count(), page
    )
