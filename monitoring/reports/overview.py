"""How is the programme doing? The figures of the overview page, as of a reporting date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitoring.access.view import WITHHELD, ProtectedView, free_of_people_data
from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.periods import default_reporting_date, months_elapsed, period_of, time_share
from monitoring.reports.status import STATUS_ORDER, STATUSES
from monitoring.settings import Settings


@free_of_people_data
def latest_data_period(db: Database, settings: Settings) -> str | None:
    """The latest quarter inside the programme with any value or transaction."""
    programme = settings.programme
    return db.scalar("overview_latest_period", start=programme.start, end=programme.end)


@free_of_people_data
def default_as_of(db: Database, settings: Settings) -> dt.date:
    return default_reporting_date(settings.programme, latest_data_period(db, settings))


def indicator_status(db: Database, view: ProtectedView, settings: Settings, as_of: dt.date):
    """indicator_progress over every region the viewer may see, as they may see it: no
    indicator they never see; an actual withheld to protect people withholds its progress,
    shortfall and status too (status 'withheld'); `actual_shown` is the actual as a table
    shows it."""
    regions = view.within(None)
    progress = indicator_progress(db, settings, as_of, None if regions is None else list(regions))
    return view.progress(progress, regions, period_of(as_of))


def indicator_progress(
    db: Database,
    settings: Settings,
    as_of: dt.date,
    regions: list[str] | None = None,
    indicator: str | None = None,
) -> pd.DataFrame:
    """One row per indicator: actual, progress, expected progress and status.

    With `regions`, only their values count, and a selection that leaves out a programme
    region is measured against regional targets (docs/indicators.md). An empty list
    counts no region at all (never "all": a donor's scope must not widen by accident).
    With `indicator`, that indicator's row only (its detail: one indicator's values read).
    """
    return db.query(
        "indicators_progress",
        as_of=as_of,
        start=settings.programme.start,
        end=settings.programme.end,
        regions=None if regions is None else list(regions),
        programme_regions=list(settings.programme.regions),
        on_track=settings.status.on_track,
        at_risk=settings.status.at_risk,
        indicator=indicator,
    )


# An indicator's unit (monitoring/contract.py), as a table shows it.
UNIT_TEXT = {"number": N_("number"), "percent": N_("percent")}


def unit_text(unit):
    """An indicator's unit in the current language."""
    return _(UNIT_TEXT[unit]) if unit in UNIT_TEXT else unit


# The logframe's levels (monitoring/contract.py), as a heading shows them.
LEVEL_LABELS = {"goal": N_("Goal"), "outcome": N_("Outcome"), "output": N_("Output")}


def outcome_label(level: str, outcome) -> str:
    """The heading of an indicator's goal or outcome, in the current language."""
    if level == "goal":
        return _("Goal")
    if pd.isna(outcome):
        return _(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level.capitalize()
    return _("Outcome {number}").format(number=int(outcome))


def shown_statuses(progress: pd.DataFrame) -> list[str]:
    """The statuses to count, in order: the four always, 'no_target' when a regional view
    has any (a count whose target is for the whole programme), 'withheld' when a donor's
    view withholds any (counted, never left out: a missing indicator could be counted)."""
    extra = [s for s in ("no_target", WITHHELD) if (progress.status == s).any()]
    return [*STATUS_ORDER, *extra]


def status_counts(progress: pd.DataFrame) -> pd.DataFrame:
    """Indicators per goal/outcome and status: one row per group, a column per status."""
    groups = progress.assign(
        group=[
            outcome_label(lv, oc) for lv, oc in zip(progress.level, progress.outcome, strict=True)
        ]
    )
    counts = (
        groups.groupby(["group", "status"], sort=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=shown_statuses(progress), fill_value=0)
    )
    counts["total"] = counts.sum(axis=1)
    return counts.reset_index()


def needs_attention(progress: pd.DataFrame, limit: int = 8) -> pd.DataFrame:
    """Indicators behind, at risk or without data: worst first, largest shortfall first.

    Withheld indicators (a donor's view) come after the others, in code order, whatever
    their true status: neither their place nor their presence says anything of their value.
    """
    flagged = progress[progress.status != "on_track"].copy()
    flagged["rank"] = flagged.status.map(lambda s: STATUSES[s].rank)
    flagged = flagged.sort_values(
        ["rank", "shortfall", "indicator_code"], ascending=[True, False, True], na_position="last"
    )
    return flagged.drop(columns="rank").head(limit).reset_index(drop=True)


@dataclass(frozen=True)
class TimeElapsed:
    months: int
    total_months: int
    share: float


@free_of_people_data
def time_elapsed(settings: Settings, as_of: dt.date) -> TimeElapsed:
    months, total = months_elapsed(settings.programme, as_of)
    return TimeElapsed(months, total, time_share(settings.programme, as_of))


PROGRAMME = "programme"  # the programme's budget and all its spending
SMALL_GRANTS = "small grants"  # the small grants of some regions: the money tied to a region


@dataclass(frozen=True)
class SpendingSummary:
    """Budget and spending to date, of the programme or of the small grants of some regions.

    For small grants (`basis` SMALL_GRANTS) the budget is what was awarded, the budget to
    date each award spread evenly over its grant's days, and `time_share` the share of the
    grants' time elapsed, weighted by award: so the burn rate reads as the programme's does.
    """

    budget_total: float
    budget_to_date: float
    spent_to_date: float
    disbursed_to_date: float
    time_share: float
    transactions_without_rate: int
    budget_rows_without_rate: int
    basis: str = PROGRAMME

    @property
    def spent_share(self) -> float | None:
        """Share of the whole budget spent."""
        return self.spent_to_date / self.budget_total if self.budget_total else None

    @property
    def against_plan(self) -> float | None:
        """Spending as a share of the budget planned up to the reporting date."""
        return self.spent_to_date / self.budget_to_date if self.budget_to_date else None

    @property
    def burn_rate(self) -> float | None:
        """Share of budget spent divided by share of time elapsed (1.0 = on pace)."""
        if self.spent_share is None or not self.time_share:
            return None
        return self.spent_share / self.time_share


def _number(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def spending_position(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date
) -> SpendingSummary:
    """spending_summary as the viewer may see it: a share link limited to some regions sees
    the small grants of its regions only (docs/access.md)."""
    regions = view.link_regions
    return spending_summary(db, settings, as_of, None if regions is None else list(regions))


def spending_summary(
    db: Database, settings: Settings, as_of: dt.date, regions: list[str] | None = None
) -> SpendingSummary:
    """Budget and spending as of `as_of`, in US dollars.

    regions None: the programme's budget and all its spending. With `regions`: the small
    grants of those regions (a grant's region, else its organisation's), the only money
    tied to a region; the programme's budget is not split by region (docs/access.md).
    """
    if regions is None:
        row = db.query("overview_spending", as_of=as_of).iloc[0]
        share, basis = time_share(settings.programme, as_of), PROGRAMME
    else:
        row = db.query(
            "overview_spending_grants",
            as_of=as_of,
            regions=list(regions),
            programme_end=settings.programme.end,
        ).iloc[0]
        budget, to_date = _number(row.budget_total), _number(row.budget_to_date)
        share, basis = (to_date / budget if budget else 0.0), SMALL_GRANTS
    return SpendingSummary(
        budget_total=_number(row.budget_total),
        budget_to_date=_number(row.budget_to_date),
        spent_to_date=_number(row.spent_to_date),
        disbursed_to_date=_number(row.disbursed_to_date),
        time_share=share,
        transactions_without_rate=int(row.transactions_without_rate),
        budget_rows_without_rate=int(row.budget_rows_without_rate),
        basis=basis,
    )


# The burn rate's verdicts (codes, see burn_rate_verdict) in words, as the overview shows them.
VERDICT_TEXT = {
    "underspending": N_("underspending"),
    "on pace": N_("on pace"),
    "overspending": N_("overspending"),
    "no budget": N_("no budget"),
}


def verdict_text(verdict: str) -> str:
    """A burn-rate verdict (a code of burn_rate_verdict) in words of the current language."""
    return _(VERDICT_TEXT[verdict])


@free_of_people_data
def burn_rate_verdict(burn_rate: float | None, settings: Settings) -> str:
    """'underspending', 'on pace', 'overspending' or 'no budget' (codes: verdict_text gives
    the words)."""
    if burn_rate is None:
        return "no budget"
    if burn_rate < settings.spending.underspend_below:
        return "underspending"
    if burn_rate > settings.spending.overspend_above:
        return "overspending"
    return "on pace"


@dataclass(frozen=True)
class MilestoneSummary:
    planned_total: int
    planned_to_date: int
    achieved_to_date: int
    achieved_of_planned_to_date: int
    overdue: int


def milestones_position(db: Database, view: ProtectedView, as_of: dt.date) -> MilestoneSummary:
    """milestone_summary as the viewer may see it: a link's regions (and the milestones tied
    to no region), no milestone tied to an indicator the viewer never sees."""
    regions = view.link_regions
    return milestone_summary(
        db, as_of, None if regions is None else list(regions), tuple(sorted(view.sensitive))
    )


def milestone_summary(
    db: Database,
    as_of: dt.date,
    regions: list[str] | None = None,
    hidden_indicators: frozenset[str] | tuple[str, ...] = (),
) -> MilestoneSummary:
    """Milestones planned, due, achieved and overdue as of `as_of`.

    regions None: every milestone. With `regions` (a donor's link), the milestones of those
    regions and those not tied to a region: national and international ones, and any without
    a region. A milestone tied to one of `hidden_indicators` is left out.
    """
    row = db.query(
        "overview_milestones",
        as_of=as_of,
        scope_regions=None if regions is None else list(regions),
        hidden_indicators=sorted(hidden_indicators) or None,
    ).iloc[0]
    return MilestoneSummary(**{k: int(_number(row[k])) for k in MilestoneSummary.__annotations__})


@dataclass(frozen=True)
class Freshness:
    last_updated: dt.datetime | None
    last_updated_by: str | None
    has_sample_data: bool
    uploads: int
    latest_value_period: str | None


def data_freshness(db: Database, view: ProtectedView) -> Freshness:
    """When the data was last updated, and by whom where the viewer may know it (who
    uploaded is the team's business: a donor's view names nobody)."""
    row = db.query("overview_data_freshness").iloc[0]
    last = row.last_updated
    by = None if pd.isna(row.last_updated_by) or not view.uploader_names else row.last_updated_by
    return Freshness(
        last_updated=None if pd.isna(last) else pd.Timestamp(last).to_pydatetime(),
        last_updated_by=None if by is None else str(by),
        has_sample_data=bool(row.has_sample_data),
        uploads=int(row.uploads),
        latest_value_period=None
        if pd.isna(row.latest_value_period)
        else str(row.latest_value_period),
    )
