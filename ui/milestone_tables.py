"""The milestones page's tables, their headers in the reader's language.

Each is built from a core result (monitoring.reports.milestones) and kept between reruns
with ui.common.built under that result's key (its data version, viewer's audience and
language), so a rerun that changes nothing they show (a page of the achieved list picked, a
table opened or closed) builds none: at 5,000 milestones each took 5-15 ms a rerun.

What depends on more than the result is passed in and hashed with it: the links to the
indicators page (they carry a share link's own address), whether the viewer may open that
page, whether evidence is shown. A table given back is shared between reruns and sessions
of the same viewer: it must not be changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitoring import i18n
from monitoring.i18n import _
from monitoring.reports import milestones as ms
from monitoring.reports.status import status_text


@dataclass(frozen=True)
class Headers:
    """The tables' column headers in the reader's language (the downloads carry the same)."""

    stage: str
    level: str
    milestone: str
    region: str
    planned: str
    achieved: str
    status: str
    days_late: str
    indicator: str
    indicator_progress: str
    indicator_status: str
    audience: str
    outcome: str
    evidence: str
    not_a_link: str
    achieved_of_due: str


def headers() -> Headers:
    return Headers(
        stage=_("Stage"),
        level=_("Level"),
        milestone=_("Milestone"),
        region=_("Region"),
        planned=_("Planned"),
        achieved=_("Achieved"),
        status=_("Status"),
        days_late=_("Days late"),
        indicator=_("Indicator"),
        indicator_progress=_("Indicator progress"),
        indicator_status=_("Indicator status"),
        audience=_("Audience"),
        outcome=_("Outcome (the change it led to)"),
        evidence=_("Evidence"),
        not_a_link=_("Evidence (not a web address)"),
        achieved_of_due=_("Achieved of due"),
    )


# The milestones the timeline draws, with the columns it draws from only (each filter
# copies every column it is given).
TIMELINE_COLUMNS = [
    "milestone_id",
    "title",
    "stage_label",
    "level",
    "region_label",
    "audience",
    "planned_on",
    "achieved_on",
    "status",
    "status_text",
    "late",
    "days_late",
    "indicator_code",
    "indicator_progress",
    "indicator_status",
]


def on_timeline(shown: pd.DataFrame) -> pd.DataFrame:
    """The most urgent milestones of `shown` (chosen in the core: `on_timeline`)."""
    return shown.loc[shown.on_timeline, TIMELINE_COLUMNS]


def progress_hidden(frame: pd.DataFrame) -> pd.Series:
    """Whether each milestone's indicator progress is withheld: an indicator's actual
    withheld to protect the people counted withholds its progress and status too
    (monitoring/access/view.py)."""
    return frame.indicator_actual_withheld.fillna(False).astype(bool)


def _indicator_cells(
    frame: pd.DataFrame, links: dict[str, str] | None, as_text: bool
) -> dict[str, object]:
    """The indicator's columns: its code (a link to its detail where `links` are given), its
    progress (a percentage; words among the numbers where `as_text`: "hidden") and status."""
    names = headers()
    percent = (frame.indicator_progress * 100).round(0)
    if as_text:
        hidden = progress_hidden(frame)
        percent = [
            _("hidden") if hidden[i] else None if pd.isna(v) else i18n.percent(v / 100)
            for i, v in percent.items()
        ]
    return {
        names.indicator: frame.indicator_code.map(links)
        if links is not None
        else frame.indicator_code,
        names.indicator_progress: percent,
        names.indicator_status: frame.indicator_status.map(
            {s: status_text(s) for s in frame.indicator_status.dropna().unique()}
        ),
    }


def _level_labels(levels: pd.Series) -> pd.Series:
    return levels.map({level: ms.level_label(level) for level in levels.unique()})


def timeline_table(
    shown: pd.DataFrame, links: dict[str, str] | None, as_text: bool
) -> pd.DataFrame:
    """Every milestone shown, as a table (`links`: each indicator's link to its detail, None
    where the viewer may not open that page; `as_text`: some progress is withheld)."""
    names = headers()
    return pd.DataFrame(
        {
            names.stage: shown.stage_label,
            names.level: _level_labels(shown.level),
            names.milestone: shown.milestone_id + " " + shown.title,
            names.region: shown.region_label,
            names.planned: shown.planned_on,
            names.achieved: shown.achieved_on,
            names.status: shown.status_text,
            names.days_late: shown.days_late,
            **_indicator_cells(shown, links, as_text),
        }
    )


@dataclass(frozen=True)
class AchievedList:
    """The achieved milestones, the latest first, as the page lists them."""

    table: pd.DataFrame
    codes: pd.Series  # each row's indicator code (the table may show a link instead)
    without_outcome: int  # how many have no outcome recorded yet
    any_hidden: bool  # whether a row's indicator progress is withheld


def achieved_list(
    shown: pd.DataFrame, links: dict[str, str] | None, as_text: bool, evidence_shown: bool
) -> AchievedList:
    """The milestones of `shown` achieved by the reporting date, the latest first: what
    each led to, its evidence (a link where it is a web address, else as text in a column of
    its own, left out where no row has one; neither where `evidence_shown` is False: it may
    name the people who took part), and its indicator."""
    names = headers()
    achieved = shown.loc[shown.status == "achieved"].sort_values(
        ["achieved_on", "milestone_id"], ascending=[False, True]
    )
    not_a_link = achieved.evidence_url.where(
        achieved.evidence_url.notna() & achieved.evidence_link.isna()
    )
    table = pd.DataFrame(
        {
            names.achieved: achieved.achieved_on,
            names.milestone: achieved.milestone_id + " " + achieved.title,
            names.audience: achieved.audience,
            names.outcome: achieved.outcome.fillna(_("not recorded")),
            names.evidence: achieved.evidence_link,
            names.not_a_link: not_a_link,
            **_indicator_cells(achieved, links, as_text),
            names.stage: achieved.stage_label,
            names.level: _level_labels(achieved.level),
            names.region: achieved.region_label,
        }
    ).reset_index(drop=True)
    if table[names.not_a_link].isna().all():
        table = table.drop(columns=names.not_a_link)
    if not evidence_shown:
        table = table.drop(columns=names.evidence)
    return AchievedList(
        table=table,
        codes=achieved.indicator_code,
        without_outcome=int(achieved.outcome.isna().sum()),
        any_hidden=bool(progress_hidden(achieved).any()),
    )


def as_downloaded(table: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """A table as shown: the indicator column shows the code, not the link behind it
    (`codes`: each row's, in the table's order; their index is not read)."""
    return table.assign(**{headers().indicator: codes.to_numpy()})


def count_columns(as_of: dt.date) -> dict[str, str]:
    """The counts' headers (the reader's language) and the columns they show."""
    names = headers()
    return {
        names.planned: "planned",
        _("Due by {date}").format(date=i18n.date(as_of, "medium")): "due",
        names.achieved: "achieved",
        _("of which late"): "achieved_late",
        _("Overdue"): "overdue",
        _("Not yet due"): "not_yet_due",
        _("Dropped"): "dropped",
    }


def count_tables(counts: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Achieved against planned by level and by region (ms.counts_in_view's rows), each with
    the share of due milestones achieved."""
    names, columns = headers(), count_columns(as_of)

    def table(dimension: str, heading: str) -> pd.DataFrame:
        part = counts[counts.dimension == dimension]
        numbers = part[list(columns.values())].astype(int)  # one cast, not one a column
        numbers.columns = list(columns)
        out = pd.concat([part[["label"]].rename(columns={"label": heading}), numbers], axis=1)
        share = part.achieved_of_due / part.due.where(part.due > 0) * 100
        out[names.achieved_of_due] = share.round(0)
        return out.reset_index(drop=True)

    return table("level", names.level), table("region", names.region)
