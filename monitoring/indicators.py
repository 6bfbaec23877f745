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

from monitoring.db import Database
from monitoring.overview import indicator_progress, outcome_label
from monitoring.periods import period_of, periods_between, programme_periods
from monitoring.settings import Settings
from monitoring.status import status_text

AGGREGATION_TEXT = {
    "sum": "cumulative total",
    "latest": "latest value",
    "mean": "average",
}
UNIT_TEXT = {"number": "number", "percent": "%"}
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
    wanted = text.strip().casefold()
    for label in labels:
        if wanted in (label.casefold(), label.casefold().removeprefix("outcome ")):
            return label
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
        notices.append(f"The range started after it ended; showing {first} to {last}.")
    if last > reporting:
        if chosen_last:
            notices.append(
                f"Quarters after the reporting quarter {reporting} are not shown: pick a later "
                "reporting date in the sidebar to see them."
            )
        last = reporting
        first = min(first, last)
    return QuarterRange(first, last, tuple(notices))


def region_options(db: Database, settings: Settings) -> pd.DataFrame:
    """Regions to filter by (region_code, region_name, in_programme), programme regions first."""
    return db.query("indicator_regions", programme_regions=list(settings.programme.regions))


def _regions(regions) -> list[str] | None:
    return list(dict.fromkeys(regions)) if regions else None


def indicator_series(
    db: Database, periods: list[str], regions=None, indicator: str | None = None
) -> pd.DataFrame:
    """Per indicator and quarter: value reported in it, actual to date, period target."""
    return db.query(
        "indicator_series", periods=list(periods), regions=_regions(regions), indicator=indicator
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

    table = pd.DataFrame(
        {
            "Goal / outcome": progress.group.to_numpy(),
            "Code": progress.indicator_code.to_numpy(),
            "Indicator": progress.title.to_numpy(),
            "Unit": progress.unit.map(UNIT_TEXT).to_numpy(),
            "Status": progress.status.map(status_text).to_numpy(),
            "% of target achieved": (progress.progress.astype("float64") * 100).round(0).to_numpy(),
            f"Actual to {reporting}": _rounded(progress.actual).to_numpy(),
            "Target": _rounded(progress.target).to_numpy(),
            "Baseline": _rounded(progress.baseline).to_numpy(),
            "Aim": progress.direction.to_numpy(),
            "Combined as": progress.aggregation.map(AGGREGATION_TEXT).to_numpy(),
        }
    )
    # The IPTT's period columns: targets where indicator_targets has any, then what was
    # reported in each quarter (empty where nothing was).
    for period in targets.columns:
        table[f"Target by {period}"] = _rounded(targets[period]).to_numpy()
    for period in span.periods:
        table[period] = _rounded(actual[period]).to_numpy()
    table[f"Regions reporting in {reporting}"] = [
        f"{int(n)} of {expected_regions}" for n in progress.regions_reporting_now
    ]
    return table


def iptt_quarter_columns(table: pd.DataFrame) -> list[str]:
    """The quarter columns of an IPTT frame (values reported in each quarter)."""
    return [c for c in table.columns if re.fullmatch(r"\d{4}Q[1-4]", str(c))]


def indicator_codes(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every indicator (code, title, group) in logframe order."""
    progress = indicator_progress(db, settings, as_of)
    return pd.DataFrame(
        {
            "indicator_code": progress.indicator_code,
            "title": progress.title,
            "group": [
                outcome_label(lv, oc)
                for lv, oc in zip(progress.level, progress.outcome, strict=True)
            ],
        }
    )


def indicator_summary(
    db: Database, settings: Settings, as_of: dt.date, code: str, regions=None
) -> dict | None:
    """The indicator's row of indicator_progress (as a dict), or None if there is none."""
    progress = indicator_progress(db, settings, as_of, _regions(regions))
    rows = progress[progress.indicator_code == code]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    definition = db.query("indicator_definition", indicator=code)
    row["means_of_verification"] = (
        None if definition.empty else definition.means_of_verification.iat[0]
    )
    return row


def region_progress(
    db: Database, settings: Settings, as_of: dt.date, code: str, regions
) -> pd.DataFrame:
    """The indicator's actual, target, progress and status in each region, by the same rule
    as the whole programme (each region is a regional view with its own targets)."""
    options = region_options(db, settings)
    names = options.set_index("region_code").region_name
    rows = []
    for region in regions or options.region_code:
        progress = indicator_progress(db, settings, as_of, [region])
        row = progress[progress.indicator_code == code]
        if not row.empty:
            rows.append(row.assign(region_code=region, region_name=names.get(region, region)))
    if not rows:
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True)


def region_series(
    db: Database, settings: Settings, periods: list[str], code: str, regions=None
) -> pd.DataFrame:
    """`indicator_series` of one indicator for each region on its own (region_name added)."""
    options = region_options(db, settings)
    if regions:
        options = options[options.region_code.isin(list(regions))]
    frames = [
        indicator_series(db, periods, [region], code).assign(region_code=region, region_name=name)
        for region, name in zip(options.region_code, options.region_name, strict=True)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def indicator_by_region(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """The indicator's value and period target per region and quarter."""
    return db.query(
        "indicator_by_region", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_breakdown(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """The indicator's values by sex and by age group per quarter, beside the total."""
    return db.query(
        "indicator_breakdown", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_comments(
    db: Database, code: str, first: str, last: str, regions=None
) -> pd.DataFrame:
    """Comments recorded with the indicator's values, newest first."""
    return db.query(
        "indicator_comments", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def indicator_sources(db: Database, code: str, first: str, last: str, regions=None) -> pd.DataFrame:
    """The sources of the indicator's values with the quarters each covers."""
    return db.query(
        "indicator_sources", indicator=code, first=first, last=last, regions=_regions(regions)
    )


def missing_reports(
    db: Database, settings: Settings, code: str, period: str, regions=None
) -> pd.DataFrame:
    """Programme regions and organisations that have not reported the indicator for
    `period` (organisations: those that reported it before), with their last report."""
    return db.query(
        "indicator_missing_reports",
        indicator=code,
        period=period,
        programme_regions=list(settings.programme.regions),
        regions=_regions(regions),
    )
