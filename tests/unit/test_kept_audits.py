"""The disclosure audit's results kept in the database (monitoring/access/kept.py): a second
process, replica or command reads the result instead of running the audit again, new data
is audited again, and a kept result that does not fit the view is not used.

Real databases (both engines) in tmp_path."""

import json
import logging

from monitoring.access import cells as pc
from monitoring.access import kept, published
from monitoring.db import Database
from tests.conftest import insert
from tests.conftest import value_row as value

Q1, Q2 = "2021Q1", "2021Q2"
JI, TO, NG = "UZ-JI", "UZ-TO", "UZ-NG"
ALL3 = [JI, TO, NG]


def _kept(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select fingerprint, regions, hidden, seconds from protected_cells order by kept_at"
        ).fetchall()


def test_an_audit_that_passed_is_kept_and_read_instead_of_run_again(issue_db, settings):
    db = issue_db
    first = pc.indicator_cells(db, settings, ALL3)
    assert first.audit.passed and first.secondary  # secondary suppression hid cells
    rows = _kept(db)
    assert len(rows) == 1
    assert rows[0][1] == "UZ-JI UZ-NG UZ-TO" and rows[0][3] == first.audit.seconds
    # Another process (a restart, a replica, the command line) opens the same database.
    again = Database(db.path)
    try:
        second = pc.indicator_cells(again, settings, ALL3)
    finally:
        again.close()
    assert second.states == first.states and second.secondary == first.secondary
    # the kept audit, not a new one: a new one would have taken its own time
    assert second.audit.seconds == first.audit.seconds
    assert second.audit.passed and second.audit.secondary == first.audit.secondary
    assert second.audit.figures_checked == first.audit.figures_checked
    assert second.audit.narrowest == first.audit.narrowest
    assert second.quarter("PEOPLE", [JI], Q1, 1) == first.quarter("PEOPLE", [JI], Q1, 1)
    assert len(_kept(db)) == 1


def test_new_data_and_another_scope_are_audited_again(issue_db, settings):
    db = issue_db
    first = pc.indicator_cells(db, settings, ALL3)
    insert(db, "indicator_values", [value("PEOPLE", "2021Q3", NG, 7)])
    second = pc.indicator_cells(db, settings, ALL3)
    assert second.audit.passed and second.audit.seconds != first.audit.seconds
    pc.indicator_cells(db, settings, [JI, NG])
    assert sorted(r[1] for r in _kept(db)) == ["UZ-JI UZ-NG"] + ["UZ-JI UZ-NG UZ-TO"] * 2
    assert len({r[0] for r in _kept(db)}) == 3


def test_the_kept_result_is_what_the_view_hides(issue_db, settings):
    """What is kept decides: a cell added to a kept result is hidden by the next view."""
    db = issue_db
    first = pc.indicator_cells(db, settings, ALL3)
    shown = next(c for c, s in first.states.items() if s == pc.SHOWN and c not in first.secondary)
    key, _regions, hidden, _seconds = _kept(db)[0]
    payload = json.loads(hidden)
    payload["secondary"].append(list(shown))
    with db.transaction() as cur:
        cur.execute(
            "update protected_cells set hidden = $h where fingerprint = $k",
            {"h": json.dumps(payload), "k": key},
        )
    second = pc.indicator_cells(db, settings, ALL3)
    assert second.states[shown] == pc.HIDDEN and shown in second.secondary


def test_a_kept_result_that_does_not_fit_the_view_is_ignored(issue_db, settings, caplog):
    db = issue_db
    first = pc.indicator_cells(db, settings, ALL3)
    key = _kept(db)[0][0]
    payload = json.loads(_kept(db)[0][2])
    payload["secondary"].append(["PEOPLE", "UZ-XX", "all", "all", Q1])  # not of this view
    with db.transaction() as cur:
        cur.execute(
            "update protected_cells set hidden = $h where fingerprint = $k",
            {"h": json.dumps(payload), "k": key},
        )
    with caplog.at_level(logging.WARNING, logger="monitoring.access"):
        second = pc.indicator_cells(db, settings, ALL3)
    assert "was ignored" in caplog.text and "not cells of the view" in caplog.text
    assert second.states == first.states and second.audit.passed
    assert second.audit.seconds != first.audit.seconds  # run again


def test_a_read_only_database_is_audited_without_keeping(sample_db_path, settings):
    db = Database(sample_db_path, read_only=True)
    try:
        cells = pc.indicator_cells(db, settings, ALL3)
        assert cells.audit.passed
        assert not kept.keep(db, cells, kept.fingerprint(cells))
    finally:
        db.close()


def test_the_fingerprint_changes_with_the_settings_and_the_values(issue_db, settings):
    db = issue_db
    cells = pc.indicator_cells(db, settings, ALL3, secondary=False)
    key = kept.fingerprint(cells)
    assert key == kept.fingerprint(cells) and len(key) == 64
    assert kept.fingerprint(cells.__class__(**{**_fields(cells), "threshold": 10})) != key
    values = dict(cells.values)
    cell = next(iter(values))
    values[cell] += 1
    assert kept.fingerprint(cells.__class__(**{**_fields(cells), "values": values})) != key


def _fields(cells) -> dict:
    names = (
        "regions",
        "periods",
        "threshold",
        "aggregation",
        "sensitive",
        "values",
        "states",
        "protection",
        "rounding_base",
        "secondary",
    )
    return {n: getattr(cells, n) for n in names}


def test_what_a_donor_is_shown_while_the_audit_runs_is_its_result_in_part(sample_db, settings):
    """While the disclosure audit of new data runs (minutes at 1,000,000 values), a donor is
    shown the indicators it has done (kept.Checking): each exactly as the finished view
    shows it, every figure of the others hidden, and what it shows recorded for later views
    before it is shown (the finished view's record adds nothing to it)."""
    db = sample_db
    # As a sample no donor has viewed: another test's view of the shared sample may have
    # kept its audit and recorded what it showed there.
    with db.transaction() as cur:
        tables = ("protected_cells", "published_grid_cells", "published_grids", "published_cells")
        for table in tables:  # a grid's cells before the grid
            cur.execute(f"delete from {table}")  # noqa: S608 - the names above
    regions = list(settings.programme.regions)
    so_far, recorded = [], []

    def facts(cells) -> set:
        """What is recorded for later views: each fact, and each grid by its digest."""
        with db.cursor() as cur:
            found = published.read(cur, cells)
        return {fact for _base, fact in found.facts} | {
            (code, grid.digest) for _base, code, grid in found.grids
        }

    def code_of(fact) -> str:
        return fact.cell[0] if isinstance(fact, pc.Published) else fact[0]  # a grid: (code, digest)

    def checked(checking: kept.Checking) -> None:
        so_far.append(checking)
        recorded.append(facts(checking.cells))

    final = pc.indicator_cells(db, settings, regions, checked=checked)
    codes = sorted(final.aggregation)
    assert final.audit.passed and final.secondary and len(codes) > 2
    assert [len(c.done) for c in so_far] == list(range(1, len(codes) + 1))
    assert so_far[0].total == len(codes) and so_far[-1].pending == ()
    assert len(so_far[0].pending) == len(codes) - 1
    recorded_at_end = facts(final)
    sets = [
        [r for i, r in enumerate(final.regions) if mask >> i & 1]
        for mask in range(1, 1 << len(final.regions))
    ]
    withheld = 0  # figures shown at the end, not before
    for checking, shown_then in zip(so_far, recorded, strict=True):
        partial = checking.cells
        for cell, state in final.states.items():
            if cell[0] in checking.done:
                assert partial.states[cell] == state, cell
            else:
                assert partial.states[cell] == pc.HIDDEN, cell
        # every figure a page can show (each indicator to date over each set of regions):
        # as the finished view shows it, or withheld until its indicator is done (a figure
        # none of whose cells was reported is shown either way: there is nothing to hide)
        for code in codes:
            for period in final.periods:
                for chosen in sets:
                    then = partial.to_date(code, chosen, period, 10.0)
                    at_end = final.to_date(code, chosen, period, 10.0)
                    if code in checking.done or not partial.withheld(then):
                        assert then == at_end, (code, chosen, period)
                    else:
                        withheld += not final.withheld(at_end)
        # recorded for later views before it was shown, as the finished view records it
        done = set(checking.done)
        assert {f for f in shown_then if code_of(f) in done} == {
            f for f in recorded_at_end if code_of(f) in done
        }
        assert not {f for f in shown_then if code_of(f) not in done}
    assert withheld
