"""What donors could read in earlier views, recorded and known to later audits.

monitoring/access/published.py, docs/access.md "What donors saw before". Real databases in
tmp_path (and on PostgreSQL, through the `db` fixture).
"""

import math
from dataclasses import replace

from monitoring.access import audit, kept, published
from monitoring.access import cells as pc
from tests.conftest import insert
from tests.unit.test_audit_reader import (
    REGIONS,
    define_programme,
    programme_rows,
    settings_for,
    views_after_each_upload,
)


def recorded(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select region_code, sex, age_group, period_column, through, state, value, low, "
            "high from published_cells order by 1, 2, 3, 4, 5"
        ).fetchall()


def test_a_view_records_what_donors_can_read_of_it(issue_db, settings):
    cells = pc.indicator_cells(issue_db, settings, REGIONS)
    rows = recorded(issue_db)
    readable = {
        (c[1], c[4]): s
        for c, s in cells.states.items()
        if s in (pc.SHOWN, pc.SMALL) or cells.values[c] != 0
    }
    assert {(r[0], r[3]): r[5] for r in rows} == readable  # every cell but hidden zeros
    for _, _, _, column, through, state, value, low, high in rows:
        if state == pc.SMALL:
            assert (low, high) == (1, 4)
        elif state == pc.HIDDEN:
            assert (low, high) == (0, math.inf)  # read as nothing, guarded later
        else:
            assert low == high == value  # under "suppress" a count is read as it is
        if column == pc.TO_DATE:
            assert through == "2021Q2"  # the last quarter with data, which it sums
    assert any(r[5] == pc.HIDDEN for r in rows)


def test_the_same_cells_again_find_their_kept_result(issue_db, settings):
    """Another process (a restart, a replica) auditing the same data is not told its own
    view as an earlier one: it reads the kept result under the same fingerprint."""
    rules = pc.indicator_cells(issue_db, settings, REGIONS, secondary=False)
    first = kept.protected(issue_db, rules)
    with issue_db.cursor() as cur:
        kept_rows = cur.execute("select count(*) from protected_cells").fetchone()[0]
    again = kept.earlier(issue_db, rules, kept.fingerprint(rules))
    assert again.earlier == {}
    second = kept.protected(issue_db, rules)
    assert second.states == first.states
    with issue_db.cursor() as cur:
        assert cur.execute("select count(*) from protected_cells").fetchone()[0] == kept_rows


def test_a_correction_leaves_out_what_it_changed(file_db, tmp_path):
    settings = settings_for(tmp_path, "suppress")
    define_programme(file_db, "totals")
    rows = programme_rows(5, "totals")
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    first = pc.indicator_cells(file_db, settings, REGIONS)  # the first quarter's view
    cell = ("PEOPLE", "UZ-NG", "all", "all", "2021Q1")
    assert first.states[cell] == pc.SHOWN and first.values[cell] == 20
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q2"])
    with file_db.transaction() as cur:
        cur.execute(
            "update indicator_values set value = 21 where region_code = 'UZ-NG' "
            "and period = '2021Q1' and sex = 'all'"
        )
    rules = pc.indicator_cells(file_db, settings, REGIONS, secondary=False)
    with file_db.cursor() as cur:
        found = published.read(cur, rules).facts_but(kept.fingerprint(rules))
    assert any(p.cell == cell for p in found)  # recorded then
    in_force = audit.earlier_in_force(rules, found)["PEOPLE"]
    assert not any(p.cell == cell for p in in_force)  # no longer the count it holds
    assert any(p.cell == ("PEOPLE", "UZ-JI", "all", "all", "2021Q1") for p in in_force)


def test_a_count_corrected_since_stays_known_as_it_was(file_db, tmp_path):
    """What an earlier view said of a count corrected since is left out of what holds now
    (above), but a donor still knows it: the audit's model keeps the count as it was, an
    unknown of its own after the view's, bound by what the earlier view showed of it (its
    cell, and the totals it was part of), and guards the earlier view's withheld figures
    that summed it."""
    settings = settings_for(tmp_path, "suppress")
    define_programme(file_db, "totals")
    rows = programme_rows(3, "totals")
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    first = pc.indicator_cells(file_db, settings, REGIONS)
    ji = ("PEOPLE", "UZ-JI", "all", "all", "2021Q1")
    assert first.states[ji] == pc.SMALL and first.values[ji] == 1
    with file_db.transaction() as cur:
        cur.execute(
            "update indicator_values set value = 7 where region_code = 'UZ-JI' "
            "and period = '2021Q1' and sex = 'all'"
        )
    rules = pc.indicator_cells(file_db, settings, REGIONS, secondary=False)
    base = kept.fingerprint(rules)
    with file_db.cursor() as cur:
        record = published.read(cur, rules)
    told = replace(
        rules,
        earlier=audit.earlier_in_force(rules, record.facts_but(base)),
        earlier_grids=record.grids_but(base),
    )
    keys = [k for k in told.values if k[0] == "PEOPLE"]
    model = audit._Model(told, "PEOPLE", keys, told.protection)
    assert model.atom_cells[model.real :] == [ji] and model.value[model.real] == 1
    ghost = model.real
    said = [
        r for r in model.rows if r.source[0] == "earlier" and ghost in model.free_ids[r.positions]
    ]
    assert any((r.lo, r.hi) == (1, 4) for r in said)  # its "<5"
    guarded = [c for c in model.candidates if c.figure_of[0] == "earlier"]
    assert [(c.figure_of[1].cell, c.value) for c in guarded if ghost in c.atoms] == [(ji, 1)]
    assert pc.indicator_cells(file_db, settings, REGIONS).audit.passed


def test_data_back_as_it_was_knows_what_its_view_showed_then(file_db, tmp_path):
    """After the second upload is undone the data is as it was after the first, and so are
    the cells' fingerprint and the first view's record. Audited again the view knows what
    that view showed (donors saw it), beside what the second showed of the counts it still
    holds (and of those gone, `_Model._ghosts`); views made again find their kept result."""
    views = views_after_each_upload(file_db, tmp_path, 10, "by-sex", "round", undo=True)
    first, after_undo = views[0], views[2]
    assert first.values == after_undo.values
    to_date = ("PEOPLE", "UZ-JI", "all", "all", "to_date")
    told = {(e.cell, e.through) for e in after_undo.earlier["PEOPLE"]}
    assert (to_date, "2021Q1") in told  # the first view's (the second's ran to 2021Q2)
    assert after_undo.audit.passed
    settings = settings_for(tmp_path, "round")
    again = pc.indicator_cells(file_db, settings, REGIONS)  # the data as after the last upload
    assert again.states == views[-1].states


def test_what_donors_saw_stays_shown_after_an_upload(file_db, tmp_path):
    """Made apart, the view after the second quarter's upload hides counts the first view
    showed; made as the dashboard makes it, it shows them as before and hides others."""
    (tmp_path / "apart").mkdir()
    apart = views_after_each_upload(None, tmp_path / "apart", 5, "totals", "suppress", apart=True)
    views = views_after_each_upload(file_db, tmp_path, 5, "totals", "suppress")
    shown_first = [c for c, s in views[0].states.items() if s == pc.SHOWN and c[4] == "2021Q1"]
    assert ("PEOPLE", "UZ-JI", "all", "all", "2021Q1") in shown_first
    assert any(apart[1].states[c] == pc.HIDDEN for c in shown_first)
    assert all(views[1].states[c] == pc.SHOWN for c in shown_first)
    assert views[1].audit.passed


def test_told_what_the_first_view_showed_the_audit_fails_a_view_made_apart(file_db, tmp_path):
    """The audit of the second view finds it weak when told what the first showed but
    given the second view as it is made apart: what it knows changes its verdict."""
    settings = settings_for(tmp_path, "suppress")
    define_programme(file_db, "totals")
    rows = programme_rows(5, "totals")
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    pc.indicator_cells(file_db, settings, REGIONS)  # the first view, recorded
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q2"])
    (tmp_path / "apart").mkdir()
    apart = views_after_each_upload(None, tmp_path / "apart", 5, "totals", "suppress", apart=True)
    second = apart[1]  # protected knowing nothing of the first view
    with file_db.cursor() as cur:
        found = published.read(cur, second).facts_but("another view")
    told = replace(second, earlier=audit.earlier_in_force(second, found))
    assert audit.audit(second).passed
    assert not audit.audit(told).passed


def grids_recorded(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select g.digest, g.protection, g.rounding_base, g.threshold, count(*) "
            "from published_grids g join published_grid_cells c on c.digest = g.digest "
            "group by 1, 2, 3, 4 order by 1"
        ).fetchall()


def test_a_view_records_its_whole_grid_once(db, tmp_path):
    """Each indicator's grid is recorded (every cell, hidden ones too: under rounding the
    figures over sets of regions follow from all their states; under either protection
    which count each fact summed, once one is undone or corrected), once however often the
    same view is made."""
    define_programme(db, "by-sex")
    insert(db, "indicator_values", programme_rows(1, "by-sex")[:12])
    suppressed = pc.indicator_cells(db, settings_for(tmp_path, "suppress"), REGIONS)
    [(first, protection, base, threshold, cells)] = grids_recorded(db)
    assert (protection, cells) == ("suppress", len(suppressed.states))
    rounded = pc.indicator_cells(db, settings_for(tmp_path, "round"), REGIONS)
    [digest] = [row[0] for row in grids_recorded(db) if row[0] != first]
    [(_, protection, base, threshold, cells)] = [r for r in grids_recorded(db) if r[0] == digest]
    assert (protection, base, threshold) == ("round", 5, 5)
    assert cells == len(rounded.states) == len(suppressed.states)
    assert any(s == pc.HIDDEN for s in rounded.states.values())
    rules = pc.indicator_cells(db, settings_for(tmp_path, "round"), REGIONS, secondary=False)
    again = kept.protected(db, rules)  # another process: its kept result, no new grid
    assert again.states == rounded.states
    assert sorted(row[0] for row in grids_recorded(db)) == sorted([first, digest])
    with db.cursor() as cur:
        grids = published.read(cur, rules).grids_but(kept.fingerprint(rules))
    assert [g.digest for g in grids["PEOPLE"]] == [first]  # the other view's, not its own


def test_told_the_rounded_figures_of_the_first_view_the_audit_finds_more(file_db, tmp_path):
    """Rounded, a sum over regions says more than its cells' rounded values: the audit of
    the second view (made knowing nothing of the first), told also the first view's figures
    over sets of regions (its grid) and not only its cells, finds figures weak that it did
    not find before, pinned by such a figure of the earlier view."""
    settings = settings_for(tmp_path, "round")
    define_programme(file_db, "by-sex")
    rows = programme_rows(1, "by-sex")
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    pc.indicator_cells(file_db, settings, REGIONS)  # the first view, recorded
    (tmp_path / "apart").mkdir()
    apart = views_after_each_upload(None, tmp_path / "apart", 1, "by-sex", "round", apart=True)
    second = apart[1]  # protected knowing nothing of the first view
    with file_db.cursor() as cur:
        record = published.read(cur, second)
    found, grids = record.facts_but("another view"), record.grids_but("another view")
    assert list(grids) == ["PEOPLE"] and len(grids["PEOPLE"]) == 1
    cells_only = audit.audit(replace(second, earlier=audit.earlier_in_force(second, found)))
    told = audit.audit(
        replace(second, earlier=audit.earlier_in_force(second, found), earlier_grids=grids)
    )
    weak_before = {w.figure.describe() for w in cells_only.weak}
    weak_now = {w.figure.describe() for w in told.weak}
    assert weak_before < weak_now
    assert "PEOPLE, UZ-NG, female, 2021Q2" in weak_now - weak_before
    pins = [text for weak in told.weak for text in weak.pinned_by]
    assert (
        "PEOPLE, UZ-JI + UZ-NG, all people, to the end of 2021Q1 (shown in an earlier view)" in pins
    )


def test_a_count_carried_past_the_data_is_recorded_as_the_report_it_carries(file_db, tmp_path):
    """A count at the end of each quarter ('latest') is carried forward to the programme's
    later quarters before any data reaches them: what the view says of those is what the
    last report said, so it is recorded as that quarter's, for each region and over all of
    them, and a later report for those quarters leaves it in force."""
    settings = settings_for(tmp_path, "suppress")
    define_programme(file_db, "latest")
    rows = programme_rows(9, "latest")
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    first = pc.indicator_cells(file_db, settings, REGIONS)
    assert first.values[("PEOPLE", pc.ALL, "all", "all", "2022Q2")] == 28  # carried
    assert {(r[0], r[3]) for r in recorded(file_db)} == {
        (region, "2021Q1") for region in (*REGIONS, pc.ALL)
    }
    insert(file_db, "indicator_values", [r for r in rows if r["period"] > "2021Q1"])
    rules = pc.indicator_cells(file_db, settings, REGIONS, secondary=False)
    assert rules.values[("PEOPLE", pc.ALL, "all", "all", "2021Q4")] == 28  # by chance
    with file_db.cursor() as cur:
        found = published.read(cur, rules).facts_but(kept.fingerprint(rules))
    in_force = audit.earlier_in_force(rules, found)["PEOPLE"]
    assert {p.cell[4] for p in in_force} == {"2021Q1"}  # never the total of 2021Q4


def test_a_rounded_grid_carried_past_its_data_holds_only_while_the_same_report_does(
    file_db, tmp_path
):
    """Under rounding an earlier grid's figures are judged over the regions whose counts
    are as they were. A count carried to a quarter the view had no data for is the report
    it carries: UZ-AN's 0 of the first quarter, carried to the third, is not the 0 UZ-AN
    reported for the third quarter later (after 12 in the second), so the first view's
    figures of the third quarter hold over UZ-TO alone as they are (it reported nothing new),
    and over the others as the first quarter's reports they carried then."""
    regions = (*REGIONS, "UZ-AN")
    settings = settings_for(tmp_path, "round")
    define_programme(file_db, "latest", regions)
    rows = programme_rows(7, "latest", regions)
    insert(file_db, "indicator_values", [r for r in rows if r["period"] == "2021Q1"])
    pc.indicator_cells(file_db, settings, regions)  # the first view, recorded
    insert(file_db, "indicator_values", [r for r in rows if r["period"] > "2021Q1"])
    rules = pc.indicator_cells(file_db, settings, regions, secondary=False)
    an = ("PEOPLE", "UZ-AN", "all", "all")
    assert [rules.values[(*an, q)] for q in ("2021Q1", "2021Q2", "2021Q3")] == [0, 12, 0]
    with file_db.cursor() as cur:
        grids = published.read(cur, rules).grids_but(kept.fingerprint(rules))
    told = replace(rules, earlier_grids=grids)
    keys = [k for k in told.values if k[0] == "PEOPLE"]
    model = audit._Model(told, "PEOPLE", keys, told.protection)
    [(_, in_force, as_then)] = model._earlier_views()
    by_quarter = {
        rules.periods[period]: [r for i, r in enumerate(rules.regions) if mask >> i & 1]
        for (_, _, period), mask in zip(model.families[: model.own_families], in_force, strict=True)
    }
    assert by_quarter["2021Q1"] == list(rules.regions)
    assert by_quarter["2021Q3"] == ["UZ-TO"]
    third = rules.periods.index("2021Q3")
    [(_, _, _, ids, differs)] = [f for f in as_then if f[2] == third]
    first_report = model.A[model.total_line, 0]  # each region's count of the first quarter
    assert ids[third].tolist() == first_report.tolist() and (ids >= 0).sum() == len(rules.regions)
    assert rules.mask_regions(differs) == ("UZ-AN", "UZ-JI", "UZ-NG")


def test_a_total_before_a_late_report_stays_a_statement_of_the_counts_it_had(file_db, tmp_path):
    """A region that reports a quarter late joins that quarter's totals after the next
    upload. What the earlier view showed of the total over all regions was of the others'
    counts: it is recorded with the counts it summed, stays in force as a statement of
    them (a donor who saw both views knows it), and is not taken for today's total."""
    settings = settings_for(tmp_path, "suppress")
    define_programme(file_db, "totals")
    rows = programme_rows(0, "totals")
    first = [r for r in rows if r["period"] == "2021Q1" and r["region_code"] != "UZ-TO"]
    insert(file_db, "indicator_values", first)
    pc.indicator_cells(file_db, settings, REGIONS)  # the first view, UZ-TO not yet reported
    total = ("PEOPLE", pc.ALL, "all", "all", "2021Q1")
    then = [r for r in recorded(file_db) if r[0] == pc.ALL and r[3] == "2021Q1"]
    assert [r[6] for r in then] == [10]
    with file_db.cursor() as cur:
        [summed] = cur.execute(
            "select summed from published_cells where region_code = '*' "
            "and period_column = '2021Q1'"
        ).fetchone()
    assert summed == "UZ-JI@2021Q1 UZ-NG@2021Q1"
    late = [r for r in rows if r["period"] == "2021Q1" and r["region_code"] == "UZ-TO"]
    insert(file_db, "indicator_values", late)
    rules = pc.indicator_cells(file_db, settings, REGIONS, secondary=False)
    assert rules.values[total] == 15  # UZ-TO's 5 joined it
    with file_db.cursor() as cur:
        found = published.read(cur, rules).facts_but(kept.fingerprint(rules))
    [known] = [p for p in audit.earlier_in_force(rules, found)["PEOPLE"] if p.cell == total]
    assert (known.value, known.summed) == (10, summed)  # the others' 10, still known
    assert not audit.holds_as_then(rules, known)  # and not today's total
