"""What donors could read in earlier views, kept so that later views are audited knowing it.

The disclosure audit (monitoring/access/audit.py) makes each view safe on its own. A donor
who opens a link every quarter sees one view per upload, and can set them side by side: a
cell shown last quarter and hidden this quarter is still known, and with this quarter's
totals it can pin a small count that neither view gives away alone (docs/access.md, "What
donors saw before"; tests/unit/test_audit_reader.py finds such counts when the views are
made apart).

So every view's protected grid is recorded as donors could read it: each cell shown as a
count or as "<5", with the value behind it (table `published_cells`, migration 0023). The
audit of a later view of the same regions reads what still holds of it (`load`, then
`audit.earlier_in_force`: the cell's counts today add up as they did then) and takes it as
known; secondary suppression then hides other cells where those alone would not protect a
count, and never hides a cell shown as it was before (that would hide nothing).

A view is recorded when its protection is computed and kept (kept.keep, one transaction), by
whichever process computes it first, before or without any donor looking: what the
dashboard prepares for links is what donors would see. Each fact is kept once, with the
fingerprint of the cells that first showed it (`base`), so that the same cells audited
again (another process, after a restart) are not told their own result, and find their kept
result under the same fingerprint.
"""

from __future__ import annotations

import pandas as pd

from monitoring.access.cells import (
    ALL,
    CODE_OF_STATE,
    SHOWN,
    SMALL,
    TO_DATE,
    IndicatorCells,
    Published,
)

_COLUMNS = (
    "indicator_code",
    "region_code",
    "sex",
    "age_group",
    "period_column",
    "through",
    "state",
    "value",
    "low",
    "high",
)


def scope(cells: IndicatorCells) -> str:
    """How a view's regions are written in `published_cells`."""
    return " ".join(cells.regions)


def load(cur, cells: IndicatorCells, base: str) -> list[Published]:
    """What earlier views of the regions of `cells` showed, but for what the same cells
    (`base`, their fingerprint before the audit) showed themselves."""
    listed = ", ".join(_COLUMNS)
    rows = cur.execute(
        f"select {listed} from published_cells "  # noqa: S608 - names are constants
        f"where scope = $scope and base <> $base order by {listed}",
        {"scope": scope(cells), "base": base},
    ).fetchall()
    wanted = set(cells.aggregation)
    return [
        Published(
            (code, region, sex, age, column), through, state, float(value), float(low), float(high)
        )
        for code, region, sex, age, column, through, state, value, low, high in rows
        if code in wanted
    ]


def readable(result: IndicatorCells) -> list[Published]:
    """The cells of a protected view as donors can read them: every cell of the grid shown
    as a count or as "<5", with its value and the last quarter it sums."""
    from monitoring.access.audit import counts_are_whole, last_summed, read_interval

    by_code: dict[str, list[tuple]] = {}
    for shown, state in result.states.items():
        if state not in (SHOWN, SMALL) or shown[0] not in result.aggregation:
            continue
        cell = _reported(result, shown)
        through = last_summed(result, cell)
        if through:
            by_code.setdefault(cell[0], []).append((cell, through, state))
    whole = counts_are_whole(result)
    out = []
    for code, found in by_code.items():  # what each was read as, one call per indicator
        values = [float(result.values[cell]) for cell, _, _ in found]
        lows, highs = read_interval(
            [CODE_OF_STATE[state] for _, _, state in found],
            values,
            1.0,
            result.protection,
            result.rounding_base,
            result.threshold,
            whole[code],
        )
        for (cell, through, state), value, low, high in zip(
            found, values, lows, highs, strict=True
        ):
            out.append(Published(cell, through, state, value, float(low), float(high)))
    return sorted(out)


def _reported(cells: IndicatorCells, cell):
    """For a region's count at the end of a quarter ('latest'), the first quarter of the run
    of equal values it belongs to (a value carried forward is the one reported then, as the
    audit's reader takes it): a later report for the quarter then leaves what it said of
    the earlier one in force. Any other cell as it is."""
    code, region, sex, age, column = cell
    if cells.aggregation.get(code) != "latest" or region == ALL or column == TO_DATE:
        return cell
    periods = list(cells.periods)
    value = cells.values[cell]
    at = periods.index(column)
    while at > 0 and cells.values.get((code, region, sex, age, periods[at - 1])) == value:
        at -= 1
    return (code, region, sex, age, periods[at])


def record(cur, result: IndicatorCells, base: str) -> int:
    """Record what the protected view `result` shows (on `cur`, in the caller's
    transaction); facts recorded before are left as they are. Returns the facts offered."""
    shown = readable(result)
    if not shown:
        return 0
    frame = pd.DataFrame(
        [(*p.cell, p.through, p.state, p.value, p.low, p.high) for p in shown],
        columns=list(_COLUMNS),
    )
    cur.register("published_now", frame)
    try:
        # The SQL is a constant; the values come in as a registered frame and bound names.
        listed = ", ".join(_COLUMNS)
        cur.execute(
            f"insert or ignore into published_cells (scope, {listed}, base) "  # noqa: S608
            f"select $scope, {listed}, $base from published_now",
            {"scope": scope(result), "base": base},
        )
    finally:
        cur.unregister("published_now")
    return len(frame)
