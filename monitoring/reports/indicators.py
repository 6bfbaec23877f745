"""The outcome indicators page: the indicator tracking table (IPTT) and one indicator's detail.

Every figure is computed as of a reporting date, over the regions picked (None: all), by the
rules of docs/indicators.md; status and the actual to date come from
`overview.indicator_progress`, the rule the overview uses too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from monitoring.access import cells as pc
from monitoring.access.view import ProtectedView, free_of_people_data
from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.periods import period_of, periods_between, programme_periods
from monitoring.reports.map import described, region_words
from monitoring.reports.overview import indicator_progress
from monitoring.reports.status import status_text
from monitoring.settings import Settings

# Shown translated: _(AGGREGATION_TEXT[code]) (monitoring/i18n.py).
AGGREGATION_TEXT = {
    "sum": N_("cumulative total"),
    "latest": N_("latest value"),
    "mean": N_("average"),
}
UNIT_TEXT = {"number": N_("number"), "percent": "%"}
DIRECTION_TEXT = {"increase": N_("increase"), "decrease": N_("decrease")}


LEVEL_TEXT = {"goal": N_("Goal"), "outcome": N_("Outcome"), "output": N_("Output")}
# A value's sex and age group in a table: words, but for an age band ("18-24"), as written.
SEX_AGE_TEXT = {"all": N_("all"), "female": N_("female"), "male": N_("male")}


def outcome_label(level: str, outcome) -> str:
    """The goal/outcome group of an indicator, in the language: "Goal", "Outcome 2"."""
    if level == "goal" or pd.isna(outcome):
        return shown_text(LEVEL_TEXT, level) if level in LEVEL_TEXT else str(level).capitalize()
    return _("Outcome {n}").format(n=int(outcome))


def shown_text(labels: dict[str, str], code) -> str:
    """The translated label of a code (the code itself when it has none)."""
    label = labels.get(code) if isinstance(code, str) else None
    return _(label) if label else ("" if code is None or pd.isna(code) else str(code))


_PERIOD_FORMS = (
    re.compile(r"(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<quarter>[1-4])", re.IGNORECASE),
    re.compile(r"Q(?P<quarter>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})", re.IGNORECASE),
)


def parse_period(text: str) -> str | None:
    """A quarter written 2021Q1, 2021-Q1, 2021 Q1, Q1 2021 or Q1-2021, as 2021Q1; else None."""
    text = text.strip()
    for form in _PERIOD_FORMS:
        match = form.fullmatch(text)
        if match:
            return f"{match['year']}Q{match['quarter']}"
    return None


def parse_regions(values: list[str], options: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Region codes named in `values` (codes or English names, any case, comma separated)
    and the items that name no region of `options` (columns region_code, region_name)."""
    lookup = {}
    for code, name in zip(options.region_code, options.region_name, strict=True):
        lookup[str(code).casefold()] = code
        lookup[str(name).casefold()] = code
    codes, unknown = [], []
    for item in (part.strip() for value in values for part in value.split(",")):
        if not item:
            continue
        code = lookup.get(item.casefold())
        if code is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def parse_outcome(text: str, labels: list[str]) -> str | None:
    """The goal/outcome label meant by `text` ('2', 'outcome 2', 'Goal' ...), else None."""
    wanted = text.strip().casefold().removeprefix("outcome ").strip()
    for label in labels:
        number = label.rsplit(" ", 1)[-1] if label[-1:].isdigit() else None
        if wanted in (label.casefold(), label.casefold().removeprefix("outcome "), number):
            return label
    if wanted == "goal":  # the English word, in a link copied from an English page
        return next((label for label in labels if label == _("Goal")), None)
    return None


@dataclass(frozen=True)
class QuarterRange:
    """The quarters shown: from `first` to `last`, never past the reporting date."""

    first: str
    last: str
    notices: tuple[str, ...] = ()

    @property
    def periods(self) -> list[str]:
        return periods_between(self.first, self.last)


@free_of_people_data
def quarter_range(
    settings: Settings, as_of: dt.date, first: str | None = None, last: str | None = None
) -> QuarterRange:
    """The quarters to show, from `first` (default: the programme's first) to `last`
    (default and at most: the reporting quarter); notices say what was changed and why."""
    periods = programme_periods(settings.programme)
    reporting = min(period_of(as_of), periods[-1])
    notices = []
    first = first if first in periods else periods[0]
    chosen_last = last if last in periods else None
    last = chosen_last or reporting
    if first > last:
        first, last = last, first
        notices.append(
            _("The range started after it ended; showing {first} to {last}.").format(
                first=first, last=last
            )
        )
    if last > reporting:
        if chosen_last:
            notices.append(
                _(
                    "Quarters after the reporting quarter {period} are not shown: pick a later "
                    "reporting date in the sidebar to see them."
                ).format(period=reporting)
            )
        last = reporting
        first = min(first, last)
    return QuarterRange(first, last, tuple(notices))


def region_options(db: Database, settings: Settings, regions=None) -> pd.DataFrame:
    """Regions to filter by (region_code, region_name, in_programme), programme regions first;
    with `regions` (a viewer's scope), only those."""
    return db.query(
        "indicators_regions",
        programme_regions=list(settings.programme.regions),
        regions=_regions(regions),
    )


def _regions(regions) -> list[str] | None:
    return list(dict.fromkeys(regions)) if regions else None


def indicator_series(
    db: Database, periods: list[str], regions=None, indicator: str | None = None
) -> pd.DataFrame:
    """Per indicator and quarter: value reported in it, actual to date, period target."""
    return db.query(
        "indicators_series", periods=list(periods), regions=_regions(regions), indicator=indicator
    )


def _rounded(values: pd.Series) -> pd.Series:
    return values.astype("float64").round(1)


def iptt(
    db: Database,
    settings: Settings,
    as_of: dt.date,
    regions=None,
    first: str | None = None,
    last: str | None = None,
    outcome: str | None = None,
) -> pd.DataFrame:
    """The indicator tracking table exactly as the page shows and downloads it.

    One row per indicator, grouped by goal/outcome: unit, baseline, target, period targets,
    the value reported in each quarter of the range (empty when none was), the actual to
    date by the indicator's aggregation, % of target achieved, status and who reported.
    """
    span = quarter_range(settings, as_of, first, last)
    reporting = period_of(as_of)
    progress = indicator_progress(db, settings, as_of, _regions(regions))
    progress["group"] = [
        outcome_label(level, oc) for level, oc in zip(progress.level, progress.outcome, strict=True)
    ]
    if outcome:
        progress = progress[progress.group == outcome]
    series = indicator_series(db, span.periods, regions)
    series = series[series.indicator_code.isin(progress.indicator_code)]
    codes = progress.indicator_code.tolist()
    actual = series.pivot(index="indicator_code", columns="period", values="value")
    actual = actual.reindex(index=codes, columns=span.periods)
    targets = series.pivot(index="indicator_code", columns="period", values="period_target")
    targets = targets.reindex(index=codes).dropna(axis="columns", how="all")
    expected_regions = len(_regions(regions) or settings.programme.regions)

    columns = {
        "Goal / outcome": progress.group.to_numpy(),
        "Code": progress.indicator_code.to_numpy(),
        "Indicator": progress.title.to_numpy(),
        "Unit": [shown_text(UNIT_TEXT, u) for u in progress.unit],
        "Status": progress.status.map(status_text).to_numpy(),
        "% of target achieved": (progress.progress.astype("float64") * 100).round(0).to_numpy(),
        f"Actual to {reporting}": _rounded(progress.actual).to_numpy(),
        "Target": _rounded(progress.target).to_numpy(),
        "Baseline": _rounded(progress.baseline).to_numpy(),
        "Aim": [shown_text(DIRECTION_TEXT, d) for d in progress.direction],
        "Combined as": [shown_text(AGGREGATION_TEXT, a) for a in progress.aggregation],
    }
    # The IPTT's period columns: targets where indicator_targets has any, then what was
    # reported in each quarter (empty where nothing was). Rounded as whole blocks and the
    # frame made once: a column added at a time cost a copy each (40 quarters).
    target_values = targets.to_numpy(dtype="float64").round(1)
    for i, period in enumerate(targets.columns):
        columns[f"Target by {period}"] = target_values[:, i]
    actual_values = actual.to_numpy(dtype="float64").round(1)
    for i, period in enumerate(span.periods):
        columns[period] = actual_values[:, i]
    columns[f"Regions reporting in {reporting}"] = [
        _("{n} of {total}").format(n=int(n), total=expected_regions)
        for n in progress.regions_reporting_now
    ]
    return pd.DataFrame(columns)


def iptt_quarter_columns(table: pd.DataFrame) -> list[str]:
    """The quarter columns of an IPTT frame (values reported in each quarter)."""
    return [c for c in table.columns if re.fullmatch(r"\d{4}Q[1-4]", str(c))]


def indicator_codes(
    db: Database, settings: Settings, as_of: dt.date, exclude: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Every indicator (code, title, group) in logframe order, but those in `exclude` (the
    indicators a viewer must not see). The logframe alone (queries/indicators_logframe.sql):
    the same rows and order as indicator_progress, without computing any progress."""
    logframe = db.query("indicators_logframe")
    logframe = logframe[~logframe.indicator_code.isin(list(exclude))].reset_index(drop=True)
    return pd.DataFrame(
        {
            "indicator_code": logframe.indicator_code,
            "title": logframe.title,
            "group": [
                outcome_label(lv, oc)
                for lv, oc in zip(logframe.level, logframe.outcome, strict=True)
            ],
        }
    )


def indicator_summary(
    db: Database, settings: Settings, as_of: dt.date, code: str, regions=None
) -> dict | None:
    """The indicator's row of indicator_progress (as a dict), or None if there is none."""
    progress = indicator_progress(db, settings, as_of, _regions(regions), indicator=code)
    if progress.empty:
        return None
    row = progress.iloc[0].to_dict()
    definition = db.query("indicators_definition", indicator=code)
    row["means_of_verification"] = (
        None if definition.empty else definition.means_of_verification.iat[0]
    )
    return row


def region_progress(
    db: Database, settings: Settings, as_of: dt.date, code: str, regions
) -> pd.DataFrame:
    """The indicator's actual, target, progress and status in each region, by the same rule
    as the whole programme (each region is a regional view with its own targets): one query
    with the region as a group-by key (queries/indicators_region_progress.sql)."""
    options = region_options(db, settings)
    names = options.set_index("region_code").region_name
    chosen = list(regions or options.region_code)
    if not chosen:
        return pd.DataFrame()
    progress = db.query(
        "indicators_region_progress",
        as_of=as_of,
        start=settings.programme.start,
        end=settings.programme.end,
        regions=chosen,
        indicator=code,
        programme_regions=list(settings.programme.regions),
        on_track=settings.status.on_track,
        at_risk=settings.status.at_risk,
    )
    if progress.empty:
        return pd.DataFrame()
    return progress.assign(
        region_name=[names.get(region, region) for region in progress.region_code]
    )


def region_series(
    db: Database, settings: Settings, periods: list[str], code: str, regions=None
) -> pd.DataFrame:
    """`indicators_series` of one indicator for each region on its own (region_name added):
    one query with the region as a group-by key (queries/indicators_region_series.sql)."""
    options = region_options(db, settings)
    if regions:
        options = options[options.region_code.isin(list(regions))]
    if options.empty:
        return pd.DataFrame()
    series = db.query(
        "indicators_region_series",
        periods=list(periods),
        regions=options.region_code.tolist(),
        indicator=code,
    )
    names = dict(zip(options.region_code, options.region_name, strict=True))
    return series.assign(region_name=[names[region] for region in series.region_code])


def region_detail(
    db: Database,
    settings: Settings,
    as_of: dt.date,
    code: str,
    first: str,
    last: str,
    regions=None,
) -> pd.DataFrame:
    """The indicator in each region as the detail's table shows it: actual, target, % of
    target, status, last report, and what the region reported in each quarter of the range.
    Indexed by region code (not shown); empty when no region has the indicator."""
    progress = region_progress(db, settings, as_of, code, regions)
    if progress.empty:
        return pd.DataFrame()
    reporting = period_of(as_of)
    table = pd.DataFrame(
        {
            "Region": progress.region_name.to_numpy(),
            f"Actual to {reporting}": _rounded(progress.actual).to_numpy(),
            "Target": _rounded(progress.target).to_numpy(),
            "% of target achieved": (progress.progress.astype("float64") * 100).round(0).to_numpy(),
            "Status": progress.status.map(status_text).to_numpy(),
            "Last reported": progress.last_period.to_numpy(),
        },
        index=pd.Index(progress.region_code, name="region_code"),
    )
    reported = indicator_by_region(db, code, first, last, regions)
    if not reported.empty:
        per_quarter = reported.pivot(index="region_code", columns="period", values="value")
        per_quarter = per_quarter.reindex(index=table.index, columns=periods_between(first, last))
        for period in per_quarter.columns:
            table[period] = _rounded(per_quarter[period]).to_numpy()
    return table


def indicator_by_region(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """The indicator's value and period target per region and quarter."""
    return db.query(
        "indicators_by_region", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_breakdown(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """The indicator's values by sex and by age group per quarter, beside the total."""
    return db.query(
        "indicators_breakdown", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_comments(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """Comments recorded with the indicator's values, newest first."""
    return db.query(
        "indicators_comments", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_sources(db: Database, code: str, first: str, last: str, regions=None) -> pd.DataFrame:
    """The sources of the indicator's values with the quarters each covers."""
    return db.query(
        "indicators_sources", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def missing_reports(
    db: Database, settings: Settings, code: str, period: str, regions=None, unnamed_kinds=None
) -> pd.DataFrame:
    """Programme regions and organisations that have not reported the indicator for
    `period` (organisations: those that reported it before), with their last report.
    `unnamed_kinds` (a donor view): organisations of these kinds are described, not named."""
    return db.query(
        "indicators_missing_reports",
        indicator=code,
        period=period,
        programme_regions=list(settings.programme.regions),
        regions=_regions(regions),
        unnamed_kinds=None if unnamed_kinds is None else list(unnamed_kinds),
    )


# Donor views: every count of people judged from the protected cells ----------------------
# (monitoring/access/cells.py; `regions` are the regions shown, within the link's).


def _withhold(judge, frame: pd.DataFrame, states) -> pc.Withheld:
    """Apply `states` with a judge: a ProtectedView, or the IndicatorCells of a scope."""
    if isinstance(judge, pc.IndicatorCells):
        return pc.withhold(frame, states, judge)
    return judge.withhold(frame, states)


def donor_iptt(table: pd.DataFrame, cells, regions, reporting: str) -> pc.Withheld:
    """The tracking table as a donor sees it: no sensitive indicator; counts of people,
    their % of target and status shown only as far as the protected cells allow."""
    table = table[~table["Code"].isin(cells.sensitive)].reset_index(drop=True)
    actual = f"Actual to {reporting}"
    states: dict[str, list[str]] = {actual: []}
    quarters = iptt_quarter_columns(table)
    for period in quarters:
        states[period] = [
            cells.quarter(code, regions, period, v)
            for code, v in zip(table["Code"], table[period], strict=True)
        ]
    for code, v in zip(table["Code"], table[actual], strict=True):
        states[actual].append(cells.to_date(code, regions, reporting, v))
    states["% of target achieved"] = [pc.derived(s) for s in states[actual]]
    states["Status"] = [pc.derived(s) for s in states[actual]]
    return _withhold(cells, table, states)


def donor_summary(info: dict, cells: pc.IndicatorCells, regions, reporting: str) -> tuple[str, str]:
    """(state of the actual, state of its % of target and status) in the detail's figures."""
    actual = cells.to_date(info["indicator_code"], regions, reporting, info["actual"])
    return actual, pc.derived(actual)


def donor_series(series: pd.DataFrame, cells, regions, code: str) -> pc.Withheld:
    """An indicator_series frame (one indicator, `regions` together) as a donor sees it;
    with a region_code column, each row over its own region (region_series)."""
    by_row = "region_code" in series.columns
    scope = [[r] for r in series.region_code] if by_row else [regions] * len(series)
    states = {
        "value": [
            cells.quarter(code, where, p, v)
            for where, p, v in zip(scope, series.period, series.value, strict=True)
        ],
        "actual_to_date": [
            cells.to_date(code, where, p, v)
            for where, p, v in zip(scope, series.period, series.actual_to_date, strict=True)
        ],
    }
    return _withhold(cells, series, states)


def donor_region_detail(table: pd.DataFrame, cells, code: str, reporting: str) -> pc.Withheld:
    """region_detail as a donor sees it: each region's counts judged on their own."""
    actual = f"Actual to {reporting}"
    states = {
        actual: [
            cells.to_date(code, [r], reporting, v)
            for r, v in zip(table.index, table[actual], strict=True)
        ]
    }
    states["% of target achieved"] = [pc.derived(s) for s in states[actual]]
    states["Status"] = [pc.derived(s) for s in states[actual]]
    for period in iptt_quarter_columns(table):
        states[period] = [
            cells.quarter(code, [r], period, v)
            for r, v in zip(table.index, table[period], strict=True)
        ]
    return _withhold(cells, table, states)


def donor_breakdown(parts: pd.DataFrame, cells, regions, code: str) -> pc.Withheld:
    """indicator_breakdown as a donor sees it: parts by sex and age group protected with
    their totals (a small part hides a second one)."""

    def state(dimension: str, category: str, period: str, value) -> str:
        sex = category if dimension == "sex" else "all"
        age = category if dimension == "age_group" else "all"
        return cells.quarter(code, regions, period, value, sex=sex, age=age)

    states = {
        "value": [
            state(d, c, p, v)
            for d, c, p, v in zip(
                parts.dimension, parts.category, parts.period, parts.value, strict=True
            )
        ]
    }
    return _withhold(cells, parts, states)


# The page: every function below takes the protected view and returns only what the viewer
# may see (monitoring/access/view.py). `regions` are the regions picked (None: all of the
# viewer's), narrowed to the viewer's here.


def regions_in_view(db: Database, view: ProtectedView, settings: Settings) -> pd.DataFrame:
    """region_options limited to the regions the viewer may see."""
    return region_options(db, settings, view.regions)


def logframe_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date
) -> pd.DataFrame:
    """indicator_codes without the indicators the viewer never sees."""
    return indicator_codes(db, settings, as_of, tuple(sorted(view.sensitive)))


def tracking_table(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    regions=None,
    first: str | None = None,
    last: str | None = None,
    outcome: str | None = None,
) -> pc.Withheld:
    """The indicator tracking table as the viewer may see it (`table` to show and download,
    `numeric` for charts): no indicator they never see; counts of people, their % of target
    and status shown as far as the protected cells allow."""
    regions = view.within(regions)
    table = iptt(db, settings, as_of, regions, first, last, outcome)
    return donor_iptt(table, view, regions, period_of(as_of))


def indicator_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, code: str, regions=None
) -> dict | None:
    """indicator_summary as the viewer may see it, None for an indicator they never see
    (the same as one that does not exist). `actual_state` says whether the actual is shown,
    "small" or "hidden"; where it is withheld, so are its progress and status."""
    if not view.shows_indicator(code):
        return None
    regions = view.within(regions)
    info = indicator_summary(db, settings, as_of, code, regions)
    if info is None:
        return None
    state = view.to_date(code, regions, period_of(as_of), info["actual"])
    info["actual_state"] = state
    info["counts_people"] = view.counts_people(code)
    if state != pc.SHOWN:
        info["actual_shown"] = view.protected.label(state, None)
        info["actual"] = info["progress"] = None
        if info["status"] not in ("no_target", "no_data"):
            info["status"] = "withheld"
    return info


def series_in_view(
    db: Database, view: ProtectedView, periods: list[str], code: str, regions=None
) -> pc.Withheld:
    """indicator_series of one indicator over the regions picked, as the viewer may see it:
    a withheld value is NaN in `numeric` (a gap in a chart, never a zero)."""
    regions = view.within(regions)
    if not view.shows_indicator(code):
        return _nothing()
    return donor_series(indicator_series(db, periods, regions, code), view, regions, code)


def region_series_in_view(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    periods: list[str],
    code: str,
    regions=None,
) -> pc.Withheld:
    """region_series (each region on its own) as the viewer may see it."""
    regions = view.within(regions)
    if not view.shows_indicator(code):
        return _nothing()
    series = region_series(db, settings, periods, code, regions)
    if series.empty:
        return view.withhold(series, {})
    return donor_series(series, view, None, code)


def region_detail_in_view(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    code: str,
    first: str,
    last: str,
    regions=None,
) -> pc.Withheld:
    """region_detail as the viewer may see it: each region's counts judged on their own."""
    regions = view.within(regions)
    if not view.shows_indicator(code):
        return _nothing()
    table = region_detail(db, settings, as_of, code, first, last, regions)
    if table.empty:
        return view.withhold(table, {})
    return donor_region_detail(table, view, code, period_of(as_of))


def breakdown_in_view(
    db: Database, view: ProtectedView, code: str, first: str, last: str, regions=None
) -> pc.Withheld | None:
    """indicator_breakdown (by sex and age group) as the viewer may see it: parts protected
    with their totals (a small part hides a second one); None where the parts are not
    shared at all (a protected count combined as its latest value, whose parts are not
    protected cells)."""
    regions = view.within(regions)
    if not view.shows_indicator(code):
        return _nothing()
    if view.counts_people(code) and view.protected.aggregation.get(code) == "latest":
        return None
    parts = indicator_breakdown(db, code, first, last, regions)
    return donor_breakdown(parts, view, regions, code)


def missing_in_view(
    db: Database, view: ProtectedView, settings: Settings, code: str, period: str, regions=None
) -> pd.DataFrame:
    """missing_reports over the regions picked within the viewer's; organisations of the
    kinds the view never names are described, not named."""
    if not view.shows_indicator(code):
        return pd.DataFrame()
    missing = missing_reports(db, settings, code, period, view.within(regions), view.unnamed_kinds)
    if view.unnamed_kinds and not missing.empty:  # "a community group in ..." translated
        words = region_words(db)
        missing = missing.assign(name=[described(name, words) for name in missing.name])
    return missing


def sources_in_view(
    db: Database, view: ProtectedView, code: str, first: str, last: str, regions=None
) -> pd.DataFrame | None:
    """indicator_sources, or None where the view shows no free text (sources and comments
    recorded with the values may name people)."""
    if not view.free_text or not view.shows_indicator(code):
        return None
    return indicator_sources(db, code, first, last, view.within(regions))


def comments_in_view(
    db: Database, view: ProtectedView, code: str, first: str, last: str, regions=None
) -> pd.DataFrame | None:
    """indicator_comments, or None where the view shows no free text."""
    if not view.free_text or not view.shows_indicator(code):
        return None
    return indicator_comments(db, code, first, last, view.within(regions))


def _nothing() -> pc.Withheld:
    empty = pd.DataFrame()
    return pc.Withheld(table=empty, numeric=empty, any_hidden=False)
