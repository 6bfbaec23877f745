"""The disclosure audit: can a donor work out a withheld count of people?

The rules of monitoring/access/suppression.py look at one sum at a time. A reader with a
small solver looks at all of them together: on one indicator, the total, one region's
figure and the other regions' quarters shown as 0 and "<5" can leave only one solution.
This module plays that reader, for one donor view (an `IndicatorCells`):

- The unknowns are the atomic cells: per protected indicator, region of the view, line (all
  people, each sex, each age group) and quarter. Every figure a donor view could show is a
  linear expression over them: every quarter's value over every non-empty set of the view's
  regions (any region filter), for every line (`IndicatorCells.quarter`), every actual to
  the end of every quarter over every set of regions (`IndicatorCells.to_date`), and the
  grid cells themselves (totals over regions, over quarters).
- What a donor is shown of a figure constrains it: shown, it is known exactly (under
  `privacy.protection = "round"`, rounded: v - base/2 .. v + base/2, and never 1 .. t-1);
  "<5" says 1 <= x <= 4; "hidden" says nothing.
- The reader also knows how the figures add up, wherever the true data does: a region
  total is the sum of the regions, an actual to date the sum of its quarters, all people
  the sum of the sexes and of the age groups, and a 'latest' count is carried forward
  (consecutive quarters with equal values are taken to be equal). Every unknown is a
  whole number (counts; a 'mean' is not) and not negative. Assuming more than a reader could
  know makes the audit stricter, never weaker.
- Indicators share no unknowns, so each is solved on its own. For every withheld figure
  that must keep a range HiGHS finds the smallest and largest value it can take given all
  of the above (the LP relaxation through `highspy`, one model per indicator solved again
  with each objective from the last optimum: sums over tables mostly have whole-number
  optima; `scipy.optimize.milp` where the relaxation's is not). A figure is WEAK when that range
  holds fewer whole numbers than "<5" itself allows (threshold - 1: 1 .. 4) or a single one.
  Guarded so: every withheld count below the threshold (a "<5", or a hidden figure worth
  1 .. 4), anywhere; and every withheld cell of the grid (but zeros, which are shown anyway).
  A hidden sum over several regions or quarters worth at least the threshold is not: pages
  hide some sums a reader could work out from shown cells, and every small count inside
  one is guarded on its own.

Keeping it fast: shown cells are known numbers and drop out of the unknowns; figures over
sets of regions that differ only in shown cells are one expression; the figures over sets of
regions (2 ** regions of them) are not put into the model up front but added when a
solution breaks one ("lazy constraints", so each range is exact for the full system); and
ranges are first bounded from below by a few feasible solutions (the true data, solutions
of random objectives and of earlier ranges), so that only figures that might be narrow are
solved exactly. A view of many regions can still leave more sums that might be narrow than
is reasonable to solve per request: past MAX_SET_SOLVES per indicator the audit says so
(`unbounded`, INCOMPLETE) and does not pass, rather than claim what it has not proved.

`secondary_suppression` (called by `cells.indicator_cells`) hides, while a figure is weak,
one shown cell among those that pin it (the smallest non-zero, else a zero, else a total)
and audits again. `python -m monitoring audit-disclosure` prints the audit
(monitoring/cli/audit.py; docs/access.md, "The disclosure audit").
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from highspy._core import (
    HighsBasis,
    HighsBasisStatus,
    HighsModelStatus,
    HighsStatus,
    _Highs,  # highspy.Highs adds Python callbacks and a banner
    kHighsInf,
)
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from monitoring.access import audit_workers
from monitoring.access.cells import (
    ALL,
    CODE_HIDDEN,
    CODE_OF_STATE,
    CODE_SHOWN,
    CODE_SMALL,
    HIDDEN,
    ROUND,
    SHOWN,
    SMALL,
    STATE_OF_CODE,
    SUPPRESS,
    TO_DATE,
    Cell,
    IndicatorCells,
    Published,
    PublishedGrid,
)

POOL_SOLVES = 4  # random objectives solved per indicator to bound ranges from below
CARRIED_POINTS = 24
SCREEN_POINTS = 16  # of the points found solving the grid's cells, screened with every set sum
# Sums over several regions or quarters solved exactly per indicator, at most: a view of
# many regions has 2 ** regions of them per quarter and line; past this the audit says it
# is incomplete (and fails) rather than take minutes. The sample needs a few dozen.
MAX_SET_SOLVES = 300  # feasible points carried from one round of secondary suppression on
TOLERANCE = 1e-6
WHOLE = 1e-7  # an LP solution's unknown this near a whole number is that number
DIVE_STEPS = 200  # unknowns fixed, at most, seeking a whole-number optimum (`_Model._dive`)
# Free unknowns from which a range solved again after a round starts from its own basis of
# the round before (`_Bases`). Below, the last range's basis is as near (3 simplex
# iterations against 15 on a test's programme of 45), mapping one costs more than it
# saves (the sample: 0.443 against 0.478 s), and hiding follows the path the second
# reader's sweeps checked (docs/access.md); BI1.08 at 1,000,000 values has 1,260.
OWN_BASES_FROM = 1_000
MAX_PINS = 8  # shown figures listed as pinning a weak one
# Views of this many cells or more are suppressed in worker processes, one per core (at 14
# regions and 1,000,000 values, 63,840 cells: 2.4 minutes in one process); below, the
# processes' start (about a second each) would cost more than it saves.
PARALLEL_CELLS = 20_000
_CHUNK = 64  # families of figures judged at once (memory: 64 x 2 ** regions numbers)


# What the audit finds ---------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A figure a donor view could show of one indicator."""

    indicator: str
    regions: tuple[str, ...]  # the regions it covers
    whole_view: bool  # all of the view's regions (its total)
    sex: str
    age: str
    column: str  # a quarter, or "to_date" (all quarters)
    cumulative: bool = False  # the actual to the end of `column`
    state: str = HIDDEN

    def describe(self) -> str:
        if self.whole_view and len(self.regions) > 1:
            where = "all regions of the view"
        else:
            where = " + ".join(self.regions)
        parts = [p for p in (self.sex if self.sex != "all" else "", _age(self.age)) if p]
        who = ", ".join(parts) if parts else "all people"
        if self.column == TO_DATE:
            when = "all quarters"
        elif self.cumulative:
            when = f"to the end of {self.column}"
        else:
            when = self.column
        return f"{self.indicator}, {where}, {who}, {when}"

    def shown_as(self, threshold: int) -> str:
        return {SMALL: f"<{threshold}", HIDDEN: "hidden"}.get(self.state, "shown")


def _age(age: str) -> str:
    return "" if age == "all" else f"age {age}"


def cell_figure(cells: IndicatorCells, cell: Cell) -> Figure:
    code, region, sex, age, column = cell
    regions = cells.regions if region == ALL else (region,)
    state = cells.states.get(cell, HIDDEN)
    return Figure(code, tuple(regions), region == ALL, sex, age, column, False, state)


@dataclass(frozen=True)
class Range:
    """How far a reader can narrow a withheld figure down."""

    figure: Figure
    value: float  # the true value: never printed unless asked
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def values(self) -> int | None:
        """How many whole numbers the range holds (None: not a count of whole numbers)."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return None
        return int(math.floor(self.high + TOLERANCE) - math.ceil(self.low - TOLERANCE) + 1)

    def text(self) -> str:
        return f"[{_number(self.low)}, {_number(self.high)}]"


@dataclass(frozen=True)
class Weak(Range):
    """A withheld figure a reader can narrow down: what pins it and what would fix it."""

    pinned_by: tuple[str, ...] = ()  # the shown figures that pin it
    hide: tuple[Cell, ...] = ()  # shown cells that pin it, the one to hide first
    rounded: tuple[float, float] | None = None  # its range were shown counts rounded
    atoms: tuple[int, ...] = ()  # the counts it sums, in its indicator's model
    k: float = 1.0  # figure units: a mean's sum is k times it
    small: bool = True  # a count below the threshold (else a withheld cell of the grid)

    def fixes(self, cells: IndicatorCells) -> list[str]:
        out = []
        if self.hide:
            first = cell_figure(cells, self.hide[0])
            if first.state == SMALL:
                out.append(f'show {first.describe()} as "hidden" instead of "<{cells.threshold}"')
            else:
                out.append(f"hide {first.describe()}")
        if self.rounded is not None:
            low, high = self.rounded
            if _passes(low, high, cells.threshold):
                out.append(
                    f"rounding to base {cells.rounding_base} (privacy.protection = "
                    f'"round") leaves [{_number(low)}, {_number(high)}]'
                )
        return out


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:,.0f}" if abs(value - round(value)) < TOLERANCE else f"{value:,.2f}"


def _passes(low: float, high: float, threshold: int) -> bool:
    """Whether a reader's range [low, high] of a withheld figure is wide enough."""
    width = high - low
    if not math.isfinite(width):
        return True
    return width >= max(threshold - 2, 0) - TOLERANCE and width > TOLERANCE


@dataclass(frozen=True)
class AuditResult:
    """The audit of one donor view."""

    scope: tuple[str, ...]
    protection: str
    threshold: int
    rounding_base: int
    indicators: int
    cells_checked: int  # cells of the protected grid
    figures_checked: int  # figures the pages could show (and the cells)
    withheld: int  # of those, withheld ("<5" or hidden)
    solved: int  # ranges solved exactly (the others were bounded wide enough)
    narrowest: Range | None  # the narrowest range of a withheld figure
    weak: tuple[Weak, ...]
    seconds: float
    secondary: tuple[Cell, ...] = ()  # cells hidden by secondary suppression
    unbounded: int = 0  # guarded sums over several regions not solved (MAX_SET_SOLVES)
    known_before: tuple[Weak, ...] = ()  # withheld cells earlier views alone pin

    @property
    def passed(self) -> bool:
        """No weak figure, and every guarded figure bounded."""
        return not self.weak and not self.unbounded

    def report(self, name: str, cells: IndicatorCells, *, show_values: bool = False) -> str:
        """The audit as text (python -m monitoring audit-disclosure)."""
        how = (
            f"shown counts rounded to base {self.rounding_base}"
            if self.protection == ROUND
            else "shown counts exact"
        )
        lines = [
            f"{name}: {', '.join(self.scope) or 'no regions'} "
            f'(protection "{self.protection}": {how}; small counts below {self.threshold})',
            f"  {self.indicators} protected indicators; {self.cells_checked:,} cells and "
            f"{self.figures_checked:,} figures checked; {self.withheld:,} withheld; "
            f"{self.solved:,} ranges solved exactly; {self.seconds:.2f} s",
        ]
        if self.secondary:
            lines.append(
                f"  secondary suppression hid {len(self.secondary)} more cell(s) that pinned "
                "a withheld figure"
            )
        if self.narrowest is not None:
            count = self.narrowest.values()
            size = f" ({count} value{'' if count == 1 else 's'})" if count is not None else ""
            lines.append(
                f"  narrowest range of a withheld figure: {self.narrowest.text()}{size}: "
                f"{self.narrowest.figure.describe()} "
                f"({self.narrowest.figure.shown_as(self.threshold)}"
                + (f", true value {_number(self.narrowest.value)}" if show_values else "")
                + ")"
            )
        else:
            lines.append("  nothing is withheld")
        if self.known_before:
            lines.append(
                f"  {len(self.known_before)} withheld cell(s) (no small count) earlier views "
                "alone already pin; nothing this view hides changes that:"
            )
            lines += [f"  - {w.figure.describe()}: {w.text()}" for w in self.known_before]
        if self.passed:
            lines.append(
                f"  PASS: no withheld figure can be narrowed to fewer than "
                f"{max(self.threshold - 1, 1)} values"
            )
            return "\n".join(lines)
        if self.unbounded:
            lines.append(
                f"  INCOMPLETE: {self.unbounded:,} withheld sums over several regions or "
                f"quarters were not solved (more than {MAX_SET_SOLVES} per indicator)"
            )
        if not self.weak:
            return "\n".join(lines)
        lines.append(f"  FAIL: {len(self.weak)} withheld figure(s) can be narrowed down:")
        for weak in self.weak:
            value = f", true value {_number(weak.value)}" if show_values else ""
            lines.append(
                f"  - {weak.figure.describe()} ({weak.figure.shown_as(self.threshold)}{value}): "
                f"a reader can tell it is in {weak.text()}"
            )
            if weak.pinned_by:
                lines.append(f"      pinned by: {'; '.join(weak.pinned_by)}")
            fixes = weak.fixes(cells)
            if fixes:
                lines.append(f"      fix: {'; or '.join(fixes)}")
        return "\n".join(lines)


# The model of one indicator ---------------------------------------------------------------
def _subset_sums(vectors: np.ndarray) -> np.ndarray:
    """(F, n) numbers per region -> (F, 2 ** n): their sums over every set of regions
    (column j: the set with bit mask j; column 0, the empty set, is 0)."""
    f, n = vectors.shape
    out = np.zeros((f, 1 << n))
    for i in range(n):
        out[:, 1 << i : 2 << i] = out[:, : 1 << i] + vectors[:, i : i + 1]
    return out


def _line_order(line: tuple[str, str]) -> tuple:
    sex, age = line
    return (line != ("all", "all"), sex == "all", sex, age)


@dataclass
class _Row:
    """A constraint over the free unknowns: lo <= coefs . z <= hi."""

    positions: np.ndarray
    coefs: np.ndarray
    lo: float
    hi: float
    source: tuple  # ("cell", cell) | ("relation", text, atoms) | ("figure", class index)
    fixed: np.ndarray  # the shown (fixed) atoms it holds: the cells that pin through it


@dataclass
class _Candidate:
    """A withheld figure whose range is wanted."""

    figure_of: tuple  # ("atom", atom) | ("cell", cell) | ("class", class index) |
    # ("earlier", Published): a count an earlier view withheld
    atoms: np.ndarray | None  # its atoms (a sum; a mean is that sum / k); None: not yet
    k: float
    value: float
    state: int
    key: tuple = ()  # the same figure in the next round of secondary suppression
    low_bound: float = math.inf  # the pool's smallest value (sum space)
    high_bound: float = -math.inf
    seen: int = 0  # pool points looked at


@dataclass
class _IndicatorResult:
    cells: int = 0
    figures: int = 0
    withheld: int = 0
    solved: int = 0
    narrowest: Range | None = None
    weak: list[Weak] = field(default_factory=list)
    unbounded: int = 0  # guarded sums over several regions left unsolved (budget)
    known_before: list[Weak] = field(default_factory=list)  # `_Before`


def read_interval(codes, values, k, mode: str, base: int, t: int, integer: bool):
    """[lo, hi] of figures in `codes` states with true `values` (figure units), as a reader
    reads them (shown exact, or rounded to `base`; "<t"; hidden: [0, inf)), as bounds on
    their sums (a mean's sum is k times it). `integer`: the counts are whole numbers."""
    codes = np.asarray(codes)
    values = np.asarray(values, dtype="float64")
    lo = np.zeros(values.shape)
    hi = np.full(values.shape, np.inf)
    shown = codes == CODE_SHOWN
    if mode == SUPPRESS:
        lo[shown] = values[shown]
        hi[shown] = values[shown]
    else:
        r = np.floor(values / base + 0.5) * base
        if integer:
            low, high = r - base // 2, r + (base + 1) // 2 - 1
        else:
            low, high = r - base / 2, r + base / 2
        # A shown count is never small: 1 .. t-1 would read "<t".
        low = np.where((low > 0) & (low < t), t, low)
        high = np.where((low <= 0) & (high < t), 0, high)
        low = np.maximum(low, 0)
        lo[shown], hi[shown] = low[shown], high[shown]
    small = codes == CODE_SMALL
    lo[small] = 1 if integer else 0
    hi[small] = t - 1 if integer else t
    return lo * k, hi * k


class _Model:
    """One indicator of a view as a reader sees it: unknowns, constraints, figures."""

    def __init__(
        self,
        cells: IndicatorCells,
        code: str,
        keys: Sequence[Cell],
        mode: str,
        *,
        figures: bool = True,
    ):
        self.cells, self.code, self.mode = cells, code, mode
        self.t, self.base = cells.threshold, cells.rounding_base
        self.regions, self.periods = cells.regions, list(cells.periods)
        self.n, self.P = len(self.regions), len(self.periods)
        aggregation = cells.aggregation[code]
        self.latest, self.mean = aggregation == "latest", aggregation == "mean"
        self.lines = sorted({(k[2], k[3]) for k in keys}, key=_line_order)
        self.L = len(self.lines)
        line_index = {line: i for i, line in enumerate(self.lines)}
        period_index = {p: i for i, p in enumerate(self.periods)}
        region_index = {r: i for i, r in enumerate(self.regions)}
        self.total_line = line_index.get(("all", "all"))

        self.A = np.full((self.L, self.P, self.n), -1, dtype=np.int64)
        atoms: list[Cell] = []
        self.grid: list[Cell] = []  # cells that are not atoms: totals over regions, quarters
        for key in sorted(keys):
            _, region, sex, age, column = key
            if region == ALL or column == TO_DATE:
                self.grid.append(key)
                continue
            self.A[line_index[(sex, age)], period_index[column], region_index[region]] = len(atoms)
            atoms.append(key)
        self.atom_cells = atoms
        self.value = np.array([cells.values[k] for k in atoms], dtype="float64")
        self.atom_state = np.array([CODE_OF_STATE[cells.states[k]] for k in atoms], dtype=np.int8)
        self.real = len(atoms)  # this view's counts; after them those it no longer holds
        self.canon = self._carried()
        self.then = self._ghosts()
        self.integer = not self.mean and bool(np.all(self.value == np.round(self.value)))
        self.big = max(1e6, 100 * float(np.abs(self.value).max(initial=0)) * max(self.P, 1))
        self.lb, self.ub = self._interval(self.atom_state, self.value, np.ones(len(self.value)))
        self.ub = np.minimum(self.ub, self.big)
        self.free = self.lb < self.ub - TOLERANCE
        self.free_ids = np.flatnonzero(self.free)
        self.position = np.full(len(self.value), -1, dtype=np.int64)
        self.position[self.free_ids] = np.arange(len(self.free_ids))
        self.fixed_value = np.where(self.free, 0.0, self.value)
        self.rows: list[_Row] = []
        self.in_model: set[int] = set()  # classes already added as rows
        self._binding: dict[tuple, tuple[set[int], set[int], bool]] = {}  # what pins a sum
        self._matrix = None
        self._highs: _Highs | None = None  # the LP relaxation's solver (`_solver`)
        self._highs_rows = 0
        # Each range end's last optimal basis, kept for the next round (`_Bases`); None:
        # not kept (an audit outside secondary suppression's rounds).
        self.bases: _Bases | None = None
        self._row_ids = np.zeros(0, dtype=np.int64)  # the HiGHS rows' numbers in `bases`
        self._row_order = self._sorted_row_ids = np.zeros(0, dtype=np.int64)
        self.candidates: list[_Candidate] = []
        self.result = _IndicatorResult(cells=len(keys))
        self.shown_before = shown_before(cells, code)
        # The sums of atoms a total of the grid shows (a count, exact or rounded): no secret.
        # Wanted only beside what earlier views withheld (`_earlier_rows`).
        self.shown_sums: set[tuple[int, ...]] = set()
        # Families of earlier figures over other counts than this view's (`_earlier_views`):
        # per family after this view's own, the atoms each region's figure summed (P, n).
        self.late_include: list[np.ndarray] = []
        self._earlier_atoms()
        self.ghost_facts, self.said_of_gone = self._ghost_facts()
        self._grid_rows()
        self._relations()
        self._earlier_rows()
        self._ghost_rows()
        self._figures(enumerate_sets=figures)

    # What a state says ----------------------------------------------------------------------
    def _guarded(self, codes, values, *, cell: bool):
        """Which withheld figures must keep their range: a count below the threshold
        (shown "<5", or hidden), wherever it is; and a withheld cell of the grid (not a
        zero: zeros are shown anyway). A hidden sum of a page over several regions or
        quarters of at least the threshold need not: pages hide some that could be worked
        out from shown cells, and any small count inside one is guarded on its own."""
        codes = np.asarray(codes)
        values = np.asarray(values, dtype="float64")
        small = (codes == CODE_SMALL) | ((codes != CODE_SHOWN) & (values > 0) & (values < self.t))
        if cell:
            return small | ((codes == CODE_HIDDEN) & (values != 0))
        return small

    def _interval(self, codes: np.ndarray, values: np.ndarray, k: np.ndarray):
        """[lo, hi] of figures in `codes` states with true `values` (figure units), as
        bounds on their sums (a mean's sum is k times it)."""
        return read_interval(codes, values, k, self.mode, self.base, self.t, self.integer)

    # The grid's own totals and how figures add up -------------------------------------------
    def _atoms_of(self, line: int, periods: slice | int, regions: Iterable[int]) -> np.ndarray:
        ids = self.A[line, periods][..., list(regions)].ravel()
        return np.sort(ids[ids >= 0])

    def _add_row(self, atoms: np.ndarray, coefs: np.ndarray, lo: float, hi: float, source):
        """A constraint over atoms, the shown (fixed) ones taken out; kept if not empty."""
        free = self.free[atoms]
        shift = float(np.dot(coefs[~free], self.value[atoms[~free]]))
        if not free.any():
            return
        self.rows.append(
            _Row(
                self.position[atoms[free]],
                coefs[free].astype("float64"),
                lo - shift,
                hi - shift,
                source,
                atoms[~free],
            )
        )
        self._matrix = None

    def _grid_rows(self) -> None:
        """The grid's cells: each atom's bounds; the totals as rows. Withheld ones are
        candidates (atoms first: where two are the same sum, the atom names it)."""
        cells = self.cells
        real = slice(0, self.real)  # (the counts gone since are guarded by `_ghost_rows`)
        guarded = self._guarded(self.atom_state[real], self.value[real], cell=True)
        known = np.zeros(self.real, dtype=bool)
        if self.shown_before or self.shown_then:
            known[:] = [
                c in self.shown_before or (int(self.canon[a]),) in self.shown_then
                for a, c in enumerate(self.atom_cells[real])
            ]
        # A count carried forward (or reported again as it was) is the count it carries, as
        # the reader takes it (`_relations`): no secret where that one is shown.
        first = self.canon[real]
        known |= (self.atom_state[first] == CODE_SHOWN) | known[first]
        if known.any():  # shown as a count (before, or carried): only a small one is guarded
            small = self._guarded(self.atom_state[real], self.value[real], cell=False)
            guarded &= small | ~known
        for atom in np.flatnonzero(guarded):
            self.candidates.append(
                _Candidate(
                    ("atom", int(atom)),
                    np.array([atom]),
                    1.0,
                    self.value[atom],
                    int(self.atom_state[atom]),
                    ("atoms", (int(atom),), 1.0),
                )
            )
        line_index = {line: i for i, line in enumerate(self.lines)}
        everywhere = range(self.n)
        for key in self.grid:
            _, region, sex, age, column = key
            line = line_index[(sex, age)]
            periods = slice(None) if column == TO_DATE else self.periods.index(column)
            regions = everywhere if region == ALL else [self.regions.index(region)]
            atoms = self._atoms_of(line, periods, regions)
            if not len(atoms):
                continue
            k = float(len(atoms)) if self.mean else 1.0
            code = CODE_OF_STATE[cells.states[key]]
            value = cells.values[key]
            if code == CODE_SHOWN and self.earlier_found:
                self.shown_sums.add(self._key(atoms))
            lo, hi = self._interval(np.array([code]), np.array([value]), np.array([k]))
            if code != CODE_HIDDEN:
                self._add_row(atoms, np.ones(len(atoms)), lo[0], hi[0], ("cell", key))
            secret = key not in self.shown_before and (
                not self.shown_then or self._key(atoms) not in self.shown_then
            )
            guarded = self._guarded(code, value, cell=secret)
            if guarded:
                figure = ("atoms", tuple(atoms.tolist()), k)
                self.candidates.append(_Candidate(("cell", key), atoms, k, value, code, figure))

    def _parts(self) -> list[list[int]]:
        """The lines that add up to all people: the sexes, the age groups (those there are)."""
        groups = [
            [i for i, (s, a) in enumerate(self.lines) if s != "all" and a == "all"],
            [i for i, (s, a) in enumerate(self.lines) if s == "all" and a != "all"],
        ]
        return [g for g in groups if g]

    def _breakdown_rows(
        self, block: np.ndarray, what: str, where: str, related: set | None = None
    ) -> np.ndarray:
        """One region's quarters as a reader knows them from a total and its rows by sex
        (or by age group), `block` (1 + parts, P, n) their atoms (-1: not reported): where
        every part is reported and they add up, all people = the parts; where some are and
        add up to less (a sex not reported, people whose sex was not recorded), all people
        are at least the parts reported, a bound a reader has too (where they add up to more,
        which an upload warns of but may store, neither is known).
        With `related` (`_ghost_rows`): only quarters with a count this view no longer
        holds, each set of atoms once over the earlier grids (`related` holds those done).
        Returns where they add up (P, n)."""
        reported = block >= 0
        sums = np.where(reported, self.value[block], 0.0)
        rest = sums[0] - sums[1:].sum(axis=0)  # the people the parts leave out
        adds_up = reported.all(axis=0) & (np.abs(rest) < TOLERANCE)
        fewer = reported[0] & reported[1:].any(axis=0) & ~adds_up & (rest > -TOLERANCE)
        if fewer.any():  # not where the states alone say it (a shown 30 over two "<5")
            parts_high = np.where(reported[1:], self.ub[block[1:]], 0.0).sum(axis=0)
            fewer &= self.lb[block[0]] < parts_high - TOLERANCE
        if related is not None:
            involved = (block >= self.real).any(axis=0)
            adds_up, fewer = adds_up & involved, fewer & involved
        coefs = np.array([1.0] + [-1.0] * (len(block) - 1))
        for (p, i), equal in itertools.chain(
            zip(zip(*np.nonzero(adds_up), strict=True), itertools.repeat(True)),
            zip(zip(*np.nonzero(fewer), strict=True), itertools.repeat(False)),
        ):
            lines = np.flatnonzero(reported[:, p, i])
            atoms = block[lines, p, i]
            if related is not None:
                if tuple(atoms.tolist()) in related:
                    continue
                related.add(tuple(atoms.tolist()))
            relation = f"all = the {what}" if equal else f"all >= the {what} reported"
            self._add_row(
                atoms,
                coefs[lines],
                0.0,
                0.0 if equal else np.inf,
                ("relation", f"{self.regions[i]} {self.periods[p]}{where}: {relation}"),
            )
        return adds_up

    def _relations(self) -> None:
        """All people = the sexes = the age groups (or at least those reported); a 'latest'
        count carried forward."""
        if self.mean:
            return
        value, A = self.value, self.A
        if self.total_line is not None:
            for parts in self._parts():
                what = "sexes" if self.lines[parts[0]][0] != "all" else "age groups"
                lines = [self.total_line, *parts]
                block = A[lines]  # (1 + parts, P, n)
                ok = (block >= 0).all(axis=0)  # (P, n): total and every part reported
                sums = np.where(block >= 0, value[block], 0.0)
                adds_up = self._breakdown_rows(block, what, "")
                coefs = np.array([1.0] + [-1.0] * len(parts))
                # Over all regions, or all quarters, where a region's or quarter's own did not.
                for axis, label in ((1, "all regions"), (0, "all quarters")):
                    total = np.where(ok, sums[0], 0).sum(axis=axis)
                    part = np.where(ok, sums[1:].sum(axis=0), 0).sum(axis=axis)
                    holds = (adds_up | ~ok).all(axis=axis)  # implied by the rows above
                    for j in np.flatnonzero(~holds & (np.abs(total - part) < TOLERANCE)):
                        sel = ok[j] if axis == 1 else ok[:, j]
                        if not sel.any():
                            continue
                        sub = block[:, j, :][:, sel] if axis == 1 else block[:, :, j][:, sel]
                        ids = sub.ravel()
                        coefs_all = np.repeat(coefs, sub.shape[1])
                        name = self.periods[j] if axis == 1 else self.regions[j]
                        self._add_row(
                            ids,
                            coefs_all,
                            0.0,
                            0.0,
                            ("relation", f"{name}, {label}: all = the {what}"),
                        )
        if self.latest and self.total_line is not None:
            line = A[self.total_line]
            for p in range(self.P - 1):
                for i in range(self.n):
                    a, b = line[p, i], line[p + 1, i]
                    if a >= 0 and b >= 0 and self.canon[a] == self.canon[b]:
                        self._add_row(
                            np.array([a, b]),
                            np.array([1.0, -1.0]),
                            0.0,
                            0.0,
                            (
                                "relation",
                                f"{self.regions[i]}: {self.periods[p]} carried forward "
                                f"to {self.periods[p + 1]}",
                            ),
                        )

    def _ghosts(self) -> list[tuple[PublishedGrid, np.ndarray, bool]]:
        """The counts earlier views had that this view no longer holds as they were (an
        upload undone, a value corrected): each an atom of its own after the view's own
        (its value then, withheld: bounded only by what earlier views said of it), one per
        region, line, quarter and value however many views had it. Per earlier grid
        (`cells.earlier_grids`), which atom each of its counts is (L, P, n; -1 none then;
        for a count over all people at the end of a quarter ('latest'), the report it
        carried, the first quarter of its run of equal counts then) and whether any is
        one no longer held."""
        grids = self.cells.earlier_grids.get(self.code, ())
        if self.mean or not grids:
            return []
        shape = (self.L, self.P, self.n)
        keys = [
            (self.code, r, sex, age, period)
            for sex, age in self.lines
            for period in self.periods
            for r in self.regions
        ]
        now = np.append(self.value, np.nan)[self.A]
        li, pi, ri = np.indices(shape)
        made: dict[tuple[int, int, int, float], int] = {}
        cells, values, out = [], [], []
        for grid in grids:
            then = np.array([grid.values.get(k, np.nan) for k in keys], dtype="float64")
            then = then.reshape(shape)
            present = ~np.isnan(then)
            source = pi.copy()  # the quarter whose count each is
            if self.latest and self.total_line is not None:
                for i in range(self.n):
                    source[self.total_line, :, i] = _run_starts(list(then[self.total_line, :, i]))
            value = then[li, source, ri]
            atom = self.A[li, source, ri]
            # the same count: today's, of the same value and, for a 'latest' count, still
            # the report it was (not a report that now reads as an earlier one carried:
            # `earlier_in_force` leaves what was said of it out, the reader another unknown)
            same = present & (atom >= 0) & (now[li, source, ri] == value)
            same &= self.canon[np.maximum(atom, 0)] == atom
            mapped = np.where(same, atom, -1)
            for line, q, i in zip(*np.nonzero(present & ~same), strict=True):
                key = (int(line), int(source[line, q, i]), int(i), float(value[line, q, i]))
                if key not in made:
                    made[key] = self.real + len(cells)
                    sex, age = self.lines[key[0]]
                    cells.append((self.code, self.regions[key[2]], sex, age, self.periods[key[1]]))
                    values.append(key[3])
                mapped[line, q, i] = made[key]
            out.append((grid, mapped, bool((present & ~same).any())))
        if cells:
            self.atom_cells = [*self.atom_cells, *cells]
            self.value = np.append(self.value, values)
            self.atom_state = np.append(
                self.atom_state, np.full(len(cells), CODE_HIDDEN, dtype=np.int8)
            )
            self.canon = np.append(self.canon, np.arange(self.real, self.real + len(cells)))
        return out

    def _ghost_facts(self) -> tuple[dict[tuple, tuple[np.ndarray, Published]], set[tuple]]:
        """Each cell of an earlier grid that summed a count this view no longer holds as it
        was (`_ghosts`), as the counts it summed then and what it said of them; and those
        facts as (cell, last quarter, state, value), as earlier views' records name them."""
        ghostly = [(grid, mapped) for grid, mapped, ghost in self.then if ghost]
        said_of_gone: set[tuple] = set()
        line_index = {line: i for i, line in enumerate(self.lines)}
        period_index = {p: i for i, p in enumerate(self.periods)}
        region_index = {r: i for i, r in enumerate(self.regions)}
        facts: dict[tuple, tuple[np.ndarray, Published]] = {}
        for grid, mapped in ghostly:
            for cell, state in grid.states.items():
                _, region, sex, age, column = cell
                line = line_index.get((sex, age))
                if line is None or (region != ALL and region not in region_index):
                    continue
                if column == TO_DATE:
                    if self.latest:
                        continue
                    periods: slice | int = slice(None)
                elif column in period_index:
                    periods = period_index[column]
                else:
                    continue
                regions = range(self.n) if region == ALL else [region_index[region]]
                ids = mapped[line, periods][..., list(regions)]
                atoms = np.sort(ids[ids >= 0].ravel())
                if not len(atoms) or atoms[-1] < self.real:
                    continue  # summed no count that is gone: `_earlier_rows` has it
                value = float(grid.values[cell])
                lo, hi = read_interval(
                    [CODE_OF_STATE[state]], [value], 1.0, grid.protection,
                    grid.rounding_base, grid.threshold, self.integer,
                )  # fmt: skip
                if column == TO_DATE:
                    reported = (ids >= 0).reshape(self.P, -1).any(axis=1)
                    through = self.periods[int(np.flatnonzero(reported)[-1])]
                else:
                    through = column
                fact = Published(cell, through, state, value, float(lo[0]), float(hi[0]))
                facts.setdefault((self._key(atoms), state, fact.low, fact.high), (atoms, fact))
                said_of_gone.add(fact[:4])
        return facts, said_of_gone

    def _ghost_rows(self) -> None:
        """What earlier views said of counts this view no longer holds as they were
        (`ghost_facts`): each as a row over the counts it summed then; and guarded where it
        was withheld (a small count; a cell, unless a view showed it, whole or count by
        count), as earlier withheld cells are."""
        ghostly = [(grid, mapped) for grid, mapped, ghost in self.then if ghost]
        if not ghostly:
            return
        facts = self.ghost_facts
        # All people were the sexes and the age groups then too (or at least those
        # reported), counts gone among them.
        related: set[tuple[int, ...]] = set()
        for _, mapped in ghostly:
            for parts in self._parts() if self.total_line is not None else ():
                what = "sexes" if self.lines[parts[0]][0] != "all" else "age groups"
                block = mapped[[self.total_line, *parts]]  # (1 + parts, P, n)
                self._breakdown_rows(block, what, " in an earlier view", related)
        shown = self._shown_counts()
        shown.update(key for key, state, _, _ in facts if state == SHOWN)
        guarded: dict[tuple[int, ...], tuple[np.ndarray, Published]] = {}
        for (key, state, _, _), (atoms, fact) in facts.items():
            if state != HIDDEN:
                self._add_row(atoms, np.ones(len(atoms)), fact.low, fact.high, ("earlier", fact))
            secret = key not in shown and not all((a,) in shown for a in key)
            code = CODE_OF_STATE[state]
            if code != CODE_SHOWN and self._guarded(code, fact.value, cell=secret):
                guarded.setdefault(key, (atoms, fact))
        for atoms, fact in guarded.values():
            self._guard_earlier(fact, atoms)

    def _shown_counts(self) -> set[tuple[int, ...]]:
        """The sums of atoms (as `_key`s) shown as a count, now or by an earlier view, and
        each atom shown now: no secret, whatever hides them."""
        shown = self.shown_sums | self.shown_then
        shown.update((int(self.canon[a]),) for a in np.flatnonzero(self.atom_state == CODE_SHOWN))
        return shown

    def _guard_earlier(self, fact: Published, atoms: np.ndarray) -> None:
        """What an earlier view withheld, over `atoms`, as a figure that must keep its range."""
        self.candidates.append(
            _Candidate(
                ("earlier", fact),
                atoms,
                1.0,
                float(self.value[atoms].sum()),
                CODE_OF_STATE[fact.state],
                ("atoms", tuple(atoms.tolist()), 1.0),
            )
        )

    def _carried(self) -> np.ndarray:
        """Per atom, the atom whose count it is: for a count over all people at the end of
        a quarter ('latest') carried forward (or reported again as it was), the first
        quarter of its run of equal counts, as the reader takes it (`_relations`); any
        other atom itself. Sums compared as `_key`s are the same count however carried."""
        canon = np.arange(len(self.atom_cells), dtype=np.int64)
        if self.latest and self.total_line is not None:
            line = self.A[self.total_line]
            for p in range(1, self.P):
                for i in range(self.n):
                    a, b = line[p - 1, i], line[p, i]
                    if a >= 0 and b >= 0 and self.value[a] == self.value[b]:
                        canon[b] = canon[a]
        return canon

    def _key(self, atoms: np.ndarray) -> tuple[int, ...]:
        """A sum of atoms as the counts it sums (`_carried`), to compare with others."""
        return tuple(sorted(self.canon[atoms].tolist()))

    def _earlier_atoms(self) -> None:
        """Each fact of an earlier view (`cells.earlier`) as the atoms it sums, and the
        sums of atoms those showed as a count (no secret, whatever hides them now)."""
        line_index = {line: i for i, line in enumerate(self.lines)}
        period_index = {p: i for i, p in enumerate(self.periods)}
        region_index = {r: i for i, r in enumerate(self.regions)}
        found: list[tuple[Published, np.ndarray]] = []
        for earlier in self.cells.earlier.get(self.code, ()):
            _, region, sex, age, column = earlier.cell
            line = line_index.get((sex, age))
            through = period_index.get(earlier.through)
            if line is None or through is None or self.mean:
                continue
            if region == ALL:
                regions = range(self.n)
            elif region in region_index:
                regions = [region_index[region]]
            else:
                continue
            if earlier.summed:  # the counts it summed then, some of them reported since
                pairs = _pairs(earlier.summed)
                if any(r not in region_index or q not in period_index for r, q in pairs):
                    continue
                parts = [self._atoms_of(line, period_index[q], [region_index[r]]) for r, q in pairs]
                if any(not len(part) for part in parts):
                    continue  # one of them is no longer reported: not in force
                atoms = np.sort(np.concatenate(parts))
            else:
                periods = slice(0, through + 1) if column == TO_DATE else through
                atoms = self._atoms_of(line, periods, regions)
            if len(atoms):
                found.append((earlier, atoms))
        self.earlier_found = found
        # A sum shown then is no secret only while it is the same count: one corrected since
        # whose reading then still holds (rounded, 25 then and 26 now) is in force as a
        # statement (`earlier_in_force`), yet today's count was never shown.
        self.shown_then = {
            self._key(a)
            for e, a in found
            if e.state == SHOWN and abs(float(self.value[a].sum()) - e.value) <= TOLERANCE
        }

    def _earlier_rows(self) -> None:
        """What earlier views of these regions showed (`cells.earlier`), where the data
        behind it still holds it: a reader who saw them knows it. A cell shown now as it
        was then adds nothing; one hidden now that was shown then is known all the same."""
        cells = self.cells
        found = self.earlier_found
        if not found:
            return
        shown = self._shown_counts()
        for earlier, atoms in found:
            column = earlier.cell[4]
            if _same_as_now(cells, earlier):
                continue  # (`earlier` holds only what the data still holds: earlier_in_force)
            if (
                earlier[:4] in self.said_of_gone
                and abs(float(self.value[atoms].sum()) - earlier.value) > TOLERANCE
            ):
                # Of counts gone since (`_ghost_facts` has it over them): read as today's
                # counts (its rounded reading may hold of them still), it would tell the
                # audit what no reader knows.
                continue
            if earlier.state != HIDDEN:
                self._add_row(
                    atoms, np.ones(len(atoms)), earlier.low, earlier.high, ("earlier", earlier)
                )
            # Withheld then: guarded still (a small count; a cell, unless a view shows it,
            # whole or as its shown cells), where no figure of this view is it (the same sum
            # is solved once).
            same = (
                column != TO_DATE or last_summed(cells, earlier.cell) == earlier.through
            ) and summed(cells, earlier.cell) == earlier.summed
            now = cells.states.get(earlier.cell) if same else None  # the same sum now
            guarded = now in (None, HIDDEN) and (
                earlier.state == SMALL
                or (
                    earlier.state == HIDDEN
                    and self._key(atoms) not in shown
                    and not bool(np.all(self.atom_state[atoms] == CODE_SHOWN))
                )
            )
            if guarded:
                self._guard_earlier(earlier, atoms)

    def _earlier_views(self) -> list[tuple[IndicatorCells, np.ndarray, list[tuple]]]:
        """The grids earlier views showed rounded (`cells.earlier_grids`), each as cells of
        its own to judge its figures by, with per family of figures (`self.families`) the
        bit mask of the regions whose counts in it are the counts now (for 'latest' counts,
        carried from the same report): a figure of the earlier view over those regions
        still holds of today's counts. And the families of its figures over regions one of
        which summed other counts then (a quarter reported late since, an upload undone, a
        value corrected): their figures summed other counts than any figure of this view,
        each region's as `_ghosts` maps them. Per family, as (kind, line, quarter, which
        atoms each region's figure summed (P, n; -1 none), the regions whose figures then
        differ from now as a bit mask); `_figures` makes each a family of its own."""
        cells = self.cells
        out: list[tuple[IndicatorCells, np.ndarray, list[tuple]]] = []
        weights = 1 << np.arange(self.n, dtype=np.int64)
        canon = np.append(self.canon, -1)
        now = canon[self.A]
        for grid, mapped, _ in self.then:
            if grid.protection != ROUND:  # (under "suppress" its cells say it all)
                continue
            then = IndicatorCells(
                regions=cells.regions,
                periods=cells.periods,
                threshold=grid.threshold,
                aggregation={self.code: cells.aggregation[self.code]},
                sensitive=frozenset(),
                values=grid.values,
                states=grid.states,
                protection=grid.protection,
                rounding_base=grid.rounding_base,
            )
            same = canon[mapped] == now  # (L, P, n): the same count, or none then and now
            bits = [(same.reshape(self.L * self.P, self.n)[self.q_families] * weights).sum(axis=1)]
            if len(self.t_families):  # to the end of a quarter: every quarter up to it
                so_far = np.cumprod(same[self.total_line], axis=0).astype(bool)
                bits.append((so_far[self.t_families] * weights).sum(axis=1))
            in_force = np.concatenate(bits).astype(np.int64)
            other_families: list[tuple] = []
            for kind, line, p in self.families[: self.own_families]:
                quarters = slice(p, p + 1) if kind == "Q" else slice(0, p + 1)
                differs = ~same[line, quarters].all(axis=0)
                if not differs.any() or not (mapped[line, quarters] >= 0).any():
                    continue  # (nothing then: a quarter reported since says nothing of then)
                ids = np.full((self.P, self.n), -1, dtype=np.int64)
                ids[quarters] = mapped[line, quarters]
                other_families.append((kind, line, p, ids, int((differs * weights).sum())))
            if in_force.any() or other_families:
                out.append((then, in_force, other_families))
        return out

    # Every figure over every set of regions ----------------------------------------------
    def _family_vectors(self, x: np.ndarray) -> np.ndarray:
        """(F, n): per family of figures (a quarter and line; an actual to date) the
        per-region numbers their sums are made of, at atom values `x`."""
        xe = np.append(x, 0.0)
        parts = [xe[self.A].reshape(self.L * self.P, self.n)[self.q_families]]
        if len(self.t_families):
            parts.append(np.cumsum(xe[self.A[self.total_line]], axis=0)[self.t_families])
        for ids in self.late_include:  # earlier figures of other counts
            parts.append(xe[ids].sum(axis=0)[None, :])
        return np.vstack(parts) if len(parts) > 1 else parts[0]

    def _figures(self, *, enumerate_sets: bool = True) -> None:
        """Judge every figure through the cells' own code; group those that differ only
        in shown cells; keep the ones that constrain (lazy rows) or are withheld."""
        cells, code, n = self.cells, self.code, self.n
        reported = self.A >= 0
        q_any = reported.any(axis=2).reshape(self.L * self.P)
        self.q_families = np.flatnonzero(q_any)
        if self.latest or self.total_line is None:
            self.t_families = np.array([], dtype=np.int64)
        else:
            so_far = np.cumsum(reported[self.total_line].any(axis=1)) > 0
            self.t_families = np.flatnonzero(so_far)
        if not enumerate_sets:  # the grid's cells alone
            self.q_families = self.t_families = np.array([], dtype=np.int64)
        families = [("Q", int(f // self.P), int(f % self.P)) for f in self.q_families]
        families += [("T", self.total_line, int(p)) for p in self.t_families]
        self.families = families
        self.own_families = len(families)  # then those of earlier figures (`late_include`)
        masks = np.arange(1 << n, dtype=np.int64)
        masks[0] = 1  # the empty set is never judged (placeholder)
        free_atoms = np.append(self.free, False)
        ones = np.append(np.ones(len(self.value)), 0.0)
        q_free = free_atoms[self.A].reshape(self.L * self.P, n)[self.q_families]
        q_count = ones[self.A].reshape(self.L * self.P, n)[self.q_families]
        if len(self.t_families):
            t_free = np.cumsum(free_atoms[self.A[self.total_line]], axis=0)[self.t_families] > 0
            t_count = np.cumsum(ones[self.A[self.total_line]], axis=0)[self.t_families]
            free_vec = np.vstack([q_free, t_free])
            count_vec = np.vstack([q_count, t_count])
        else:
            free_vec, count_vec = q_free, q_count
        weights = 1 << np.arange(n, dtype=np.int64)
        self.free_bits = (free_vec.astype(np.int64) * weights).sum(axis=1)
        true_vec = self._family_vectors(self.value)
        fixed_vec = self._family_vectors(self.fixed_value)

        cls_fam, cls_mask, cls_lo, cls_hi, cls_withheld = [], [], [], [], []
        cls_rep, cls_value, cls_state, cls_k, cls_shift = [], [], [], [], []
        cls_small, cls_earlier = [], []
        result = self.result
        then_views = self._earlier_views() if enumerate_sets else []

        def add_classes(f, idx, reduced, lo, hi, codes, values, k, shift, withheld, small, then):
            """Group the figures `idx` of family f by their free atoms (`reduced`): the
            tightest bounds of each group, and a representative (a shown figure, else a
            small one, else any)."""
            groups, inverse = np.unique(reduced, return_inverse=True)
            g_lo = np.full(len(groups), -np.inf)
            g_hi = np.full(len(groups), np.inf)
            np.maximum.at(g_lo, inverse, lo)
            np.minimum.at(g_hi, inverse, hi)
            g_shown = np.zeros(len(groups), dtype=bool)
            np.logical_or.at(g_shown, inverse, ~withheld)
            state = codes[idx]
            order = np.lexsort((idx, ~small, state != CODE_SMALL, state != CODE_SHOWN))
            _, first = np.unique(inverse[order], return_index=True)
            rep = idx[order[first]]
            g_small = np.zeros(len(groups), dtype=bool)
            np.logical_or.at(g_small, inverse, small)
            cls_small.append(g_small)
            cls_fam.append(np.full(len(groups), f))
            cls_mask.append(groups)
            cls_lo.append(g_lo)
            cls_hi.append(g_hi)
            cls_withheld.append(~g_shown)
            cls_rep.append(rep)
            cls_value.append(values[rep])
            cls_state.append(codes[rep])
            cls_k.append(k[rep])
            cls_shift.append(shift[rep])
            cls_earlier.append(np.full(len(groups), then))

        for start in range(0, len(families), _CHUNK):
            chunk = slice(start, start + _CHUNK)
            sums = _subset_sums(true_vec[chunk])
            counts = _subset_sums(count_vec[chunk])
            shifts = _subset_sums(fixed_vec[chunk])
            for row, f in enumerate(range(start, min(start + _CHUNK, len(families)))):
                kind, line, p = families[f]
                valid = counts[row] > 0
                valid[0] = False
                k = counts[row] if self.mean else np.ones(1 << n)
                values = np.divide(sums[row], k, out=np.zeros(1 << n), where=valid)
                period = self.periods[p]
                if kind == "Q":
                    sex, age = self.lines[line]
                    codes = cells.quarter_codes(code, masks, period, values, sex, age)
                else:
                    codes = cells.to_date_codes(code, masks, [period], [values])[0]
                withheld = valid & (codes != CODE_SHOWN)
                result.figures += int(valid.sum())
                result.withheld += int(withheld.sum())
                reduced = masks & self.free_bits[f]
                constant = valid & (reduced == 0)
                # Withheld, yet made of shown cells only: weak if the pass rule guards it (a
                # small count; a larger sum is no secret, and one that is a cell of the grid
                # is judged as that cell, which may be one the views before pin).
                pinned = constant & withheld & self._guarded(codes, values, cell=False)
                if pinned.any():
                    for j in np.flatnonzero(pinned)[:MAX_PINS]:
                        figure = self._family_figure(f, int(j), int(codes[j]))
                        v = float(values[j])
                        result.weak.append(Weak(figure, v, v, v, ("shown cells only",)))
                keep = valid & ~constant
                kept = np.flatnonzero(keep)
                lo_now, hi_now = self._interval(codes[kept], values[kept], k[kept])
                if len(kept):
                    small = self._guarded(codes[kept], values[kept], cell=False)
                    add_classes(
                        f, kept, reduced[kept], lo_now - shifts[row, kept],
                        hi_now - shifts[row, kept], codes, values, k, shifts[row],
                        withheld[kept], small, False,
                    )  # fmt: skip
                for then, in_force, _ in then_views:
                    # An earlier view's figure over the same counts, where it said more
                    # than this view's (shown then, withheld or rounded otherwise now).
                    same = keep & ((masks & ~in_force[f]) == 0)
                    if not same.any():
                        continue
                    if kind == "Q":
                        codes_then = then.quarter_codes(code, masks, period, values, sex, age)
                    else:
                        codes_then = then.to_date_codes(code, masks, [period], [values])[0]
                    idx = np.flatnonzero(same & (codes_then != CODE_HIDDEN))
                    lo_then, hi_then = read_interval(
                        codes_then[idx], values[idx], k[idx], then.protection,
                        then.rounding_base, then.threshold, self.integer,
                    )  # fmt: skip
                    at = np.searchsorted(kept, idx)  # this view's reading of the same
                    more = (lo_then > lo_now[at] + TOLERANCE) | (hi_then < hi_now[at] - TOLERANCE)
                    if not more.any():
                        continue
                    idx = idx[more]
                    add_classes(
                        f, idx, reduced[idx], lo_then[more] - shifts[row, idx],
                        hi_then[more] - shifts[row, idx], codes_then, values, k, shifts[row],
                        np.zeros(len(idx), dtype=bool), np.zeros(len(idx), dtype=bool), True,
                    )  # fmt: skip

        # Figures of earlier views over regions one of which summed other counts then (a
        # quarter reported late since, an upload undone, a value corrected): each a family
        # of its own, its regions' counts those of then (`_earlier_views`).
        free_bits = list(self.free_bits)
        ones = np.ones(1 << n)
        for then, _, other_families in then_views:
            for kind, line, p, ids, differs in other_families:
                f = len(families)
                families.append(("E" + kind, line, p))
                self.late_include.append(ids)
                counted = ids >= 0
                values, shifts, counts = _subset_sums(
                    np.vstack(
                        [
                            np.where(counted, self.value[ids], 0.0).sum(axis=0),
                            np.where(counted, self.fixed_value[ids], 0.0).sum(axis=0),
                            counted.sum(axis=0),
                        ]
                    )
                )
                free = (counted & self.free[ids]).any(axis=0)
                bits = int((free * weights).sum())
                free_bits.append(bits)
                period = self.periods[p]
                sex, age = self.lines[line]
                if kind == "Q":
                    codes_then = then.quarter_codes(code, masks, period, values, sex, age)
                else:
                    codes_then = then.to_date_codes(code, masks, [period], [values])[0]
                reduced = masks & bits
                # a small count then stays guarded, as the counts it summed then
                small = self._guarded(codes_then, values, cell=False)
                wanted = (
                    (counts > 0)
                    & ((masks & differs) != 0)
                    & ((codes_then != CODE_HIDDEN) | small)
                    & (reduced != 0)
                )
                wanted[0] = False
                idx = np.flatnonzero(wanted)
                if not len(idx):
                    continue
                lo_then, hi_then = read_interval(
                    codes_then[idx], values[idx], ones[idx], then.protection,
                    then.rounding_base, then.threshold, self.integer,
                )  # fmt: skip
                add_classes(
                    f, idx, reduced[idx], lo_then - shifts[idx], hi_then - shifts[idx],
                    codes_then, values, ones, shifts, codes_then[idx] != CODE_SHOWN,
                    small[idx], True,
                )  # fmt: skip
        self.free_bits = np.array(free_bits, dtype=np.int64)

        def cat(parts, dtype):
            return np.concatenate(parts) if parts else np.array([], dtype=dtype)

        self.cls_fam = cat(cls_fam, np.int64)
        self.cls_mask = cat(cls_mask, np.int64)
        self.cls_lo, self.cls_hi = cat(cls_lo, float), cat(cls_hi, float)
        self.cls_withheld = cat(cls_withheld, bool)
        self.cls_rep = cat(cls_rep, np.int64)
        self.cls_state = cat(cls_state, np.int8)
        cls_value, cls_k = cat(cls_value, float), cat(cls_k, float)
        self.cls_shift = cat(cls_shift, float)  # the shown part of each representative
        self.cls_earlier = cat(cls_earlier, bool)  # shown so in an earlier view
        # Rows that say something beyond "not negative" are checked at every solution.
        self.cls_constrains = (self.cls_hi < np.inf) | (self.cls_lo > TOLERANCE)
        self.fam_start = np.searchsorted(self.cls_fam, np.arange(len(families) + 1))
        guarded = self.cls_withheld & cat(cls_small, bool)
        for c in np.flatnonzero(guarded):
            self.candidates.append(
                _Candidate(
                    ("class", int(c)),
                    None,
                    float(cls_k[c]),
                    float(cls_value[c]),
                    int(self.cls_state[c]),
                    ("class", int(self.cls_fam[c]), int(self.cls_rep[c]), float(cls_k[c])),
                )
            )

    def _class_atoms(self, c: int, *, full: bool) -> np.ndarray:
        """The atoms of a group of figures: its representative's (full) or the free ones."""
        f = int(self.cls_fam[c])
        kind, line, p = self.families[f]
        mask = int(self.cls_rep[c] if full else self.cls_mask[c])
        regions = [i for i in range(self.n) if mask >> i & 1]
        if kind.startswith("E"):  # an earlier figure of the counts of then
            ids = self.late_include[f - self.own_families][:, regions]
            atoms = np.sort(ids[ids >= 0])
        else:
            periods = p if kind == "Q" else slice(0, p + 1)
            atoms = self._atoms_of(line, periods, regions)
        return atoms if full else atoms[self.free[atoms]]

    def atoms_of(self, candidate: _Candidate) -> np.ndarray:
        if candidate.atoms is None:
            candidate.atoms = self._class_atoms(candidate.figure_of[1], full=True)
        return candidate.atoms

    def _family_figure(self, f: int, mask: int, code: int) -> Figure:
        kind, line, p = self.families[f]
        sex, age = self.lines[line]
        regions = self.cells.mask_regions(mask)
        return Figure(
            self.code,
            regions,
            mask == self.cells.full_mask,
            sex,
            age,
            self.periods[p],
            kind.endswith("T"),
            STATE_OF_CODE[code],
        )

    def figure(self, candidate: _Candidate) -> Figure:
        kind, what = candidate.figure_of
        if kind == "atom":
            return cell_figure(self.cells, self.atom_cells[what])
        if kind == "cell":
            return cell_figure(self.cells, what)
        if kind == "earlier":  # a figure of an earlier view, as it was then
            code, region, sex, age, column = what.cell
            regions = self.cells.regions if region == ALL else (region,)
            to_date = column == TO_DATE
            return Figure(
                code,
                tuple(regions),
                region == ALL,
                sex,
                age,
                what.through,
                to_date,
                what.state,
            )
        return self._family_figure(
            int(self.cls_fam[what]), int(self.cls_rep[what]), int(self.cls_state[what])
        )

    # Solving --------------------------------------------------------------------------------
    def _full(self, z: np.ndarray) -> np.ndarray:
        x = self.value.copy()
        x[self.free_ids] = z
        return x

    def violations(self, z: np.ndarray) -> list[int]:
        """Groups of figures (not yet rows) that the free values `z` break."""
        x = self._full(z)
        moved = np.abs(x - self.value) > TOLERANCE
        if not moved.any():
            return []
        moved_vec = self._family_vectors(moved.astype("float64")) != 0
        touched = np.flatnonzero(moved_vec.any(axis=1))
        broken: list[int] = []
        vectors = self._family_vectors(np.where(self.free, x, 0.0))
        for start in range(0, len(touched), _CHUNK):
            fams = touched[start : start + _CHUNK]
            sums = _subset_sums(vectors[fams])
            for row, f in enumerate(fams):
                a, b = self.fam_start[f], self.fam_start[f + 1]
                if a == b:
                    continue
                cls = np.arange(a, b)
                cls = cls[self.cls_constrains[a:b]]
                e = sums[row, self.cls_mask[cls]]
                bad = (e < self.cls_lo[cls] - TOLERANCE) | (e > self.cls_hi[cls] + TOLERANCE)
                broken.extend(int(c) for c in cls[bad] if int(c) not in self.in_model)
        return broken

    def _add_class_rows(self, classes: Iterable[int]) -> None:
        for c in classes:
            atoms = self._class_atoms(c, full=False)
            every = self._class_atoms(c, full=True)
            self.rows.append(
                _Row(
                    self.position[atoms],
                    np.ones(len(atoms)),
                    float(self.cls_lo[c]),
                    float(self.cls_hi[c]),
                    ("figure", c),
                    every[~self.free[every]],
                )
            )
            self.in_model.add(c)
        self._matrix = None

    def _constraints(self):
        if self._matrix is None:
            m = len(self.free_ids)
            if self.rows:
                data = np.concatenate([r.coefs for r in self.rows])
                cols = np.concatenate([r.positions for r in self.rows])
                rows = np.repeat(np.arange(len(self.rows)), [len(r.positions) for r in self.rows])
                matrix = sparse.csr_array((data, (rows, cols)), shape=(len(self.rows), m))
            else:
                matrix = sparse.csr_array((0, m))
            lo = np.array([r.lo for r in self.rows], dtype="float64")
            hi = np.array([r.hi for r in self.rows], dtype="float64")
            self._matrix = (matrix, lo, hi)
        return self._matrix

    def _milp(self, objective: np.ndarray) -> np.ndarray | None:
        """A solution minimising `objective` over every constraint (rows added lazily)."""
        while True:
            matrix, lo, hi = self._constraints()
            constraints = [LinearConstraint(matrix, lo, hi)] if matrix.shape[0] else []
            res = milp(
                objective,
                integrality=np.full(len(objective), 1 if self.integer else 0),
                bounds=Bounds(self.lb[self.free_ids], self.ub[self.free_ids]),
                constraints=constraints,
                options={"disp": False},
            )
            if res.status != 0 or res.x is None:
                return None
            z = np.round(res.x) if self.integer else res.x
            broken = self.violations(z)
            if not broken:
                return z
            self._add_class_rows(broken)

    def expression(self, atoms: np.ndarray) -> tuple[np.ndarray, float]:
        """A sum of atoms as (dense coefficients over the free unknowns, shown constant)."""
        coefs = np.zeros(len(self.free_ids))
        free = self.free[atoms]
        np.add.at(coefs, self.position[atoms[free]], 1.0)
        return coefs, float(self.value[atoms[~free]].sum())

    def _solver(self) -> _Highs:
        """One HiGHS model of the rows so far, kept between solves: each range is a new
        objective over the same rows, so HiGHS starts from the last optimum's basis instead
        of from scratch (4x faster than a fresh `linprog` per objective on the sample), and
        rows found broken are added to it."""
        if self._highs is None:
            solver = _Highs()
            solver.setOptionValue("output_flag", False)
            solver.addVars(len(self.free_ids), self.lb[self.free_ids], self.ub[self.free_ids])
            self._highs, self._highs_rows = solver, 0
        if self._highs_rows < len(self.rows):
            new = self.rows[self._highs_rows :]
            sizes = np.array([len(r.positions) for r in new], dtype=np.int32)
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
            lo = np.array([r.lo for r in new], dtype="float64")
            hi = np.array([r.hi for r in new], dtype="float64")
            self._highs.addRows(
                len(new),
                np.where(np.isfinite(lo), lo, -kHighsInf),
                np.where(np.isfinite(hi), hi, kHighsInf),
                int(sizes.sum()),
                starts,
                np.concatenate([r.positions for r in new]).astype(np.int32),
                np.concatenate([r.coefs for r in new]).astype("float64"),
            )
            self._highs_rows = len(self.rows)
        return self._highs

    def _lp(
        self, objective: np.ndarray, end: tuple | None = None
    ) -> tuple[np.ndarray, set[int], set[int]] | None:
        """The optimum of the LP relaxation (rows added lazily), with what binds there:
        rows (their duals) and unknowns (their bounds' duals). With `end` (a range end:
        `solve_range`), started from that end's optimal basis of the round before, where
        one is kept (`bases`), and its basis kept for the next."""
        columns = np.arange(len(self.free_ids), dtype=np.int32)
        if end is not None and self.bases is not None:
            self._start_from(end)
        for _ in range(100):
            solver = self._solver()
            solver.changeColsCost(len(columns), columns, np.asarray(objective, dtype="float64"))
            solver.run()
            if solver.getModelStatus() != HighsModelStatus.kOptimal:
                return None
            solution = solver.getSolution()
            x = np.array(solution.col_value)
            broken = self.violations(x)
            if broken:
                self._add_class_rows(broken)
                continue
            if end is not None and self.bases is not None:
                self._keep(end, solver, x)
            rows = set(np.flatnonzero(np.abs(np.array(solution.row_dual)) > TOLERANCE).tolist())
            bound = np.abs(np.array(solution.col_dual)) > TOLERANCE
            return x, rows, set(self.free_ids[bound].tolist())
        return None

    def _highs_row_ids(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The numbers (`_Bases.row_id`) of the rows in the solver, the order that sorts
        them, and them sorted (one array every basis kept of this model holds)."""
        if len(self._row_ids) < self._highs_rows:
            more = [
                self.bases.row_id(self._row_key(row))
                for row in self.rows[len(self._row_ids) : self._highs_rows]
            ]
            self._row_ids = np.concatenate([self._row_ids, np.array(more, dtype=np.int64)])
            self._row_order = np.argsort(self._row_ids, kind="stable")
            self._sorted_row_ids = self._row_ids[self._row_order]
        return self._row_ids, self._row_order, self._sorted_row_ids

    def _row_key(self, row: _Row) -> tuple:
        """What a row says, the same in every round (a figure's class is numbered anew)."""
        if row.source[0] == "figure":
            c = row.source[1]
            return ("figure", self.families[int(self.cls_fam[c])], int(self.cls_rep[c]))
        return row.source

    def _keep(self, end: tuple, solver: _Highs, x: np.ndarray) -> None:
        """Keep the optimal basis of range end `end` for the next round (`_start_from`):
        each unknown's and row's status, from HiGHS's basic variables (an array: 0.3 ms for
        6,000 rows, where `getBasis` hands over lists of Python objects, 3.3 ms to read as
        numbers for 8,000 unknowns) and, for the others, whether the optimum is at their
        upper bound."""
        status, basic = solver.getBasicVariables()
        if status != HighsStatus.kOk:
            return
        basic = np.asarray(basic, dtype=np.int64)
        matrix, lo, hi = self._constraints()
        lb, ub = self.lb[self.free_ids], self.ub[self.free_ids]
        cols = np.where((x >= ub - TOLERANCE) & (x > lb + TOLERANCE), UPPER, LOWER)
        cols = cols.astype(np.int8)
        cols[basic[basic >= 0]] = BASIC
        activity = matrix @ x  # (a row at both its bounds, an equation, is at its lower)
        rows = np.where((activity >= hi - TOLERANCE) & (activity > lo + TOLERANCE), UPPER, LOWER)
        rows = rows.astype(np.int8)
        rows[-1 - basic[basic < 0]] = BASIC
        _, order, ids = self._highs_row_ids()
        self.bases.kept[end] = (self.free_ids, cols, ids, rows[order])

    def _start_from(self, end: tuple) -> None:
        """Give the solver `end`'s basis of the round before (`_keep`), mapped onto this
        round's unknowns and rows: an unknown freed since at its lower bound, a row added
        since basic (HiGHS completes such an "alien" basis). Most ranges solved again come
        out as before: from their own optimum's basis that takes a few simplex iterations
        where from the last range's it took hundreds (BI2.09 at 1,000,000 values: 28
        against 659 per range end)."""
        solver = self._solver()  # (its rows brought up to date first)
        kept = self.bases.kept.get(end)
        if kept is None:
            return
        atoms, old_cols, row_ids, old_rows = kept
        cols = _mapped(atoms, old_cols, self.free_ids, LOWER)
        rows = _mapped(row_ids, old_rows, self._highs_row_ids()[0], BASIC)
        start = HighsBasis()
        start.col_status = [_STATUS[s] for s in cols.tolist()]
        start.row_status = [_STATUS[s] for s in rows.tolist()]
        start.alien, start.valid = True, True
        if solver.setBasis(start) != HighsStatus.kOk:
            solver.setBasis()  # (HiGHS's own start; never seen)
        else:
            self.bases.started += 1

    def extreme(
        self, objective: np.ndarray, end: tuple | None = None
    ) -> tuple[np.ndarray | None, set[int], set[int], bool]:
        """A whole-number solution minimising `objective`: the LP relaxation's when it is
        whole (the usual case: sums over a table), else HiGHS's branch and bound
        (scipy.optimize.milp); what binds at the LP optimum; whether the LP's was whole.
        `end`: which range end it is, if one (`_lp`)."""
        lp = self._lp(objective, end)
        rows, atoms = (lp[1], lp[2]) if lp is not None else (set(), set())
        if lp is not None:
            z = lp[0]
            if not self.integer:
                return z, rows, atoms, True
            if np.all(np.abs(z - np.round(z)) < WHOLE):
                return np.round(z), rows, atoms, True
            whole = self._dive(objective, z)
            if whole is not None:
                return whole, rows, atoms, False
        return self._milp(objective), rows, atoms, False

    def _dive(self, objective: np.ndarray, z: np.ndarray) -> np.ndarray | None:
        """A whole-number solution as good as the LP relaxation's optimum `z` allows (its
        value rounded up: no whole-number solution is better, so it is optimal), found by
        fixing the fractional unknowns one at a time at their nearest whole number and
        solving again from the last basis; None when that fails (branch and bound then).
        Where rows by sex add up to less than their total, the LP's optimum is often
        fractional at the whole-number optimum's value; this costs a few warm solves where
        a branch and bound starts from nothing (at 1,000,000 values 10 ms against 50 ms)."""
        objective = np.asarray(objective, dtype="float64")
        target = math.ceil(float(objective @ z) - 1e-6) + 1e-6
        solver = self._solver()
        fixed: list[int] = []
        found = None
        try:
            for _ in range(DIVE_STEPS):
                off = np.abs(z - np.round(z))
                fractional = np.flatnonzero(off >= WHOLE)
                if not len(fractional):
                    whole = np.round(z)
                    if float(objective @ whole) <= target and not self.violations(whole):
                        found = whole
                    break
                j = int(fractional[np.argmin(off[fractional])])
                value = float(np.round(z[j]))
                solver.changeColBounds(j, value, value)
                fixed.append(j)
                solver.run()
                if solver.getModelStatus() != HighsModelStatus.kOptimal:
                    break
                z = np.array(solver.getSolution().col_value)
                if float(objective @ z) > target:
                    break
        finally:
            if fixed:
                ids = np.array(fixed, dtype=np.int32)
                free = self.free_ids[ids]
                solver.changeColsBounds(len(ids), ids, self.lb[free], self.ub[free])
        return found

    def solve_range(self, atoms: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
        """The smallest and largest sum of `atoms` (sum space), and the solutions found."""
        coefs, shift = self.expression(atoms)
        if not coefs.any():
            return shift, shift, []
        points, ends = [], []
        rows: set[int] = set()
        bound_atoms: set[int] = set()
        whole = True
        kept = tuple(atoms.tolist()) if self.bases is not None else None  # (`_keep`)
        for sign in (1.0, -1.0):
            end = (sign, kept) if kept is not None else None
            z, binding_rows, binding_atoms, by_lp = self.extreme(sign * coefs, end)
            if z is None:
                return math.nan, math.nan, points
            points.append(z)
            ends.append(float(coefs @ z) + shift)
            rows |= binding_rows
            bound_atoms |= binding_atoms
            whole = whole and by_lp
        self._binding[tuple(np.flatnonzero(coefs))] = (rows, bound_atoms, whole)
        return ends[0], ends[1], points

    def pins(self, atoms: np.ndarray) -> tuple[list[str], list[Cell], list[Cell]]:
        """What pins a sum of atoms: the constraints binding at the optimum of the LP
        relaxation (both ends), as text; the shown cells among them; the small ones ("<5",
        whose bounds pin it where no shown cell does)."""
        coefs, _ = self.expression(atoms)
        key = tuple(np.flatnonzero(coefs))
        if key not in self._binding:
            self.solve_range(atoms)
        binding_rows, binding_atoms, _ = self._binding.get(key, (set(), set(), False))
        text: list[str] = []
        shown: list[Cell] = []
        small: list[Cell] = []
        for r in sorted(binding_rows):
            row = self.rows[r]
            text.append(self._describe_row(row))
            shown.extend(self._shown_cells(row))
            if row.source[0] == "cell" and self.cells.states.get(row.source[1]) == SMALL:
                small.append(row.source[1])
        for atom in sorted(binding_atoms):
            cell = self.atom_cells[atom]
            if self.atom_state[atom] == CODE_SHOWN:  # a rounded count
                shown.append(cell)
                text.append(f"{cell_figure(self.cells, cell).describe()} (shown rounded)")
            elif self.atom_state[atom] == CODE_SMALL:
                small.append(cell)
                text.append(f"{cell_figure(self.cells, cell).describe()} (<{self.t})")
        if not shown and not small:  # pinned by whole numbers alone: hide a neighbour
            positions = set(self.position[atoms[self.free[atoms]]].tolist())
            for row in self.rows:
                if positions & set(row.positions.tolist()):
                    shown.extend(self._shown_cells(row))
        unique = dict.fromkeys
        return list(unique(text)), list(unique(shown)), list(unique(small))

    def depends(self, atoms: np.ndarray) -> frozenset[Cell] | None:
        """The cells whose hiding could change the range of a sum of atoms: those of the
        constraints binding at its LP optimum (removing any other leaves the optimum where
        it is). None when that optimum was not whole (branch and bound: no such promise)."""
        coefs, _ = self.expression(atoms)
        binding = self._binding.get(tuple(np.flatnonzero(coefs)))
        if binding is None or not binding[2]:
            return None
        rows, bound_atoms, _ = binding
        out: set[Cell] = {self.atom_cells[a] for a in bound_atoms}
        for r in rows:
            row = self.rows[r]
            out.update(self.atom_cells[a] for a in row.fixed)
            if self.mode == ROUND:
                out.update(self.atom_cells[a] for a in self.free_ids[row.positions])
            if row.source[0] == "cell":
                out.add(row.source[1])
            elif row.source[0] == "figure":  # its state hangs on its whole column (or row)
                kind, line, p = self.families[int(self.cls_fam[row.source[1]])]
                periods = [p] if kind.endswith("Q") else list(range(p + 1))
                for q in periods:
                    ids = self.A[line, q]
                    out.update(self.atom_cells[a] for a in ids[ids >= 0])
                sex, age = self.lines[line]
                out.update(
                    (self.code, ALL, sex, age, column)
                    for column in [self.periods[q] for q in periods] + [TO_DATE]
                )
                out.update((self.code, r, sex, age, TO_DATE) for r in self.regions)
        return frozenset(out)

    def _shown_cells(self, row: _Row) -> list[Cell]:
        out = [self.atom_cells[a] for a in row.fixed]
        kind = row.source[0]
        if kind == "cell" and self.cells.states.get(row.source[1]) == SHOWN:
            out.append(row.source[1])
        if kind == "figure" and self.families[int(self.cls_fam[row.source[1]])][0][0] != "E":
            # (an earlier figure of the counts of then: no total of this view shows it)
            c = row.source[1]
            f = int(self.cls_fam[c])
            family, line, p = self.families[f]
            sex, age = self.lines[line]
            column = self.periods[p] if family == "Q" else TO_DATE
            mask = int(self.cls_rep[c])
            if family == "Q":  # shown as the total less the cells outside it
                out.extend(self._less_outside(sex, age, column, mask))
            elif self.cells.states.get(total := (self.code, ALL, sex, age, column)) == SHOWN:
                out.append(total)
            if family == "T":  # shown as a row's total less its quarters after: those
                regions = self.cells.mask_regions(mask)
                after = [TO_DATE, *self.periods[p + 1 :]]
                for cell in ((self.code, r, sex, age, q) for r in regions for q in after):
                    if self.cells.states.get(cell) == SHOWN:
                        out.append(cell)
                # or, over several regions, as its quarters' sums over them, each shown: the
                # total of the column, less the shown cells outside them (its own cells are
                # the row's). Rounded, the figure says more than they do (the page rounds its
                # sum), and it is shown for as long as they are: hiding one withholds it.
                several = (mask & (mask - 1)) != 0  # (one region's is its row's, above)
                for q in self.periods[: p + 1] if several else ():
                    out.extend(self._less_outside(sex, age, q, mask))
        if self.mode == ROUND:  # rounded shown cells are unknowns too
            atoms = self.free_ids[row.positions]
            out.extend(self.atom_cells[a] for a in atoms if self.atom_state[a] == CODE_SHOWN)
        return out

    def _less_outside(self, sex: str, age: str, column: str, mask: int) -> list[Cell]:
        """The cells that show a column's sum over the regions of `mask` as the column's
        total less the shown cells outside them: the total first, then those cells. None
        when the total is withheld: the sum is then shown through its own cells only, and
        hiding a cell outside would withhold nothing."""
        total = (self.code, ALL, sex, age, column)
        if self.cells.states.get(total) != SHOWN:
            return []
        outside = self.cells.mask_regions(self.cells.full_mask & ~mask)
        cells = [(self.code, r, sex, age, column) for r in outside]
        return [total, *(cell for cell in cells if self.cells.states.get(cell) == SHOWN)]

    def _describe_row(self, row: _Row) -> str:
        kind = row.source[0]
        if kind == "cell":
            figure = cell_figure(self.cells, row.source[1])
            return f"{figure.describe()} ({figure.shown_as(self.t)})"
        if kind == "relation":
            return f"{self.code}: {row.source[1]}"
        if kind == "earlier":
            earlier: Published = row.source[1]
            figure = cell_figure(self.cells, earlier.cell)
            until = f" (to the end of {earlier.through})" if earlier.cell[4] == TO_DATE else ""
            shown = "<" + str(self.t) if earlier.state == SMALL else "shown"
            return f"{figure.describe()}{until} ({shown} in an earlier view)"
        c = row.source[1]
        figure = self._family_figure(int(self.cls_fam[c]), int(self.cls_rep[c]), CODE_SHOWN)
        if not self.cls_earlier[c]:
            return f"{figure.describe()} (shown)"
        shown = f"<{self.t}" if self.cls_state[c] == CODE_SMALL else "shown"
        return f"{figure.describe()} ({shown} in an earlier view)"


# What earlier views showed ------------------------------------------------------------------
def last_summed(cells: IndicatorCells, cell: Cell) -> str:
    """The last quarter a cell sums: its own, or for a cell over all quarters the last one
    with a value among its regions and line ("" when none has)."""
    code, region, sex, age, column = cell
    if column != TO_DATE:
        return column
    memo = ("last summed", cell)
    if memo not in cells._memo:
        regions = cells.regions if region == ALL else (region,)
        with_value = [
            p for p in cells.periods if any((code, r, sex, age, p) in cells.values for r in regions)
        ]
        cells._memo[memo] = with_value[-1] if with_value else ""
    return cells._memo[memo]


def _same_count(then: float | None, now: float | None) -> bool:
    """Whether a cell's count then and now is the same (both unreported, or equal)."""
    if then is None or now is None or math.isnan(then) or math.isnan(now):
        return (then is None or math.isnan(then)) and (now is None or math.isnan(now))
    return float(then) == float(now)


def _present(cells: IndicatorCells) -> dict[tuple[str, str, str, str], list[str]]:
    """Per indicator, region, sex and age group, the quarters with a count (sorted)."""
    memo = ("present",)
    if memo not in cells._memo:
        found: dict[tuple[str, str, str, str], list[str]] = {}
        for (code, region, sex, age, column), v in cells.values.items():
            if region != ALL and column != TO_DATE and not math.isnan(v):
                found.setdefault((code, region, sex, age), []).append(column)
        cells._memo[memo] = {key: sorted(periods) for key, periods in found.items()}
    return cells._memo[memo]


def summed(cells: IndicatorCells, cell: Cell) -> str:
    """Which counts of its regions and quarters a cell sums, as what a view showed of it is
    recorded (published.py): "" when it sums every one of them (nothing reported later can
    join it); else each as "REGION@QUARTER", by region and quarter: a region that reports a
    quarter late, after the next upload, then leaves the earlier figure a statement of the
    counts it had. A count over all regions at the end of a quarter ('latest') sums each
    region's report it carries (the first quarter of the run of equal counts), always
    listed: a report for a quarter in between would change what the cell sums."""
    code, region, sex, age, column = cell
    regions = cells.regions if region == ALL else (region,)
    present = _present(cells)
    if cells.aggregation.get(code) == "latest":
        if region != ALL or column == TO_DATE:
            return ""  # one region's count: recorded as of the quarter that reported it
        return " ".join(
            f"{r}@{report_quarter(cells, (code, r, sex, age, column))}"
            for r in regions
            if column in present.get((code, r, sex, age), ())
        )
    if column == TO_DATE:
        through = last_summed(cells, cell)
        wanted = cells.periods.index(through) + 1 if through else 0
        summed_by = {}
        for r in regions:
            quarters = present.get((code, r, sex, age), [])
            summed_by[r] = quarters[: bisect.bisect_right(quarters, through)]
    else:
        wanted = 1
        summed_by = {
            r: [column] if column in present.get((code, r, sex, age), ()) else [] for r in regions
        }
    if all(len(quarters) == wanted for quarters in summed_by.values()):
        return ""
    return " ".join(f"{r}@{q}" for r, quarters in summed_by.items() for q in quarters)


def _pairs(text: str) -> list[tuple[str, str]]:
    """The "REGION@QUARTER" pairs of `summed`."""
    return [(r, q) for r, _, q in (token.partition("@") for token in text.split())]


def report_quarter(cells: IndicatorCells, cell: Cell) -> str:
    """For a region's count at the end of a quarter ('latest'), the quarter of the report
    it carries: the first of its run of equal counts (as the audit's reader takes it)."""
    code, region, sex, age, column = cell
    at = cells.periods.index(column)
    values = [cells.values.get((code, region, sex, age, p)) for p in cells.periods[: at + 1]]
    return cells.periods[int(_run_starts(values)[at])]


def _run_starts(values: Sequence[float | None]) -> np.ndarray:
    """For a region's counts at the end of each quarter ('latest'), the first quarter of
    the run of equal counts each belongs to (the report a carried count carries, as the
    audit's reader takes it)."""
    starts = np.arange(len(values))
    for p in range(1, len(values)):
        if _same_count(values[p - 1], values[p]):
            starts[p] = starts[p - 1]
    return starts


def holds_as_then(cells: IndicatorCells, earlier: Published) -> bool:
    """Whether a cell an earlier view showed holds the same value now, over the same
    quarters (whatever its state now). Never for a count over all regions at the end of a
    quarter ('latest'): its regions' values may have been carried from other quarters
    then, so the same value need not be the same counts."""
    cell = earlier.cell
    if cell[1] == ALL and cells.aggregation.get(cell[0]) == "latest":
        return False
    return (
        cells.values.get(cell) == earlier.value
        and (cell[4] != TO_DATE or last_summed(cells, cell) == earlier.through)
        and summed(cells, cell) == earlier.summed
    )


def _same_as_now(cells: IndicatorCells, earlier: Published) -> bool:
    """Whether the view shows that cell now as it was shown then (the same state and value,
    over the same quarters): nothing a reader did not know from this view alone."""
    return cells.states.get(earlier.cell) == earlier.state and holds_as_then(cells, earlier)


def known_cells(cells: IndicatorCells, code: str) -> frozenset[Cell]:
    """The cells of `code` shown now as an earlier view showed them: hiding one of them
    would take nothing from a reader who saw that view, so secondary suppression never
    picks them. None under rounding: there a figure over several regions is rounded on its
    own, so a cell shown now also shows every such figure it is part of, which the earlier
    view may not have shown (it may have hidden another cell of them), and hiding the cell
    takes those away."""
    if cells.protection == ROUND:
        return frozenset()
    memo = ("known cells", code)
    if memo not in cells._memo:
        earlier = cells.earlier.get(code, ())
        cells._memo[memo] = frozenset(e.cell for e in earlier if _same_as_now(cells, e))
    return cells._memo[memo]


def shown_before(cells: IndicatorCells, code: str) -> frozenset[Cell]:
    """The cells of `code` an earlier view showed as a count (exact or rounded) with the
    value they hold now: not secrets, so a cell hidden now need not keep a range (its
    small counts are guarded on their own)."""
    return frozenset(
        e.cell for e in cells.earlier.get(code, ()) if e.state == SHOWN and holds_as_then(cells, e)
    )


def counts_are_whole(cells: IndicatorCells) -> dict[str, bool]:
    """Per indicator, whether every count of it in the view is a whole number (as the
    audit's model reads its region-quarter counts), in one pass over the view's cells."""
    whole = dict.fromkeys(cells.aggregation, True)
    for (code, region, _, _, column), v in cells.values.items():
        if region != ALL and column != TO_DATE and whole.get(code):
            whole[code] = float(v) == round(float(v))
    return whole


def earlier_in_force(
    cells: IndicatorCells, published: Iterable[Published]
) -> dict[str, tuple[Published, ...]]:
    """Of what earlier views showed (`published`), per indicator, what still holds for the
    data of `cells`: the sum of the cell's counts today reads as it read then (a correction
    since makes it a statement about other data, left out). Means are left out (their cells
    average, and they count no people to protect in practice)."""
    out: dict[str, list[Published]] = {}
    for earlier in published:
        code, region, sex, age, column = earlier.cell
        if cells.aggregation.get(code) not in ("sum", "latest"):
            continue
        if column == TO_DATE and cells.aggregation[code] == "latest":
            continue
        regions = cells.regions if region == ALL else (region,)
        if region != ALL and region not in cells.regions:
            continue
        latest = cells.aggregation[code] == "latest"
        if earlier.summed:  # the counts it summed then: all still reported, or not in force
            pairs = _pairs(earlier.summed)
            found = [cells.values.get((code, r, sex, age, p)) for r, p in pairs]
            if any(v is None or math.isnan(v) for v in found):
                continue
            if latest and any(report_quarter(cells, (code, r, sex, age, p)) != p for r, p in pairs):
                continue  # a report it summed is gone: the quarter carries an earlier one
        else:
            if latest and region != ALL and report_quarter(cells, earlier.cell) != column:
                continue  # the report is gone: the quarter carries an earlier one
            if column == TO_DATE:
                periods = [p for p in cells.periods if p <= earlier.through]
            else:
                periods = [column]
            # every count of its regions and quarters: all still reported, or not in force
            # (an upload undone since: what it said is of counts gone, `_Model._ghosts`)
            found = [cells.values.get((code, r, sex, age, p)) for r in regions for p in periods]
            if any(v is None or math.isnan(v) for v in found):
                continue
        if not found:
            continue
        if earlier.state == HIDDEN:  # said nothing: guarded while its counts are the same
            if abs(sum(found) - earlier.value) <= TOLERANCE:
                out.setdefault(code, []).append(earlier)
        elif earlier.low - TOLERANCE <= sum(found) <= earlier.high + TOLERANCE:
            out.setdefault(code, []).append(earlier)
    return {code: tuple(sorted(found)) for code, found in sorted(out.items())}


# Auditing ------------------------------------------------------------------------------------
def _hide_order(cells: IndicatorCells, cell: Cell) -> tuple:
    """Which pinning cell to hide first: the smallest non-zero, then a zero, then a total."""
    value = cells.values.get(cell, 0.0)
    total = cell[1] == ALL or cell[4] == TO_DATE
    return (total, value == 0, value, cell)


def _keys_by_code(cells: IndicatorCells) -> dict[str, list[Cell]]:
    out: dict[str, list[Cell]] = {code: [] for code in cells.aggregation}
    for key in cells.values:
        if key[0] in out:
            out[key[0]].append(key)
    return out


@dataclass
class _Carry:
    """What one audit of an indicator leaves for the next, after more cells are hidden: a
    reader then knows less, so earlier feasible points stay feasible and earlier ranges
    stay lower bounds (secondary suppression only ever takes information away)."""

    points: list[np.ndarray] = field(default_factory=list)  # feasible atom values
    wide: dict[tuple, float] = field(default_factory=dict)  # figure -> width at least
    weak: dict[tuple, tuple[Weak, frozenset[Cell]]] = field(default_factory=dict)
    hidden: set[Cell] = field(default_factory=set)  # cells hidden since the last audit
    bases: _Bases = field(default_factory=lambda: _Bases())  # range ends' optimal bases


_STATUS = {int(s): s for s in HighsBasisStatus.__members__.values()}
LOWER, BASIC, UPPER = (
    int(HighsBasisStatus.kLower),
    int(HighsBasisStatus.kBasic),
    int(HighsBasisStatus.kUpper),
)


def _mapped(keys: np.ndarray, values: np.ndarray, now: np.ndarray, missing: int) -> np.ndarray:
    """`values` (of sorted `keys`) looked up for each of `now`; `missing` where absent."""
    if not len(keys):
        return np.full(len(now), missing, dtype=np.int8)
    at = np.minimum(np.searchsorted(keys, now), len(keys) - 1)
    return np.where(keys[at] == now, values[at], missing).astype(np.int8)


@dataclass
class _Bases:
    """The optimal bases of range ends, kept from one round of secondary suppression to the
    next (`_Model._keep`, `_start_from`): per end (sign, atoms), the model's unknowns
    (atoms, sorted) with their statuses, and its rows (numbers given here to what each
    says, sorted) with theirs."""

    kept: dict[tuple, tuple[np.ndarray, ...]] = field(default_factory=dict)
    ids: dict[tuple, int] = field(default_factory=dict)
    started: int = 0  # range ends started from a kept basis

    def row_id(self, key: tuple) -> int:
        return self.ids.setdefault(key, len(self.ids))


def _figure_key(candidate: _Candidate) -> tuple:
    return candidate.key


def _audit_indicator(
    cells: IndicatorCells,
    code: str,
    keys: Sequence[Cell],
    *,
    suggest_rounding: bool = False,
    carry: _Carry | None = None,
    cells_first: bool = False,
    figures: bool = True,
    before: _Before | None = None,
) -> _IndicatorResult:
    """Audit one indicator. With `cells_first` (secondary suppression), figures over sets
    of regions are only looked at once no cell of the grid is weak: hiding a cell changes
    them anyway. Without `figures`, only the grid's cells are modelled and checked. With
    `before`, a weak figure earlier views alone pin is set apart (`known_before`)."""
    model = _Model(cells, code, keys, cells.protection, figures=figures)
    result = model.result
    t = cells.threshold
    if not model.candidates:
        return result
    if carry is not None and len(model.free_ids) >= OWN_BASES_FROM:
        model.bases = carry.bases
    carry = carry if carry is not None else _Carry()
    # Feasible points: the true data, earlier ones, and solutions of chosen objectives.
    pool = [model.value[model.free_ids]]
    pool += [x[model.free_ids] for x in carry.points[-CARRIED_POINTS:]]
    rng = np.random.default_rng(zlib.crc32(code.encode()) + len(carry.points))
    if len(model.free_ids):
        # every withheld unknown at once at its lowest, at its highest, then at random
        withheld = (model.atom_state[model.free_ids] != CODE_SHOWN).astype("float64")
        objectives = [withheld, -withheld]
        random = POOL_SOLVES if not carry.points else 1
        objectives += [rng.choice([-1.0, 1.0], len(model.free_ids)) for _ in range(random)]
        for objective in objectives:
            z = model.extreme(objective)[0]
            if z is not None:
                pool.append(z)
    _screen(model, pool)
    known = [carry.wide.get(_figure_key(c), 0.0) for c in model.candidates]

    stacked = np.empty((len(pool), len(model.free_ids)))
    filled = 0

    def pool_rows(start: int) -> np.ndarray:
        """The pool's points from `start` on, as rows (the array grows by doubling)."""
        nonlocal stacked, filled
        if filled < len(pool):
            if len(stacked) < len(pool):
                grown = np.empty((max(2 * len(stacked), len(pool)), len(model.free_ids)))
                grown[:filled] = stacked[:filled]
                stacked = grown
            stacked[filled : len(pool)] = np.array(pool[filled:])
            filled = len(pool)
        return stacked[start:filled]

    def floor(i: int) -> float:
        """A lower bound of candidate i's width (figure units): the pool's, or earlier."""
        candidate = model.candidates[i]
        if candidate.seen < len(pool):
            atoms = model.atoms_of(candidate)
            free = model.free[atoms]
            positions = model.position[atoms[free]]
            shift = float(model.value[atoms[~free]].sum())
            values = pool_rows(candidate.seen)[:, positions].sum(axis=1) + shift
            candidate.low_bound = min(candidate.low_bound, float(values.min()))
            candidate.high_bound = max(candidate.high_bound, float(values.max()))
            candidate.seen = len(pool)
        return max(_width(candidate), known[i])

    is_class = [c.figure_of[0] == "class" for c in model.candidates]
    # By (is_class, floor(i), i): every candidate has just been screened against the whole
    # pool, so its floor is what it holds; sorted in numpy (a million figures).
    floors = [max(_width(c), k) for c, k in zip(model.candidates, known, strict=True)]
    order = np.lexsort((np.arange(len(floors)), floors, is_class)).tolist()
    screened = len(pool)  # the points every candidate's bounds hold
    solved: dict[tuple, tuple[float, float]] = {}
    weak_keys: set[tuple] = set()
    new_weak: dict[tuple, tuple[Weak, frozenset[Cell]]] = {}
    set_solves = 0
    best: Range | None = None
    rounding_model: _Model | None = None
    for i in order:
        if cells_first and is_class[i] and result.weak:
            break  # a cell is weak: fix that first
        if is_class[i] and screened < len(pool):
            # The sums over sets of regions come last, after the solves of the grid's cells
            # added points. Their bounds are widened at once by some of those points (a
            # share of the cost of all of them); a sum they leave undecided is brought up
            # to date with every point below, one at a time.
            new = pool[screened:]
            some = np.linspace(0, len(new) - 1, min(len(new), SCREEN_POINTS)).round()
            _screen_classes(
                model,
                [j for j, c in enumerate(is_class) if c],
                [new[int(k)] for k in np.unique(some)],
            )
            screened = len(pool)
        candidate = model.candidates[i]
        best_width = best.width if best is not None else math.inf
        # Widths only grow with more points: what is known already often settles it, and
        # bringing a figure up to date with the newest points costs a Python call each
        # (a view of 14 regions has over a million figures: 127 of 175 s, profiled).
        width = max(_width(candidate), known[i])
        if not (_passes(0, width, t) and width >= best_width):
            width = floor(i)
        if _passes(0, width, t) and width >= best_width:
            continue
        if is_class[i] and set_solves >= MAX_SET_SOLVES:
            result.unbounded += not _passes(0, width, t)
            continue
        set_solves += is_class[i]
        atoms = model.atoms_of(candidate)
        coefs, shift = model.expression(atoms)
        key = tuple(np.flatnonzero(coefs))
        earlier = carry.weak.get(_figure_key(candidate))
        if (
            earlier is not None
            and not (earlier[1] & carry.hidden)
            and key not in solved
            and (before is None or _first_pick(cells, code, earlier[0]) is not None)
        ):
            # weak before, and nothing that pinned it was hidden since: still weak (unless
            # no cell is left to hide for it: then solved again, and asked of `before`)
            weak, depends = earlier
            if key not in weak_keys:
                weak_keys.add(key)
                result.weak.append(weak)
                new_weak[_figure_key(candidate)] = earlier
            known[i] = weak.high - weak.low
            if best is None or weak.width < best.width - TOLERANCE:
                best = Range(weak.figure, weak.value, weak.low, weak.high)
            continue
        if key not in solved:
            low, high, points = model.solve_range(atoms)
            pool.extend(points)
            solved[key] = (low - shift, high - shift)
            result.solved += 1
        low_e, high_e = solved[key]
        low, high = (low_e + shift) / candidate.k, (high_e + shift) / candidate.k
        known[i] = high - low if not math.isnan(low) else 0.0
        found = Range(model.figure(candidate), candidate.value, low, high)
        if not math.isnan(low) and (best is None or found.width < best.width - TOLERANCE):
            best = found
        if (math.isnan(low) or not _passes(low, high, t)) and key not in weak_keys:
            weak_keys.add(key)
            if suggest_rounding and cells.protection == SUPPRESS and rounding_model is None:
                rounding_model = _Model(cells, code, keys, ROUND)
            weak = _weak(model, candidate, found, rounding_model)
            if before is not None and before.pins(weak, cells):
                result.known_before.append(weak)  # nothing this view hides changes it
                continue
            result.weak.append(weak)
            depends = model.depends(atoms)
            if depends is not None:
                new_weak[_figure_key(candidate)] = (weak, depends)
    result.narrowest = best
    carry.points = [model._full(z) for z in pool[1:]]
    carry.weak, carry.hidden = new_weak, set()
    for i, candidate in enumerate(model.candidates):
        carry.wide[_figure_key(candidate)] = max(_width(candidate), known[i])
    return result


def _weak(model: _Model, candidate: _Candidate, found: Range, rounding: _Model | None) -> Weak:
    """A weak figure with what pins it and what would fix it (`rounding`: the same
    indicator with shown counts rounded, to tell whether rounding would be enough)."""
    cells = model.cells
    text, shown, small = model.pins(model.atoms_of(candidate))
    shown = [c for c in shown if cells.states.get(c) == SHOWN]
    small = [c for c in small if cells.states.get(c) == SMALL]

    # By _hide_order; between equal values, a cell in the same column (line and quarter)
    # or row (region and line) as the figure's own cells first.
    own = [model.atom_cells[a] for a in model.atoms_of(candidate)]
    columns = {(c[2], c[3], c[4]) for c in own}
    rows = {(c[1], c[2], c[3]) for c in own}

    def order(cell: Cell) -> tuple:
        total, zero, value, _ = _hide_order(cells, cell)
        near = (cell[2], cell[3], cell[4]) in columns or (cell[1], cell[2], cell[3]) in rows
        return (total, zero, value, not near, cell)

    hide = tuple(sorted(shown, key=order)) + tuple(sorted(small, key=order))
    rounded = None
    if rounding is not None:
        low, high, _ = rounding.solve_range(model.atoms_of(candidate))
        rounded = (low / candidate.k, high / candidate.k)
    return Weak(
        found.figure,
        found.value,
        found.low,
        found.high,
        tuple(text[:MAX_PINS]),
        hide,
        rounded,
        tuple(model.atoms_of(candidate).tolist()),
        candidate.k,
        bool(model._guarded([candidate.state], [candidate.value], cell=False)[0]),
    )


def _first_pick(cells: IndicatorCells, code: str, weak: Weak) -> Cell | None:
    """The cell secondary suppression hides for a weak figure: the first that pins it (a
    "<5" where no shown cell does), never one an earlier view showed as it is shown now
    (hiding it hides nothing); None when no cell is left to hide for it."""
    known = known_cells(cells, code)
    return next(
        (c for c in weak.hide if cells.states.get(c) in (SHOWN, SMALL) and c not in known), None
    )


class _Before:
    """Which weak figures of one indicator earlier views alone pin: withheld cells of the
    grid, not small counts, whose range what donors saw before already narrows as much (a
    correction undone: a total over the counts as they were, worked out from the views
    before and after the correction). Nothing this view hides changes them, so secondary
    suppression hides nothing for them and the audit does not fail on them; a small count
    is always a failure. One model of the indicator with nothing of this view shown (it
    depends on the data and the record only), built when first wanted."""

    def __init__(
        self, cells: IndicatorCells, code: str, keys: Sequence[Cell], *, suppressing: bool
    ):
        self.cells, self.code, self.keys = cells, code, keys
        self.suppressing = suppressing  # (then only once no cell is left to hide for it)
        self.told = bool(cells.earlier.get(code) or cells.earlier_grids.get(code))
        self.model: _Model | None = None
        self.verdicts: dict[tuple[int, ...], bool] = {}

    def pins(self, weak: Weak, cells: IndicatorCells) -> bool:
        """Whether earlier views alone pin `weak` (a withheld cell, not a small count).
        While suppressing, asked only once secondary suppression has no cell of `cells` (the
        view as it now is) left to hide for it: a solve of its own per figure costs, at
        1,000,000 values, more than the rounds it saves."""
        if not weak.atoms or weak.small or not self.told:
            return False
        if self.suppressing and _first_pick(cells, self.code, weak) is not None:
            return False
        if weak.atoms not in self.verdicts:
            if self.model is None:
                base = self.cells
                states = {k: (HIDDEN if k[0] == self.code else s) for k, s in base.states.items()}
                self.model = _Model(
                    replace(base, states=states), self.code, self.keys, base.protection
                )
            low, high, _ = self.model.solve_range(np.array(weak.atoms, dtype=np.int64))
            t = self.cells.threshold
            self.verdicts[weak.atoms] = not math.isnan(low) and not _passes(
                low / weak.k, high / weak.k, t
            )
        return self.verdicts[weak.atoms]


def _width(candidate: _Candidate) -> float:
    return (candidate.high_bound - candidate.low_bound) / candidate.k


def _screen(model: _Model, pool: list[np.ndarray]) -> None:
    """Every candidate's smallest and largest value over the pool, at once."""
    cands = model.candidates
    if not cands:
        return
    classes = [i for i, c in enumerate(cands) if c.figure_of[0] == "class"]
    others = [i for i, c in enumerate(cands) if c.figure_of[0] != "class"]
    if others:
        m = len(model.free_ids)
        data, rows, cols, shifts = [], [], [], np.zeros(len(others))
        for r, i in enumerate(others):
            atoms = cands[i].atoms
            free = model.free[atoms]
            cols.append(model.position[atoms[free]])
            rows.append(np.full(int(free.sum()), r))
            data.append(np.ones(int(free.sum())))
            shifts[r] = model.value[atoms[~free]].sum()
        matrix = sparse.csr_array(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(others), m),
        )
        values = np.column_stack([matrix @ z for z in pool]) + shifts[:, None]
        for r, i in enumerate(others):
            cands[i].low_bound = float(values[r].min())
            cands[i].high_bound = float(values[r].max())
            cands[i].seen = len(pool)
    if classes:
        _screen_classes(model, classes, pool)
        for i in classes:
            cands[i].seen = len(pool)


def _screen_classes(model: _Model, classes: list[int], points: list[np.ndarray]) -> None:
    """Widen the bounds of the candidates `classes` (figures over sets of regions) by their
    smallest and largest value over `points`, at once: every set of regions of a family from
    one pass of subset sums."""
    cands = model.candidates
    cls = np.array([cands[i].figure_of[1] for i in classes])
    low = np.array([cands[i].low_bound for i in classes], dtype="float64")
    high = np.array([cands[i].high_bound for i in classes], dtype="float64")
    fams = model.cls_fam[cls]
    shift = model.cls_shift[cls]  # the shown part of each class's representative
    for z in points:
        x = model._full(z)
        free_x = np.where(model.free, x, 0.0)
        vectors = model._family_vectors(free_x)
        e = np.empty(len(classes))
        for start in range(0, len(model.families), _CHUNK):
            sel = (fams >= start) & (fams < start + _CHUNK)
            if not sel.any():
                continue
            sums = _subset_sums(vectors[start : start + _CHUNK])
            e[sel] = sums[fams[sel] - start, model.cls_mask[cls[sel]]]
        low = np.minimum(low, e + shift)
        high = np.maximum(high, e + shift)
    for r, i in enumerate(classes):
        cands[i].low_bound, cands[i].high_bound = float(low[r]), float(high[r])


def _combine(
    cells: IndicatorCells,
    parts: Mapping[str, _IndicatorResult],
    seconds: float,
) -> AuditResult:
    ranges = [p.narrowest for p in parts.values() if p.narrowest is not None]
    narrowest = min(ranges, key=lambda r: (r.width, r.figure.describe()), default=None)
    weak = sorted(
        (w for p in parts.values() for w in p.weak),
        key=lambda w: (w.figure.indicator, w.figure.describe()),
    )
    return AuditResult(
        scope=tuple(cells.regions),
        protection=cells.protection,
        threshold=cells.threshold,
        rounding_base=cells.rounding_base,
        indicators=len(parts),
        cells_checked=sum(p.cells for p in parts.values()),
        figures_checked=sum(p.figures + p.cells for p in parts.values()),
        withheld=sum(p.withheld for p in parts.values())
        + sum(1 for k, s in cells.states.items() if k[0] in parts and s != SHOWN),
        solved=sum(p.solved for p in parts.values()),
        narrowest=narrowest,
        weak=tuple(weak),
        seconds=seconds,
        secondary=tuple(sorted(cells.secondary)),
        unbounded=sum(p.unbounded for p in parts.values()),
        known_before=tuple(
            sorted(
                (w for p in parts.values() for w in p.known_before),
                key=lambda w: (w.figure.indicator, w.figure.describe()),
            )
        ),
    )


def audit(
    cells: IndicatorCells,
    *,
    indicators: Iterable[str] | None = None,
    suggest_rounding: bool = False,
) -> AuditResult:
    """Audit a donor view's protected cells: every figure its pages could show of each
    protected indicator (or of `indicators`), the range a reader can narrow each withheld
    one to, and the weak ones with what pins them (and, with `suggest_rounding` under
    "suppress", whether rounding would fix them)."""
    start = time.perf_counter()
    cells = _in_order(cells)
    keys = _keys_by_code(cells)
    codes = sorted(cells.aggregation if indicators is None else indicators)
    parts = {
        code: _audit_indicator(
            cells,
            code,
            keys[code],
            suggest_rounding=suggest_rounding,
            before=_Before(cells, code, keys[code], suppressing=False),
        )
        for code in codes
    }
    return _combine(cells, parts, time.perf_counter() - start)


def secondary_suppression(
    cells: IndicatorCells,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    answered: Callable[[str, frozenset[Cell]], None] | None = None,
) -> IndicatorCells:
    """`cells` with, while a withheld figure is weak, one more shown cell hidden among those
    that pin it (per weak figure: the smallest non-zero value, else a zero, else a total;
    a "<5" shown as "hidden" where only small ones pin it), audited again. Deterministic.
    The result carries its final audit (`.audit`).

    Each round first audits the grid's cells alone, without the figures over sets of
    regions (a weaker reader, so what it finds weak is weak); only when no cell is weak is
    the indicator audited in full, which is what the result reports.

    Indicators share no unknowns, so each is suppressed on its own (`_suppress_indicator`),
    in worker processes when the view is large (PARALLEL_CELLS cells or more, and more than
    one core): `workers` processes, by default one per core. The result is the same either
    way, cell for cell. `progress` is told (indicators done, indicators) at the start and
    as each indicator is done, from whichever thread did it: minutes at 1,000,000 values
    and 14 regions, for which a donor's page shows how far the audit is (ui/access.py).
    `answered` is told, before `progress`, each indicator done and the cells it hid: what
    the result shows of that indicator, final whatever the others come to
    (`partly_checked`)."""
    start = time.perf_counter()
    cells = _in_order(cells)
    codes = sorted(cells.aggregation)
    keys = _keys_by_code(cells)
    if workers is None:
        workers = audit_workers.cores() if len(cells.values) >= PARALLEL_CELLS else 1
    workers = max(1, min(workers, len(codes)))
    jobs = {code: _one_indicator(cells, code, keys[code]) for code in codes}
    counting = threading.Lock()

    told: set[str] = set()

    def one_more(code: str, answer: tuple) -> None:
        with counting:  # told in order, whichever worker's thread answers
            told.add(code)
            if answered is not None:
                answered(code, answer[0])
            if progress is not None:
                progress(len(told), len(codes))

    if progress is not None:
        progress(0, len(codes))
    done = audit_workers.suppress(jobs, workers, one_more) if workers > 1 else {}
    for code, job in jobs.items():
        if code not in done:
            done[code] = _suppress_indicator(job, code)
            one_more(code, done[code])
    states = dict(cells.states)
    hidden = set(cells.secondary)
    for more, _ in done.values():
        hidden |= more
        states.update(dict.fromkeys(more, HIDDEN))
    current = replace(cells, states=states, secondary=frozenset(hidden))
    parts = {code: done[code][1] for code in codes}
    result = _combine(current, parts, time.perf_counter() - start)
    return replace(current, audit=result)


def partly_checked(cells: IndicatorCells, done: Mapping[str, frozenset[Cell]]) -> IndicatorCells:
    """`cells` (secondary suppression's input) as a donor may see them while the audit is
    under way: each indicator of `done` with the cells its suppression hid, as the result
    will show it (indicators share no unknowns: `secondary_suppression`), and every cell of
    the others hidden, so that none of their figures is shown before it is checked."""
    states = dict(cells.states)
    secondary = set(cells.secondary)
    for cell in states:
        code = cell[0]
        if code in cells.aggregation and code not in done:
            states[cell] = HIDDEN
    for hidden in done.values():
        states.update(dict.fromkeys(hidden, HIDDEN))
        secondary |= hidden
    return replace(cells, states=states, secondary=frozenset(secondary), audit=None)


def indicator_alone(
    cells: IndicatorCells, code: str, hidden: frozenset[Cell] = frozenset()
) -> IndicatorCells:
    """The cells of indicator `code` alone, with `hidden` (its suppression's) hidden: what
    the view shows of it (published.record keeps it for later views as it is shown)."""
    keys = [key for key in cells.values if key[0] == code]
    alone = _one_indicator(cells, code, keys)
    states = dict(alone.states)
    states.update(dict.fromkeys(hidden, HIDDEN))
    return replace(alone, states=states, secondary=alone.secondary | hidden)


def _in_order(cells: IndicatorCells) -> IndicatorCells:
    """`cells` with the grids earlier views showed in one order: by digest, each grid's
    cells by key. They are read from the database, whose rows come in no set order; the
    linear programs' rows follow them, and between equal optima the solver's pick follows
    the rows, so in another order the same view could hide other cells (it did, in one run
    of eight of a history: 7 December 2026). Equal inputs, equal outputs, whatever the order."""
    grids = {
        code: tuple(
            grid._replace(
                states=dict(sorted(grid.states.items())),
                values=dict(sorted(grid.values.items())),
            )
            for grid in sorted(found, key=lambda grid: grid.digest)
        )
        for code, found in cells.earlier_grids.items()
    }
    return replace(cells, earlier_grids=grids)


def _one_indicator(cells: IndicatorCells, code: str, keys: Sequence[Cell]) -> IndicatorCells:
    """The view's cells of indicator `code` alone (what its audits read of `cells`)."""
    return replace(
        cells,
        aggregation={code: cells.aggregation[code]},
        values={k: cells.values[k] for k in keys},
        states={k: cells.states[k] for k in keys},
        secondary=frozenset(c for c in cells.secondary if c[0] == code),
        earlier={code: cells.earlier[code]} if code in cells.earlier else {},
        earlier_grids={code: cells.earlier_grids[code]} if code in cells.earlier_grids else {},
    )


def _suppress_indicator(
    cells: IndicatorCells, code: str
) -> tuple[frozenset[Cell], _IndicatorResult]:
    """Secondary suppression of one indicator (`cells` holding it alone): the cells it hid,
    and its last audit."""
    keys = list(cells.values)
    states = dict(cells.states)
    hidden: set[Cell] = set()
    quick, full = _Carry(), _Carry()  # what the cells-only audits and the full ones carry
    current = cells

    def picks(part: _IndicatorResult) -> list[Cell]:
        """Per weak figure, the cell to hide (`_first_pick`), each once."""
        taken: list[Cell] = []
        for weak in part.weak:
            pick = _first_pick(current, code, weak)
            if pick is not None and pick not in taken:
                taken.append(pick)
        return taken

    afresh = False  # audited again without what earlier rounds carry, once stuck
    before = _Before(cells, code, keys, suppressing=True)
    while True:
        part = _audit_indicator(current, code, keys, carry=quick, figures=False, before=before)
        taken = picks(part)
        if not taken:  # no weak cell, or none left to hide for one: the pages' figures too
            part = _audit_indicator(
                current, code, keys, carry=full, cells_first=True, before=before
            )
            taken = picks(part)
        if not taken and part.weak and hidden and not afresh:
            # A figure found weak in an earlier round is kept weak while nothing that
            # pinned it is hidden since (`_Carry.weak`); before giving up, audit once more
            # from nothing, which may find it was not, or other cells to hide.
            afresh = True
            quick, full = _Carry(), _Carry()
            continue
        if not taken:
            return frozenset(hidden), part
        for cell in taken:
            states[cell] = HIDDEN
            hidden.add(cell)
            quick.hidden.add(cell)
            full.hidden.add(cell)
        current = replace(cells, states=dict(states), secondary=cells.secondary | hidden)
