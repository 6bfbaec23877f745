"""The disclosure audit's results, kept in the database for every process that opens it.

Secondary suppression (monitoring/access/audit.py) is deterministic: the same cells in give
the same cells out. It is also the slow part of a donor view: 0.3 s for the sample's three
regions, minutes for a link over 14 regions at 1,000,000 values (docs/benchmarks.md). A
server keeps its result in memory, but a server that restarts, a second replica on the same
PostgreSQL (docs/scale.md) or the command line would run it again. So a result that passed
is kept in the table `protected_cells`, under a FINGERPRINT of everything that went into it:

- the view's regions and the programme's quarters, the privacy settings (threshold,
  protection, rounding base), the sensitive indicators and each indicator's aggregation;
- every cell's value and its state by the rules (monitoring/access/suppression.py);
- what earlier views of the same regions showed that still holds for this data, and the
  grids of earlier views shown rounded (monitoring/access/published.py, by their digest),
  which the audit takes as known;
- the code of the audit and of the rules (the source of audit.py, cells.py,
  suppression.py and published.py) and the versions of the solvers (highspy, scipy, numpy).

A different input has another fingerprint, so a kept result is never out of date, only
unused: new data, other settings or a new release simply make and keep another one (the
oldest are removed past KEEP rows). An audit that did not pass is not kept: it is run again.
A kept result is used only if every cell it hides is a cell of the view; otherwise it is
ignored, with a warning, and the audit runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from functools import cache
from importlib import metadata
from pathlib import Path

from monitoring.access import cells as cells_module
from monitoring.access import published, suppression
from monitoring.access.cells import HIDDEN, Cell, IndicatorCells
from monitoring.db import Database
from monitoring.db.errors import DATABASE_ERRORS

log = logging.getLogger("monitoring.access")

FORMAT = 6  # of the fingerprint's input and of the kept JSON (2: with earlier views;
# 3: grids; 4: which counts each earlier cell summed; 5: grids under either protection;
# 6: withheld cells earlier views alone pin, set apart and kept)
KEEP = 500  # rows kept; the oldest beyond are removed when one is added
_SOLVERS = ("highspy", "scipy", "numpy")


@cache
def _code_version() -> str:
    """The audit's and the rules' code, and the solvers' versions, as one hash."""
    from monitoring.access import audit

    digest = hashlib.sha256()
    for module in (audit, cells_module, suppression, published):
        digest.update(Path(module.__file__).read_bytes())
    for name in _SOLVERS:
        digest.update(f"{name}={metadata.version(name)};".encode())
    return digest.hexdigest()


def fingerprint(cells: IndicatorCells) -> str:
    """The sha256 (hex) of everything secondary suppression reads of `cells`, and of its code."""
    data = [
        FORMAT,
        _code_version(),
        list(cells.regions),
        list(cells.periods),
        cells.threshold,
        cells.protection,
        cells.rounding_base,
        sorted(cells.sensitive),
        sorted(cells.aggregation.items()),
        sorted([list(cell), value, cells.states[cell]] for cell, value in cells.values.items()),
        sorted(list(cell) for cell in cells.secondary),
        sorted(
            [list(p.cell), p.through, p.state, p.value, p.low, p.high, p.summed]
            for found in cells.earlier.values()
            for p in found
        ),
        sorted(g.digest for found in cells.earlier_grids.values() for g in found),
    ]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# What is kept: the cells hidden and the audit's summary ----------------------------------
# The AuditResult's fields kept as they are (the others: `narrowest`, a Range of a Figure;
# `secondary`, the cells hidden; `weak` and `unbounded`, empty in an audit that passed).
_SUMMARY = (
    "scope",
    "protection",
    "threshold",
    "rounding_base",
    "indicators",
    "cells_checked",
    "figures_checked",
    "withheld",
    "solved",
    "seconds",
)


def _payload(result: IndicatorCells) -> str:
    audit = result.audit
    summary = {name: getattr(audit, name) for name in _SUMMARY}
    summary["narrowest"] = None if audit.narrowest is None else asdict(audit.narrowest)
    summary["known_before"] = [
        {"figure": asdict(w.figure), "value": w.value, "low": w.low, "high": w.high}
        for w in audit.known_before
    ]
    hidden = sorted(list(cell) for cell in result.secondary)
    return json.dumps({"format": FORMAT, "secondary": hidden, "audit": summary})


def _restored(cells: IndicatorCells, text: str) -> IndicatorCells:
    """`cells` with the kept result applied; ValueError when it does not fit them."""
    from monitoring.access.audit import AuditResult, Figure, Range, Weak

    payload = json.loads(text)
    if payload.get("format") != FORMAT:
        raise ValueError(f"format {payload.get('format')!r}")
    secondary: frozenset[Cell] = frozenset(tuple(c) for c in payload["secondary"])
    unknown = [c for c in secondary if c not in cells.states]
    if unknown:
        raise ValueError(f"{len(unknown)} hidden cell(s) are not cells of the view: {unknown[0]}")
    states = dict(cells.states)
    for cell in secondary:
        states[cell] = HIDDEN
    kept = payload["audit"]

    def figure(found: dict) -> Figure:
        return Figure(**{**found, "regions": tuple(found["regions"])})

    narrowest = kept["narrowest"]
    if narrowest is not None:
        narrowest = Range(**{**narrowest, "figure": figure(narrowest["figure"])})
    audit = AuditResult(
        **{name: kept[name] for name in _SUMMARY},
        narrowest=narrowest,
        weak=(),
        secondary=tuple(sorted(secondary)),
        known_before=tuple(
            Weak(figure(w["figure"]), w["value"], w["low"], w["high"]) for w in kept["known_before"]
        ),
    )
    audit = replace(audit, scope=tuple(audit.scope))
    return replace(cells, states=states, secondary=secondary, audit=audit)


# Reading and keeping ----------------------------------------------------------------------
def load(db: Database, cells: IndicatorCells, key: str) -> IndicatorCells | None:
    """`cells` protected as the kept result under `key` says, or None (none kept, or one
    that does not fit: then the audit runs again)."""
    try:
        with db.cursor() as cur:
            row = cur.execute(
                "select hidden from protected_cells where fingerprint = $key", {"key": key}
            ).fetchone()
    except DATABASE_ERRORS:
        log.warning("Could not read the kept disclosure audits.", exc_info=True)
        return None
    if row is None:
        return None
    try:
        return _restored(cells, row[0])
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("A kept disclosure audit (%s) was ignored: %s", key[:12], exc)
        return None


def keep(db: Database, result: IndicatorCells, key: str, base: str | None = None) -> bool:
    """Keep `result` (secondary suppression's) under `key` if it passed, and with `base`
    (the fingerprint of its cells before the audit) record what it shows for later views
    (published.record) whether it passed or not, in one transaction; remove the oldest
    kept results beyond KEEP. False when it was not kept (it did not pass; a read-only
    database; another process writing at the same moment): the result stands."""
    if db.read_only:
        return False
    try:
        with db.transaction() as cur:
            if base is not None:  # shown whether or not it passed: later views must know
                published.record(cur, result, base)
                published.record_grids(cur, result, base)
            if not result.audit.passed:
                return False
            cur.execute(
                "insert or ignore into protected_cells (fingerprint, regions, hidden, seconds) "
                "values ($key, $regions, $hidden, $seconds)",
                {
                    "key": key,
                    "regions": " ".join(result.regions),
                    "hidden": _payload(result),
                    "seconds": float(result.audit.seconds),
                },
            )
            cur.execute(
                "delete from protected_cells where fingerprint not in (select fingerprint "
                "from protected_cells order by kept_at desc, fingerprint limit $keep)",
                {"keep": KEEP},
            )
    except DATABASE_ERRORS:
        log.info("The disclosure audit was not kept (it will be run again).", exc_info=True)
        return False
    return True


def earlier(
    db: Database, cells: IndicatorCells, base: str, record: published.Record | None = None
) -> IndicatorCells:
    """`cells` knowing what earlier views of their regions showed that still holds
    (published.py), but for what the cells of fingerprint `base` showed ("": none); from
    `record` where it was read already. A database error reading it is raised: no view is
    made without it."""
    from monitoring.access import audit

    if record is None:
        with db.cursor() as cur:
            record = published.read(cur, cells)
    earlier = audit.earlier_in_force(cells, record.facts_but(base))
    # What donors saw stays as they saw it while its counts are unchanged: the rules may
    # hide such a cell as another's complement, but hiding it now would hide nothing.
    states = dict(cells.states)
    for known in earlier.values():
        for e in known:
            if states.get(e.cell) == HIDDEN and audit.holds_as_then(cells, e):
                states[e.cell] = e.state
    return replace(cells, states=states, earlier=earlier, earlier_grids=record.grids_but(base))


class Checking:
    """A disclosure audit under way, as far as it is: what a donor may be shown meanwhile.

    Each indicator done is final (indicators share no unknowns), and what it shows is
    recorded for later views (published.record) before it is counted here; every figure of
    the others stays hidden (`audit.partly_checked`). Told to `protected`'s `checked` as each
    indicator is done; the cells are made when asked for, once."""

    def __init__(self, cells: IndicatorCells, done: Mapping[str, frozenset[Cell]], total: int):
        self._input = cells
        self.done = dict(done)  # indicator -> the cells its suppression hid
        self.total = total  # indicators audited in all
        self._cells: IndicatorCells | None = None
        self._lock = threading.Lock()

    @property
    def cells_audited(self) -> int:
        """The cells of the view being audited (its size)."""
        return len(self._input.values)

    @property
    def pending(self) -> tuple[str, ...]:
        """The indicators still being checked, whose figures are all hidden meanwhile."""
        return tuple(sorted(set(self._input.aggregation) - set(self.done)))

    @property
    def cells(self) -> IndicatorCells:
        from monitoring.access import audit

        with self._lock:
            if self._cells is None:
                self._cells = audit.partly_checked(self._input, self.done)
            return self._cells


def _record_one(db: Database, cells: IndicatorCells, code: str, hidden, base: str) -> bool:
    """Record what the view shows of indicator `code` (its suppression done: `hidden`) for
    later views, in one transaction, as `keep` records the whole view (facts and grids are
    kept once: the whole view's record adds nothing for it). False when it could not be
    recorded (a read-only database records nothing; an error is logged)."""
    from monitoring.access import audit

    if db.read_only:
        return True  # nothing is recorded of any view of it: as for the whole view
    alone = audit.indicator_alone(cells, code, hidden)
    try:
        with db.transaction() as cur:
            published.record(cur, alone, base)
            published.record_grids(cur, alone, base)
    except DATABASE_ERRORS:
        log.info("What %s shows could not be recorded yet; shown when all are.", code)
        return False
    return True


def protected(
    db: Database,
    cells: IndicatorCells,
    progress: Callable[[int, int], None] | None = None,
    checked: Callable[[Checking], None] | None = None,
) -> IndicatorCells:
    """`cells` after secondary suppression, knowing what earlier views of their regions
    showed: kept in the database by any process that ran it on the same input, else run
    here (and kept, with what it shows recorded for later views, when it passed), telling
    `progress` how far it is (`audit.secondary_suppression`) and `checked` what may be shown
    meanwhile (`Checking`: each indicator done, recorded for later views first)."""
    from monitoring.access import audit

    base = fingerprint(cells)
    with db.cursor() as cur:
        record = published.read(cur, cells)  # read once: asked twice below
    told = earlier(db, cells, base, record)
    key = fingerprint(told)
    found = load(db, told, key)
    if found is not None:
        return found
    # Audited afresh, the view also knows what the same cells showed before, if they were
    # shown before: data back as it was after an upload undone is the view donors saw then,
    # and what it showed is known to them. (Left out of `key`, so that the same cells
    # audited again, which find what they showed themselves, find this result.)
    start = earlier(db, cells, "", record)
    answered = None
    if checked is not None:
        done: dict[str, frozenset[Cell]] = {}
        total = len(start.aggregation)

        def answered(code: str, hidden: frozenset[Cell]) -> None:
            if _record_one(db, start, code, hidden, base):
                done[code] = hidden
                checked(Checking(start, done, total))

    result = audit.secondary_suppression(start, progress=progress, answered=answered)
    keep(db, result, key, base)
    return result
