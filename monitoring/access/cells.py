"""Donor views of the indicators: small counts protected once, every figure judged from that.

Protecting each table on its own is not enough on pages with filters. A donor who looks at
Jizzakh and Namangan together, then at Jizzakh alone, gets Namangan by subtraction; a
cumulative total shown at every quarter gives away every quarter's value. So every count of
people a donor view can reach is first laid out as cells (queries/access_indicator_cells.sql):
per indicator, each region of the view and all of them together ("*"), each sex and age
group, each quarter and all quarters ("to_date"). The cells are protected once, by the rules
of monitoring/access/suppression.py, in every direction they add up (regions, sex, age group,
quarters). A figure a page shows is a sum of cells; it is shown only when it can be worked
out from cells that are shown anyway, that is when its cells include no hidden cell of their
line, or all of them and the line's total is shown. Otherwise it is hidden.

The cells span the share link's regions and the programme's quarters, whatever the page's
filters, so a figure is hidden or shown the same way on every page and every date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring.access import suppression
from monitoring.db import Database
from monitoring.periods import programme_periods
from monitoring.settings import Settings

ALL = "*"  # region_code of the cells over all the view's regions
TO_DATE = "to_date"  # the column of the cells over all quarters
SHOWN, SMALL, HIDDEN = "", "small", "hidden"
_KEY = ["indicator_code", "region_code", "sex", "age_group"]
_REASONS = {"": SHOWN, suppression.SMALL: SMALL}  # anything else: HIDDEN

Cell = tuple[str, str, str, str, str]  # indicator, region, sex, age group, column


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


@dataclass(frozen=True)
class IndicatorCells:
    """The protected cells of a donor view: what may be shown of each count of people."""

    regions: tuple[str, ...]  # the view's regions (a share link's)
    periods: tuple[str, ...]  # the programme's quarters
    threshold: int
    aggregation: Mapping[str, str]  # protected indicator -> sum, latest or mean
    sensitive: frozenset[str]  # never shown at all
    values: Mapping[Cell, float]
    states: Mapping[Cell, str]  # SHOWN, SMALL or HIDDEN

    def protects(self, code: str) -> bool:
        """Whether the indicator's values are counts of people (protected)."""
        return code in self.aggregation

    def state(self, code: str, region: str, column: str, sex="all", age="all") -> str | None:
        """A cell's state; None when nothing was reported for it."""
        return self.states.get((code, region, sex, age, column))

    def _members(self, regions: Iterable[str] | None) -> list[str]:
        wanted = set(self.regions if regions is None else regions)
        members = [r for r in self.regions if r in wanted]
        return members or list(self.regions)

    def _line(self, code: str, members: list[str], column: str, sex: str, age: str) -> str:
        """Whether the sum over `members` of one column's cells can be worked out from
        shown cells (SHOWN), is a cell of its own (its state), or not (HIDDEN)."""
        if len(members) == len(self.regions):
            return self.state(code, ALL, column, sex, age) or SHOWN
        if len(members) == 1:
            return self.state(code, members[0], column, sex, age) or SHOWN
        hidden = {
            r for r in self.regions if self.state(code, r, column, sex, age) in (SMALL, HIDDEN)
        }
        inside = hidden & set(members)
        if not inside:
            return SHOWN
        if inside == hidden and self.state(code, ALL, column, sex, age) == SHOWN:
            return SHOWN  # the total less the shown cells outside
        return HIDDEN

    def _row_to(self, code: str, region: str, period: str) -> str:
        """The same for one row's quarters up to `period` (a cumulative total)."""
        reported = [p for p in self.periods if self.state(code, region, p) is not None]
        if not any(p > period for p in reported):
            return self.state(code, region, TO_DATE) or SHOWN  # the whole row: its total
        up_to = [p for p in reported if p <= period]
        if len(up_to) == 1:
            return self.state(code, region, up_to[0]) or SHOWN  # one quarter: its cell
        hidden = [p for p in reported if self.state(code, region, p) in (SMALL, HIDDEN)]
        before = [p for p in hidden if p <= period]
        if not before:
            return SHOWN
        if len(before) == len(hidden) and self.state(code, region, TO_DATE) == SHOWN:
            return SHOWN  # the row's total less the shown quarters after `period`
        return HIDDEN

    def _small(self, state: str, value) -> str:
        if state == SHOWN and 0 < float(value) < self.threshold:
            return SMALL
        return state

    def quarter(
        self,
        code: str,
        regions: Iterable[str] | None,
        period: str,
        value,
        sex: str = "all",
        age: str = "all",
    ) -> str:
        """How to show `value`, the indicator's value in `period` over `regions` (None: the
        view's): for a 'latest' indicator its value at the end of the quarter."""
        if code not in self.aggregation or _missing(value):
            return SHOWN
        state = self._line(code, self._members(regions), period, sex, age)
        return self._small(state, value)

    def to_date(self, code: str, regions: Iterable[str] | None, period: str, value) -> str:
        """How to show `value`, the indicator's actual to the end of `period` over `regions`."""
        if code not in self.aggregation or _missing(value):
            return SHOWN
        if self.aggregation[code] == "latest":  # the value at the end of the quarter
            return self.quarter(code, regions, period, value)
        members = self._members(regions)
        if len(members) in (1, len(self.regions)):
            state = self._row_to(code, members[0] if len(members) == 1 else ALL, period)
        else:
            by_region = all(self._row_to(code, r, period) == SHOWN for r in members)
            by_quarter = all(
                self._line(code, members, p, "all", "all") == SHOWN
                for p in self.periods
                if p <= period
            )
            state = SHOWN if by_region or by_quarter else HIDDEN
        return self._small(state, value)

    def label(self, state: str, value):
        """What a table shows: the value, "<5" or "hidden"."""
        if state == SMALL:
            return suppression.small_label(self.threshold)
        if state == HIDDEN:
            return suppression.HIDDEN_LABEL
        return value

    @property
    def note(self) -> str:
        return suppression.suppression_note(self.threshold)


def derived(*states: str) -> str:
    """The state of a figure computed from others (a % of target, a status)."""
    return SHOWN if all(s == SHOWN for s in states) else HIDDEN


def indicator_cells(db: Database, settings: Settings, regions: Sequence[str]) -> IndicatorCells:
    """The protected cells of a donor view over `regions` (a share link's regions)."""
    protection = suppression.donor_protection(db, settings)
    periods = programme_periods(settings.programme)
    codes = sorted(protection.counts_people - protection.sensitive)
    regions = tuple(dict.fromkeys(regions))
    empty = IndicatorCells(
        regions, tuple(periods), protection.threshold, {}, protection.sensitive, {}, {}
    )
    if not codes or not regions:
        return empty
    frame = db.query(
        "access_indicator_cells", indicators=codes, regions=list(regions), periods=periods
    )
    if frame.empty:
        return empty
    aggregation = dict(zip(frame.indicator_code, frame.aggregation, strict=True))
    wide = frame.pivot(index=_KEY, columns="period", values="value")
    wide = wide.reindex(columns=[*periods, TO_DATE]).reset_index()
    values: dict[Cell, float] = {}
    states: dict[Cell, str] = {}
    for is_latest in (False, True):
        rows = wide[wide.indicator_code.map(aggregation).eq("latest") == is_latest]
        if rows.empty:
            continue
        rows = rows.reset_index(drop=True)
        columns = list(periods) if is_latest else [*periods, TO_DATE]
        result = suppression.protect_small_counts(
            rows,
            columns,
            group_columns=["indicator_code"],
            total_marker={"region_code": ALL, "sex": "all", "age_group": "all"},
            total_column=None if is_latest else TO_DATE,
            threshold=protection.threshold,
        )
        grid = rows[columns].to_numpy(dtype="float64")
        reasons = result.reasons[columns].to_numpy()
        keys = rows[_KEY].itertuples(index=False, name=None)
        for i, key in enumerate(keys):
            for j, column in enumerate(columns):
                if not np.isnan(grid[i, j]):
                    cell = (*key, column)
                    values[cell] = float(grid[i, j])
                    states[cell] = _REASONS.get(reasons[i, j], HIDDEN)
    return IndicatorCells(
        regions=regions,
        periods=tuple(periods),
        threshold=protection.threshold,
        aggregation=aggregation,
        sensitive=protection.sensitive,
        values=values,
        states=states,
    )


@dataclass(frozen=True)
class Withheld:
    """A table as a donor sees it: `table` to show and download, `numeric` for charts."""

    table: pd.DataFrame  # withheld cells hold "<5" or "hidden"
    numeric: pd.DataFrame  # the same rows, withheld cells NaN
    any_hidden: bool


def withhold(
    frame: pd.DataFrame, states: Mapping[str, Sequence[str]], cells: IndicatorCells
) -> Withheld:
    """`frame` with each column of `states` shown as its states say (one state per row)."""
    table = frame.copy()
    numeric = frame.copy()
    any_hidden = False
    for column, column_states in states.items():
        mask = np.array([s != SHOWN for s in column_states], dtype=bool)
        if len(mask) != len(frame):
            raise ValueError(f"One state per row is needed for {column!r}.")
        if not mask.any():
            continue
        any_hidden = True
        shown = table[column].astype(object).to_numpy(copy=True)
        for i in np.flatnonzero(mask):
            shown[i] = cells.label(column_states[i], shown[i])
        table[column] = shown
        if pd.api.types.is_numeric_dtype(numeric[column]):
            numeric[column] = numeric[column].astype("float64").where(~mask, np.nan)
        else:
            numeric[column] = numeric[column].astype(object).where(~mask, None)
    return Withheld(table=table, numeric=numeric, any_hidden=any_hidden)


def withhold_progress(
    frame: pd.DataFrame,
    cells: IndicatorCells,
    regions: Iterable[str] | None,
    period: str,
    *,
    code: str = "indicator_code",
    actual: str = "actual",
    derived_columns: Sequence[str] = ("progress", "status"),
) -> Withheld:
    """Indicator progress rows (one per indicator, over `regions`, as of the end of
    `period`) as a donor sees them: each actual judged like the indicator pages' (so that
    no page shows an actual they hide), and what is computed from it hidden with it."""
    states = [
        cells.to_date(c, regions, period, v)
        for c, v in zip(frame[code], frame[actual], strict=True)
    ]
    columns = {actual: states}
    columns.update({c: [derived(s) for s in states] for c in derived_columns if c in frame})
    return withhold(frame, columns, cells)
