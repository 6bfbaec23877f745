"""The arithmetic behind the overview: progress, status, spending and milestones."""

import datetime as dt

import pytest

from monitoring.reports import grants, overview
from tests.conftest import indicator_row as indicator
from tests.conftest import insert
from tests.conftest import value_row as value

Q1 = dt.date(2021, 3, 31)
Q2 = dt.date(2021, 6, 30)
SHARE_Q2 = 181 / 546  # days of the programme elapsed at the end of 2021Q2


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


def test_an_empty_region_list_counts_no_region_never_all(logframe, settings):
    nothing = overview.indicator_progress(logframe, settings, Q2, [])
    assert set(nothing.status) == {"no_data"}
    assert nothing.actual.isna().all()


# Spending of a donor's regions: the small grants tied to them ----------------------------


def grant(gid, org, awarded_on, amount, region=None, end_on=None, currency="USD", **kw):
    row = dict(
        grant_id=gid,
        org_id=org,
        title=f"Grant {gid}",
        region_code=region,
        awarded_on=awarded_on,
        end_on=end_on,
        amount=amount,
        currency=currency,
        status="active",
    )
    row.update(kw)
    return row


def payment(tid, date, kind, amount, grant_id=None, currency="USD"):
    return dict(
        transaction_id=tid,
        grant_id=grant_id,
        date=date,
        kind=kind,
        amount=amount,
        currency=currency,
        budget_line="4.1" if grant_id else "1.1",
    )


@pytest.fixture
def grants_in_regions(db):
    insert(
        db,
        "regions",
        [
            dict(region_code="UZ-JI", name_en="Jizzakh"),
            dict(region_code="UZ-NG", name_en="Namangan"),
        ],
    )
    insert(
        db,
        "organisations",
        [
            dict(org_id="ORG-JI", name="Jizzakh CSO", kind="cso", region_code="UZ-JI"),
            dict(org_id="ORG-NG", name="Namangan CSO", kind="cso", region_code="UZ-NG"),
        ],
    )
    insert(db, "exchange_rates", [dict(currency="UZS", month="2021-02", per_usd=10000)])
    insert(
        db,
        "budget",
        [dict(budget_line="1.1", category="staff", period="2021Q1", amount=9000, currency="USD")],
    )
    insert(
        db,
        "grants",
        [
            # Jizzakh through its organisation; 100 days, 90 of them gone by 31 March
            grant("GJ1", "ORG-JI", "2021-01-01", 1000, end_on="2021-04-10"),
            # Jizzakh by its own region (the organisation is in Namangan); no end date: it
            # runs to the programme's end; 10,000,000 UZS = 1,000 USD at February's rate
            grant("GJ2", "ORG-NG", "2021-02-01", 10_000_000, region="UZ-JI", currency="UZS"),
            # March has no rate: left out of the budget, counted
            grant("GJ3", "ORG-JI", "2021-03-05", 3_000_000, end_on="2021-06-30", currency="UZS"),
            grant("GJX", "ORG-JI", "2021-01-15", 5000, end_on="2021-06-30", status="cancelled"),
            grant("GLATE", "ORG-JI", "2021-04-05", 700, end_on="2021-06-30"),
            grant("GN", "ORG-NG", "2021-01-01", 2000, end_on="2021-12-31"),
        ],
    )
    insert(
        db,
        "transactions",
        [
            payment("P1", "2021-02-01", "expenditure", 400),  # project spending, no region
            payment("J1", "2021-01-10", "disbursement", 600, "GJ1"),
            payment("J2", "2021-02-15", "expenditure", 300, "GJ1"),
            payment("J3", "2021-03-01", "refund", 20, "GJ1"),
            payment("J4", "2021-04-01", "expenditure", 100, "GJ1"),  # after 31 March
            payment("J5", "2021-02-10", "disbursement", 5_000_000, "GJ2", "UZS"),
            payment("J6", "2021-02-20", "expenditure", 2_000_000, "GJ2", "UZS"),
            payment("J7", "2021-03-10", "expenditure", 100_000, "GJ3", "UZS"),  # no rate
            payment("X1", "2021-01-20", "expenditure", 50, "GJX"),  # cancelled grant
            payment("N1", "2021-02-01", "expenditure", 900, "GN"),
        ],
    )
    return db


def test_spending_of_regions_is_that_of_their_small_grants(grants_in_regions, settings):
    summary = overview.spending_summary(grants_in_regions, settings, Q1, ["UZ-JI"])
    assert summary.basis == overview.SMALL_GRANTS
    assert summary.budget_total == 2000  # GJ1 + GJ2; GJ3 has no rate, GJX is cancelled
    assert summary.budget_rows_without_rate == 1
    # Each award spread over its days: GJ1 90 of 100 days, GJ2 59 of 515 (1 Feb 2021 to the
    # programme's end, 30 June 2022), in exact decimals rounded to the cent (docs/spending.md):
    # 900 + 114.5631... = 1014.56.
    planned = 1014.56
    assert summary.budget_to_date == planned
    assert summary.spent_to_date == pytest.approx(300 - 20 + 200)  # J2 - J3 + J6
    assert summary.disbursed_to_date == pytest.approx(600 + 500)  # J1 + J5
    assert summary.transactions_without_rate == 1  # J7
    assert summary.time_share == pytest.approx(planned / 2000)
    assert summary.burn_rate == pytest.approx(480 / planned)
    assert summary.burn_rate == pytest.approx(summary.against_plan)


def test_spending_of_another_region_and_of_no_region(grants_in_regions, settings):
    namangan = overview.spending_summary(grants_in_regions, settings, Q1, ["UZ-NG"])
    assert (namangan.budget_total, namangan.spent_to_date) == (2000, 900)
    assert namangan.budget_to_date == 493.15  # 2000 x 90 / 365 = 493.1506..., to the cent
    nowhere = overview.spending_summary(grants_in_regions, settings, Q1, [])
    assert (nowhere.budget_total, nowhere.spent_to_date, nowhere.burn_rate) == (0, 0, None)
    assert overview.burn_rate_verdict(nowhere.burn_rate, settings) == "no budget"


def test_without_regions_spending_is_the_programmes(grants_in_regions, settings):
    summary = overview.spending_summary(grants_in_regions, settings, Q1)
    assert summary.basis == overview.PROGRAMME
    assert summary.budget_total == 9000
    # every expenditure less refunds up to 31 March, grants or not (J7 has no rate)
    assert summary.spent_to_date == pytest.approx(400 + 300 - 20 + 200 + 50 + 900)
    assert summary.time_share == pytest.approx(90 / 546)


def test_the_overview_and_the_grants_page_agree_on_a_regions_small_grants(
    grants_in_regions, settings
):
    summary = overview.spending_summary(grants_in_regions, settings, Q1, ["UZ-JI"])
    position = grants.grant_position(
        grants_in_regions, settings, Q1, grants.SpendingFilters(regions=("UZ-JI",))
    )
    total = grants.grant_totals(position)
    assert set(position[position.level == "grant"].grant_id) == {"GJ1", "GJ2", "GJ3", "GJX"}
    assert (float(total.awarded), float(total.spent)) == (
        summary.budget_total,
        pytest.approx(summary.spent_to_date),
    )
    assert float(total.disbursed) == pytest.approx(summary.disbursed_to_date)


def test_an_empty_region_list_keeps_no_grant_and_no_amount(grants_in_regions, settings):
    none = grants.SpendingFilters(regions=())
    position = grants.grant_position(grants_in_regions, settings, Q1, none)
    assert position[position.level == "grant"].empty
    assert grants.unconverted_amounts(grants_in_regions, Q1, "USD", []).empty


def test_amounts_without_a_rate_of_a_region_are_its_grants_transactions(grants_in_regions):
    insert(
        grants_in_regions,
        "budget",
        [dict(budget_line="1.1", category="staff", period="2021Q2", amount=1, currency="UZS")],
    )
    everything = grants.unconverted_amounts(grants_in_regions, Q1, "USD")
    assert set(everything.reference) == {"J7", "1.1 2021Q2"}
    jizzakh = grants.unconverted_amounts(grants_in_regions, Q1, "USD", ["UZ-JI"])
    assert jizzakh.reference.tolist() == ["J7"]  # the budget is not split by region
    assert grants.unconverted_amounts(grants_in_regions, Q1, "USD", ["UZ-NG"]).empty


def test_a_regional_view_counts_indicators_without_a_regional_target(logframe, settings):
    # Namangan alone: SUM is a count whose target is the programme's; ORG has no value there
    progress = overview.indicator_progress(logframe, settings, Q2, ["UZ-NG"])
    counts = overview.status_counts(progress).set_index("group")
    assert list(counts.columns)[-2:] == ["no_target", "total"]
    assert counts.loc["Outcome 1", "total"] == 4  # every indicator counted once
    assert counts.loc["Outcome 1", "no_target"] == 1  # SUM
    assert counts.loc["Outcome 1", "no_data"] == 2  # ORG, NONE
    assert counts.total.sum() == len(progress)
    everywhere = overview.status_counts(overview.indicator_progress(logframe, settings, Q2))
    assert "no_target" not in everywhere.columns
