"""The disclosure audit: no donor can work out a withheld count of people, even with a solver.

Real DuckDB databases in tmp_path; the audit plays a reader who sees every figure a donor
view could show (monitoring/access/audit.py, docs/access.md "The disclosure audit").
"""

import math
import random
import re
import textwrap
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from monitoring.access import audit, audit_workers, sharing
from monitoring.access import cells as pc
from monitoring.cli.main import main
from monitoring.db import Database
from monitoring.reports import indicators
from monitoring.settings import SettingsError, load_settings
from tests.conftest import SETTINGS_TOML, insert
from tests.conftest import indicator_row as indicator
from tests.conftest import value_row as value

Q1, Q2 = "2021Q1", "2021Q2"
JI, TO, NG = "UZ-JI", "UZ-TO", "UZ-NG"
ALL3 = [JI, TO, NG]
SECRET = "s" * 40  # a share-link signing secret for the tests


def settings_with(tmp_path, privacy: str = ""):
    path = tmp_path / "programme-privacy.toml"
    text = textwrap.dedent(SETTINGS_TOML) + ("\n[privacy]\n" + privacy if privacy else "")
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


# (a) The issue's example (the fixture issue_db, tests/conftest.py) --------------------------
def test_the_rules_alone_leave_a_count_a_solver_pins_down(issue_db, settings):
    cells = pc.indicator_cells(issue_db, settings, ALL3, secondary=False)
    assert cells.state("PEOPLE", JI, Q1) == pc.SMALL
    assert cells.state("PEOPLE", TO, Q2) == pc.SHOWN  # the 0
    assert cells.state("PEOPLE", NG, pc.TO_DATE) == pc.SHOWN
    result = audit.audit(cells)
    assert not result.passed
    weak = {w.figure.describe(): w for w in result.weak}
    jizzakh = weak["PEOPLE, UZ-JI, all people, 2021Q1"]
    assert (jizzakh.low, jizzakh.high) == (1, 1)  # "<5" says 1..4; a solver says 1
    assert jizzakh.values() == 1 and jizzakh.figure.state == pc.SMALL
    assert weak["PEOPLE, UZ-TO, all people, 2021Q1"].text() == "[1, 1]"
    assert result.narrowest.width == 0
    # what pins it: the shown totals, and what would fix it
    assert any("all quarters (shown)" in p for p in jizzakh.pinned_by)
    assert jizzakh.hide and cells.states[jizzakh.hide[0]] == pc.SHOWN


def test_secondary_suppression_makes_the_example_pass(issue_db, settings):
    cells = pc.indicator_cells(issue_db, settings, ALL3)
    assert cells.audit.passed and cells.secondary
    assert all(cells.states[c] == pc.HIDDEN for c in cells.secondary)
    result = audit.audit(cells)  # audited again from scratch
    assert result.passed
    assert result.narrowest.values() >= 4
    # every figure a page could show is judged from the cells as protected in the end
    assert cells.quarter("PEOPLE", [JI], Q1, 1) != pc.SHOWN
    assert cells.to_date("PEOPLE", [JI, TO], Q2, 3) == pc.HIDDEN
    # deterministic
    again = pc.indicator_cells(issue_db, settings, ALL3)
    assert again.states == cells.states and again.secondary == cells.secondary


def test_a_sum_of_small_counts_worked_out_from_a_total_is_weak(db, settings):
    """JI 1 + TO 2 = 23 - 20: each "<5" is 1 or 2 (the rules complement only 2 or 8)."""
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in ALL3])
    insert(db, "indicators", [indicator("PEOPLE")])
    insert(
        db,
        "indicator_values",
        [value("PEOPLE", Q1, JI, 1), value("PEOPLE", Q1, TO, 2), value("PEOPLE", Q1, NG, 20)],
    )
    result = audit.audit(pc.indicator_cells(db, settings, ALL3, secondary=False))
    ranges = {w.figure.describe(): w.text() for w in result.weak}
    assert ranges["PEOPLE, UZ-JI, all people, 2021Q1"] == "[1, 2]"
    assert pc.indicator_cells(db, settings, ALL3).audit.passed


def test_rows_by_sex_that_add_up_to_less_than_the_total_still_bound_it(db, settings):
    """A link over Jizzakh, whose second quarter had 3 people: 1 woman, 1 man and one whose
    sex was not recorded (an upload warns of rows by sex over their total, not under it).
    Each "<5" says 1..4, but a reader knows that all people are at least the women and the
    men: the total is 2..4, three values. The audit knows it too (it once took rows that do
    not add up for no relation at all, and passed the rules alone)."""
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in ALL3])
    insert(db, "indicators", [indicator("PEOPLE", disaggregation="sex")])
    rows = [value("PEOPLE", Q2, JI, 3), value("PEOPLE", Q2, JI, 1, sex="female")]
    rows.append(value("PEOPLE", Q2, JI, 1, sex="male"))
    insert(db, "indicator_values", rows)
    cells = pc.indicator_cells(db, settings, [JI], secondary=False)
    assert cells.state("PEOPLE", JI, Q2) == pc.SMALL
    result = audit.audit(cells)
    weak = {w.figure.describe(): w for w in result.weak}
    total = weak["PEOPLE, UZ-JI, all people, 2021Q2"]
    assert (total.low, total.high) == (2, 4)
    assert "PEOPLE: UZ-JI 2021Q2: all >= the sexes reported" in total.pinned_by
    protected = pc.indicator_cells(db, settings, [JI])
    assert protected.audit.passed
    assert protected.state("PEOPLE", JI, Q2) == pc.HIDDEN


def small_rules(tmp_path, seed: int, shape: str, protection: str = "suppress"):
    """The rules' cells (no secondary suppression) of the second reader's small programme
    (tests/unit/test_audit_reader.py), in a database of its own in tmp_path."""
    from tests.unit.test_audit_reader import REGIONS, settings_for, small_programme

    db = Database(tmp_path / f"{seed}-{shape}-{protection}.duckdb")
    try:
        small_programme(db, seed, shape)
        settings = settings_for(tmp_path, protection)
        return pc.indicator_cells(db, settings, REGIONS, secondary=False)
    finally:
        db.close()


def test_a_whole_number_optimum_found_by_diving_is_branch_and_bounds(tmp_path):
    """Where rows by sex (and age group) meet their total, the linear relaxation's optimum
    is sometimes fractional; the audit then fixes its unknowns to whole numbers one by one
    from the last basis (`_Model._dive`) before it falls back to branch and bound. What the
    dive returns is a whole-number solution with branch and bound's optimal value."""
    dived = 0
    for seed, shape, protection in [
        (3, "by-sex-and-age", "round"),
        (4, "by-sex", "round"),
        (11, "by-sex", "suppress"),
        (3, "by-sex-in-part", "round"),
        (11, "by-sex-in-part", "suppress"),
    ]:
        cells = small_rules(tmp_path, seed, shape, protection)
        keys = audit._keys_by_code(cells)["PEOPLE"]
        model = audit._Model(cells, "PEOPLE", keys, cells.protection)
        for candidate in model.candidates:
            coefs, _ = model.expression(model.atoms_of(candidate))
            for objective in (coefs, -coefs):
                x = model._lp(objective)[0]
                if np.all(np.abs(x - np.round(x)) < audit.WHOLE):
                    continue
                whole = model._dive(objective, x)
                exact = model._milp(objective)
                if whole is None:
                    continue  # it did not find one: branch and bound decides
                dived += 1
                assert np.array_equal(whole, np.round(whole))
                assert not model.violations(whole)
                matrix, lo, hi = model._constraints()
                assert np.all(matrix @ whole >= lo - 1e-6) and np.all(matrix @ whole <= hi + 1e-6)
                assert objective @ whole == pytest.approx(objective @ exact)
    assert dived >= 30


def test_a_range_solved_again_after_a_round_starts_from_its_own_basis(tmp_path, monkeypatch):
    """Secondary suppression hides cells in rounds and solves a weak figure's range again
    after a round that hid a cell it hung on. In a large indicator each end of it starts
    from its own optimal basis of the round before (`_Model._keep`, `_start_from`), mapped
    onto the new round's unknowns and rows (at 1,000,000 values a few simplex iterations
    where the last range's basis took hundreds: docs/benchmarks.md). The range is the same
    as solved without it. Small indicators, like these test programmes, keep none
    (`OWN_BASES_FROM`, lowered here to reach them)."""
    programmes = [
        small_rules(tmp_path, seed, shape)
        for seed, shape in [
            (3, "by-sex-and-age"),
            (11, "by-sex"),
            (11, "by-sex-in-part"),
            (5, "totals"),
        ]
    ]
    carry = audit._Carry()
    keys = audit._keys_by_code(programmes[0])["PEOPLE"]
    assert audit._audit_indicator(programmes[0], "PEOPLE", keys, carry=carry, figures=False).weak
    assert not carry.bases.kept  # (45 free unknowns)

    monkeypatch.setattr(audit, "OWN_BASES_FROM", 0)
    compared = 0
    for cells in programmes:
        keys = audit._keys_by_code(cells)["PEOPLE"]
        carry = audit._Carry()
        first = audit._audit_indicator(cells, "PEOPLE", keys, carry=carry, figures=False)
        hide = {audit._first_pick(cells, "PEOPLE", weak) for weak in first.weak} - {None}
        assert hide and carry.bases.kept
        states = {c: pc.HIDDEN if c in hide else s for c, s in cells.states.items()}
        then = replace(cells, states=states, secondary=frozenset(hide))
        again = audit._Model(then, "PEOPLE", keys, then.protection, figures=False)
        again.bases = carry.bases
        started = carry.bases.started
        fresh = audit._Model(then, "PEOPLE", keys, then.protection, figures=False)
        for candidate in again.candidates:
            atoms = again.atoms_of(candidate)
            if (1.0, tuple(atoms.tolist())) not in carry.bases.kept:
                continue
            assert again.solve_range(atoms)[:2] == fresh.solve_range(atoms)[:2]
            compared += 1
        assert carry.bases.started > started  # (it was started from them)
    assert compared >= 40


# (b) The sample data -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("regions", "at_least"),
    [(ALL3, 700), ([JI], 200), ([TO], 150), ([NG], 150)],
)
def test_the_sample_passes_for_the_whole_programme_and_each_region(
    sample_db_path, settings, regions, at_least
):
    db = Database(sample_db_path, read_only=True)
    try:
        cells = pc.indicator_cells(db, settings, regions)
    finally:
        db.close()
    result = cells.audit
    assert result.passed, result.report("sample", cells)
    assert result.indicators == 7 and result.figures_checked >= at_least
    assert result.withheld > 0 and result.cells_checked == len(cells.values)
    # the narrowest a reader gets any withheld count: 4 whole numbers, as "<5" itself says
    assert result.narrowest.values() == 4


def test_two_links_over_the_same_regions_in_another_order_hide_the_same_cells(
    sample_db_path, settings
):
    """The cells hidden depend on the order of the view's regions (in the sample, 79 in the
    programme's order against 67 by code): a donor holding two links over the same regions,
    listed in two orders, must not read in one what the other hides."""
    db = Database(sample_db_path, read_only=True)
    try:
        views = [pc.indicator_cells(db, settings, order) for order in ([JI, TO, NG], [NG, JI, TO])]
    finally:
        db.close()
    first, second = views
    assert first.secondary and first.secondary == second.secondary
    assert first.states == second.states
    assert first.regions == second.regions == (JI, NG, TO)  # by code


def test_worker_processes_hide_the_same_cells_as_one_process(sample_db_path, settings):
    """A large view is suppressed in worker processes, an indicator each at a time; the
    sample is forced through them (it is below PARALLEL_CELLS) and must come out the same,
    cell for cell, with the same audit."""
    db = Database(sample_db_path, read_only=True)
    try:
        rules = pc.indicator_cells(db, settings, ALL3, secondary=False)
    finally:
        db.close()
    assert len(rules.values) < audit.PARALLEL_CELLS
    told_alone, told_shared = [], []
    alone = audit.secondary_suppression(rules, progress=lambda *t: told_alone.append(t))
    shared = audit.secondary_suppression(
        rules, workers=2, progress=lambda *t: told_shared.append(t)
    )
    assert alone.secondary and alone.audit.passed
    # how far it is (a donor's page and the command line show it): every indicator once,
    # from none to all, whichever process did it
    n = len(rules.aggregation)
    assert told_alone == told_shared == [(i, n) for i in range(n + 1)]
    assert shared.secondary == alone.secondary and shared.states == alone.states
    assert replace(shared.audit, seconds=0.0) == replace(alone.audit, seconds=0.0)
    # and the workers did the work: every indicator came back from one
    keys = audit._keys_by_code(rules)
    jobs = {code: audit._one_indicator(rules, code, keys[code]) for code in rules.aggregation}
    assert set(audit_workers.suppress(jobs, 2)) == set(rules.aggregation)


def test_an_indicator_a_worker_fails_on_is_left_to_the_caller(sample_db_path, settings, caplog):
    """A worker that fails on one indicator reports it (the caller then suppresses it in its
    own process) and goes on with the next."""
    db = Database(sample_db_path, read_only=True)
    try:
        rules = pc.indicator_cells(db, settings, ALL3, secondary=False)
    finally:
        db.close()
    keys = audit._keys_by_code(rules)
    code = sorted(rules.aggregation)[0]
    good = audit._one_indicator(rules, code, keys[code])
    # a job naming an indicator its cells do not hold fails inside the worker
    done = audit_workers.suppress({"NOT-THERE": good, code: good}, 1)
    assert set(done) == {code}
    assert done[code] == audit._suppress_indicator(good, code)
    assert "An audit worker failed on NOT-THERE" in caplog.text


def test_a_busy_worker_exits_when_the_process_that_started_it_is_killed(tmp_path):
    """A server killed while its audit workers are busy leaves no worker behind: each exits
    within seconds, though busy and its input never closed (before, the orphans audited on
    for minutes). Here a parent starts a "worker" that watches it and is busy sleeping; the
    parent is killed, and the worker must be gone soon after."""
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "worker.pid"
    worker = (
        "import os, time; from monitoring.access import audit_workers as w; "
        f"w.exit_with_parent(poll=0.1); open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
        "time.sleep(60)"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            f"subprocess.Popen([sys.executable, '-c', {worker!r}]); time.sleep(60)",
        ],
        env=audit_workers._environment(),
    )
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.05)
    worker_pid = int(pid_file.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(worker_pid):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.1)


def _running(pid: int) -> bool:
    """Whether a process runs (not a zombie waiting for its new parent to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except FileNotFoundError:
        return False


# (c) A programme built to be hard ----------------------------------------------------------
def hard_rows(seed: int = 7) -> list[dict]:
    """2 regions, 6 quarters, by sex and by age group, every value from 0 to 6."""
    rng = random.Random(seed)
    rows = []
    for region in (JI, TO):
        for period in ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"):
            women, men = rng.randint(0, 3), rng.randint(0, 3)
            young = rng.randint(0, women + men)
            total = women + men
            rows += [
                value("HARD", period, region, total),
                value("HARD", period, region, women, sex="female"),
                value("HARD", period, region, men, sex="male"),
                value("HARD", period, region, young, age_group="15-29"),
                value("HARD", period, region, total - young, age_group="30+"),
            ]
    return rows


@pytest.mark.parametrize("protection", ["suppress", "round"])
def test_a_programme_of_small_counts_passes_after_protection(db, tmp_path, protection):
    settings = settings_with(tmp_path, f'protection = "{protection}"\n')
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in (JI, TO)])
    insert(db, "indicators", [indicator("HARD", disaggregation="sex;age_group")])
    insert(db, "indicator_values", hard_rows())
    rules = pc.indicator_cells(db, settings, [JI, TO], secondary=False)
    assert not audit.audit(rules).passed  # the rules alone are not enough here
    cells = pc.indicator_cells(db, settings, [JI, TO])
    assert cells.protection == protection
    assert cells.audit.passed, cells.audit.report("hard", cells)
    assert audit.audit(cells).passed
    assert cells.audit.figures_checked > 200
    assert cells.audit.narrowest.values() >= 4
    shown = sum(s == pc.SHOWN for s in cells.states.values())
    assert shown > 0  # not everything is hidden


def test_rounding_hides_less_than_suppression(db, tmp_path):
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in (JI, TO)])
    insert(db, "indicators", [indicator("HARD", disaggregation="sex;age_group")])
    insert(db, "indicator_values", hard_rows(seed=3))
    hidden = {}
    for protection in ("suppress", "round"):
        # Each the programme's first view: donors saw no other (monitoring/access/published.py)
        with db.transaction() as cur:
            cur.execute("delete from published_cells")
        settings = settings_with(tmp_path, f'protection = "{protection}"\n')
        cells = pc.indicator_cells(db, settings, [JI, TO])
        assert cells.audit.passed
        hidden[protection] = sum(s == pc.HIDDEN for s in cells.states.values())
    assert hidden["round"] <= hidden["suppress"]


# (d) The command ---------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str]:
    code = main(["audit-disclosure", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_command_passes_the_sample(sample_db_path, settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    copy = tmp_path / "sample.duckdb"
    copy.write_bytes(sample_db_path.read_bytes())
    code, out = run(capsys, "--db", str(copy))
    assert code == 0
    # The programme's cells, which every link over its regions reads: one view.
    assert "Whole programme: UZ-JI, UZ-NG, UZ-TO" in out and "Region " not in out
    assert out.count("PASS") == 1 and "narrowest range of a withheld figure: [" in out
    assert "figures checked" in out and "withheld" in out
    assert out.strip().endswith("no withheld count of people can be worked out.")


def test_the_command_says_how_far_a_long_audit_is(
    sample_db_path, settings, tmp_path, monkeypatch, capsys
):
    """An audit that takes longer than PROGRESS_EVERY seconds (minutes at 1,000,000 values)
    says on stderr how many indicators it has done, ending with all; the sample's takes
    less than a second, so here every moment counts as long."""
    from monitoring.cli import audit as audit_command

    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    copy = tmp_path / "sample.duckdb"
    copy.write_bytes(sample_db_path.read_bytes())
    monkeypatch.setattr(audit_command, "PROGRESS_EVERY", 0.0)
    assert main(["audit-disclosure", "--db", str(copy)]) == 0
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert re.fullmatch(r"Whole programme: (\d+) of \1 indicators audited \(\d+ s\)", lines[-1])
    assert all(" indicators audited (" in line for line in lines)
    assert "indicators audited" not in out.out  # the report itself stays clean
    # audited again, the result is kept: nothing to say
    assert main(["audit-disclosure", "--db", str(copy)]) == 0
    assert capsys.readouterr().err == ""


def test_the_command_names_what_pins_a_weak_figure(issue_db, settings, monkeypatch, capsys):
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    path = str(issue_db.path)
    issue_db.close()
    code, out = run(capsys, "--db", path, "--rules-only")
    assert code == 1
    assert "FAIL" in out and "PEOPLE, UZ-JI, all people, 2021Q1 (<5): a reader can tell" in out
    assert "pinned by:" in out and "fix: hide " in out
    assert "true value" not in out  # never by default
    code, out = run(capsys, "--db", path, "--rules-only", "--show-values")
    assert code == 1 and "true value 1" in out
    code, out = run(capsys, "--db", path)  # as the dashboard protects it
    assert code == 0 and out.count("PASS") == 1
    assert "secondary suppression hid" in out


def test_the_command_audits_a_share_links_regions(issue_db, settings, monkeypatch, capsys):
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    link_id, _ = sharing.create_share_link(
        issue_db, "Donor review", "30d", by="tests", regions=[JI, TO], secret=SECRET
    )
    path = str(issue_db.path)
    issue_db.close()
    code, out = run(capsys, "--db", path, "--share", str(link_id))
    assert code == 0
    # The link reads the programme's cells (over its own regions): those are audited.
    assert f"Share link {link_id} (Donor review, active): UZ-JI, UZ-NG, UZ-TO" in out
    assert "Whole programme" not in out and out.count("PASS") == 1
    code, out = run(capsys, "--db", path, "--share", "999")
    assert code == 2 and "There is no share link 999" in out


# (e) Rounding ---------------------------------------------------------------------------------
@pytest.fixture
def round_cells(tmp_path, db):
    """PEOPLE: JI 12 and 23 in Q1 and Q2, TO 17 and 7, NG 0 and 18; RATE a percentage."""
    settings = settings_with(tmp_path, 'protection = "round"\nrounding_base = 5\n')
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in ALL3])
    insert(db, "indicators", [indicator("PEOPLE"), indicator("RATE", unit="percent")])
    rows = {JI: (12, 23), TO: (17, 7), NG: (0, 18)}
    insert(
        db,
        "indicator_values",
        [
            value("PEOPLE", p, r, v)
            for r, vs in rows.items()
            for p, v in zip((Q1, Q2), vs, strict=True)
        ]
        + [value("RATE", Q1, JI, 72.5)],
    )
    return pc.indicator_cells(db, settings, ALL3), settings


def test_shown_counts_are_rounded_through_label(round_cells):
    cells, _ = round_cells
    assert cells.protection == pc.ROUND and cells.audit.passed
    assert cells.label(pc.SHOWN, 12.0) == 10.0 and cells.label(pc.SHOWN, 13) == 15
    assert cells.label(pc.SHOWN, 7.5) == 10.0  # halves up
    assert cells.label(pc.SMALL, 3) == "<5" and cells.label(pc.HIDDEN, 12) == "hidden"
    assert cells.label(pc.SHOWN, None) is None and cells.label(pc.SHOWN, "n/a") == "n/a"
    state = cells.quarter("PEOPLE", [TO], Q1, 17)
    assert state == pc.SHOWN and cells.label(state, 17.0) == 15.0
    assert cells.label(cells.quarter("PEOPLE", [JI, NG], Q1, 12), 12) == 10
    rate = cells.quarter("RATE", [JI], Q1, 72.5)  # no count of people: exact
    assert rate == pc.SHOWN and cells.label(rate, 72.5) == 72.5
    # a % computed from a rounded count would give it away: hidden
    assert cells.label(pc.derived(state), 17.0) == "hidden"
    assert cells.label(pc.derived(rate), 72.5) == 72.5
    assert "rounded to a multiple of 5" in cells.note


def test_withhold_rounds_the_table_and_the_chart_values(round_cells):
    cells, _ = round_cells
    frame = pd.DataFrame({"n": [17.0, 3.0, 7.0, np.nan], "pct": [40.0, 10.0, 55.0, 1.0]})
    states = [
        cells.quarter("PEOPLE", [TO], Q1, 17),
        pc.SMALL,
        cells.quarter("PEOPLE", [TO], Q2, 7),
        pc.SHOWN,
    ]
    out = pc.withhold(frame, {"n": states, "pct": [pc.derived(s) for s in states]}, cells)
    assert out.table["n"].tolist()[:3] == [15.0, "<5", 5.0] and math.isnan(out.table["n"][3])
    numeric = out.numeric["n"].tolist()
    assert numeric[0] == 15.0 and math.isnan(numeric[1]) and numeric[2] == 5.0
    assert out.table["pct"].tolist()[:3] == ["hidden"] * 3
    assert out.any_hidden


def test_a_donors_tracking_table_under_rounding(round_cells, db):
    cells, settings = round_cells
    table = indicators.iptt(db, settings, pd.Timestamp("2021-06-30").date(), ALL3)
    rows = indicators.donor_iptt(table, cells, ALL3, Q2).table.set_index("Code")
    assert rows.at["PEOPLE", Q1] == 30  # 12 + 17 + 0 = 29
    assert rows.at["PEOPLE", Q2] == 50  # 23 + 7 + 18 = 48
    assert rows.at["PEOPLE", "Actual to 2021Q2"] == 75  # 77
    assert rows.at["PEOPLE", "% of target achieved"] == "hidden"
    assert rows.at["RATE", Q1] == 72.5


def test_under_suppression_label_and_withhold_change_nothing_shown(issue_db, settings):
    cells = pc.indicator_cells(issue_db, settings, ALL3)
    assert cells.label(pc.SHOWN, 12.0) == 12.0 and cells.label(pc.derived(pc.SHOWN), 7) == 7
    frame = pd.DataFrame({"n": [12.0, 13.0]})
    out = pc.withhold(frame, {"n": [pc.SHOWN, pc.SHOWN]}, cells)
    assert out.table["n"].tolist() == [12.0, 13.0] and not out.any_hidden


# The setting -------------------------------------------------------------------------------
def test_the_protection_setting_is_read_and_checked(tmp_path):
    assert settings_with(tmp_path).privacy.protection == "suppress"
    assert settings_with(tmp_path).privacy.rounding_base == 5
    rounded = settings_with(tmp_path, 'protection = "round"\nrounding_base = 10\n')
    assert (rounded.privacy.protection, rounded.privacy.rounding_base) == ("round", 10)
    with pytest.raises(SettingsError, match='protection must be "suppress"'):
        settings_with(tmp_path, 'protection = "blur"\n')
    with pytest.raises(SettingsError, match="rounding_base must be a whole number"):
        settings_with(tmp_path, "rounding_base = 1\n")
    with pytest.raises(SettingsError, match="rounding_base must be a whole number"):
        settings_with(tmp_path, "rounding_base = 2.5\n")
    with pytest.raises(SettingsError, match="small_count_threshold must be"):
        settings_with(tmp_path, "small_count_threshold = 0\n")
