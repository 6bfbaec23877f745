"""queries/quality_upload_outliers.sql (sorted once per group, docs/upload.md) answers as its
plain definition: every uploaded row joined with every stored value of its series."""

import math
import random

import pytest

from monitoring.intake.validation import stage_series
from monitoring.quality.queries import run_named
from tests.conftest import insert

# The query as it was first written: rows x group size (17 GB at 100,000 uploaded rows).
OUTLIERS_PLAINLY = """
with rows as (
    select r.line, r.indicator_code, r.period, r.region_code, r.org_id, r.sex, r.age_group,
        r.value, i.min_value, i.max_value
    from upload_rows as r
    join indicators as i using (indicator_code)
    where r.is_new or r.is_changed
),
series as (
    select r.line, s.value
    from rows as r
    join indicator_values as s
        on s.indicator_code = r.indicator_code and s.sex = r.sex and s.age_group = r.age_group
        and not (s.period = r.period and s.region_code = r.region_code and s.org_id = r.org_id)
),
centre as (
    select line, median(value) as median, count(*) as n from series group by line
),
spread as (
    select s.line, median(abs(s.value - c.median)) as mad, avg(abs(s.value - c.median)) as mean_ad
    from series as s join centre as c using (line)
    group by s.line
),
scored as (
    select r.*, c.median, c.n,
        case
            when c.n is null or c.n < 5 then null
            when d.mad > 0 then 0.6745 * (r.value - c.median) / d.mad
            when d.mean_ad > 0 then (r.value - c.median) / (1.2533 * d.mean_ad)
        end as z
    from rows as r
    left join centre as c using (line)
    left join spread as d using (line)
)
select * from scored order by line
"""

INDICATORS = [
    dict(
        indicator_code=code,
        level="outcome",
        outcome=1,
        title=code,
        unit="number",
        direction="increase",
        aggregation="sum",
        target=100,
        min_value=low,
        max_value=high,
    )
    for code, low, high in (("N1", None, None), ("N2", 0, 50), ("N3", None, None))
]
PERIODS = [f"{year}Q{q}" for year in (2021, 2022) for q in (1, 2, 3, 4)]
KEYS = [
    (code, period, region, org, sex, age)
    for code in ("N1", "N2", "N3")
    for period in PERIODS
    for region in ("UZ-JI", "UZ-NG")
    for org in ("", "A")
    for sex, age in (("all", "all"), ("female", "all"), ("all", "15-24"))
]
COLUMNS = ("indicator_code", "period", "region_code", "org_id", "sex", "age_group")


def _stage(cur, file_rows, stored_keys):
    cur.execute(
        "create or replace temp table upload_rows (line integer, indicator_code varchar, "
        "period varchar, region_code varchar, org_id varchar, sex varchar, age_group varchar, "
        "value double, is_new boolean, is_changed boolean)"
    )
    cur.executemany(
        "insert into upload_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [line, *key, value, key not in stored_keys, key in stored_keys and changed]
            for line, (key, value, changed) in enumerate(file_rows, 2)
        ],
    )
    stage_series(cur)


@pytest.mark.parametrize("seed", range(16))
def test_outliers_of_an_upload_agree_with_the_plain_definition(db, seed):
    rng = random.Random(seed)
    insert(db, "indicators", INDICATORS)
    # Few distinct values (ties, zero spreads) and some far ones; groups of every size.
    spread = rng.choice([[0, 1, 2, 3, 5, 8, 40], [4, 4, 4, 4, 5], [1.5, 2.25, 7, 7, 7, 1e6]])
    stored = rng.sample(KEYS, rng.randint(0, len(KEYS)))
    insert(
        db,
        "indicator_values",
        [dict(zip(COLUMNS, k, strict=True), value=rng.choice(spread)) for k in stored],
    )
    stored_keys = set(stored)
    uploaded = rng.sample(KEYS, len(KEYS) // 2)
    values = [0, 1, 3, 4, 9, 60, 400, -7]
    file_rows = [(k, rng.choice(values), rng.random() < 0.8) for k in uploaded]
    with db.cursor() as cur:
        _stage(cur, file_rows, stored_keys)
        fast = run_named(cur, "quality_upload_outliers", threshold=3.5)
        plain = cur.execute(OUTLIERS_PLAINLY).df()
    plain = plain[
        (plain.z.abs() > 3.5).fillna(False)
        | (plain.value < plain.min_value).fillna(False)
        | (plain.value > plain.max_value).fillna(False)
    ]
    assert list(fast.columns) == list(plain.columns)
    assert fast.line.tolist() == plain.line.tolist()
    for mine, theirs in zip(fast.itertuples(), plain.itertuples(), strict=True):
        assert (mine.n, mine.median) == (theirs.n, theirs.median) or (
            math.isnan(mine.median) and math.isnan(theirs.median)
        )
        assert (math.isnan(mine.z) and math.isnan(theirs.z)) or math.isclose(
            mine.z, theirs.z, rel_tol=1e-9
        )


def test_every_row_is_scored_as_the_plain_definition_scores_it(db):
    """Not only the flagged rows: z, median and count of every uploaded row agree."""
    rng = random.Random(99)
    insert(db, "indicators", INDICATORS)
    stored = rng.sample(KEYS, len(KEYS) * 3 // 4)
    insert(
        db,
        "indicator_values",
        [dict(zip(COLUMNS, k, strict=True), value=rng.randint(0, 30)) for k in stored],
    )
    file_rows = [(k, rng.randint(0, 30), True) for k in rng.sample(KEYS, len(KEYS) // 2)]
    with db.cursor() as cur:
        _stage(cur, file_rows, set(stored))
        fast = run_named(cur, "quality_upload_outliers", threshold=-1.0)  # every scored row
        plain = cur.execute(OUTLIERS_PLAINLY).df()
    fast, plain = fast[fast.z.notna()], plain[plain.z.notna()]
    assert fast.line.tolist() == plain.line.tolist() and len(fast) > 20
    assert fast["median"].tolist() == plain["median"].tolist()
    assert fast["n"].tolist() == plain["n"].tolist()
    for mine, theirs in zip(fast.z, plain.z, strict=True):
        assert math.isclose(mine, theirs, rel_tol=1e-9)
