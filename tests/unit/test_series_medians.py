"""Each series' median and deviations read from the counts of its distinct values
(queries/quality_outliers.sql, queries/series_summary.sql, the stored copy
series_value_counts_stored of migration 0026) are those of the series' values themselves, on
both engines: ties, even and odd counts, fractions, series of no spread and too short ones."""

import math
import random
import statistics

import pytest

from monitoring.db import stored
from monitoring.intake.batches import commit_file, undo_batch
from monitoring.quality.outliers import modified_z
from tests.conftest import indicator_row, insert
from tests.unit.upload_support import VALUES_HEADER, csv_bytes, sample_copy

COUNTS = stored.BY_TABLE["series_value_counts_stored"]
PERIODS = [f"{year}Q{q}" for year in (2021, 2022) for q in (1, 2, 3, 4)]
SERIES = [
    ("N1", "all", "all"),
    ("N1", "female", "all"),
    ("N2", "all", "15-24"),
    ("N3", "all", "all"),
]
REGIONS = ("UZ-JI", "UZ-NG", "UZ-TO")
ORGS = ("", "A", "B")
AS_OF = "2022Q2"  # the later quarters' values are neither judged nor part of a series


def _random_values(db, rng: random.Random) -> list[dict]:
    """Values of four series: few distinct ones (ties; a series of no spread), fractions, a
    far one, and a series of fewer than five values."""
    insert(db, "indicators", [indicator_row(code) for code in ("N1", "N2", "N3")])
    pools = {
        SERIES[0]: [0, 1, 2, 3, 5, 8, 40],
        SERIES[1]: [4, 4, 4, 4, 4, 5, 0.1, 1e6],
        SERIES[2]: [1.5, 2.25, 7, 7, 7, -3.75],
        SERIES[3]: [2, 9],
    }
    rows = []
    for (code, sex, age), pool in pools.items():
        keys = [(p, r, o) for p in PERIODS for r in REGIONS for o in ORGS]
        size = 3 if code == "N3" else rng.randint(5, len(keys))
        for period, region, org in rng.sample(keys, size):
            rows.append(
                dict(
                    indicator_code=code,
                    period=period,
                    region_code=region,
                    org_id=org,
                    sex=sex,
                    age_group=age,
                    value=rng.choice(pool),
                )
            )
    insert(db, "indicator_values", rows)
    return rows


def _series_values(rows: list[dict], up_to: str | None) -> dict[tuple, list[float]]:
    found: dict[tuple, list[float]] = {}
    for row in rows:
        if up_to is None or row["period"] <= up_to:
            key = (row["indicator_code"], row["sex"], row["age_group"])
            found.setdefault(key, []).append(float(row["value"]))
    return found


@pytest.mark.parametrize("seed", range(6))
def test_every_values_score_is_that_of_its_series_values(db, seed):
    rows = _random_values(db, random.Random(seed))
    # threshold -1: every value with a score is listed, with its series' median and size.
    found = db.query(
        "quality_outliers", period=AS_OF, threshold=-1.0, indicators=None, first_rows=None
    )
    series = _series_values(rows, AS_OF)
    expected = {}
    for row in rows:
        key = (row["indicator_code"], row["sex"], row["age_group"])
        if row["period"] <= AS_OF:
            values = series[key]
            z = modified_z(values)[values.index(float(row["value"]))]
            if z is not None:
                cell = (*key, row["period"], row["region_code"], row["org_id"])
                expected[cell] = (z, statistics.median(values), len(values))
    got = {
        (r.indicator_code, r.sex, r.age_group, r.period, r.region_code, r.org_id): (
            r.z,
            r.median,
            r.n,
        )
        for r in found.itertuples()
    }
    assert got.keys() == expected.keys() and len(got) > 10
    for cell, (z, median, n) in got.items():
        want_z, want_median, want_n = expected[cell]
        assert (median, n) == (want_median, want_n), cell  # to the last bit
        assert math.isclose(z, want_z, rel_tol=1e-12), cell
    # The Outliers tab's count of them all, taken from the counts, is the rows'.
    shown = db.query(
        "quality_outliers", period=AS_OF, threshold=-1.0, indicators=None, first_rows=3
    )
    assert shown.cells.sum() == len(found) and len(shown) == 4


@pytest.mark.parametrize("seed", range(6))
def test_the_summary_of_each_stored_series_is_that_of_its_values(db, seed):
    rows = _random_values(db, random.Random(seed))
    summary = db.query("series_summary", indicators=None)
    series = _series_values(rows, None)
    assert len(summary) == len(series)
    for r in summary.itertuples():
        values = sorted(series[(r.indicator_code, r.sex, r.age_group)])
        median = statistics.median(values)
        deviations = [abs(v - median) for v in values]
        mad = statistics.median(deviations)
        assert (r.n, r.lowest, r.highest, r.median, r.mad) == (
            len(values),
            values[0],
            values[-1],
            median,
            mad,
        )
        assert (r.second_lowest, r.second_highest) == (values[1], values[-2])
        if mad == 0:
            assert math.isclose(r.mean_ad, statistics.fmean(deviations), rel_tol=1e-12)
        else:
            assert r.mean_ad is None or math.isnan(r.mean_ad)


def _counts(db) -> dict[tuple, int]:
    """The copy's counts of indicator G1's values (the sample's), by sex, quarter and value."""
    with db.cursor() as cur:
        found = cur.execute(
            f"select sex, age_group, period, value, values_count from {COUNTS.table} "  # noqa: S608
            "where indicator_code = 'G1'"
        ).fetchall()
    return {tuple(row[:4]): row[4] for row in found}


def test_an_import_and_its_undo_move_the_counts_of_the_values_they_write(
    request, engine, tmp_path, settings
):
    db = sample_copy(request, engine, tmp_path)
    before = _counts(db)
    assert before[("all", "all", "2021Q1", 55.2)] >= 1
    rows = (
        "G1,2021Q1,UZ-JI,,all,all,57.5,,Survey wave 1",  # changed from 55.2
        "G1,2022Q1,UZ-JI,,all,all,57.5,,Survey wave 3",  # new
    )
    result = commit_file(db, csv_bytes(VALUES_HEADER, *rows), "g1.csv", settings, by="T")
    assert (result.inserted, result.updated) == (1, 1)
    after = _counts(db)
    old, new = ("all", "all", "2021Q1", 55.2), ("all", "all", "2021Q1", 57.5)
    assert after.get(old, 0) == before[old] - 1  # the changed value's count moved
    assert after[new] == before.get(new, 0) + 1
    assert after[("all", "all", "2022Q1", 57.5)] == 1
    undo_batch(db, result.batch_id, by="T")
    assert _counts(db) == before
    assert db.out_of_date() == {}
