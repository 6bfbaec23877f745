"""The arithmetic behind the overview: progress, status, spending and milestones."""

import datetime as dt

import pytest

from monitoring import overview
from tests.conftest import insert

Q1 = dt.date(2021, 3, 31)
Q2 = dt.date(2021, 6, 30)
SHARE_Q2 = 181 / 546  # days of the programme elapsed at the end of 2021Q2


def indicator(code, **kw):
    row = dict(
        indicator_code=code,
        level="outcome",
        outcome=1,
        title=f"Indicator {code}",
        unit="number",
        direction="increase",
        aggregation="sum",
        baseline=0,
        target=100,
    )
    row.update(kw)
    return row


def value(code, period, region, value, **kw):
    return dict(indicator_code=code, period=period, region_code=region, value=value, **kw)


@pytest.fixture
def logframe(db):
    insert(
        db,
        "indicators",
        [
            indicator("SUM"),
            indicator(
                "DEC",
                unit="percent",
                direction="decrease",
                aggregation="latest",
                baseline=40,
                target=20,
            ),
            indicator("NONE", unit="percent", aggregation="mean", target=80),
            indicator("ORG", target=100),
            indicator(
                "GOAL",
                level="goal",
                outcome=None,
                unit="percent",
                aggregation="latest",
                baseline=None,
                target=50,
            ),
        ],
    )
    insert(
        db,
        "indicator_values",
        [
            value("SUM", "2021Q1", "UZ-JI", 10),
            # breakdown rows are parts of the total above, never added to it
            value("SUM", "2021Q1", "UZ-JI", 6, sex="female"),
            value("SUM", "2021Q1", "UZ-JI", 4, sex="male"),
            value("SUM", "2021Q1", "UZ-JI", 7, age_group="15-29"),
            value("SUM", "2021Q2", "UZ-JI", 20),
            value("SUM", "2021Q2", "UZ-NG", 30),
            value("DEC", "2021Q1", "UZ-JI", 35),
            value("DEC", "2021Q2", "UZ-JI", 30),
            value("DEC", "2021Q1", "UZ-NG", 39),
            # no region-level row: the region's value is its organisations' sum
            value("ORG", "2021Q1", "UZ-JI", 5, org_id="CSO-1"),
            value("ORG", "2021Q1", "UZ-JI", 7, org_id="CSO-2"),
            value("GOAL", "2021Q2", "UZ-JI", 30),
            value("GOAL", "2022Q1", "UZ-JI", 60),  # after the reporting dates used below
        ],
    )
    return db


def by_code(frame):
    return frame.set_index("indicator_code")


def test_sum_indicators_cumulate_totals_only_up_to_the_reporting_date(logframe, settings):
    q1 = by_code(overview.indicator_progress(logframe, settings, Q1))
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q1.loc["SUM", "actual"] == 10
    assert q2.loc["SUM", "actual"] == 60
    assert q2.loc["SUM", "last_period"] == "2021Q2"


def test_latest_takes_each_regions_latest_value_and_averages_percentages(logframe, settings):
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q2.loc["DEC", "actual"] == pytest.approx((30 + 39) / 2)


def test_progress_of_a_decrease_counts_a_fall_as_progress(logframe, settings):
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q2.loc["DEC", "progress"] == pytest.approx((34.5 - 40) / (20 - 40))


def test_organisation_rows_make_the_region_total(logframe, settings):
    q1 = by_code(overview.indicator_progress(logframe, settings, Q1))
    assert q1.loc["ORG", "actual"] == 12


def test_later_values_are_ignored_and_missing_values_are_no_data(logframe, settings):
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q2.loc["GOAL", "actual"] == 30  # the 2022Q1 value is not yet known at 2021Q2
    assert q2.loc["GOAL", "progress"] == pytest.approx(30 / 50)  # no baseline: actual/target
    assert q2.loc["NONE", "status"] == "no_data"
    assert q2.loc["NONE", "actual"] is None or q2.loc["NONE", "actual"] != q2.loc["NONE", "actual"]


def test_status_rule_compares_progress_with_time_elapsed(logframe, settings):
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q2.loc["SUM", "expected"] == pytest.approx(SHARE_Q2)
    assert q2.loc["SUM", "status"] == "on_track"  # 0.60 >= 0.9 x 0.33
    assert q2.loc["DEC", "status"] == "at_risk"  # 0.275: between 0.6 x and 0.9 x 0.33
    assert q2.loc["ORG", "status"] == "behind"  # 0.12 < 0.6 x 0.33
    assert q2.loc["ORG", "progress"] == pytest.approx(0.12)


def test_a_period_target_sets_the_expected_progress(logframe, settings):
    insert(
        logframe,
        "indicator_targets",
        [
            dict(indicator_code="SUM", period="2021Q2", region_code="UZ-JI", target=50),
            dict(indicator_code="SUM", period="2021Q2", region_code="UZ-NG", target=50),
        ],
    )
    q2 = by_code(overview.indicator_progress(logframe, settings, Q2))
    assert q2.loc["SUM", "expected"] == pytest.approx(1.0)
    assert q2.loc["SUM", "expected_from"] == "period target"
    assert q2.loc["SUM", "status"] == "at_risk"  # 0.60 of 1.0: at least 0.6, below 0.9


def test_region_filter_limits_the_values(logframe, settings):
    only_ng = by_code(overview.indicator_progress(logframe, settings, Q2, ["UZ-NG"]))
    assert only_ng.loc["SUM", "actual"] == 30


def test_status_counts_per_outcome(logframe, settings):
    counts = overview.status_counts(overview.indicator_progress(logframe, settings, Q2))
    counts = counts.set_index("group")
    assert counts.loc["Goal", "total"] == 1
    assert counts.loc["Outcome 1", "total"] == 4
    assert counts.loc["Outcome 1", "no_data"] == 1
    assert list(counts.columns[:4]) == ["on_track", "at_risk", "behind", "no_data"]


def test_needs_attention_puts_behind_first(logframe, settings):
    attention = overview.needs_attention(overview.indicator_progress(logframe, settings, Q2))
    assert list(attention.status) == sorted(
        attention.status, key=["behind", "at_risk", "no_data"].index
    )
    assert "SUM" not in set(attention.indicator_code)


def test_spending_converts_uzs_by_month_and_refunds_reduce_spending(db, settings):
    insert(db, "exchange_rates", [dict(currency="UZS", month="2021-02", per_usd=10000)])
    insert(
        db,
        "budget",
        [
            dict(budget_line="1", category="staff", period="2021Q1", amount=1000, currency="USD"),
            dict(budget_line="1", category="staff", period="2021Q2", amount=1000, currency="USD"),
        ],
    )
    insert(
        db,
        "transactions",
        [
            dict(
                transaction_id="T1",
                date="2021-02-10",
                kind="expenditure",
                amount=5000000,
                currency="UZS",
                budget_line="1",
            ),
            dict(
                transaction_id="T2",
                date="2021-03-10",
                kind="expenditure",
                amount=300,
                currency="USD",
                budget_line="1",
            ),
            dict(
                transaction_id="T3",
                date="2021-03-20",
                kind="refund",
                amount=50,
                currency="USD",
                budget_line="1",
            ),
            dict(
                transaction_id="T4",
                date="2021-03-21",
                kind="expenditure",
                amount=100,
                currency="UZS",
                budget_line="1",
            ),  # March has no rate: flagged, not guessed
            dict(
                transaction_id="T5",
                date="2021-05-01",
                kind="expenditure",
                amount=999,
                currency="USD",
                budget_line="1",
            ),  # after the reporting date
        ],
    )
    summary = overview.spending_summary(db, settings, Q1)
    assert summary.spent_to_date == pytest.approx(500 + 300 - 50)
    assert summary.transactions_without_rate == 1
    assert summary.budget_total == 2000
    assert summary.budget_to_date == 1000
    assert summary.against_plan == pytest.approx(0.75)
    assert summary.burn_rate == pytest.approx((750 / 2000) / (90 / 546))
    assert overview.burn_rate_verdict(summary.burn_rate, settings) == "overspending"


def test_milestone_status_follows_the_reporting_date(db):
    rows = [
        dict(
            milestone_id="A", planned_on="2021-04-15", achieved_on="2021-04-16", status="achieved"
        ),
        dict(
            milestone_id="B", planned_on="2021-05-01", achieved_on="2021-09-01", status="achieved"
        ),
        dict(milestone_id="C", planned_on="2021-12-01", achieved_on=None, status="planned"),
        dict(milestone_id="D", planned_on="2021-05-01", achieved_on=None, status="dropped"),
    ]
    insert(
        db,
        "milestones",
        [dict(title=r["milestone_id"], stage=2, level="regional", **r) for r in rows],
    )
    q2 = overview.milestone_summary(db, Q2)
    assert (q2.planned_to_date, q2.achieved_of_planned_to_date, q2.overdue) == (2, 1, 1)
    q4 = overview.milestone_summary(db, dt.date(2021, 12, 31))
    assert (q4.planned_to_date, q4.achieved_to_date, q4.overdue, q4.planned_total) == (3, 2, 1, 3)
