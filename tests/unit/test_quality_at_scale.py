"""What keeps the Data quality page fast at 1,000,000 values (docs/benchmarks.md) says the same
as before: numbers written many at once as `i18n.number` writes each, rule violations written
out only for the rows shown, the approval grid, and who should report a late value."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
from babel import numbers as babel_numbers

from monitoring import i18n
from monitoring.periods import programme_periods
from monitoring.quality import approvals, outliers, rules, timeliness
from monitoring.settings import load_settings
from tests.conftest import indicator_row, insert, value_row
from tests.unit.test_quality_rules import base  # noqa: F401 - the fixture

SPECIAL = [0.15, 0.25, 2.25, -0.04, 0.05, -0.0, 0.0, 1e20, 12, 12.0, 999.95, 1234567.25, None]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_numbers_are_written_as_i18n_number_writes_each(lang, decimals):
    draw = random.Random(7)
    values = [draw.uniform(-1e7, 1e7) for _ in range(500)]
    values += [draw.randint(-(10**6), 10**6) for _ in range(200)]
    values += [round(draw.uniform(0, 100), 2) for _ in range(300)] + SPECIAL + SPECIAL
    values += [float("nan"), pd.NA]
    with i18n.language(lang):
        assert i18n.numbers(values, decimals) == [i18n.number(v, decimals) for v in values[:-1]] + [
            "–"
        ]
        # Both write as Babel does with the language's pattern (number() did until 7
        # December 2026; Python's formatting is 5 to 30 times faster).
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        written = [v for v in values if v is not None and v is not pd.NA and v == v]
        assert [i18n.number(v, decimals) for v in written] == [
            babel_numbers.format_decimal(v, format=pattern, locale=i18n.locale()) for v in written
        ]
        for infinite in (float("inf"), float("-inf")):
            assert i18n.number(infinite, decimals) == babel_numbers.format_decimal(
                infinite, format=pattern, locale=i18n.locale()
            )


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_moneys_are_written_as_i18n_money_writes_each(lang):
    amounts = [1234567.25, -0.04, 999.95, 0.0, 12, float("nan"), 5.5]
    currencies = ["USD", "UZS", "EUR", "USD", "UZS", "USD", "EUR"]
    with i18n.language(lang):
        assert i18n.moneys(amounts, currencies, 2) == [
            i18n.money(a, c, 2) for a, c in zip(amounts, currencies, strict=True)
        ]


def test_rule_violations_are_written_out_for_the_rows_asked(base, settings):  # noqa: F811
    insert(base, "indicator_values", [
        row
        for period in ("2021Q1", "2021Q2", "2021Q3")
        for row in (
            value_row("A", period, "UZ-JI", 10),
            value_row("A", period, "UZ-JI", 3.5, age_group="15-29"),
            value_row("A", period, "UZ-JI", 6, age_group="30+"),
            value_row("A", period, "UZ-JI", 10, sex="female"),
            value_row("A", period, "UZ-JI", 1, sex="male"),
        )
    ])  # fmt: skip
    checked = rules.checked(base, settings, dt.date(2022, 6, 30))
    full = checked.table()
    assert checked.count == len(full) == 6
    assert dict(checked.counts())["age groups add up to all ages"] == 3
    pd.testing.assert_frame_equal(checked.table(4), full.head(4))
    # The page asks for each rule's first rows only, and counts them all.
    first = rules.checked(base, settings, dt.date(2022, 6, 30), 2)
    assert first.counts() == checked.counts() and first.count == 6
    assert [len(f) for f in first.found] == [min(2, n) for _title, n in checked.counts()]
    pd.testing.assert_frame_equal(first.table(2), full.head(2))
    ages = full[full.rule == "age groups add up to all ages"].reset_index(drop=True)
    assert ages.left[0] == "age groups 15-29 3.5 + 30+ 6 = 9.5"
    with i18n.language("ru"):
        assert (
            "15-29 3,5 + 30+ 6 = 9,5"
            in rules.checked(base, settings, dt.date(2022, 6, 30)).table(1_000).left.tolist()[-1]
        )
    assert full.equals(rules.violations(base, settings, dt.date(2022, 6, 30)))


def test_the_approval_grid_takes_a_region_before_the_whole_programme():
    settings = load_settings()
    regions = list(settings.programme.regions)
    periods = list(programme_periods(settings.programme))
    approved = pd.DataFrame(
        {
            "period": [periods[0], periods[0], periods[1], periods[2]],
            "region_code": ["", regions[0], regions[1], ""],
            "region_name": None,
            "approved_by": ["all of it", "one region", "another", "all again"],
            "approved_at": pd.Timestamp("2022-01-01"),
        }
    )
    grid = approvals.approval_grid(approved, settings, up_to=periods[2]).set_index("period")
    assert grid.loc[periods[0]].tolist() == ["one region", *(["all of it"] * (len(regions) - 1))]
    assert grid.loc[periods[1]].tolist() == ["", "another", *([""] * (len(regions) - 2))]
    assert set(grid.loc[periods[2]]) == {"all again"}
    assert len(grid) == 3
    empty = approvals.approval_grid(approved.iloc[:0], settings)
    assert len(empty) == len(periods) and set(empty[regions[0]]) == {""}


def test_who_should_report_a_late_or_missing_value(base, settings):  # noqa: F811
    insert(base, "organisations", [
        {"org_id": "CSO-2", "name": "Avlod", "kind": "cso", "region_code": "UZ-JI"},
        {"org_id": "CSO-3", "name": "Later", "kind": "cso", "region_code": "UZ-JI"},
    ])  # fmt: skip
    insert(base, "indicator_values", [
        value_row("A", "2021Q1", "UZ-JI", 1, org_id="CSO-2"),
        value_row("A", "2021Q1", "UZ-JI", 1, org_id="CSO-1"),
        value_row("A", "2021Q2", "UZ-JI", 1, org_id="CSO-1"),
        value_row("A", "2021Q3", "UZ-JI", 1, org_id="CSO-3"),
    ])  # fmt: skip
    with base.transaction() as cur:  # 2021Q1 uploaded within 30 days of its end: on time
        cur.execute(
            "insert into upload_batches (batch_id, table_name, file_name, sha256, uploaded_by, "
            "uploaded_at) values (1, 'indicator_values', 'v.csv', 'x', 'staff', "
            "timestamptz '2021-04-30 10:00:00+00')"
        )
        cur.execute(
            "insert into upload_changes (batch_id, table_name, row_key, action, new_row) values "
            '(1, \'indicator_values\', \'["A","2021Q1","UZ-JI","CSO-2","all","all"]\', '
            "'insert', '{}')"
        )
    found = timeliness.timeliness(base, settings, dt.date(2021, 12, 31), today=dt.date(2022, 3, 1))
    rows = found.set_index("period")
    assert rows.loc["2021Q1", "status"] == timeliness.ON_TIME
    assert pd.isna(rows.loc["2021Q1", "days_late"])
    # Values written without an upload: not listed, nobody named.
    assert rows.loc["2021Q2", "status"] == timeliness.UNKNOWN
    assert pd.isna(rows.loc["2021Q2", "who_reports"])
    # 2021Q4 missing: everyone who reported it there before, once each, sorted.
    assert rows.loc["2021Q4", "status"] == timeliness.MISSING
    assert rows.loc["2021Q4", "who_reports"] == "Avlod; Later; Women of Jizzakh"
    assert rows.loc["2021Q4", "days_late"] == (dt.date(2022, 3, 1) - dt.date(2022, 1, 30)).days


def test_the_timeliness_tab_lists_late_and_missing_values_and_counts_the_rest(base, settings):  # noqa: F811
    """`timeliness.shown` (the tab's): the late and missing values as rows, as in the whole
    result; the other statuses counted, one row each after them; the same counts. Counting
    only (`listed=()`, the quality command): no value listed, the same counts again."""
    insert(base, "indicator_values", [
        value_row("A", p, r, 1) for p in ("2021Q1", "2021Q2") for r in ("UZ-JI", "UZ-TO")
    ])  # fmt: skip
    as_of, today = dt.date(2021, 12, 31), dt.date(2022, 3, 1)
    whole = timeliness.timeliness(base, settings, as_of, today=today)
    shown = timeliness.shown(base, settings, as_of, today=today)
    late = whole[whole.status.isin(timeliness.LISTED)].reset_index(drop=True)
    assert len(late) and set(late.status) == {timeliness.MISSING}
    listed = timeliness.listed_rows(shown).reset_index(drop=True)
    pd.testing.assert_frame_equal(listed, late, check_dtype=False)  # (reported: nullable)
    counted = shown.iloc[len(listed) :]
    assert counted.indicator_code.isna().all() and list(counted.status) == [timeliness.UNKNOWN]
    assert counted.cells.tolist() == [(whole.status == timeliness.UNKNOWN).sum()]
    assert timeliness.summary(shown) == timeliness.summary(whole)
    assert timeliness.summary(whole)[timeliness.UNKNOWN] == 4  # written without an upload
    # The first of them only: one row, the other counted with the rest.
    first = timeliness.timeliness(
        base, settings, as_of, today=today, listed=timeliness.LISTED, first=1
    )
    pd.testing.assert_frame_equal(timeliness.listed_rows(first), late.head(1), check_dtype=False)
    assert timeliness.summary(first) == timeliness.summary(whole)
    only_counts = timeliness.timeliness(base, settings, as_of, today=today, listed=())
    assert timeliness.listed_rows(only_counts).empty
    assert timeliness.summary(only_counts) == timeliness.summary(whole)


def test_the_outliers_tab_counts_in_the_lists_what_is_judged_row_by_row(base, settings):  # noqa: F811
    """`outliers.shown` counts each series' flagged values in its list of values and judges
    row by row only the indicators of the first rows: the same count and the same first rows
    as the whole result, for series of every kind the rule tells apart (spread, a MAD of 0
    with values off the median, all equal, fewer than five values, bounds)."""
    draw = random.Random(11)
    quarters = list(programme_periods(settings.programme))
    codes = [f"R{i:02d}" for i in range(12)]
    insert(base, "indicators", [
        indicator_row(c, min_value=0 if i % 3 == 0 else None, max_value=90 if i % 4 == 1 else None)
        for i, c in enumerate(codes)
    ])  # fmt: skip
    rows = []
    for i, code in enumerate(codes):
        for region in ("UZ-JI", "UZ-TO", "UZ-NG"):
            for s, sex in enumerate(("all", "female", "male")):
                for quarter in quarters[: 1 + (i + s) % 6]:  # some series of under five values
                    kind = i % 4
                    if kind == 0:  # spread out
                        value = round(draw.gauss(50, 15), 1)
                    elif kind == 1:  # mostly one value (MAD 0), some far off
                        value = 40 if draw.random() < 0.7 else round(draw.uniform(-20, 120), 1)
                    elif kind == 2:  # all equal
                        value = 30
                    else:  # a few far off
                        value = 50 if draw.random() < 0.8 else draw.choice([-5, 95, 500])
                    rows.append(value_row(code, quarter, region, value, sex=sex))
    insert(base, "indicator_values", rows)
    as_of = dt.date(2022, 6, 30)
    whole = outliers.outliers(base, settings, as_of)
    assert len(whole) > 20 and whole.below_min.any() and whole.above_max.any()
    assert whole.beyond_threshold.any()
    for first in (1, 7, len(whole) - 1, len(whole), 10**6):
        asked = {"period": "2022Q2", "threshold": settings.quality.outlier_threshold}
        shown = base.query("quality_outliers", **asked, indicators=None, first_rows=first)
        assert outliers.flagged_count(shown) == len(whole), first
        listed = outliers.listed_rows(shown)
        pd.testing.assert_frame_equal(listed, whole.head(first), check_dtype=False, obj=first)


REASONS = {
    "en": [
        "modified z-score 5.0 (beyond 3.5; median of 10 values 1.5)",
        "below the indicator's minimum 0.0",
        "modified z-score -4.2 (beyond 3.5; median of 8 values 3.2); "
        "above the indicator's maximum 100.0",
        "above the indicator's maximum 4.5",
        "modified z-score 3.6 (beyond 3.5; median of 5742 values 0.0)",
    ],
    "ru": [
        "модифицированная z-оценка 5,0 (больше 3,5; медиана 10 значений 1,5)",
        "ниже минимума индикатора 0,0",
        "модифицированная z-оценка -4,2 (больше 3,5; медиана 8 значений 3,2); "
        "выше максимума индикатора 100,0",
        "выше максимума индикатора 4,5",
        "модифицированная z-оценка 3,6 (больше 3,5; медиана 5742 значений 0,0)",
    ],
}


@pytest.mark.parametrize("lang", list(REASONS))
def test_the_reasons_of_outliers_are_worded_in_the_language(lang):
    """`whys` (the quality page and the upload preview): every reason a value has, its
    figures written the language's way (one decimal; the median rounded half to even)."""
    nan = float("nan")
    found = pd.DataFrame(
        {
            "z": [5.0, nan, -4.2, 1.0, 3.6],
            "n": [10, 3, 8, 9, 5742],
            "median": [1.5, 2.0, 3.25, 1.0, 0.0],
            "value": [10.0, -1.0, 200.0, 5.0, 7.0],
            "min_value": [nan, 0.0, nan, 0.0, nan],
            "max_value": [nan, nan, 100.0, 4.5, nan],
        }
    )
    with i18n.language(lang):
        assert outliers.whys(found, 3.5) == REASONS[lang]
