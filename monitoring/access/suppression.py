"""Protection of people in donor views: small counts hidden, sensitive indicators removed.

The rules (docs/access.md):
- A count of people from 1 to threshold - 1 is shown as "<5" (threshold 5, the setting
  `privacy.small_count_threshold`). Zero is shown: "nobody" describes no one.
- Where cells add up to a total that is shown (female + male = all; regions = programme),
  a hidden cell must not be recoverable by subtraction: if it is the only hidden cell of
  such a group, a second cell is hidden too, the smallest other non-zero part (else a zero
  part, else the total). The same holds when several hidden cells could only be all 1s or
  all (threshold - 1)s. This repeats over every way the table adds up until nothing changes.
- A percentage computed from a hidden count (its numerator or its denominator) is hidden.
- Sensitive indicators are removed from donor data entirely.

These rules look at one sum at a time. The donor views of the indicators are also audited
as a whole system of sums (monitoring/access/audit.py), which hides more where needed.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.settings import Settings

DEFAULT_THRESHOLD = 5
HIDDEN_LABEL = N_("hidden")  # a complementary cell or a derived percentage (hidden_label())

SMALL = "small"  # 1 .. threshold - 1
COMPLEMENTARY = "complementary"  # hidden so that a small one cannot be worked out
DERIVED = "derived"  # a percentage computed from a hidden count

Cell = tuple[int, str]  # (row position, column)


def small_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"<{threshold}"


def hidden_label() -> str:
    """The word a hidden cell shows, in the current language ("hidden")."""
    return _(HIDDEN_LABEL)


def suppression_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    """One sentence for a caption under a protected table."""
    return _(
        "To protect the people counted, counts from 1 to {largest} are shown as “{small}”; "
        "where such a count could be worked out from a total, another count is shown as "
        "“{hidden}”, and so are percentages computed from a hidden count."
    ).format(largest=threshold - 1, small=small_label(threshold), hidden=hidden_label())


@dataclass(frozen=True)
class Suppressed:
    """A table with its small counts protected."""

    table: pd.DataFrame  # to show and download: hidden cells hold "<5" or "hidden"
    reasons: pd.DataFrame  # same index; per protected column "", SMALL, COMPLEMENTARY, DERIVED
    threshold: int

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a cell is hidden."""
        return self.reasons != ""

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden.to_numpy().any())

    def numeric(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` (the unprotected one) with hidden cells set to NaN: for charts."""
        out = frame.copy()
        for col in self.reasons.columns:
            out[col] = out[col].where(~self.hidden[col].to_numpy(), np.nan)
        return out


@dataclass
class _Equation:
    """Cells that add up to a total: parts, and the total's cell (None: shown elsewhere)."""

    parts: list[Cell]
    total: Cell | None


def _check_columns(frame: pd.DataFrame, columns: Collection[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} not in the table: {', '.join(map(str, missing))}.")


def _equations(
    frame: pd.DataFrame,
    cells: Mapping[Cell, float],
    count_columns: Sequence[str],
    group_columns: Sequence[str],
    total_marker: Mapping[str, Hashable | None],
    total_column: str | None,
) -> list[_Equation]:
    equations: list[_Equation] = []
    positions = sorted({pos for pos, _ in cells})
    dims = list(total_marker)
    for dim, marker in total_marker.items():
        keys = [*group_columns, *(d for d in dims if d != dim)]
        if keys:
            grouped = frame.iloc[positions].groupby(keys, dropna=False, sort=False).indices
            groups = [[positions[i] for i in index] for index in grouped.values()]
        else:
            groups = [positions]
        for members in groups:
            totals = [p for p in members if marker is not None and frame.at[p, dim] == marker]
            if len(totals) > 1:
                raise ValueError(f"Two total rows ({dim} = {marker!r}) in one group: {totals}.")
            for col in count_columns:
                parts = [(p, col) for p in members if p not in totals and (p, col) in cells]
                total = (totals[0], col) if totals and (totals[0], col) in cells else None
                if parts:
                    equations.append(_Equation(parts, total))
    if total_column is not None:
        for pos in positions:
            parts = [(pos, c) for c in count_columns if c != total_column and (pos, c) in cells]
            total = (pos, total_column) if (pos, total_column) in cells else None
            if parts:
                equations.append(_Equation(parts, total))
    return equations


def _needs_complement(
    eq: _Equation, reasons: Mapping[Cell, str], cells: Mapping[Cell, float], threshold: int
) -> bool:
    hidden = [c for c in eq.parts if c in reasons]
    if eq.total is not None and eq.total in reasons:
        # A hidden total is the sum of its parts: at least one part must be hidden too.
        return not hidden
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    # Several hidden small counts whose sum (total - shown parts) pins each one exactly.
    if all(reasons[c] == SMALL for c in hidden):
        total = sum(cells[c] for c in hidden)
        return total in (len(hidden), len(hidden) * (threshold - 1))
    return False


def _complement(
    eq: _Equation, reasons: Mapping[Cell, str], cells: Mapping[Cell, float]
) -> Cell | None:
    shown = [c for c in eq.parts if c not in reasons]
    if shown:
        return min(shown, key=lambda c: (cells[c] == 0, cells[c], c))
    if eq.total is not None and eq.total not in reasons:
        return eq.total
    return None


def protect_small_counts(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    group_columns: Sequence[str] = (),
    total_marker: Mapping[str, Hashable | None] | None = None,
    total_column: str | None = None,
    percent_columns: Mapping[str, str | Sequence[str]] | None = None,
    rows: Sequence[bool] | pd.Series | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    complementary: bool = True,
) -> Suppressed:
    """Hide small counts of people in `frame`, and whatever would give them away.

    count_columns: columns holding counts of people.
    group_columns: columns that, with the dimensions below, identify a row (e.g. indicator,
        period); rows that differ only in one dimension add up to that dimension's total.
    total_marker: dimension column -> the value marking its total row (e.g. {"sex": "all"}),
        or None when the total is not a row of the table but is shown elsewhere. A group
        without its total row is treated as if the total were shown elsewhere.
    total_column: the count column that is the sum of the other count columns, if any
        (a wide table: female, male, all).
    percent_columns: percentage column -> the count column(s), in the same row, it was
        computed from; hidden when any of them is.
    rows: which rows hold counts of people (default: all); other rows are left as they are.
    complementary: False hides small counts only, no complementary cells (for counts shown
        rounded, where the disclosure audit hides what rounding does not protect).
    """
    if threshold < 1:
        raise ValueError(f"The small-count threshold must be at least 1, not {threshold}.")
    total_marker = dict(total_marker or {})
    percent_columns = dict(percent_columns or {})
    _check_columns(frame, count_columns, "Count column(s)")
    _check_columns(frame, group_columns, "Group column(s)")
    _check_columns(frame, total_marker, "Total column(s)")
    _check_columns(frame, percent_columns, "Percentage column(s)")
    sources = {p: [s] if isinstance(s, str) else list(s) for p, s in percent_columns.items()}
    for cols in sources.values():
        _check_columns(frame, cols, "Count column(s) behind a percentage")
    if total_column is not None and total_column not in count_columns:
        raise ValueError(f"The total column {total_column!r} must be one of the count columns.")

    data = frame.reset_index(drop=True)
    in_scope = np.ones(len(data), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    if len(in_scope) != len(data):
        raise ValueError("`rows` must have one entry per row of the table.")

    cells: dict[Cell, float] = {}
    for col in count_columns:
        values = pd.to_numeric(data[col], errors="raise")
        for pos in np.flatnonzero(in_scope & values.notna().to_numpy()):
            cells[(int(pos), col)] = float(values.iat[pos])

    reasons: dict[Cell, str] = {c: SMALL for c, v in cells.items() if 0 < v < threshold}
    equations = _equations(data, cells, count_columns, group_columns, total_marker, total_column)
    changed = bool(reasons) and complementary
    while changed:
        changed = False
        for eq in equations:
            if _needs_complement(eq, reasons, cells, threshold):
                cell = _complement(eq, reasons, cells)
                if cell is not None:
                    reasons[cell] = COMPLEMENTARY
                    changed = True

    for pct, cols in sources.items():
        for pos in range(len(data)):
            if any((pos, c) in reasons for c in cols) and pd.notna(data.at[pos, pct]):
                reasons[(pos, pct)] = DERIVED

    protected = list(dict.fromkeys([*count_columns, *percent_columns]))
    grid = pd.DataFrame("", index=frame.index, columns=protected, dtype=object)
    table = frame.copy()
    hidden = hidden_label()
    label = {SMALL: small_label(threshold), COMPLEMENTARY: hidden, DERIVED: hidden}
    for (pos, col), reason in reasons.items():
        grid.iat[pos, protected.index(col)] = reason
    for col in protected:
        mask = (grid[col] != "").to_numpy()
        if mask.any():
            column = table[col].astype(object)
            column[mask] = grid[col][mask].map(label)
            table[col] = column
    return Suppressed(table=table, reasons=grid, threshold=threshold)


def suppress_small_counts(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    group_columns: Sequence[str] = (),
    total_marker: Mapping[str, Hashable | None] | None = None,
    total_column: str | None = None,
    percent_columns: Mapping[str, str | Sequence[str]] | None = None,
    rows: Sequence[bool] | pd.Series | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The table of protect_small_counts: hidden cells hold "<5" or "hidden"."""
    return protect_small_counts(
        frame,
        count_columns,
        group_columns=group_columns,
        total_marker=total_marker,
        total_column=total_column,
        percent_columns=percent_columns,
        rows=rows,
        threshold=threshold,
    ).table


def without_sensitive_indicators(
    frame: pd.DataFrame, sensitive_codes: Collection[str], column: str = "indicator_code"
) -> pd.DataFrame:
    """`frame` without the rows of sensitive indicators."""
    if column not in frame.columns:
        raise ValueError(
            f"Cannot tell sensitive indicators apart: the table has no {column!r} column."
        )
    return frame[~frame[column].isin(set(sensitive_codes))]


@dataclass(frozen=True)
class DonorProtection:
    """What a donor view must protect: load once with donor_protection(), apply per table."""

    sensitive: frozenset[str]  # indicator codes never shown to donors
    counts_people: frozenset[str]  # indicator codes whose values are counts of people
    threshold: int

    def apply(
        self,
        frame: pd.DataFrame,
        count_columns: Sequence[str],
        *,
        indicator_column: str | None = "indicator_code",
        group_columns: Sequence[str] = (),
        total_marker: Mapping[str, Hashable | None] | None = None,
        total_column: str | None = None,
        percent_columns: Mapping[str, str | Sequence[str]] | None = None,
    ) -> Suppressed:
        """Drop sensitive indicators' rows, then protect small counts of people.

        With `indicator_column`, only rows of indicators that count people are protected;
        with None, every row's count columns are taken as counts of people.
        """
        rows = None
        if indicator_column is not None:
            frame = without_sensitive_indicators(frame, self.sensitive, indicator_column)
            rows = frame[indicator_column].isin(self.counts_people).to_numpy()
        return protect_small_counts(
            frame,
            count_columns,
            group_columns=group_columns,
            total_marker=total_marker,
            total_column=total_column,
            percent_columns=percent_columns,
            rows=rows,
            threshold=self.threshold,
        )


def donor_protection(db: Database, settings: Settings) -> DonorProtection:
    """Sensitive and people-counting indicators from the database; threshold from settings."""
    frame = db.query("access_indicator_protection")
    return DonorProtection(
        sensitive=frozenset(frame.indicator_code[frame.sensitive.astype(bool)]),
        counts_people=frozenset(frame.indicator_code[frame.counts_people.astype(bool)]),
        threshold=settings.privacy.small_count_threshold,
    )
