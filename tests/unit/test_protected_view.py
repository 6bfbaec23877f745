"""Who-sees-what is decided once, in the core: every page reads through the protected view.

- Every core function a page calls that reads the database takes the protected view (or is
  declared free of people's data).
- Attack class 1, "status gives the value away": an indicator whose actual a donor sees
  withheld ("<5", "hidden") shows no status, progress or place in an order computed from it,
  on any page, for any scope of the sample and any reporting quarter.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pandas as pd
import pytest

from monitoring.access import accounts, markers
from monitoring.access.view import (
    TEAM,
    VALUE_FREE_STATUSES,
    WITHHELD,
    Audience,
    protected_view,
)
from monitoring.periods import period_end, programme_periods
from monitoring.reports import indicators, milestones, overview
from monitoring.reports import map as map_report
from monitoring.reports.milestones import MilestoneFilters
from monitoring.reports.status import status_text
from monitoring.settings import ROOT
from tests.conftest import ENGINES, sample_database

PAGE_FILES = sorted([*(ROOT / "views").glob("*.py"), *(ROOT / "ui").glob("*.py")]) + [
    ROOT / "dashboard.py"
]


def _core_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> module path, for every core module a file imports."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("monitoring"):
            for name in node.names:
                full = f"{node.module}.{name.name}"
                try:
                    importlib.import_module(full)
                except ImportError:
                    continue  # a function or constant, not a module
                aliases[name.asname or name.name] = full
    return aliases


def core_functions_pages_call() -> dict[str, set[str]]:
    """Every core function called (or handed to ui.common.cached) by a view, a ui helper or
    dashboard.py: 'module.function' -> the files that call it."""
    called: dict[str, set[str]] = {}
    for path in PAGE_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _core_aliases(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                module = importlib.import_module(aliases[node.value.id])
                target = getattr(module, node.attr, None)
                if inspect.isfunction(target):
                    key = f"{target.__module__}.{target.__qualname__}"
                    called.setdefault(key, set()).add(path.name)
    return called


def _function(key: str):
    module, name = key.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def test_pages_call_many_core_functions():
    called = core_functions_pages_call()
    assert len(called) > 40, sorted(called)
    for expected in (
        "monitoring.reports.overview.indicator_status",
        "monitoring.reports.indicators.tracking_table",
        "monitoring.reports.map.build_map",
        "monitoring.reports.grants.grants_in_view",
        "monitoring.reports.milestones.milestones_in_view",
    ):
        assert expected in called


# Where a page may call a function marked outside the view (monitoring/access/markers.py).
ALLOWED_CALLERS = {
    # views/ and ui/ of the team's pages; and the server's start (ui/startup.py), which shows
    # nothing to anyone: it keeps the quality checks that only the team's page reads
    markers.TEAM_ONLY: {"admin.py", "upload.py", "quality.py", "startup.py"},
    markers.DECIDES_WHO_IS_LOOKING: {"gate.py", "admin.py", "session_cookie.py"},
    markers.FREE_OF_PEOPLE_DATA: None,  # anywhere
}


def test_every_core_function_that_reads_the_database_takes_the_protected_view():
    problems = []
    for key, files in sorted(core_functions_pages_call().items()):
        fn = _function(key)
        params = list(inspect.signature(fn).parameters)
        if not params or params[0] != "db":
            continue  # works on what a page already holds (already protected)
        if len(params) > 1 and params[1] == "view":
            continue
        reason = markers.reason_outside_the_view(fn)
        where = ", ".join(sorted(files))
        if reason is None:
            problems.append(f"{key} (called in {where}): takes no view and has no mark")
        elif ALLOWED_CALLERS[reason] is not None and not files <= ALLOWED_CALLERS[reason]:
            problems.append(f"{key} ({reason}) is called in {where}")
    assert not problems, (
        "Core functions a page calls must take the protected view as their second parameter "
        "(monitoring/access/view.py), or carry a mark of monitoring/access/markers.py and be "
        "called only where the mark allows:\n" + "\n".join(problems)
    )


def test_the_team_only_pages_never_open_through_a_share_link():
    for page in ("admin", "upload", "quality"):
        assert not accounts.can_open_page(accounts.DONOR, page, None)
        assert not accounts.can_open_page(accounts.DONOR, page, (page,))


def test_a_reader_without_view_or_mark_is_reported():
    """The rule itself: a database reader with neither the view nor a mark fails."""

    def reader(db, settings):
        return db, settings

    assert markers.reason_outside_the_view(reader) is None
    assert markers.reason_outside_the_view(markers.team_only(reader)) == markers.TEAM_ONLY


# Attack class 1: status, progress and order give a withheld value away ------------------


def donor(db, settings, regions):
    link = None if regions is None else tuple(regions)
    return protected_view(db, settings, Audience(accounts.DONOR, link))


SCOPES = [None, ("UZ-JI",), ("UZ-TO",), ("UZ-NG",)]


def _quarters(settings):
    return list(programme_periods(settings.programme))


@pytest.fixture(params=ENGINES)
def sample_db(request):
    db = sample_database(request, request.param)
    yield db
    db.close()


@pytest.fixture
def sample_views(sample_db, settings):
    return {scope: donor(sample_db, settings, scope) for scope in SCOPES}


def test_links_over_some_regions_show_only_what_the_programmes_view_shows(
    sample_db, settings, sample_views
):
    """A donor holding several links (the whole programme's and each region's) learns no
    figure the programme's audited view would not show: each link reads the programme's
    protected cells, restricted to its regions, so every figure of a region's link has the
    state the programme's view gives the same figure under that region's filter."""
    whole = sample_views[None]
    cells = whole.protected
    codes = sorted(cells.aggregation)
    compared = withheld = 0
    for scope in SCOPES[1:]:
        view = sample_views[scope]
        assert view.regions == scope and view.protected.regions == cells.regions
        assert view.protected.states == cells.states  # one protection, read over the link
        for code in codes:
            for period in _quarters(settings):
                for value in (0, 3, 12):  # a zero, a small count, a larger one
                    for state_of in ("quarter", "to_date"):
                        own = getattr(view, state_of)(code, None, period, value)
                        seen = getattr(whole, state_of)(code, scope, period, value)
                        assert own == seen, (scope, code, period, value, state_of)
                        compared += 1
                        withheld += own in ("small", "hidden")
    assert compared == 3 * len(codes) * len(_quarters(settings)) * 3 * 2
    assert withheld > compared // 4  # the comparison met many withheld figures


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: "programme" if s is None else s[0])
def test_no_status_progress_or_order_is_computed_from_a_withheld_actual(
    sample_db, settings, sample_views, scope
):
    view = sample_views[scope]
    withheld_somewhere = 0
    for period in _quarters(settings):
        as_of = period_end(period)
        status = overview.indicator_status(sample_db, view, settings, as_of)
        held = status[status.actual_withheld]
        withheld_somewhere += len(held)
        assert held.actual.isna().all() and held.progress.isna().all()
        assert held.shortfall.isna().all()
        assert set(held.status) <= {WITHHELD, *VALUE_FREE_STATUSES}
        assert set(held.actual_shown) <= {"<5", "hidden"}
        # Counted, never left out: a missing indicator could be counted.
        counts = overview.status_counts(status)
        assert counts["total"].sum() == len(status)
        # In "needs attention", every withheld indicator, after the others, by code.
        attention = overview.needs_attention(status, limit=len(status))
        flagged = attention[attention.actual_withheld]
        assert set(flagged.indicator_code) == set(
            held[held.status == WITHHELD].indicator_code
        ) | set(held[held.status.isin(VALUE_FREE_STATUSES)].indicator_code)
        judged = attention[attention.status == WITHHELD]
        assert judged.indicator_code.tolist() == sorted(judged.indicator_code)

        # The tracking table, the indicator detail and the milestones say the same.
        table = indicators.tracking_table(sample_db, view, settings, as_of).table
        rows = table.set_index("Code")
        for code in held.indicator_code:
            assert rows.at[code, "% of target achieved"] == "hidden"
            assert rows.at[code, "Status"] == "hidden"
            info = indicators.indicator_in_view(sample_db, view, settings, as_of, code)
            assert info["actual"] is None and info["progress"] is None
            assert info["status"] in {WITHHELD, *VALUE_FREE_STATUSES}
        linked = milestones.milestones_in_view(sample_db, view, settings, as_of, MilestoneFilters())
        linked = linked[linked.indicator_code.isin(held.indicator_code)]
        assert linked.indicator_progress.isna().all()
        assert linked.indicator_actual.isna().all()
        assert set(linked.indicator_status) <= {WITHHELD, *VALUE_FREE_STATUSES}
    assert withheld_somewhere > 0, "the sample has small counts in every scope"


def test_the_map_colours_nothing_with_a_withheld_value(sample_db, settings, sample_views):
    view = sample_views[("UZ-JI",)]
    for period in _quarters(settings):
        status = overview.indicator_status(sample_db, view, settings, period_end(period))
        for code in status[status.actual_withheld].indicator_code:
            for measure in ("value", "percent_of_target"):
                data = map_report.build_map(sample_db, view, settings, code, period, measure)
                jizzakh = next(
                    f["properties"]
                    for f in data.regions
                    if f["properties"]["region_code"] == "UZ-JI"
                )
                assert jizzakh["value"] is None and jizzakh["hatched"]


def test_an_account_sees_every_status_as_computed(sample_db, settings):
    view = protected_view(sample_db, settings, TEAM)
    as_of = period_end(_quarters(settings)[-1])
    status = overview.indicator_status(sample_db, view, settings, as_of)
    raw = overview.indicator_progress(sample_db, settings, as_of)
    assert not status.actual_withheld.any()
    pd.testing.assert_series_equal(status.status, raw.status, check_names=False)
    assert WITHHELD not in set(status.status)
    assert status_text(WITHHELD) not in set(
        indicators.tracking_table(sample_db, view, settings, as_of).table.Status
    )
