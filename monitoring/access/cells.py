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

The rules look at one sum at a time; a reader can combine them all. So the cells are then
audited as a system (monitoring/access/audit.py: every figure a donor could be shown, as
linear equations and bounds, solved for the smallest and largest value of every withheld
one), and a shown cell is hidden wherever a withheld figure can still be narrowed down
("secondary suppression"). With the setting `privacy.protection = "round"` shown counts are
rounded to `privacy.rounding_base` instead, and cells are hidden only where rounding is not
enough.

The cells span the share link's regions and the programme's quarters, whatever the page's
filters, so a figure is hidden or shown the same way on every page and every date.

Regions of a view are numbered in the order of `regions`; a set of them is a bit mask
(`IndicatorCells.mask`). `quarter_codes` and `to_date_codes` judge many sets at once (the
audit judges every one); `quarter` and `to_date` judge one, through the same code.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from monitoring.access import suppression
from monitoring.db import Database
from monitoring.i18n import _
from monitoring.periods import programme_periods
from monitoring.settings import Settings

ALL = "*"  # region_code of the cells over all the view's regions
TO_DATE = "to_date"  # the column of the cells over all quarters
SHOWN, SMALL, HIDDEN = "", "small", "hidden"
SUPPRESS, ROUND = "suppress", "round"  # the setting privacy.protection
_KEY = ["indicator_code", "region_code", "sex", "age_group"]
_REASONS = {"": SHOWN, suppression.SMALL: SMALL}  # anything else: HIDDEN

# States as small integers, for judging many figures at once.
CODE_SHOWN, CODE_SMALL, CODE_HIDDEN = 0, 1, 2
STATE_OF_CODE = (SHOWN, SMALL, HIDDEN)
CODE_OF_STATE = {SHOWN: CODE_SHOWN, SMALL: CODE_SMALL, HIDDEN: CODE_HIDDEN}
_MISSING = -1
MAX_REGIONS = 62  # region sets are int64 bit masks

Cell = tuple[str, str, str, str, str]  # indicator, region, sex, age group, column


class Published(NamedTuple):
    """A cell of an earlier view of the same regions as donors could read it
    (monitoring/access/published.py): a count shown (SHOWN) or "<5" (SMALL), the value
    behind it then, what a donor read of it ([low, high]: exact, a rounding's range, or
    1 to 4), for a cell over all quarters the last quarter it summed, and which counts of
    its regions and quarters it summed where that is not all of them (`audit.summed`)."""

    cell: Cell
    through: str  # the cell's own quarter, or the last one a 'to_date' cell summed
    state: str
    value: float
    low: float
    high: float
    summed: str = ""  # "" every count of its regions and quarters; else "REGION@QUARTER ..."


class PublishedGrid(NamedTuple):
    """An earlier view's whole protected grid of one indicator, as it was shown
    (monitoring/access/published.py): every cell's state and value then, and the privacy
    settings it was shown under. Under rounding its figures over sets of regions (each
    rounded on its own) follow from it through `IndicatorCells.quarter_codes` and
    `to_date_codes`; under either protection it says which count each cell summed then."""

    digest: str
    protection: str
    rounding_base: int
    threshold: int
    states: Mapping[Cell, str]
    values: Mapping[Cell, float]


class _Exact(str):
    """SHOWN (it equals ""), for a figure that is not a protected count: never rounded."""

    __slots__ = ()


class _FromCounts(str):
    """SHOWN (it equals ""), for a figure computed from shown counts (a % of target):
    shown as it is under "suppress"; withheld under "round", where it would give the exact
    count behind a rounded one away."""

    __slots__ = ()


EXACT = _Exact(SHOWN)
FROM_COUNTS = _FromCounts(SHOWN)


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def round_to(value, base: int):
    """`value` rounded to the nearest multiple of `base`, halves up (7 -> 5, 7.5 -> 10)."""
    rounded = math.floor(float(value) / base + 0.5) * base
    return int(rounded) if isinstance(value, numbers.Integral) else float(rounded)


def _bits(regions: Sequence[str], wanted: Iterable[str]) -> int:
    wanted = set(wanted)
    return sum(1 << i for i, r in enumerate(regions) if r in wanted)


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
    protection: str = SUPPRESS  # privacy.protection: "suppress" or "round"
    rounding_base: int = 5  # privacy.rounding_base (used under "round")
    secondary: frozenset[Cell] = frozenset()  # cells hidden by the disclosure audit
    # What earlier views of these regions showed, where the data behind it is unchanged
    # (monitoring/access/published.py): per indicator, known to the audit's reader.
    earlier: Mapping[str, tuple[Published, ...]] = field(default_factory=dict, repr=False)
    # The grids of earlier views shown rounded (their figures over sets of regions say more
    # than their cells), per indicator: known to the audit's reader where still in force.
    earlier_grids: Mapping[str, tuple[PublishedGrid, ...]] = field(default_factory=dict, repr=False)
    audit: Any = field(default=None, compare=False, repr=False)  # its audit.AuditResult
    # The regions a page shows figures of (`restricted_to`): None, all the view's.
    shown_mask: int | None = None
    _memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def protects(self, code: str) -> bool:
        """Whether the indicator's values are counts of people (protected)."""
        return code in self.aggregation

    def state(self, code: str, region: str, column: str, sex="all", age="all") -> str | None:
        """A cell's state; None when nothing was reported for it."""
        return self.states.get((code, region, sex, age, column))

    # Sets of regions ----------------------------------------------------------------------
    @property
    def full_mask(self) -> int:
        """The bit mask of all the view's regions."""
        return (1 << len(self.regions)) - 1

    def mask(self, regions: Iterable[str] | None) -> int:
        """The bit mask of `regions` within the regions shown (None, or none of them: all
        the regions shown, which are the view's unless `restricted_to` fewer)."""
        shown = self.full_mask if self.shown_mask is None else self.shown_mask
        if regions is None:
            return shown
        return (_bits(self.regions, regions) & shown) or shown

    def restricted_to(self, regions: Iterable[str]) -> IndicatorCells:
        """These cells as read by a page that shows figures of `regions` only (some of the
        view's): the same states, but "all regions" means all of `regions`.

        A share link over some of the programme's regions reads the programme's protected
        cells so (`view.protected_view`): the disclosure audit of the programme covers every
        figure over every set of its regions, so no set of links, each showing some of
        them, shows a figure that audit did not."""
        bits = _bits(self.regions, regions)
        if not bits:
            raise ValueError(f"None of {sorted(set(regions))} is a region of this view.")
        return self if bits == self.full_mask else replace(self, shown_mask=bits)

    def mask_regions(self, mask: int) -> tuple[str, ...]:
        return tuple(r for i, r in enumerate(self.regions) if mask >> i & 1)

    def _code(self, state: str | None) -> int:
        return _MISSING if state is None else CODE_OF_STATE[state]

    def _column(self, code: str, column: str, sex: str, age: str) -> tuple[np.ndarray, int, int]:
        """Per region its cell's state code (-1: not reported), the total's, and the mask
        of the regions whose cell is withheld."""
        key = ("column", code, column, sex, age)
        if key not in self._memo:
            cells = np.array(
                [self._code(self.state(code, r, column, sex, age)) for r in self.regions],
                dtype=np.int8,
            )
            withheld = sum(1 << i for i, c in enumerate(cells) if c in (CODE_SMALL, CODE_HIDDEN))
            star = self._code(self.state(code, ALL, column, sex, age))
            self._memo[key] = (cells, star, withheld)
        return self._memo[key]

    def _line_codes(
        self, code: str, masks: np.ndarray, column: str, sex: str, age: str
    ) -> np.ndarray:
        """Whether the sum over each set of regions of one column's cells can be worked out
        from shown cells (SHOWN), is a cell of its own (its state), or not (HIDDEN)."""
        cells, star, withheld = self._column(code, column, sex, age)
        inside = masks & withheld
        out = np.where(inside == 0, CODE_SHOWN, CODE_HIDDEN).astype(np.int8)
        if star == CODE_SHOWN:
            out[inside == withheld] = CODE_SHOWN  # the total less the shown cells outside
        single = (masks & (masks - 1)) == 0
        if single.any():
            index = np.log2(masks[single]).astype(np.int64)
            own = cells[index]
            out[single] = np.where(own == _MISSING, CODE_SHOWN, own)
        out[masks == self.full_mask] = CODE_SHOWN if star == _MISSING else star
        return out

    def _row(self, code: str, region: str) -> tuple[list[str], list[str], int]:
        """One row's reported quarters, its withheld ones and its to-date state code."""
        key = ("row", code, region)
        if key not in self._memo:
            reported = [p for p in self.periods if self.state(code, region, p) is not None]
            withheld = [p for p in reported if self.state(code, region, p) in (SMALL, HIDDEN)]
            total = self._code(self.state(code, region, TO_DATE))
            self._memo[key] = (reported, withheld, total)
        return self._memo[key]

    def _row_to(self, code: str, region: str, period: str) -> int:
        """The state code of one row's quarters up to `period` (a cumulative total)."""
        reported, withheld, total = self._row(code, region)
        if not any(p > period for p in reported):
            return CODE_SHOWN if total == _MISSING else total  # the whole row: its total
        up_to = [p for p in reported if p <= period]
        if len(up_to) == 1:
            own = self._code(self.state(code, region, up_to[0]))  # one quarter: its cell
            return CODE_SHOWN if own == _MISSING else own
        before = [p for p in withheld if p <= period]
        if not before:
            return CODE_SHOWN
        if len(before) == len(withheld) and total == CODE_SHOWN:
            return CODE_SHOWN  # the row's total less the shown quarters after `period`
        return CODE_HIDDEN

    def _small(self, codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype="float64")
        small = (codes == CODE_SHOWN) & (values > 0) & (values < self.threshold)
        return np.where(small, CODE_SMALL, codes).astype(np.int8)

    # Many figures at once (the audit), through the same code as one ----------------------
    def quarter_codes(
        self,
        code: str,
        masks: np.ndarray,
        period: str,
        values: np.ndarray,
        sex: str = "all",
        age: str = "all",
    ) -> np.ndarray:
        """The state codes of the indicator's values in `period` over each set of regions
        in `masks` (int64 bit masks), `values` being those values (a protected indicator)."""
        masks = np.asarray(masks, dtype=np.int64)
        return self._small(self._line_codes(code, masks, period, sex, age), values)

    def to_date_codes(
        self, code: str, masks: np.ndarray, periods: Sequence[str], values: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        """The state codes of the actuals to the end of each of `periods` over each set of
        regions in `masks`, `values[k]` being the actuals to `periods[k]`."""
        masks = np.asarray(masks, dtype=np.int64)
        if self.aggregation[code] == "latest":  # the value at the end of the quarter
            return [
                self.quarter_codes(code, masks, p, v) for p, v in zip(periods, values, strict=True)
            ]
        single = (masks & (masks - 1)) == 0
        single_index = np.log2(np.where(single, masks, 1)).astype(np.int64)
        full = masks == self.full_mask
        wanted = {p: k for k, p in enumerate(periods)}
        out: list[np.ndarray | None] = [None] * len(periods)
        by_quarter = np.ones(masks.shape, dtype=bool)
        for period in sorted(set(self.periods) | set(periods)):
            if period in self.periods:
                line = self._line_codes(code, masks, period, "all", "all")
                by_quarter &= line == CODE_SHOWN
            if period not in wanted:
                continue
            rows = np.array([self._row_to(code, r, period) for r in self.regions], dtype=np.int8)
            shown_rows = sum(1 << i for i, c in enumerate(rows) if c == CODE_SHOWN)
            by_region = (masks & ~np.int64(shown_rows)) == 0
            codes = np.where(by_region | by_quarter, CODE_SHOWN, CODE_HIDDEN).astype(np.int8)
            codes[full] = self._row_to(code, ALL, period)
            codes[single] = rows[single_index[single]]  # a view of one region: its own row
            out[wanted[period]] = self._small(codes, values[wanted[period]])
        return out  # type: ignore[return-value]

    # One figure (the pages) ---------------------------------------------------------------
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
            return EXACT
        masks = np.array([self.mask(regions)], dtype=np.int64)
        codes = self.quarter_codes(code, masks, period, np.array([float(value)]), sex, age)
        return STATE_OF_CODE[int(codes[0])]

    def to_date(self, code: str, regions: Iterable[str] | None, period: str, value) -> str:
        """How to show `value`, the indicator's actual to the end of `period` over `regions`."""
        if code not in self.aggregation or _missing(value):
            return EXACT
        masks = np.array([self.mask(regions)], dtype=np.int64)
        codes = self.to_date_codes(code, masks, [period], [np.array([float(value)])])[0]
        return STATE_OF_CODE[int(codes[0])]

    # Showing ------------------------------------------------------------------------------
    def withheld(self, state: str) -> bool:
        """Whether a figure in `state` is withheld (its label is "<5" or "hidden")."""
        if state in (SMALL, HIDDEN):
            return True
        return self.protection == ROUND and isinstance(state, _FromCounts)

    def rounded(self, value):
        """A shown count as a donor sees it: rounded to the base under "round"."""
        if self.protection != ROUND or _missing(value):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return value
        return round_to(value, self.rounding_base)

    def label(self, state: str, value):
        """What a table shows of `value` in `state`: the value (a count rounded to the base
        under "round"), "<5" or "hidden"."""
        if state == SMALL:
            return suppression.small_label(self.threshold)
        if state == HIDDEN or self.withheld(state):
            return suppression.hidden_label()
        if isinstance(state, _Exact | _FromCounts):
            return value
        return self.rounded(value)

    @property
    def note(self) -> str:
        note = suppression.suppression_note(self.threshold)
        if self.protection == ROUND:
            note += " " + _(
                "Other counts of people are rounded to a multiple of {base}, and percentages "
                "computed from them are hidden."
            ).format(base=self.rounding_base)
        return note


def derived(*states: str) -> str:
    """The state of a figure computed from others (a % of target, a status): shown when they
    all are (FROM_COUNTS when one is a count: hidden under "round"), else HIDDEN."""
    if not all(s == SHOWN for s in states):
        return HIDDEN
    return EXACT if all(isinstance(s, _Exact) for s in states) else FROM_COUNTS


def _rule_states(
    frame: pd.DataFrame,
    aggregation: Mapping[str, str],
    periods: Sequence[str],
    threshold: int,
    complementary: bool,
) -> tuple[dict[Cell, float], dict[Cell, str]]:
    """The cells' values and their states by the rules of monitoring/access/suppression.py."""
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
            threshold=threshold,
            complementary=complementary,
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
    return values, states


def protection_scope(regions: Iterable[str]) -> tuple[str, ...]:
    """The regions of a donor view in the one order its cells are protected in (by code).

    Which cells the rules and the disclosure audit hide depends on the order of the view's
    regions. Two share links over the same regions, listed in another order, must hide the
    same cells: a donor holding both would otherwise read in one what the other hides."""
    return tuple(sorted(set(regions)))


def indicator_cells(
    db: Database,
    settings: Settings,
    regions: Sequence[str],
    *,
    secondary: bool = True,
    progress: Callable[[int, int], None] | None = None,
    checked: Callable[[Any], None] | None = None,
) -> IndicatorCells:
    """The protected cells of a donor view over `regions` (a share link's regions).

    The rules first (small counts, and under "suppress" their complementary cells); then,
    with `secondary` (always, but for the audit command's --rules-only), the disclosure
    audit and a shown cell hidden wherever a withheld figure could still be narrowed down,
    or the same audit's result as kept in the database by any process that ran it on the
    same cells (monitoring/access/kept.py). The result carries the last audit (`.audit`);
    `progress` is told (indicators audited, indicators) while the audit runs, and `checked`
    what may be shown meanwhile (a kept.Checking, as each indicator is done)."""
    protection = suppression.donor_protection(db, settings)
    privacy = settings.privacy
    periods = programme_periods(settings.programme)
    codes = sorted(protection.counts_people - protection.sensitive)
    regions = protection_scope(regions)
    if len(regions) > MAX_REGIONS:
        raise ValueError(f"A view of more than {MAX_REGIONS} regions cannot be protected.")
    empty = IndicatorCells(
        regions,
        tuple(periods),
        protection.threshold,
        {},
        protection.sensitive,
        {},
        {},
        protection=privacy.protection,
        rounding_base=privacy.rounding_base,
    )
    if not codes or not regions:
        return empty
    frame = db.query(
        "access_indicator_cells", indicators=codes, regions=list(regions), periods=periods
    )
    if frame.empty:
        return empty
    aggregation = dict(zip(frame.indicator_code, frame.aggregation, strict=True))
    values, states = _rule_states(
        frame, aggregation, periods, protection.threshold, privacy.protection == SUPPRESS
    )
    cells = replace(empty, aggregation=aggregation, values=values, states=states)
    if not secondary:
        return cells
    from monitoring.access import kept  # kept and the audit build on this module

    return kept.protected(db, cells, progress, checked)


@dataclass(frozen=True)
class Withheld:
    """A table as a donor sees it: `table` to show and download, `numeric` for charts."""

    table: pd.DataFrame  # withheld cells hold "<5" or "hidden"; counts rounded under "round"
    numeric: pd.DataFrame  # the same rows, withheld cells NaN, counts as `table` shows them
    any_hidden: bool


def withhold(
    frame: pd.DataFrame, states: Mapping[str, Sequence[str]], cells: IndicatorCells
) -> Withheld:
    """`frame` with each column of `states` shown as its states say (one state per row):
    every cell through `cells.label`."""
    table = frame.copy()
    numeric = frame.copy()
    any_hidden = False
    for column, column_states in states.items():
        if len(column_states) != len(frame):
            raise ValueError(f"One state per row is needed for {column!r}.")
        mask = np.array([cells.withheld(s) for s in column_states], dtype=bool)
        before = table[column].astype(object).to_numpy(copy=True)
        shown = np.array(
            [cells.label(s, v) for s, v in zip(column_states, before, strict=True)], dtype=object
        )
        changed = np.array([a is not b for a, b in zip(shown, before, strict=True)], dtype=bool)
        if not changed.any():
            continue
        any_hidden = any_hidden or bool(mask.any())
        table[column] = shown
        rounded = changed & ~mask
        if pd.api.types.is_numeric_dtype(numeric[column]):
            out = numeric[column].astype("float64").to_numpy(copy=True)
            out[rounded] = [float(v) for v in shown[rounded]]
            out[mask] = np.nan
            numeric[column] = out
        else:
            out = numeric[column].astype(object).to_numpy(copy=True)
            out[rounded] = shown[rounded]
            out[mask] = None
            numeric[column] = out
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
