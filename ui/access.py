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

from monitoring import i18n
from monitoring.access import accounts
from monitoring.access.cells import indicator_cells
from monitoring.access.kept import Checking
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
    if audience is None:
        return ("nobody",)
    return ("view", audience, *checking_of_this_run())


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

    def checked(so_far: Checking) -> None:
        with _prepared_lock:
            _audit_checking[key] = so_far

    try:
        return indicator_cells(_db, load_settings(), regions, progress=progress, checked=checked)
    finally:
        with _prepared_lock:
            _audit_progress.pop(key, None)
            _audit_checking.pop(key, None)


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


def audit_checking(db_path: str, data_version: tuple, regions: tuple[str, ...]) -> Checking | None:
    """What a donor may be shown of a database's data version over a region scope while its
    disclosure audit runs in this process (the indicators it has done); None when none is
    done yet, or the audit is not under way."""
    with _prepared_lock:
        return _audit_checking.get((str(db_path), data_version, tuple(regions)))


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
_audit_checking: dict[tuple, Checking] = {}  # (path, version, scope) -> `audit_checking`
_prepared_lock = threading.Lock()
PREPARING = "prepare link views"  # the threads' name
MAKING = "donor view"  # the name of the threads making a donor's view (`_making`)


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


def links_shown_in_part(db: Database) -> bool:
    """Whether donors who open a link now are shown it in part (`_waiting_for_the_audit`):
    the audit of the active links' views of this data, under way in this process, is of a
    large view and has done some indicators."""
    version = uploads_part(data_version_of_this_run(db))
    with _prepared_lock:
        found = [
            so_far
            for (path, of, _scope), so_far in _audit_checking.items()
            if path == str(db.path) and of == version
        ]
    return any(_shown_in_part(so_far) for so_far in found)


def _shown_in_part(so_far: Checking | None) -> bool:
    """Whether a donor is shown the view of an audit under way in part: it has done some
    indicators of a large view (IN_PART_FROM cells or more; None: as many as are audited in
    worker processes)."""
    if so_far is None or not so_far.done:
        return False
    from monitoring.access.audit import PARALLEL_CELLS  # imported by the audit already

    return so_far.cells_audited >= (PARALLEL_CELLS if IN_PART_FROM is None else IN_PART_FROM)


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


def _held_on_this_run(name: str) -> dict | None:
    """A dict kept for this script run under `name` (None outside a run): Streamlit gives
    each run (a full rerun or a fragment's) a new `cursors` dict on its context, and what is
    held is kept with that dict, so a new run starts empty."""
    ctx = get_script_run_ctx(suppress_warning=True)
    marker = getattr(ctx, "cursors", None)
    if marker is None:
        return None
    held = getattr(ctx, name, None)
    if held is None or held[0] is not marker:
        held = (marker, {})
        setattr(ctx, name, held)
    return held[1]


def data_version_of_this_run(db: Database) -> tuple[int, ...]:
    """The version of the data this run shows (`page_version`: uploads, undos, approvals,
    follow-ups), the key of every cached result and protected view.

    Asked of the database once per script run (a full rerun or a fragment's), not once per
    cached call: a page makes 10-30 of them. A run that writes (an upload, an undo, an
    approval, a follow-up) reruns the script after it, so what it shows next is of the new
    data; a command-line job that writes meanwhile is seen at the next rerun. Streamlit gives
    each run a new `cursors` dict on its context; the versions are kept with that dict, so a
    new run asks again, and so does every call outside a run (a test, the command line)."""
    versions = _held_on_this_run(_RUN_VERSION)
    if versions is None:
        return page_version(db)
    key = str(db.path)
    if key not in versions:
        versions[key] = page_version(db)
        prepare_link_views(db, versions[key])
    return versions[key]


_RUN_VIEWS = "_monitoring_run_views"  # on Streamlit's context of the run: its viewers' views


def view_for(audience: Audience) -> ProtectedView:
    """The protected view of `audience` over the current data.

    A donor's is made by the disclosure audit once per data version and link scope: after
    new data it can take from a fraction of a second (the sample) to minutes (many regions,
    docs/benchmarks.md), so the donor is told what is happening (Streamlit shows the spinner
    only when it takes more than half a second), and shown the indicators it has done as
    soon as there are some (`ProtectedView.still_checking`: the others' figures hidden)."""
    db = open_database()
    version = data_version_of_this_run(db)
    # Decided at the run's first call, so that every part of the page, and every cached
    # result's key (`checking_of_this_run`), reads the same view while the audit fills it in;
    # a page asks for it 5-10 times a run (a cache lookup each, the audience hashed).
    held = _held_on_this_run(_RUN_VIEWS)
    key = (str(db.path), version, audience)
    if held is not None and key in held:
        return held[key]
    if audience.is_donor:
        view = _donor_view(db, version, audience)
    else:
        view = _view(str(db.path), version, audience)
    if held is not None:
        held[key] = view
    return view


def checking_of_this_run() -> tuple:
    """Part of every cached result's key: () when this run's view is final; while a donor's
    is filled in by the disclosure audit, how many indicators it shows (a result computed
    from it is never served once more are shown, nor after the audit)."""
    audience = current_audience()
    if audience is None or not audience.is_donor:
        return ()
    checked = view_for(audience).checked
    return () if checked is None else ("checking", checked[0])


def _donor_view(db: Database, version: tuple, audience: Audience) -> ProtectedView:
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
# A view of this many cells or more is shown in part while its audit runs (None: as many as
# are audited in worker processes, audit.PARALLEL_CELLS: seconds to minutes); a smaller one
# (the sample's 225 cells: 0.3 s) is waited for.
IN_PART_FROM: int | None = None


def _waiting_for_the_audit(db: Database, version: tuple, audience: Audience) -> ProtectedView:
    """`_view`, made (or waited for: the background preparation may be auditing the same
    cells) in a thread of its own, while this run shows how many of the indicators the
    disclosure audit has done: after new data at 1,000,000 values over 14 regions it takes
    minutes (docs/benchmarks.md), and a spinner alone says nothing of how long is left."""
    worker, made = _making(db, version, audience)
    settings = load_settings()
    regions = protection_regions(settings, audience.link_regions)

    def in_part() -> ProtectedView | None:
        """The view as far as the audit of a large view has done it, if it has done some."""
        so_far = audit_checking(str(db.path), uploads_part(version), regions)
        if not _shown_in_part(so_far):
            return None
        # Shown now, the others' figures hidden until they are done (`checking_notice`
        # reruns the page as the audit goes on).
        return build_view(db, settings, audience, checking=so_far)

    if worker.is_alive() and (shown := in_part()) is not None:
        return shown  # some done already: no quiet wait
    worker.join(WAIT_QUIETLY)
    if worker.is_alive():
        bar = st.progress(0.0)
        while worker.is_alive():
            if (shown := in_part()) is not None:
                bar.empty()
                return shown
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


_made: dict[tuple, tuple[threading.Thread, dict]] = {}  # (path, version, audience) -> `_making`


def _making(db: Database, version: tuple, audience: Audience) -> tuple[threading.Thread, dict]:
    """A thread making `_view` (it waits for the audit when another thread runs it), and the
    dict it puts the view (or the error) in: one per database, data version and audience,
    whichever of the donor's reruns asks while it runs."""
    key = (str(db.path), version, audience)
    with _prepared_lock:
        found = _made.get(key)
        if found is not None and (found[0].is_alive() or "view" in found[1]):
            return found
        made: dict[str, object] = {}

        def make() -> None:
            try:
                made["view"] = _view(str(db.path), version, audience)
            except BaseException as exc:  # raised again in the page's run
                made["error"] = exc
            finally:
                with _prepared_lock:
                    _made.pop(key, None)

        worker = threading.Thread(target=make, name=MAKING, daemon=True)
        _made[key] = (worker, made)
    worker.start()
    return worker, made


CHECK_EVERY = 2.0  # seconds between two looks of a donor's page at how far the audit is
REFRESH_EVERY = 15.0  # seconds at least between two reruns of it showing more indicators


def checking_notice() -> None:
    """On a donor's page shown while the disclosure audit fills it in: which indicators are
    still being checked (their figures hidden meanwhile), how far the audit is; the page
    reruns itself when the audit is done, and meanwhile as more indicators are done (at most
    every REFRESH_EVERY seconds)."""
    seen = view()
    if seen.checked is None:
        return
    db = open_database()
    version = uploads_part(data_version_of_this_run(db))
    regions = protection_regions(load_settings(), seen.link_regions)
    _checking_notice(
        str(db.path),
        version,
        regions,
        seen.checked,
        seen.still_checking,
        time.monotonic(),
        i18n.current(),
    )


NAMED_AT_MOST = 10  # indicators still being checked named in the note; the others counted


@st.fragment(run_every=CHECK_EVERY)
def _checking_notice(
    db_path: str,
    version: tuple,
    regions: tuple[str, ...],
    checked: tuple[int, int],
    still: tuple[str, ...],
    shown_at: float,
    lang: str,
) -> None:
    # Run alone every CHECK_EVERY seconds (not through dashboard.py): in the page's language.
    with i18n.language(lang):
        done, total = checked
        now = audit_checking(db_path, version, regions)
        if audit_progress(db_path, version, regions) is None:
            st.rerun(scope="app")  # the audit is done: the whole view
        if now is not None and len(now.done) > done:
            if time.monotonic() - shown_at >= REFRESH_EVERY:
                st.rerun(scope="app")
        st.info(
            _(
                "**Some figures are still being checked.** After new data, every figure a link "
                "shows is checked so that no small count of people can be worked out. "
                "Indicators checked and shown: {done} of {total}. Until the others are, their "
                "figures show as hidden: {indicators}. This page fills them in by itself."
            ).format(done=i18n.number(done), total=i18n.number(total), indicators=_named(still)),
            icon=":material/hourglass_top:",
        )


def _named(codes: tuple[str, ...]) -> str:
    """The codes of the indicators still being checked: NAMED_AT_MOST, then how many more."""
    if len(codes) <= NAMED_AT_MOST:
        return ", ".join(codes)
    return _("{codes} and {n} more").format(
        codes=", ".join(codes[:NAMED_AT_MOST]), n=i18n.number(len(codes) - NAMED_AT_MOST)
    )


def view() -> ProtectedView:
    """What the viewer of this run may see (monitoring/access/view.py)."""
    return view_for(viewer().audience)
