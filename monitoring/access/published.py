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
count, and under "suppress" never hides a cell shown as it was before (that would hide
nothing; under rounding it would hide the rounded figures over regions the cell is part
of, `audit.known_cells`). Cells an earlier view
withheld are recorded too ("<5", and "hidden" but for zeros): the audit of a
later view guards them as it guards its own withheld cells, wherever their counts are the
same (a count to the end of an earlier quarter is no cell of the later view's grid). Each
fact says which counts it summed where not all of its regions and quarters had been
reported (column `summed`, migration 0025): after a region's late report, an earlier total
stays a statement of the others' counts, never of today's total of the same cell.

Each indicator's whole grid is recorded too (tables `published_grids`,
`published_grid_cells`, migration 0024; once per distinct grid): every cell's state and the
value behind it then. Under rounding (`privacy.protection = "round"`) a figure over several
regions is rounded on its own: JI shown as 10 and NG as 10 say 8..12 each, their sum shown
as 15 says 13..17 of both together. Those figures follow from the grid's states, and the
audit judges an earlier grid's figures over every set of regions (`read`; audit.py,
`_Model._earlier_views`). Under "suppress" a shown figure is exact and made of shown cells,
so the cells say it all of today's counts; but under either protection the grid says which
count each fact summed then, so that after an upload is undone or a value corrected the
audit keeps the counts as they were, bound by what was said of them (`_Model._ghosts`).

A view is recorded when its protection is computed and kept (kept.keep, one transaction), by
whichever process computes it first, before or without any donor looking: what the
dashboard prepares for links is what donors would see. Each fact is kept once, with the
fingerprint of the cells that first showed it (`base`), so that the same cells audited
again (another process, after a restart) are not told their own result, and find their kept
result under the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

import pandas as pd

from monitoring.access.cells import (
    ALL,
    CODE_OF_STATE,
    HIDDEN,
    TO_DATE,
    IndicatorCells,
    Published,
    PublishedGrid,
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
    "summed",
)


def scope(cells: IndicatorCells) -> str:
    """How a view's regions are written in `published_cells`."""
    return " ".join(cells.regions)


class Record(NamedTuple):
    """What earlier views of the regions of some cells showed, read once (`read`): each
    fact and each grid with the fingerprint of the cells that showed it (their `base`)."""

    facts: tuple[tuple[str, Published], ...]
    grids: tuple[tuple[str, str, PublishedGrid], ...]  # (base, indicator, grid)

    def facts_but(self, base: str) -> list[Published]:
        """The facts, but for what the cells of fingerprint `base` showed ("": none)."""
        return [fact for of, fact in self.facts if of != base]

    def grids_but(self, base: str) -> dict[str, tuple[PublishedGrid, ...]]:
        """The grids per indicator, but for those the cells of `base` showed."""
        out: dict[str, list[PublishedGrid]] = {}
        for of, code, grid in self.grids:
            if of != base:
                out.setdefault(code, []).append(grid)
        return {code: tuple(g) for code, g in sorted(out.items())}


def read(cur, cells: IndicatorCells) -> Record:
    """Everything earlier views of the regions of `cells` showed of their indicators."""
    return Record(_facts(cur, cells), _grids(cur, cells))


def _facts(cur, cells: IndicatorCells) -> tuple[tuple[str, Published], ...]:
    """Every fact earlier views of the regions of `cells` showed of their indicators, with
    the fingerprint (`base`) of the cells that showed it."""
    listed = ", ".join(_COLUMNS)
    rows = cur.execute(
        f"select base, {listed} from published_cells "  # noqa: S608 - names are constants
        f"where scope = $scope order by {listed}, base",
        {"scope": scope(cells)},
    ).fetchall()
    wanted = set(cells.aggregation)
    return tuple(
        (
            of,
            Published(
                (code, region, sex, age, column),
                through,
                state,
                float(value),
                float(low),
                float(high),
                summed,
            ),
        )
        for of, code, region, sex, age, column, through, state, value, low, high, summed in rows
        if code in wanted
    )


def readable(result: IndicatorCells) -> list[Published]:
    """The cells of a protected view as donors can read them: every cell of the grid shown
    as a count or as "<5", and every one withheld ("hidden", but zeros: a later view must
    not give it away either), with its value, the last quarter it sums and which counts it
    summed where not every one of its regions and quarters had been reported
    (`audit.summed`: a region that reports late then leaves it a statement of the others')."""
    from monitoring.access.audit import counts_are_whole, last_summed, read_interval, summed

    by_code: dict[str, list[tuple]] = {}
    for shown, state in result.states.items():
        if shown[0] not in result.aggregation:
            continue
        if state == HIDDEN and not result.values.get(shown):
            continue  # a zero hidden: nothing to guard
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
            out.append(
                Published(
                    cell, through, state, value, float(low), float(high), summed(result, cell)
                )
            )
    return sorted(out)


def _reported(cells: IndicatorCells, cell):
    """For a count at the end of a quarter ('latest'), the first quarter of the run of
    equal values it belongs to: a region's value carried forward is the one reported then
    (as the audit's reader takes it), and the count over all regions at a quarter no region
    reported in (past the data, say) is that of the last quarter one did. A later report for
    the quarter then leaves what the view said of the earlier one in force, instead of
    making the view say something of data it never had. Any other cell as it is."""
    from monitoring.access.audit import report_quarter

    code, region, sex, age, column = cell
    if cells.aggregation.get(code) != "latest" or column == TO_DATE:
        return cell
    regions = cells.regions if region == ALL else (region,)
    # over all regions: the last of their reports' quarters (none changed since)
    quarter = max(report_quarter(cells, (code, r, sex, age, column)) for r in regions)
    return (code, region, sex, age, quarter)


def record(cur, result: IndicatorCells, base: str) -> int:
    """Record what the protected view `result` shows (on `cur`, in the caller's
    transaction); facts recorded before are left as they are. Returns the facts offered."""
    shown = readable(result)
    if not shown:
        return 0
    frame = pd.DataFrame(
        [(*p.cell, p.through, p.state, p.value, p.low, p.high, p.summed) for p in shown],
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


# The grids of views shown rounded ---------------------------------------------------------
_GRID_COLUMNS = ("region_code", "sex", "age_group", "period_column", "state", "value")


def grids(result: IndicatorCells) -> list[PublishedGrid]:
    """The protected grid of each indicator of `result` as recorded, under either
    protection: which count each earlier fact summed then, once an upload is undone or a
    value corrected (audit.py, `_Model._ghosts`); under rounding also the figures over sets
    of regions (`_Model._earlier_views`)."""
    by_code: dict[str, list] = {}
    for cell in result.states:
        if cell[0] in result.aggregation and cell in result.values:
            by_code.setdefault(cell[0], []).append(cell)
    out = []
    for code, found in sorted(by_code.items()):
        found.sort()
        states = {cell: result.states[cell] for cell in found}
        values = {cell: float(result.values[cell]) for cell in found}
        what = [
            scope(result),
            code,
            result.protection,
            result.rounding_base,
            result.threshold,
            [[*cell[1:], states[cell], values[cell]] for cell in found],
        ]
        text = json.dumps(what, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out.append(
            PublishedGrid(
                digest, result.protection, result.rounding_base, result.threshold, states, values
            )
        )
    return out


def record_grids(cur, result: IndicatorCells, base: str) -> int:
    """Record each indicator's grid of `result` shown rounded (on `cur`, in the caller's
    transaction), once per distinct grid. Returns the grids offered."""
    found = grids(result)
    if not found:
        return 0
    known = {
        row[0]
        for row in cur.execute(
            "select digest from published_grids where scope = $scope", {"scope": scope(result)}
        ).fetchall()
    }
    new = [g for g in found if g.digest not in known]
    if not new:
        return len(found)
    for grid in new:
        code = next(iter(grid.states))[0]
        cur.execute(
            "insert or ignore into published_grids (digest, scope, indicator_code, protection, "
            "rounding_base, threshold, base) values ($digest, $scope, $code, $protection, "
            "$rounding_base, $threshold, $base)",
            {
                "digest": grid.digest,
                "scope": scope(result),
                "code": code,
                "protection": grid.protection,
                "rounding_base": grid.rounding_base,
                "threshold": grid.threshold,
                "base": base,
            },
        )
    frame = pd.DataFrame(
        [
            (grid.digest, *cell[1:], grid.states[cell], grid.values[cell])
            for grid in new
            for cell in grid.states
        ],
        columns=["digest", *_GRID_COLUMNS],
    )
    cur.register("published_grid_now", frame)
    try:
        listed = ", ".join(("digest", *_GRID_COLUMNS))
        cur.execute(
            f"insert or ignore into published_grid_cells ({listed}) "  # noqa: S608 - constants
            f"select {listed} from published_grid_now"
        )
    finally:
        cur.unregister("published_grid_now")
    return len(found)


def _grids(cur, cells: IndicatorCells) -> tuple[tuple[str, str, PublishedGrid], ...]:
    """Every grid earlier views of the regions of `cells` showed of their indicators, with
    the fingerprint (`base`) of the cells that showed it, in the order of their digests, each
    grid's cells in the order of their keys (a table's rows come in no set order)."""
    query = (  # the columns of _GRID_COLUMNS
        "select g.digest, g.base, g.indicator_code, g.protection, g.rounding_base, "
        "g.threshold, c.region_code, c.sex, c.age_group, c.period_column, c.state, c.value "
        "from published_grids g join published_grid_cells c on c.digest = g.digest "
        "where g.scope = $scope "
        "order by g.digest, c.region_code, c.sex, c.age_group, c.period_column"
    )
    rows = cur.execute(query, {"scope": scope(cells)}).fetchall()
    wanted = set(cells.aggregation)
    found: dict[str, tuple[str, str, PublishedGrid]] = {}
    for digest, of, code, protection, rounding_base, threshold, *cell in rows:
        if code not in wanted:
            continue
        if digest not in found:
            grid = PublishedGrid(digest, protection, int(rounding_base), int(threshold), {}, {})
            found[digest] = (of, code, grid)
        region, sex, age, column, state, value = cell
        key = (code, region, sex, age, column)
        found[digest][2].states[key] = state
        found[digest][2].values[key] = float(value)
    return tuple(found.values())
