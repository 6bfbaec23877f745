"""`make soak`'s kill check, small: a real import process SIGKILLed twice on a real file.

The machinery of tests/bench/soak.py (the full run: `make soak`, docs/benchmarks.md "Soak"):
`monitoring init --sample` into tmp_path, a 2,000-row upload file, one full import for the
"after" state, then `python -m monitoring import` killed with SIGKILL (its process group)
once before it writes and once at a random moment, each time on a fresh copy; every table
must then be exactly as before or exactly as after, and the history agree with the rows.
"""

from __future__ import annotations

import duckdb

from tests.bench import soak, soak_data


def test_killed_imports_leave_every_table_before_or_after(tmp_path):
    result = soak.run_kills(
        tmp_path, kills=2, served=0, rows=2000, seed=15, stages=("early", "anywhere")
    )

    assert result["kills"] == 2
    assert result["failures"] == 0, result["trials"]
    assert result["ended_before"] + result["ended_after"] == 2
    for trial in result["trials"]:  # the file itself was checked, not only its history
        assert trial["state"] in ("before", "after") and trial["odd_tables"] == []


def test_the_check_tells_a_state_in_between(tmp_path):
    """The check itself: rows without their batch (or the other way) are caught."""
    before = tmp_path / "before.duckdb"
    soak.init_sample(before)
    csv = soak_data.values_file(tmp_path / "values.csv", 50)
    start = soak_data.snapshot(before)
    half = soak.fresh_copy(before, tmp_path / "half.duckdb")
    con = duckdb.connect(str(half))
    con.execute(
        "insert into indicator_values (indicator_code, period, region_code, org_id, sex, "
        "age_group, value) select indicator_code, period, region_code, org_id, sex, age_group, "
        "value from read_csv($f, header = true, all_varchar = true)",
        {"f": str(csv)},
    )
    con.close()
    found = soak.check_file(half, csv, 50, start, start)
    assert found["state"] == "in between"
    assert "indicator_values" in found["odd_tables"]
    assert not found["history_agrees"]
    assert soak.classify(start, start, start)[0] == "before"
