"""Advocacy milestones as of a reporting date: status, lateness, counts and links.

Status and lateness are defined once, in SQL (macro `milestones_as_of` in queries/schema.sql);
the rules are written out in docs/milestones.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

import pandas as pd

from monitoring.access.view import ProtectedView
from monitoring.contract import STAGES, TABLES
from monitoring.db import Database
from monitoring.i18n import N_, _, ngettext
from monitoring.periods import period_of
from monitoring.reports.overview import indicator_progress
from monitoring.settings import Settings

LEVELS: tuple[str, ...] = TABLES["milestones"].column("level").choices
NO_REGION = ""  # region key of a milestone without a region (national or international)
NO_REGION_LABEL = N_("No region (national or international)")  # shown translated
INDICATORS_URL_PATH = "indicators"  # the outcome indicators page


# The programme's stages (monitoring/contract.py STAGES) and the milestones' levels, marked
# for translation here: stage_label and level_label show them in the current language.
STAGE_NAMES = (N_("Inception"), N_("Assessment"), N_("Action plans"), N_("Advocacy"))
LEVEL_LABELS = {
    "community": N_("Community"),
    "regional": N_("Regional"),
    "national": N_("National"),
    "international": N_("International"),
}


@dataclass(frozen=True)
class MilestoneStatus:
    code: str
    english: str  # the status's words in English: the message `label` translates
    icon: str
    colour: str  # Okabe-Ito palette; always shown with the icon and words
    english_help: str  # what the status means, in English: the message `help` translates

    @property
    def label(self) -> str:
        """The status's words in the current language."""
        return _(self.english)

    @property
    def help(self) -> str:
        """What the status means, in the current language."""
        return _(self.english_help)


MILESTONE_STATUSES: dict[str, MilestoneStatus] = {
    s.code: s
    for s in (
        MilestoneStatus(
            "achieved",
            N_("Achieved"),
            "●",
            "#009E73",
            N_("achieved on or before the reporting date"),
        ),
        MilestoneStatus(
            "overdue",
            N_("Overdue"),
            "▶",
            "#D55E00",
            N_("planned before the reporting date and not achieved by then"),
        ),
        MilestoneStatus(
            "planned",
            N_("Planned"),
            "○",
            "#0072B2",
            N_("planned on or after the reporting date, not achieved yet"),
        ),
        MilestoneStatus("dropped", N_("Dropped"), "✕", "#999999", N_("no longer pursued")),
    )
}
MILESTONE_STATUS_ORDER = list(MILESTONE_STATUSES)
LATE_ICON = "◆"  # achieved, but after the planned date (the timeline's marker too)


def milestone_status_text(code: str, days_late=None) -> str:
    """Icon and words for a milestone's status, with how late it is: '▶ Overdue by 12 days'."""
    status = MILESTONE_STATUSES[code]
    late = None if days_late is None or pd.isna(days_late) else int(days_late)
    if code == "overdue" and late is not None:
        return ngettext("{icon} Overdue by {n} day", "{icon} Overdue by {n} days", late).format(
            icon=status.icon, n=late
        )
    if code == "achieved" and late:
        return ngettext(
            "{icon} Achieved {n} day late", "{icon} Achieved {n} days late", late
        ).format(icon=LATE_ICON, n=late)
    if code == "achieved" and late == 0:
        return _("{icon} Achieved on time").format(icon=status.icon)
    return f"{status.icon} {status.label}"


def stage_name(stage: int) -> str:
    """A stage's name in the current language: 'Assessment'."""
    return _(STAGES[int(stage)])


def stage_label(stage: int) -> str:
    """A stage's number and name in the current language: '2 Assessment'."""
    return f"{int(stage)} {stage_name(stage)}"


def level_label(level: str) -> str:
    """A milestone's level in the current language: 'National'."""
    return _(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level.capitalize()


@dataclass(frozen=True)
class MilestoneFilters:
    """What the reader picked: values to keep, or None for all (tuples, so caches can key);
    and what a donor's link limits them to (scope_regions, hidden_indicators)."""

    stages: tuple[int, ...] | None = None
    levels: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None  # region codes; NO_REGION for milestones without
    statuses: tuple[str, ...] | None = None
    # A donor's link: its regions (None: all). In view are the milestones of those regions
    # and those not tied to one (national, international, or without a region).
    scope_regions: tuple[str, ...] | None = None
    # Indicators never shown (sensitive, for a donor): milestones tied to them are left out.
    hidden_indicators: tuple[str, ...] = ()

    def params(self) -> dict:
        def listed(values):
            return None if values is None else list(values)

        return {
            "stages": listed(self.stages),
            "levels": listed(self.levels),
            "regions": listed(self.regions),
            "statuses": listed(self.statuses),
            "scope_regions": listed(self.scope_regions),
            "hidden_indicators": sorted(self.hidden_indicators) or None,
        }

    @property
    def indicator_regions(self) -> list[str] | None:
        """Regions an indicator's progress is computed over: the real regions picked, else
        the link's regions, else all."""
        picked = [r for r in self.regions or () if r != NO_REGION]
        if picked and self.scope_regions is not None:
            picked = [r for r in picked if r in self.scope_regions]
            return picked or list(self.scope_regions)
        if picked:
            return picked
        return None if self.scope_regions is None else list(self.scope_regions)


_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")
# An address that is plainly a web address, taken as it is without parsing it: http or https,
# a host of letters, digits, dots and dashes (and a port), then a path, query or fragment of
# printable ASCII characters other than quotes, angle brackets and backslashes. Every such
# address is one `_parsed_web_link` takes too (tests/unit/test_milestones.py); anything else
# (another scheme, a user name, a non-ASCII character) is parsed. Parsing each of 5,000
# milestones' evidence took 20 ms of every milestones page computed at 1,000,000 values.
_PLAIN_WEB_ADDRESS = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?)://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][!#-&(-;=?-\[\]^_a-z{|}~]*)?"
)


def web_link(url) -> str | None:
    """The address if it is a plain http(s) web address, else None (shown as text instead)."""
    if url is None or (not isinstance(url, str) and pd.isna(url)):
        return None
    text = str(url).strip()
    if _PLAIN_WEB_ADDRESS.fullmatch(text):
        return text
    return _parsed_web_link(text)


def _parsed_web_link(text: str) -> str | None:
    """`text` (stripped) if urlsplit finds an http(s) address with a host in it, and it holds
    no character that could break out of a link (spaces, quotes, angle brackets ...)."""
    if not text or _UNSAFE_IN_URL.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def indicator_detail_link(code: str, as_of: dt.date) -> str:
    """Address of an indicator's detail on the outcome indicators page, as of the same date."""
    query = urlencode({"indicator": code, "as_of": period_of(as_of)})
    return f"/{INDICATORS_URL_PATH}?{query}"


def in_view(filters: MilestoneFilters, view: ProtectedView) -> MilestoneFilters:
    """The reader's filters limited to what the viewer may see: a share link's regions (with
    the milestones tied to no region), no milestone tied to an indicator they never see."""
    return replace(
        filters,
        scope_regions=view.link_regions,
        hidden_indicators=tuple(sorted(view.sensitive)),
    )


def regions_in_view(db: Database, view: ProtectedView, settings: Settings) -> pd.DataFrame:
    """region_options as the viewer may see them."""
    scope = in_view(MilestoneFilters(), view)
    return region_options(db, settings, scope.scope_regions, scope.hidden_indicators)


def region_options(
    db: Database,
    settings: Settings,
    scope_regions: tuple[str, ...] | None = None,
    hidden_indicators: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Regions milestones can be filtered by (region_key, label), programme regions first.

    With `scope_regions` (a donor's link): the link's programme regions and the regions of
    the milestones in its view (MilestoneFilters.scope_regions).
    """
    frame = db.query(
        "milestones_regions",
        programme_regions=list(settings.programme.regions),
        scope_regions=None if scope_regions is None else list(scope_regions),
        hidden_indicators=sorted(hidden_indicators) or None,
    )
    return frame.assign(label=_region_labels(frame.region_key, frame.region_name))


def _listed(values: pd.Series) -> list:
    """The values as a list, missing ones as None. Python loops read the list, never the
    Series: pandas hands out its Arrow strings one at a time, which took 27 ms of every 5,000
    milestones listed."""
    return values.astype(object).where(values.notna(), None).tolist()


def _each_distinct(values: pd.Series, fn) -> list:
    """fn of each value, called once per distinct value (missing values as None)."""
    keys = _listed(values)
    done = {key: fn(key) for key in dict.fromkeys(keys)}
    return [done[key] for key in keys]


def _region_labels(keys: pd.Series, names: pd.Series) -> list[str]:
    return [
        _(NO_REGION_LABEL) if key == NO_REGION else (name if isinstance(name, str) else key)
        for key, name in zip(_listed(keys), _listed(names), strict=True)
    ]


def milestones_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, filters: MilestoneFilters
) -> pd.DataFrame:
    """milestone_list as the viewer may see it: a link's regions, no milestone tied to an
    indicator they never see; the indicator's actual, progress and status as the indicator
    pages show them (an actual withheld to protect people withholds its progress and
    status; `indicator_actual_shown` says "<5" or "hidden"). Evidence recorded with a
    milestone is left out where the view shows no free text (it may name people)."""
    filters = in_view(filters, view)
    frame = milestone_list(db, settings, as_of, filters, view)
    if not view.free_text:
        frame["evidence_url"] = None
        frame["evidence_link"] = None
    # The timeline's rows (timeline_rows), chosen here once, not on every rerun of the page.
    frame["on_timeline"] = frame.index.isin(timeline_rows(frame).index)
    return frame


def milestone_list(
    db: Database,
    settings: Settings,
    as_of: dt.date,
    filters: MilestoneFilters,
    view: ProtectedView | None = None,
) -> pd.DataFrame:
    """One row per milestone shown: status and lateness as of `as_of`, links, and the
    actual, progress and status of the indicator it names (over the regions picked, else
    the link's, else all), judged by `view` where given."""
    frame = db.query("milestones_list", as_of=as_of, **filters.params())
    # Texts are made once per distinct value, not once per row: thousands of milestones
    # share a few stages, statuses, lateness figures and indicators (docs/benchmarks.md).
    frame["stage_label"] = _each_distinct(frame.stage, stage_label)
    frame["region_label"] = _region_labels(frame.region_key, frame.region_name)
    late = [None if d is None else int(d) for d in _listed(frame.days_late)]
    pairs = list(zip(_listed(frame.status), late, strict=True))
    texts = {pair: milestone_status_text(*pair) for pair in dict.fromkeys(pairs)}
    frame["status_text"] = [texts[pair] for pair in pairs]
    frame["evidence_link"] = _each_distinct(frame.evidence_url, web_link)
    frame["indicator_link"] = _each_distinct(
        frame.indicator_code,
        lambda code: indicator_detail_link(code, as_of) if isinstance(code, str) else None,
    )
    regions = filters.indicator_regions
    progress = indicator_progress(db, settings, as_of, regions)
    if view is not None:
        progress = view.progress(progress, regions, period_of(as_of))
    else:
        progress = progress.assign(actual_shown=None, actual_withheld=False)
    columns = [
        "indicator_code",
        "title",
        "unit",
        "actual",
        "actual_shown",
        "actual_withheld",
        "progress",
        "expected",
        "status",
    ]
    progress = progress[columns].rename(
        columns={
            "title": "indicator_title",
            "unit": "indicator_unit",
            "actual": "indicator_actual",
            "actual_shown": "indicator_actual_shown",
            "actual_withheld": "indicator_actual_withheld",
            "progress": "indicator_progress",
            "expected": "indicator_expected",
            "status": "indicator_status",
        }
    )
    return frame.merge(progress, on="indicator_code", how="left")


def counts_in_view(
    db: Database, view: ProtectedView, as_of: dt.date, filters: MilestoneFilters
) -> pd.DataFrame:
    """milestone_counts over the milestones the viewer may see."""
    return milestone_counts(db, as_of, in_view(filters, view))


def milestone_counts(db: Database, as_of: dt.date, filters: MilestoneFilters) -> pd.DataFrame:
    """Achieved against planned by level, by region and in all (column `dimension`)."""
    frame = db.query("milestones_counts", as_of=as_of, **filters.params())
    regions = _region_labels(frame.value.fillna(NO_REGION), frame.region_name)
    labels = [
        _count_label(dimension, value, region)
        for dimension, value, region in zip(frame.dimension, frame.value, regions, strict=True)
    ]
    return frame.assign(label=labels)


def _count_label(dimension: str, value, region: str) -> str:
    if dimension == "level":
        return level_label(value)
    if dimension == "region":
        return region
    return _("All milestones shown")


def quarters_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, filters: MilestoneFilters
) -> pd.DataFrame:
    """milestones_by_quarter over the milestones the viewer may see."""
    return milestones_by_quarter(db, settings, as_of, in_view(filters, view))


def milestones_by_quarter(
    db: Database, settings: Settings, as_of: dt.date, filters: MilestoneFilters
) -> pd.DataFrame:
    """Milestones planned and achieved per quarter of the programme (achieved up to as_of)."""
    return db.query(
        "milestones_by_quarter",
        as_of=as_of,
        start=settings.programme.start,
        end=settings.programme.end,
        **filters.params(),
    )


def milestone_rule_text() -> str:
    """The status and lateness rules in words, for the page."""
    s = MILESTONE_STATUSES
    return _(
        "Status follows the reporting date, not the status column as it is today. "
        "**{achieved} Achieved** (on time) or **{late} achieved late**: achieved "
        "on or before the reporting date; late by the days between its planned and achieved "
        "dates (0: on time or early). "
        "**{overdue} Overdue**: planned before the reporting date and not achieved "
        "by then; late by the days from its planned date to the reporting date. "
        "**{planned} Planned**: planned on or after the reporting date, not achieved "
        "yet. **{dropped} Dropped**: no longer pursued; never counted as planned or "
        "overdue. A milestone is *due* when planned before the reporting date, or on it and "
        "achieved by then (one planned on the date and not achieved is still to come)."
    ).format(
        achieved=s["achieved"].icon,
        late=LATE_ICON,
        overdue=s["overdue"].icon,
        planned=s["planned"].icon,
        dropped=s["dropped"].icon,
    )


# A timeline of more rows than this is unreadable, and slow to draw in a browser (5,000 rows
# took 13 s in Chromium, docs/benchmarks.md): the page shows the most urgent ones.
TIMELINE_ROWS = 200
# The list of achieved milestones shows this many at a time (newest first), with a page
# picker under it; its downloads hold every row.
ACHIEVED_PAGE_ROWS = 100
_URGENCY = {"overdue": 0, "planned": 1, "in_progress": 1, "achieved": 2, "dropped": 3}


def timeline_rows(frame: pd.DataFrame, limit: int = TIMELINE_ROWS) -> pd.DataFrame:
    """At most `limit` milestones of `frame` for the timeline, the most urgent chosen first:
    overdue (longest late first), then still to come (soonest first), then achieved late,
    then achieved on time (latest achieved first), then dropped. The rows kept stay in
    `frame`'s order, so the timeline keeps its grouping by stage and level."""
    if len(frame) <= limit:
        return frame
    late = frame.late.fillna(False).astype(bool)
    kind = frame.status.map(_URGENCY).fillna(3) + ((frame.status == "achieved") & ~late) * 0.5
    days = lambda column: (pd.to_datetime(frame[column]) - pd.Timestamp("2000-01-01")).dt.days  # noqa: E731
    key = (
        -frame.days_late.fillna(0).where(frame.status == "overdue", 0)
        + days("planned_on").where(frame.status.isin(["planned", "in_progress"]), 0).fillna(0)
        - days("achieved_on").where(frame.status == "achieved", 0).fillna(0)
    )
    rank = pd.DataFrame({"kind": kind, "key": key}, index=frame.index)
    chosen = rank.sort_values(["kind", "key"], kind="stable").index[:limit]
    return frame[frame.index.isin(chosen)]
