"""What the server prepares when it starts, before anyone opens a page (server.py's lifespan).

Until 5 December 2026 the dashboard opened its database at the first page run after a start,
and only then began preparing the share links' protected views (ui/access.py
`prepare_link_views`): when that first visitor was a donor, and the data had changed while no
dashboard ran (a restore, or a command-line import before the start), the donor waited for
the whole disclosure audit (49 s at 1,000,000 values over 14 regions, docs/benchmarks.md).
Now, as soon as the server starts, a thread opens the database as every page run does
(`monitoring/cli/remote.py` `serve`: from then on the command line's jobs go through the
dashboard) and starts the same preparations that follow an upload on the dashboard: every
active link's protected view and the data quality checks of the default reporting date, each
read back instead where a process has kept them in the database (replicas, restarts). And
after each command it runs for the command line (an import or an undo sent to it as a job),
the links' views of the new data are prepared at once, as after an upload on its page.

Nothing here stops the server from serving: a database that cannot be opened is logged as a
warning, and the first page run opens it and says what is wrong, as before. A database file
that does not exist yet is not made here (the first page run, or `make db`, makes it).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from monitoring.cli import remote
from monitoring.db import database_path, is_postgres
from monitoring.quality import prepared
from monitoring.quality.approvals import page_version
from monitoring.reports import overview
from monitoring.settings import load_settings
from ui import access

log = logging.getLogger("monitoring.server")

PREPARING = "prepare at start"  # the thread's name


def prepare_in_background() -> threading.Thread | None:
    """Start opening the database and preparing donors' views and the quality checks in a
    thread (None when there is no database file yet to prepare for)."""
    where = database_path()
    if not is_postgres(where) and not Path(where).exists():
        return None
    thread = threading.Thread(target=_prepare, name=PREPARING, daemon=True)
    thread.start()
    return thread


def _prepare() -> None:
    try:
        settings = load_settings()
        db = remote.serve()
        version = page_version(db)
    except Exception as exc:  # the first page run opens it again and says what is wrong
        log.warning("Nothing was prepared at the start (%s): the first page run opens it.", exc)
        return
    access.prepare_link_views(db, version)
    prepared.prepare_in_background(db, settings, overview.default_as_of)


def log_to_stderr() -> None:
    """The dashboard's own log lines (loggers under "monitoring": what was prepared and in how
    long, the command line's jobs, what could not be kept) on the server's standard error
    beside Streamlit's, from level INFO. Python logs nothing below WARNING where no handler
    is set, so until now these lines went nowhere."""
    logger = logging.getLogger("monitoring")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # not twice where a deployment gives the root logger a handler


def _after_job(db) -> None:
    """After a command the dashboard ran for the command line (an import, an undo): the
    links' views of the data as it is now, prepared at once rather than at the next page run
    of anyone, who may be a donor (nothing when the command changed no data)."""
    access.prepare_link_views(db, page_version(db))


@contextlib.asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """server.py's `st.App(lifespan=...)`: the log, and the preparations, start with the
    server (not when server.py is imported: a test importing it keeps its own logging). The
    jobs' hook too, whether or not the database file exists yet (the first page run makes
    it, and the command line's jobs reach the dashboard from then on)."""
    log_to_stderr()
    remote.after_each_job(_after_job)
    prepare_in_background()
    yield
