"""Shared page furniture: the database, cached core calls, the reporting date, headers."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import importlib
import inspect
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.access.view import Audience
from monitoring.cli import remote
from monitoring.db import DATABASE_ERRORS, Database, UnusableDatabase, open_database
from monitoring.i18n import _
from monitoring.periods import period_end, period_of, reporting_dates
from monitoring.reports import exports, indicators, names, overview
from monitoring.settings import Settings, load_settings
from ui import access, turns
from ui.text import code, plain

AS_OF_KEY = "as_of"
FAVICON = Path(__file__).with_name("favicon.svg")  # the browser tab's icon (dashboard.py)
log = logging.getLogger("monitoring.dashboard")


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


def settings() -> Settings:
    return _settings()


def database() -> Database:
    """The shared database of this process (path from $MONITORING_DB), open, taking the
    command line's jobs while the dashboard holds it (monitoring/cli/remote.py)."""
    return remote.serve()


def region_names(config: Settings) -> dict[str, str]:
    """Each region's name in the reader's language by its code (two named alike: with their
    codes), of the regions this view shows: staff and donors do not know the ISO codes
    (UZ-JI), and the checks' tables give codes."""
    table = cached(indicators.regions_in_view, config)
    return names.told_apart(dict(zip(table.region_code, table.region_name, strict=True)))


@functools.cache
def takes_view(fn: Callable[..., Any]) -> bool:
    """Whether a core function takes the protected view (its second parameter, `view`)."""
    params = list(inspect.signature(fn).parameters)
    return len(params) > 1 and params[1] == "view"


# A page's settings are hashed by their fingerprint, not copied whole (monitoring/settings.py);
# the viewer's audience by its text, which names every field (Streamlit's own hashing of a
# dataclass reduces and hashes it part by part: 3 ms of a page's rerun).
@st.cache_data(
    show_spinner=False,
    max_entries=2000,
    hash_funcs={Settings: lambda s: s.fingerprint, Audience: repr},
)
def _run(
    module: str,
    name: str,
    db_path: str,
    version: tuple,
    audience: access.Audience | None,
    checking: tuple,
    lang: str,
    args: tuple,
    kwargs: tuple,
    _long_work: bool = False,
):
    if _long_work:  # computed now, not kept: seconds of work give the turn up (ui/turns.py)
        turns.step_aside()
    fn = getattr(importlib.import_module(module), name)
    db = open_database(db_path)
    with i18n.language(lang):  # words the core writes (statuses, notes) in the viewer's
        if takes_view(fn):
            if audience is None:
                raise RuntimeError(f"{name} needs to know who is looking.")
            result = fn(db, access.view_for(audience), *args, **dict(kwargs))
        else:
            result = fn(db, *args, **dict(kwargs))
        return names.localise(result, db)  # the data's texts in the language (names.py)


def _call_key(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple:
    """What the result of the core call fn(db, [view,] *args, **kwargs) is kept under: the
    function, the database and its data version (uploads, approvals, follow-ups), the
    viewer's audience, how far the disclosure audit behind a donor's view was (while it
    runs: `access.checking_of_this_run`), the language of this run, and the arguments
    (`_run`'s parameters)."""
    db = database()
    return (
        fn.__module__,
        fn.__qualname__,
        str(db.path),
        access.data_version_of_this_run(db),
        access.current_audience(),
        access.checking_of_this_run() if takes_view(fn) else (),
        i18n.current(),
        args,
        tuple(sorted(kwargs.items())),
    )


def cached(fn: Callable[..., Any], *args, long_work: bool = False, **kwargs):
    """Call a core function fn(db, [view,] *args, **kwargs), cached until the data changes.

    A function that takes the protected view gets the one of this run's viewer: pages never
    pass it themselves. The cache key holds every argument, the viewer's audience (so a
    result is never served to another viewer), the language of this run (so words the core
    writes are never served in another) and the database's data version (so a commit or an
    undo is seen at once).

    `long_work`: computing it can take seconds (a data quality check over every value, a
    report file); when it is not kept, the script gives its turn up first (ui/turns.py).
    """
    try:
        return _run(*_call_key(fn, args, kwargs), _long_work=long_work)
    except DATABASE_ERRORS as exc:
        database_unavailable(exc)


# Built charts and tables (a chart's rows and its Vega-Lite specification, a table as shown)
# are kept as objects, not copied (st.vega_lite_chart copies the specification before
# changing it), for as long as their source's rows are the same: a few per page, the largest
# about a MB (the table of 5,000 milestones at 1,000,000 values, pickled).
@st.cache_resource(
    show_spinner=False, max_entries=64, hash_funcs={Settings: lambda s: s.fingerprint}
)
def _built(build_module: str, build_name: str, source: tuple, args: tuple, _inputs: tuple):
    build = getattr(importlib.import_module(build_module), build_name)
    return build(*_inputs, *args)  # in this run's language, which `source` holds


def built(
    build: Callable[..., Any],
    inputs: tuple,
    args: tuple = (),
    *,
    source: tuple,
):
    """`build(*inputs, *args)`, a chart or a table, kept and given again while nothing it
    shows can have changed: a rerun (a widget moved elsewhere on the page, a table opened)
    then builds none. The milestones timeline writes each milestone's tooltip (its dates,
    status and indicator in the reader's language) as it is built, the indicator's chart by
    region a hover text for each point (docs/benchmarks.md).

    `inputs` are the frames drawn, which are not hashed: they must be determined by `source`,
    the core call they were made from, as passed to `cached` (`(fn, *args)`); what is built
    is kept under that call's key (`_call_key`: its arguments, the data version, the viewer's
    audience and the language), with `args`, the builder's other arguments (hashed: anything
    else it shows, such as links that carry a share link's address). What is returned is
    shared: it must not be changed."""
    fn, *source_args = source
    try:
        key = _call_key(fn, tuple(source_args), {})
        return _built(build.__module__, build.__qualname__, key, args, inputs)
    except DATABASE_ERRORS as exc:
        database_unavailable(exc)


def database_unavailable(exc: BaseException) -> NoReturn:
    """Say in plain words that the database cannot be used, and stop the page.

    Whoever is looking (perhaps nobody signed in yet) sees what to do, never the error
    itself: it names server paths, and its traceback is for the operator, in the server's
    log, found by the time shown."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    log.error("The dashboard cannot use its database (shown to a viewer at %s)", when, exc_info=exc)
    if isinstance(exc, UnusableDatabase):
        text = _(
            "**This dashboard was given a database file it cannot use**: it is not a "
            "monitoring database, or one made by a newer release. Nothing in it was changed, "
            "and nothing can be shown. Whoever runs the dashboard: set `{variable}` to the "
            "monitoring database (the server's log names the file) and start it again."
        ).format(variable="MONITORING_DB")
    else:
        text = _(
            "**The dashboard cannot reach its database right now**, so nothing can be shown. "
            "Try again in a few minutes. If it keeps happening, tell whoever runs the "
            "dashboard: the server's log says what went wrong."
        )
    when_line = _("Time of the error, for the log: {when}.").format(when=when)
    st.error(f"{text}  \n{when_line}", icon=":material/error:")
    st.stop()


def unknown_param_notice(
    key: str, options: Sequence[str], label: str, *, in_view: bool = False
) -> None:
    """Warn when the address asks for a value that is not among the choices. `in_view` (a
    donor's view): say it is not available in this view, the same words whether the value
    exists outside the view or not at all. `label`: the choice's label, translated."""
    raw = st.query_params.get(key)
    if raw is not None and raw != "" and raw not in options:
        if in_view:
            message = _(
                "The page address asks for {label} {value}, which is not available in this "
                "view; it was ignored. Pick one from **{box}** instead."
            )
        else:
            message = _(
                "The page address asks for {label} {value}, which is not one of the choices; "
                "it was ignored. Pick one from **{box}** instead."
            )
        st.warning(
            message.format(label=label.lower(), value=code(raw, 40), box=label),
            icon=":material/link_off:",
        )


def reporting_date_picker(config: Settings) -> dt.date:
    """The reporting-date selector (call inside the sidebar), kept in the URL as ?as_of=2021Q4."""
    latest = cached(overview.latest_data_period, config)
    options = [period_of(day) for day in reporting_dates(config.programme, latest)]
    seen = _viewer_view()
    if seen is not None and seen.limited_to_approved:  # a donor: approved quarters only
        options = [p for p in options if seen.shows_quarter(p)] or options[:1]
    unknown_param_notice(
        AS_OF_KEY,
        options,
        _("Reporting quarter"),
        in_view=seen is not None and seen.audience.is_donor,
    )
    # No format_func: a bound widget writes its shown label into the URL (?as_of=2021Q3).
    period = st.selectbox(
        _("Reporting quarter"),
        options,
        index=len(options) - 1,
        key=AS_OF_KEY,
        bind="query-params",
        help=_(
            "Every figure is computed as it stood at the end of this quarter. The default "
            "is the latest quarter with data."
        ),
    )
    st.caption(_("Figures as of {date}.").format(date=i18n.date(period_end(period))))
    return reporting_date()


def reporting_date() -> dt.date:
    """The reporting date chosen in the sidebar (a quarter end)."""
    config = settings()
    period = st.session_state.get(AS_OF_KEY)
    if not period:
        latest = cached(overview.latest_data_period, config)
        chosen = reporting_dates(config.programme, latest)[-1]
    else:
        chosen = min(period_end(period), config.programme.end)
    seen = _viewer_view()
    if seen is None:
        return chosen
    # A donor's link shows approved quarters only, unless it says otherwise (docs/quality.md):
    # decided in the core's view, so no page reads a later value.
    return seen.clamp(chosen) or chosen


def _viewer_view():
    """The protected view of this run's viewer, or None before anyone is known."""
    if access.current_audience() is None:
        return None
    return access.view()


def approval_note() -> None:
    """For a donor's link: which quarters are not yet approved (not shown), in words; and
    stop the page when no quarter is approved yet."""
    seen = _viewer_view()
    if seen is None or not seen.audience.is_donor:
        return
    if seen.limited_to_approved and seen.approved_through is None:
        st.info(
            _(
                "No quarter has been approved by the programme's managers yet, so there are "
                "no figures to show through this link. Come back when a quarter is approved."
            ),
            icon=":material/pending:",
        )
        st.stop()
    if seen.unapproved_quarters:
        quarters = ", ".join(seen.unapproved_quarters)
        if seen.limited_to_approved:
            text = _(
                "Figures are shown up to {quarter}, the last quarter approved by the "
                "programme's managers. Not yet approved, so not shown: {quarters}."
            ).format(quarter=seen.approved_through, quarters=quarters)
        else:
            text = _(
                "Quarters not yet approved by the programme's managers are shown too and "
                "may still change: {quarters}."
            ).format(quarters=quarters)
        st.caption(text)


def page_header(title: str, purpose: str) -> tuple[Settings, dt.date]:
    """Title, what the page is for, the reporting date and the data's freshness."""
    config = settings()
    as_of = reporting_date()
    st.title(title)
    fresh = cached(overview.data_freshness)  # names the uploader only where the view may
    by = fresh.last_updated_by
    last = fresh.last_updated
    moment = f"{i18n.date(last.date(), 'medium')} {last:%H:%M}" if last else ""
    if not last:
        updated = _("no data loaded yet")
    elif by:
        updated = _("data last updated {moment} UTC by {name}").format(
            moment=moment, name=plain(by)
        )
    else:
        updated = _("data last updated {moment} UTC").format(moment=moment)
    as_of_text = _("as of **{date}**").format(date=i18n.date(as_of))
    st.caption(f"{config.programme.shown('name')} · {as_of_text} · {updated}")
    approval_note()
    st.markdown(purpose)
    if fresh.has_sample_data:
        st.info(
            _(
                "**Illustrative sample data, not real results.** The figures shown were "
                "generated to demonstrate the dashboard."
            ),
            icon=":material/science:",
        )
    return config, as_of


def tabs_on_demand(labels: list[str], key: str) -> list:
    """st.tabs whose open tab alone is built: a click on another tab reruns the page, and
    each tab's `.open` says whether to build it. The open tab stays open when the reader
    changes the language: Streamlit keeps a tab set's state as the open tab's label, which
    the new language words differently, so its position is kept beside it and the label at
    that position is put back before the tabs are drawn."""
    position_key = f"{key}-position"
    shown = st.session_state.get(key)
    position = st.session_state.get(position_key)
    if shown is not None and shown not in labels and position is not None:
        st.session_state[key] = labels[min(position, len(labels) - 1)]
    containers = st.tabs(labels, key=key, on_change="rerun")
    st.session_state[position_key] = next((i for i, tab in enumerate(containers) if tab.open), 0)
    return containers


def listing(
    shown: pd.DataFrame, *, none: str, about: str, name: str, key: str, icon: str | None = None
) -> bool:
    """A log as a table: `none` (a notice) when it has no rows; else `about` (a caption), the
    table and its downloads (named `name`, widget keys from `key`). Whether it had rows."""
    if shown.empty:
        st.info(none, icon=icon)
        return False
    st.caption(about)
    st.dataframe(shown, hide_index=True, width="stretch")
    downloads(shown, name, key)
    return True


def wrapping_row():
    """A row for metric cards or filters (`.metric(...)`, `.selectbox(...)` on it, in
    order): they share its width and wrap onto another row where they do not fit (a narrow
    window, a long figure, a long word in Russian or Uzbek), where st.columns would squeeze
    each into its share and cut a figure or a quarter short ("454…", "202")."""
    return st.container(horizontal=True)


# Columns of charts side by side (side_by_side): one above the other where the row is
# narrower than this many pixels. A chart needs about 300 pixels for its axis labels, bars
# and legend; Streamlit stacks columns only on a window under 640 pixels, and on a laptop's
# window with the sidebar open the narrower of two columns was 170-190 pixels: its bars
# squeezed to a sliver, its labels cut.
STACK_BELOW_PX = 760

# (A constant, formatted with a constant key: no text of the data or the reader.)
_STACKED_STYLE = """<style>
.st-key-{key} {{ container-type: inline-size; }}
@container (max-width: {px}px) {{
  .st-key-{key} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  .st-key-{key} [data-testid="stColumn"] {{
    width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;
  }}
}}
</style>"""


def side_by_side(key: str, spec: int | list[int], *, gap: str = "large", **columns) -> list:
    """st.columns for charts, in a container keyed `key` (a constant of the page): side by
    side on a wide page, one above the other, each across the page, where the row is
    narrower than STACK_BELOW_PX (a CSS container query: the sidebar open or not).
    `columns`: st.columns' other options (vertical_alignment)."""
    st.html(_STACKED_STYLE.format(key=key, px=STACK_BELOW_PX))
    with st.container(key=key):
        return st.columns(spec, gap=gap, **columns)


def in_this_run(build: Callable[[], Any]) -> Callable[[], Any]:
    """`build`, for Streamlit to call later: a download button's file is made when it is
    clicked, in a thread of Streamlit's server, outside the page's run. It then runs in a copy
    of this run's context, so that its words are in the reader's language (a copy per call:
    two files made at once cannot share one)."""
    context = contextvars.copy_context()
    return lambda: context.copy().run(build)


def downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and XLSX downloads of a table exactly as shown (`downloads_on_click`)."""
    downloads_on_click(lambda: frame, name, key)


def downloads_on_click(build: Callable[[], pd.DataFrame], name: str, key: str) -> None:
    """CSV and XLSX downloads of the table `build()` returns, built only when a button is
    clicked (every rule violation, where the page shows the first), in the reader's language
    (`in_this_run`).

    The files are made when a button is clicked, not on every rerun: an Excel file of a
    large table takes 50-300 ms to build (docs/benchmarks.md). A click does not rerun the page.
    Nothing is offered where the viewer may not download tables (a share link that says so).
    """
    if not access.view().allows_download("tables"):
        return
    left, right = st.columns(2)
    left.download_button(
        _("Download CSV"),
        in_this_run(lambda: exports.to_csv_bytes(build())),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}-csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        _("Download Excel"),
        in_this_run(lambda: exports.to_xlsx_bytes(build(), sheet=name)),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
        on_click="ignore",
        icon=":material/download:",
    )


def none_to_choose(options, message: str) -> dict:
    """Keyword arguments for a selectbox whose `options` may be empty (no other account, no
    active link, no open follow-up): Streamlit would then show its own English "No options
    to select"; this shows `message`, in the reader's language, and disables the box."""
    return {} if len(options) else {"placeholder": message, "disabled": True}
