"""Who is looking, for the pages: the viewer of this run and what they may see.

dashboard.py decides who is looking once per run (ui/gate.py) and stores a `Viewer` in the
session. What the viewer may see is decided once, in the core: `protected_view()` builds a
`monitoring.access.view.ProtectedView` from the viewer's `Audience` (cached on the data
version), and `ui.common.cached` hands it to every core function that takes a view, with the
audience in the cache key, so a result computed for one viewer is never served to another.
Pages never decide what data to show from the viewer's role.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from monitoring.access import accounts
from monitoring.access.cells import indicator_cells
from monitoring.access.sharing import SHARE_PARAM, ShareScope
from monitoring.access.view import Audience, ProtectedView, active_link_scopes, protection_regions
from monitoring.access.view import protected_view as build_view
from monitoring.db import Database, open_database
from monitoring.i18n import _
from monitoring.quality.approvals import page_version, uploads_part
from monitoring.settings import load_settings
from ui import language, turns

log = logging.getLogger("monitoring.dashboard")

VIEWER_KEY = "_viewer"  # the Viewer of the current run
# The account the gate found signed in this run, for reading only: who is signed in is
# decided on every run from the browser's cookie (ui/gate.py), never from this.
USER_KEY = "_signed_in_user"


@dataclass(frozen=True)
class Viewer:
    """The person looking: an account (manager, staff, admin) or a donor's share link."""

    role: str
    name: str  # the user name, or the share link's label
    scope: ShareScope | None = None  # set for a donor
    token: str | None = None  # the share token a donor came with
    identity_provider: bool = False  # signed in through the organisation's identity provider
    session_id: str | None = None  # the sign-in session of the browser's cookie

    @property
    def is_donor(self) -> bool:
        return self.scope is not None

    def can(self, action: str) -> bool:
        return accounts.can(self.role, action)

    def allows_page(self, url_path: str) -> bool:
        """Whether this viewer may open the page (a share link: one of its pages)."""
        pages = self.scope.pages if self.scope is not None else None
        return accounts.can_open_page(self.audience.role, url_path, pages)

    @property
    def audience(self) -> Audience:
        """What this viewer may see, as a small hashable key."""
        if self.scope is None:
            return Audience(self.role)
        return Audience(
            accounts.DONOR,
            self.scope.regions,
            self.scope.pages,
            self.scope.downloads,
            self.scope.unapproved,
        )

    def cache_key(self) -> tuple:
        """What this viewer may see; part of every cache key."""
        return ("view", self.audience)

    def link_params(self) -> dict[str, str]:
        """Query parameters every link between pages must carry: a donor's share token, and
        the language chosen in the address."""
        share = {SHARE_PARAM: self.token} if self.is_donor and self.token else {}
        return share | language.link_params()

    def page_url(self, url_path: str, **params: str) -> str:
        """A relative link to a page of the dashboard that keeps this viewer's scope."""
        query = {k: v for k, v in params.items() if v is not None} | self.link_params()
        return f"/{url_path}" + (f"?{urlencode(query)}" if query else "")


def viewer() -> Viewer:
    """The viewer of this run (set by dashboard.py before the page runs)."""
    current = st.session_state.get(VIEWER_KEY)
    if not isinstance(current, Viewer):
        raise RuntimeError("No viewer: pages run only through dashboard.py.")
    return current


def current_audience() -> Audience | None:
    """The audience of this run; None before anyone is known (the sign-in form)."""
    current = st.session_state.get(VIEWER_KEY)
    return current.audience if isinstance(current, Viewer) else None


def current_cache_key() -> tuple:
    audience = current_audience()
    # Before anyone is known (the sign-in form), nothing programme-specific is cached.
    return ("view", audience) if audience is not None else ("nobody",)


@st.cache_resource(show_spinner=False, max_entries=16)
def _protected_cells(db_path: str, data_version: tuple, regions: tuple[str, ...], _db: Database):
    """The protected cells of a donor view over `regions` (the disclosure audit): once per
    data version (uploads and undos: approvals and follow-ups do not change them) and region
    scope, shared by every link of that scope whatever its pages; read from the database
    when another process audited the same cells (monitoring/access/kept.py). (`_db`, the
    open database of `db_path`, is not part of the key.)"""
    # Run only when not kept here: the audit takes up to minutes after new data, so a page
    # script doing it gives its turn up (ui/turns.py); a background preparation holds none.
    turns.step_aside()
    key = (db_path, data_version, tuple(regions))

    def progress(done: int, total: int) -> None:
        with _prepared_lock:
            _audit_progress[key] = (done, total)

    try:
        return indicator_cells(_db, load_settings(), regions, progress=progress)
    finally:
        with _prepared_lock:
            _audit_progress.pop(key, None)


def audit_progress(
    db_path: str, data_version: tuple, regions: tuple[str, ...] | None = None
) -> tuple[int, int] | None:
    """(indicators audited, indicators) of the disclosure audit under way in this process
    for a database's data version and region scope (any scope: the first found); None when
    none is under way (not started, done, or kept already)."""
    with _prepared_lock:
        for (path, version, scope), told in _audit_progress.items():
            if path == str(db_path) and version == data_version and regions in (None, scope):
                return told
    return None


@st.cache_resource(show_spinner=False, max_entries=64)
def _view(db_path: str, version: tuple, audience: Audience) -> ProtectedView:
    db, settings = open_database(db_path), load_settings()
    protected = None
    if audience.is_donor:
        regions = protection_regions(settings, audience.link_regions)
        protected = _protected_cells(db_path, uploads_part(version), regions, db)
    return build_view(db, settings, audience, protected=protected)


# Preparing donors' views before donors come -----------------------------------------------
_prepared: dict[str, tuple] = {}  # database path -> the data version last prepared
_prepared_scopes: dict[str, tuple] = {}  # database path -> (data version, scopes prepared)
_failed_scopes: dict[str, tuple] = {}  # database path -> of those prepared, the ones not passing
_audit_progress: dict[tuple, tuple[int, int]] = {}  # (path, version, scope) -> `audit_progress`
_prepared_lock = threading.Lock()
PREPARING = "prepare link views"  # the threads' name


def prepared_scopes(db_path: str) -> tuple[tuple, tuple[tuple[str, ...], ...]] | None:
    """(the data version, the link scopes) last prepared in this process for a database."""
    with _prepared_lock:
        return _prepared_scopes.get(str(db_path))


def links_protection(db: Database) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """What the disclosure audit says of the active links' views of the data this run
    shows, as this process prepared them: ("none", ()) with no active link, ("checking", ())
    while they are being prepared, ("passed", ()), or ("failed", the region scopes whose
    audit did not pass)."""
    data_version = uploads_part(data_version_of_this_run(db))
    key = str(db.path)
    with _prepared_lock:
        prepared = _prepared_scopes.get(key)
        failed = _failed_scopes.get(key, ())
    if prepared is None or prepared[0] != data_version:
        return ("checking", ())
    if not prepared[1]:
        return ("none", ())
    return ("failed", failed) if failed else ("passed", ())


def links_audit_progress(db: Database) -> tuple[int, int] | None:
    """`audit_progress` of the active links' views of the data this run shows, while this
    process prepares them (`links_protection` "checking")."""
    return audit_progress(str(db.path), uploads_part(data_version_of_this_run(db)))


def _prepare_link_views(db: Database, data_version: tuple, closing: threading.Event) -> None:
    """The protected cells of every active link's scope, for this data version (a thread).
    Stops before the next scope once `closing` is set (the database is being closed)."""
    started = time.perf_counter()
    key = str(db.path)
    try:
        if not db.is_open:
            return  # closed meanwhile: a donor's own request computes it
        settings = load_settings()
        scopes = active_link_scopes(db, settings)
        failed = []
        for regions in scopes:
            if closing.is_set():
                return  # not recorded as prepared: a donor's own request computes the rest
            cells = _protected_cells(key, data_version, regions, db)
            if cells.audit is not None and not cells.audit.passed:
                failed.append(tuple(regions))
                log.warning(
                    "The disclosure audit of the links over %s did not pass: %d withheld "
                    "figure(s) can be narrowed down (python -m monitoring audit-disclosure).",
                    " ".join(regions),
                    len(cells.audit.weak) + cells.audit.unbounded,
                )
    except Exception:  # the donor's own request computes it again, and says what failed
        log.warning("Preparing the share links' protected views failed.", exc_info=True)
        return
    with _prepared_lock:
        _prepared_scopes[key] = (data_version, tuple(scopes))
        _failed_scopes[key] = tuple(failed)  # written with it: of the same version
    if scopes:
        log.info(
            "Prepared the protected views of %d link scope(s) for data version %s in %.1f s.",
            len(scopes),
            data_version,
            time.perf_counter() - started,
        )


def _before_close(key: str, thread: threading.Thread, closing: threading.Event) -> None:
    """The database is closing: stop the preparation after the scope it is on (it reads
    through the connection being closed; a server stopping, or a test ending, waits for one
    audit, not for every link's), and prepare again when it is opened next."""
    closing.set()
    if thread is not threading.current_thread():
        thread.join()
    with _prepared_lock:
        _prepared.pop(key, None)


def prepare_link_views(db: Database, version: tuple) -> threading.Thread | None:
    """Start preparing the active share links' protected views when the data changed since
    they were last prepared in this process (an upload, an undo, a command-line import; and
    once after the server starts), so that the first donor after it does not wait for the
    disclosure audit (seconds to minutes with many regions, docs/benchmarks.md). Returns the
    thread started, if any."""
    key, data_version = str(db.path), uploads_part(version)
    with _prepared_lock:
        if _prepared.get(key) == data_version:
            return None
        _prepared[key] = data_version
    closing = threading.Event()
    thread = threading.Thread(
        target=_prepare_link_views,
        args=(db, data_version, closing),
        name=PREPARING,
        daemon=True,
    )
    db.on_close(partial(_before_close, key, thread, closing))
    thread.start()
    return thread


_RUN_VERSION = "_monitoring_page_version"  # on Streamlit's context of the session's run


def data_version_of_this_run(db: Database) -> tuple[int, ...]:
    """The version of the data this run shows (`page_version`: uploads, undos, approvals,
    follow-ups), the key of every cached result and protected view.

    Asked of the database once per script run (a full rerun or a fragment's), not once per
    cached call: a page makes 10-30 of them. A run that writes (an upload, an undo, an
    approval, a follow-up) reruns the script after it, so what it shows next is of the new
    data; a command-line job that writes meanwhile is seen at the next rerun. Streamlit gives
    each run a new `cursors` dict on its context; the versions are kept with that dict, so a
    new run asks again, and so does every call outside a run (a test, the command line)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    marker = getattr(ctx, "cursors", None)
    if marker is None:
        return page_version(db)
    held = getattr(ctx, _RUN_VERSION, None)
    if held is None or held[0] is not marker:
        held = (marker, {})
        setattr(ctx, _RUN_VERSION, held)
    versions = held[1]
    key = str(db.path)
    if key not in versions:
        versions[key] = page_version(db)
        prepare_link_views(db, versions[key])
    return versions[key]


def view_for(audience: Audience) -> ProtectedView:
    """The protected view of `audience` over the current data.

    A donor's is made by the disclosure audit once per data version and link scope: after
    new data it can take from a fraction of a second (the sample) to minutes (many regions,
    docs/benchmarks.md), so the donor is told what is happening (Streamlit shows the spinner
    only when it takes more than half a second)."""
    db = open_database()
    version = data_version_of_this_run(db)
    if not audience.is_donor:
        return _view(str(db.path), version, audience)
    prepared = prepared_scopes(str(db.path))
    with st.spinner(
        _(
            "Preparing the figures of this link: small counts of people are hidden first, "
            "and the figures around them checked so that none can be worked out. After new "
            "data this can take a few minutes."
        ),
        show_time=language.spinner_shows_time(),
    ):
        if prepared is not None and prepared[0] == uploads_part(version):
            return _view(str(db.path), version, audience)
        # The links' views of this data are still being prepared in the background: this
        # run may wait for that audit, so it gives its turn up (ui/turns.py), and shows
        # how far the audit is.
        turns.step_aside()
        return _waiting_for_the_audit(db, version, audience)


WAIT_QUIETLY = 0.5  # seconds a donor's page waits for its view before showing how far it is


def _waiting_for_the_audit(db: Database, version: tuple, audience: Audience) -> ProtectedView:
    """`_view`, made (or waited for: the background preparation may be auditing the same
    cells) in a thread of its own, while this run shows how many of the indicators the
    disclosure audit has done: after new data at 1,000,000 values over 14 regions it takes
    minutes (docs/benchmarks.md), and a spinner alone says nothing of how long is left."""
    made: dict[str, object] = {}

    def make() -> None:
        try:
            made["view"] = _view(str(db.path), version, audience)
        except BaseException as exc:  # raised again in the page's run, below
            made["error"] = exc

    worker = threading.Thread(target=make, name="donor view", daemon=True)
    worker.start()
    worker.join(WAIT_QUIETLY)
    if worker.is_alive():
        regions = protection_regions(load_settings(), audience.link_regions)
        bar = st.progress(0.0)
        while worker.is_alive():
            told = audit_progress(str(db.path), uploads_part(version), regions)
            done, total = told if told is not None else (0, 0)
            bar.progress(
                done / total if total else 0.0,
                text=_("Indicators checked: {done} of {total}").format(done=done, total=total)
                if total
                else _("Waiting for the check to start"),
            )
            worker.join(0.5)
        bar.empty()
    if "error" in made:
        raise made["error"]
    return made["view"]


def view() -> ProtectedView:
    """What the viewer of this run may see (monitoring/access/view.py)."""
    return view_for(viewer().audience)
