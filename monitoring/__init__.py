"""Core of the programme monitoring dashboard. Never imports streamlit or ui.

Three flows, each a sub-package (docs/architecture.md):
- `intake`: files coming in (read, check, preview, commit as batches, undo);
- `reports`: pages and exports going out (what each page computes);
- `access`: who sees what, across both (accounts, links, protection of people).
Beneath them `db` (the database and its named queries), and the shared basics `contract`
(the data contract as data), `settings` and `periods`; above them `cli`.
"""

import os


def _arrow_memory_pool() -> None:
    """Arrow's allocations (reading an uploaded file, its columns, query results as Arrow)
    from jemalloc rather than pyarrow's default, mimalloc, unless ARROW_DEFAULT_MEMORY_POOL
    says otherwise. On this 2-core machine an upload's preview read with mimalloc took
    0.40-0.75 s for 100,000 rows and 2.1-4.1 s for 1,000,000, with jemalloc 0.39-0.41 s and
    1.28-1.36 s, peak memory within a few percent (docs/benchmarks.md, 5 December 2026, 21:30).
    Left as it is where pyarrow has no jemalloc (Windows)."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (ImportError, NotImplementedError):  # pragma: no cover - no such pyarrow here
        pass


_arrow_memory_pool()
