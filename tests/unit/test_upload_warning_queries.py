"""The upload warnings' queries give the same answers as their plain definitions.

queries/upload_value_outliers.sql and upload_breakdown_over_total.sql are shaped for large
tables (docs/benchmarks.md); here they are compared with the direct, slow way of asking the
same question, on random data where replaced rows are the lowest or highest of their group.
"""

import random

import pytest

from monitoring.intake.validation import run_named, stage_series
from tests.conftest import insert

OUTLIERS_PLAINLY = """
select u.line, u.indicator_code, u.value, min(v.value) as low, max(v.value) as high,
       count(*) as earlier
from upload_rows u
join indicator_values v
    on v.indicator_code = u.indicator_code and v.sex = u.sex and v.age_group = u.age_group
    and not (v.period = u.period and v.region_code = u.region_code and v.org_id = u.org_id)
group by u.line, u.indicator_code, u.value
having count(*) >= 3
    and (u.value > max(v.value) + 2 * greatest(max(v.value) - min(v.value), 1)
         or u.value < min(v.value) - 2 * greatest(max(v.value) - min(v.value), 1))
order by u.line
"""

BREAKDOWNS_PLAINLY = """
with merged as (
    select indicator_code, period, region_code, org_id, sex, age_group, value, line
    from upload_rows
    union all
    select v.indicator_code, v.period, v.region_code, v.org_id, v.sex, v.age_group, v.value,
           null
    from indicator_values v
    anti join upload_rows u using (indicator_code, period, region_code, org_id, sex, age_group)
),
groups as (
    select indicator_code, period, region_code, org_id,
        max(value) filter (where sex = 'all' and age_group = 'all') as total,
        sum(value) filter (where sex <> 'all' and age_group = 'all') as by_sex,
        sum(value) filter (where sex = 'all' and age_group <> 'all') as by_age,
        coalesce(min(line) filter (where sex = 'all' and age_group = 'all'), min(line)) as line
    from merged join indicators using (indicator_code)
    where unit = 'number'
    group by all
    having min(line) is not null
)
select line, indicator_code, period, region_code, org_id, 'sex' as breakdown, by_sex as parts,
       total from groups where by_sex > total
union all
select line, indicator_code, period, region_code, org_id, 'age group', by_age, total
from groups where by_age > total
order by line, breakdown
"""

INDICATORS = [
    dict(
        indicator_code=code,
        level="outcome",
        outcome=1,
        title=code,
        unit=unit,
        direction="increase",
        aggregation="sum",
        target=100,
    )
    for code, unit in (("N1", "number"), ("N2", "number"), ("P1", "percent"))
]
KEYS = [
    (code, period, region, org, sex, age)
    for code in ("N1", "N2", "P1")
    for period in ("2021Q1", "2021Q2", "2021Q3")
    for region in ("UZ-JI", "UZ-NG")
    for org in ("", "A")
    for sex, age in (("all", "all"), ("female", "all"), ("male", "all"), ("all", "15-24"))
]
COLUMNS = ("indicator_code", "period", "region_code", "org_id", "sex", "age_group")


def rows(keys, rng, spread):
    return [dict(zip(COLUMNS, key, strict=True), value=rng.choice(spread)) for key in keys]


@pytest.mark.parametrize("seed", range(12))
def test_warning_queries_agree_with_their_plain_definitions(db, seed):
    rng = random.Random(seed)
    insert(db, "indicators", INDICATORS)
    stored = rng.sample(KEYS, len(KEYS) * 2 // 3)
    insert(db, "indicator_values", rows(stored, rng, [0, 1, 2, 3, 5, 8, 40]))
    # The file: some rows replace stored ones (often the lowest or highest), some are new.
    uploaded = rng.sample(KEYS, len(KEYS) // 2)
    file_rows = rows(uploaded, rng, [0, 1, 3, 9, 60, 400])
    with db.cursor() as cur:
        cur.execute(
            "create temp table upload_rows (line integer, indicator_code varchar, period varchar,"
            " region_code varchar, org_id varchar, sex varchar, age_group varchar, value double,"
            " is_new boolean)"
        )
        known = set(stored)
        cur.executemany(
            "insert into upload_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    line,
                    *(r[c] for c in COLUMNS),
                    r["value"],
                    tuple(r[c] for c in COLUMNS) not in known,
                ]
                for line, r in enumerate(file_rows, 2)
            ],
        )
        stage_series(cur)
        outliers = run_named(cur, "upload_value_outliers")
        quarters = sorted({r["period"] for r in file_rows})
        breakdowns = run_named(cur, "upload_breakdown_over_total", compared=quarters)
        assert outliers.values.tolist() == cur.execute(OUTLIERS_PLAINLY).df().values.tolist()
        assert breakdowns.values.tolist() == cur.execute(BREAKDOWNS_PLAINLY).df().values.tolist()
        assert len(outliers) or seed  # the data makes outliers (checked for seed 0)
