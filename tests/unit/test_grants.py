"""The arithmetic behind the grant spending page: conversions, variance, burn rate, flags."""

import datetime as dt
import textwrap
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from monitoring.db import Database
from monitoring.reports import grants, overview
from monitoring.reports.grants import SpendingFilters
from monitoring.settings import load_settings
from tests.conftest import SETTINGS_TOML, insert

Q1 = dt.date(2021, 3, 31)
Q2 = dt.date(2021, 6, 30)
END = dt.date(2022, 6, 30)
SHARE_Q1 = 90 / 546  # days of the programme (2021-01-01 to 2022-06-30) elapsed by 2021Q1
USD = SpendingFilters(currency="USD")
UZS = SpendingFilters(currency="UZS")


def sql(db, statement, **params):
    with db.cursor() as cur:
        return cur.execute(statement, params).fetchall()


def tx(tid, date, kind, amount, currency="USD", line="1", grant=None):
    return dict(
        transaction_id=tid,
        grant_id=grant,
        date=date,
        kind=kind,
        amount=amount,
        currency=currency,
        budget_line=line,
    )


def budget_row(line, period, amount, category="staff", currency="USD"):
    return dict(
        budget_line=line, category=category, period=period, amount=amount, currency=currency
    )


def rate(month, per_usd):
    return dict(currency="UZS", month=month, per_usd=per_usd)


def row(frame, **where):
    """The one row of `frame` matching every column = value in `where`."""
    mask = True
    for column, value in where.items():
        mask = mask & (frame[column] == value)
    match = frame[mask]
    assert len(match) == 1, f"{len(match)} rows match {where}"
    return match.iloc[0]


# Exact money ------------------------------------------------------------------------------


def test_duckdb_divides_decimals_in_floating_point_so_money_div_is_needed(file_db):
    db = file_db
    # The reason for money_div (queries/schema.sql): if DuckDB ever keeps DECIMAL here,
    # the macro can go.
    kind = sql(db, "select typeof(cast(1 as decimal(18, 2)) / cast(3 as decimal(18, 6)))")
    assert kind == [("DOUBLE",)]
    assert sql(db, "select typeof(money_div(1, 3))") == [("DECIMAL(38,10)",)]


@pytest.mark.parametrize(
    "n, d",
    [
        ("1000000", "10471.35"),
        ("1", "3"),
        ("2", "3"),
        ("-2", "3"),
        ("0.005", "1"),
        ("0.00000000005", "1"),  # exactly half a unit of the 10th place: rounded away from 0
        ("52000000.00", "10682.900000"),
        ("99999999999999.99", "0.000001"),
        ("123456789.12", "11186.4"),
    ],
)
def test_money_div_is_exact_to_ten_places_rounded_half_away_from_zero(db, n, d):
    with localcontext(prec=60):
        expected = (Decimal(n) / Decimal(d)).quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
    got = sql(
        db, "select money_div(cast($n as decimal(38, 12)), cast($d as decimal(38, 6)))", n=n, d=d
    )
    assert got == [(expected,)]


def test_sums_of_converted_amounts_are_rounded_once_not_in_floating_point(db, settings):
    # Three expenditures of 5 UZS at 1000 UZS per USD: 0.005 USD each, 0.015 in all.
    # Rounded once, half away from zero: 0.02. A DOUBLE sum would give 0.01.
    insert(db, "exchange_rates", [rate("2021-02", 1000)])
    insert(db, "budget", [budget_row("1", "2021Q1", 100)])
    insert(
        db, "transactions", [tx(f"T{i}", "2021-02-10", "expenditure", 5, "UZS") for i in range(3)]
    )
    lines = grants.budget_vs_actual(db, settings, Q1, USD)
    assert row(lines, level="total").spent == 0.02


# Conversions ------------------------------------------------------------------------------


@pytest.fixture
def converted(db):
    insert(db, "exchange_rates", [rate("2021-02", 10471.35), rate("2021-03", 10000)])
    insert(db, "budget", [budget_row("1", "2021Q1", 1000), budget_row("2", "2021Q1", 100)])
    insert(
        db,
        "transactions",
        [
            tx("UZS-FEB", "2021-02-10", "expenditure", 1047135, "UZS", line="1"),
            tx("USD-FEB", "2021-02-11", "expenditure", 100, "USD", line="2"),
        ],
    )
    return db


def test_uzs_is_converted_to_usd_at_the_rate_of_its_month(converted, settings):
    lines = grants.budget_vs_actual(converted, settings, Q1, USD)
    assert row(lines, level="line", budget_line="1").spent == 100.00  # 1,047,135 / 10,471.35
    assert row(lines, level="line", budget_line="2").spent == 100.00  # USD is USD


def test_usd_is_converted_to_uzs_by_multiplying_with_the_rate_of_its_month(converted, settings):
    lines = grants.budget_vs_actual(converted, settings, Q1, UZS)
    assert row(lines, level="line", budget_line="2").spent == 1047135.00  # 100 x 10,471.35
    assert row(lines, level="line", budget_line="1").spent == 1047135.00  # UZS stays UZS
    assert row(lines, level="total").spent == 2094270.00


def test_a_budget_quarter_uses_the_mean_rate_of_its_three_months(db, settings):
    insert(
        db, "exchange_rates", [rate("2021-01", 1000), rate("2021-02", 2000), rate("2021-03", 3000)]
    )
    insert(db, "budget", [budget_row("1", "2021Q1", 3000000, currency="UZS")])
    lines = grants.budget_vs_actual(db, settings, Q1, USD)
    assert row(lines, level="total").budget_total == 1500.00  # 3,000,000 / 2,000
    lines = grants.budget_vs_actual(db, settings, Q1, UZS)
    assert row(lines, level="total").budget_total == 3000000.00


def test_a_month_without_a_rate_is_flagged_and_left_out_never_guessed(db, settings):
    insert(db, "exchange_rates", [rate("2021-02", 10000)])
    insert(db, "budget", [budget_row("1", "2021Q1", 1000, currency="UZS")])  # Jan, Mar missing
    insert(
        db,
        "transactions",
        [
            tx("FEB", "2021-02-10", "expenditure", 1000000, "UZS"),
            tx("MAR", "2021-03-10", "expenditure", 500000, "UZS"),  # March has no rate
            tx("USD", "2021-03-11", "expenditure", 40, "USD"),
        ],
    )
    usd = grants.budget_vs_actual(db, settings, Q1, USD)
    total = row(usd, level="total")
    assert total.spent == 100 + 40
    assert total.transactions_without_rate == 1
    assert total.budget_rows_without_rate == 1
    assert total.budget_total == 0
    missing = grants.unconverted_amounts(db, Q1, "USD")
    assert set(missing.reference) == {"MAR", "1 2021Q1"}
    assert row(missing, reference="MAR").rate_month == "2021-03"

    # In UZS the UZS amounts need no rate; the USD one in March does.
    uzs = row(grants.budget_vs_actual(db, settings, Q1, UZS), level="total")
    assert uzs.spent == 1500000
    assert uzs.transactions_without_rate == 1
    assert uzs.budget_total == 1000
    assert list(grants.unconverted_amounts(db, Q1, "UZS").reference) == ["USD"]


def test_a_usd_row_in_exchange_rates_never_changes_usd(db, settings):
    insert(db, "exchange_rates", [dict(currency="USD", month="2021-02", per_usd=2)])
    insert(db, "budget", [budget_row("1", "2021Q1", 100)])
    insert(db, "transactions", [tx("T", "2021-02-10", "expenditure", 100)])
    assert row(grants.budget_vs_actual(db, settings, Q1, USD), level="total").spent == 100


# Budget against actual --------------------------------------------------------------------


@pytest.fixture
def ledger(db):
    insert(
        db,
        "budget",
        [
            budget_row("1.1", "2021Q1", 1000, "staff"),
            budget_row("1.1", "2021Q2", 1000, "staff"),
            budget_row("2.1", "2021Q1", 400, "research"),
            budget_row("2.1", "2021Q3", 600, "research"),
        ],
    )
    insert(
        db,
        "transactions",
        [
            tx("A", "2021-01-20", "expenditure", 500, line="1.1"),
            tx("B", "2021-03-10", "expenditure", 300, line="1.1"),
            tx("C", "2021-03-20", "refund", 50, line="1.1"),
            tx("D", "2021-03-21", "commitment", 9999, line="1.1"),  # not spending
            tx("E", "2021-03-22", "disbursement", 8888, line="1.1"),  # not spending
            tx("F", "2021-02-01", "expenditure", 500, line="2.1"),
            tx("G", "2021-03-01", "expenditure", 70, line="9.9"),  # a line not in the budget
            tx("H", "2021-05-01", "expenditure", 999, line="1.1"),  # after 2021Q1
        ],
    )
    return db


def test_refunds_reduce_spending_and_later_transactions_are_ignored(ledger, settings):
    line = row(grants.budget_vs_actual(ledger, settings, Q1, USD), level="line", budget_line="1.1")
    assert (line.expenditure, line.refunds, line.spent) == (800, 50, 750)


def test_variance_is_spent_less_the_budget_planned_to_date(ledger, settings):
    lines = grants.budget_vs_actual(ledger, settings, Q1, USD)
    staff = row(lines, level="line", budget_line="1.1")
    assert (staff.budget_total, staff.budget_to_date) == (2000, 1000)
    assert staff.variance == -250
    assert staff.variance_share == pytest.approx(-0.25)
    assert staff.spent_share == pytest.approx(750 / 2000)
    assert staff.against_plan == "under"  # 0.75 of the plan < 0.8
    research = row(lines, level="line", budget_line="2.1")
    assert research.variance == 100
    assert research.variance_share == pytest.approx(0.25)
    assert research.against_plan == "over"  # 1.25 > 1.1


def test_burn_rate_is_share_spent_over_share_of_time_elapsed(ledger, settings):
    lines = grants.budget_vs_actual(ledger, settings, Q1, USD)
    staff = row(lines, level="line", budget_line="1.1")
    assert staff.burn_rate == pytest.approx((750 / 2000) / SHARE_Q1)
    assert staff.pace == "overspending"  # 2.28 > 1.1
    total = row(lines, level="total")
    assert total.spent == 750 + 500 + 70
    assert total.burn_rate == pytest.approx((1320 / 3000) / SHARE_Q1)


def test_the_quarter_range_limits_budget_spending_and_time(ledger, settings):
    only_h1 = SpendingFilters(first="2021Q1", last="2021Q2")
    lines = grants.budget_vs_actual(ledger, settings, Q1, only_h1)
    staff = row(lines, level="line", budget_line="1.1")
    research = row(lines, level="line", budget_line="2.1")
    assert research.budget_total == 400  # the 2021Q3 budget is outside the range
    assert staff.burn_rate == pytest.approx((750 / 2000) / (90 / 181))
    later = grants.budget_vs_actual(ledger, settings, Q2, SpendingFilters(first="2021Q2"))
    assert row(later, level="line", budget_line="1.1").spent == 999  # Q1 spending is before


def test_lines_roll_up_to_categories_and_a_total(ledger, settings):
    lines = grants.budget_vs_actual(ledger, settings, Q1, USD)
    assert set(lines.level) == {"line", "category", "total"}
    unbudgeted = row(lines, level="line", budget_line="9.9")
    assert unbudgeted.category == "" and unbudgeted.budget_total == 0
    assert unbudgeted.against_plan == "unplanned"
    assert row(lines, level="category", category="staff").spent == 750
    table = grants.budget_table(lines, "category", "USD")
    assert "(not in the budget)" in set(table.Category)
    assert "Variance (USD)" in table.columns and "Against plan" in table.columns
    assert set(table["Against plan"]) <= set(grants.PLAN_TEXT.values())


def test_the_category_filter_keeps_only_its_lines(ledger, settings):
    staff_only = SpendingFilters(categories=("staff",))
    lines = grants.budget_vs_actual(ledger, settings, Q1, staff_only)
    assert set(lines[lines.level == "line"].budget_line) == {"1.1"}
    assert row(lines, level="total").spent == 750
    quarters = grants.quarterly_spending(ledger, settings, Q1, staff_only)
    assert row(quarters, period="2021Q1").spent == 750


def test_quarters_cumulate_and_later_quarters_have_a_plan_but_no_spending(ledger, settings):
    quarters = grants.quarterly_spending(ledger, settings, Q1, USD)
    assert list(quarters.period) == [
        "2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"
    ]  # fmt: skip
    q1 = row(quarters, period="2021Q1")
    assert (q1.budget, q1.spent, q1.variance) == (1400, 1320, -80)
    assert q1.variance_share == pytest.approx(-80 / 1400)
    q3 = row(quarters, period="2021Q3")
    assert q3.cumulative_budget == 3000
    assert q3.spent != q3.spent and q3.cumulative_spent != q3.cumulative_spent  # NaN: not yet
    q2 = grants.quarterly_spending(ledger, settings, Q2, USD)
    assert row(q2, period="2021Q2").cumulative_spent == 1320 + 999


@pytest.mark.parametrize(
    "spent, planned, verdict",
    [
        (79, 100, "under"),
        (80, 100, "on"),
        (110, 100, "on"),
        (111, 100, "over"),
        (0, 0, "nothing_planned"),
        (5, 0, "unplanned"),
    ],
)
def test_plan_verdict_uses_the_burn_rate_thresholds(settings, spent, planned, verdict):
    assert grants.plan_verdict(spent, planned, settings) == verdict


def test_filters_in_plain_words(settings):
    with pytest.raises(grants.SpendingError, match="Choose one of USD, UZS"):
        grants.check_currency("EUR")
    assert grants.check_currency(" uzs ") == "UZS"
    with pytest.raises(grants.SpendingError, match="from 2021Q1 to 2022Q2"):
        grants.quarter_range(settings, SpendingFilters(first="2020Q4"))
    with pytest.raises(grants.SpendingError, match="after it ends"):
        grants.quarter_range(settings, SpendingFilters(first="2022Q1", last="2021Q1"))


# Small grants -----------------------------------------------------------------------------


def grant(gid, org, amount, currency="USD", awarded_on="2021-02-01", **kw):
    return dict(
        grant_id=gid,
        org_id=org,
        title=f"Grant {gid}",
        awarded_on=awarded_on,
        amount=amount,
        currency=currency,
        **kw,
    )


@pytest.fixture
def portfolio(db):
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
            dict(org_id="JI-1", name="Jizzakh group", kind="cswg", region_code="UZ-JI"),
            dict(org_id="NG-1", name="Namangan group", kind="cswg", region_code="UZ-NG"),
        ],
    )
    insert(
        db,
        "exchange_rates",
        [rate("2021-02", 10000), rate("2021-03", 12000), rate("2021-04", 12500)],
    )
    insert(
        db,
        "grants",
        [
            grant("OVER", "JI-1", 1000, end_on="2021-05-31", status="closed"),
            # region empty: the organisation's region (Namangan)
            grant("UZS", "NG-1", 10000000, "UZS", end_on="2021-12-31", status="active"),
            grant("STALE", "NG-1", 2000, region_code="UZ-NG", status="active"),
            grant("GONE", "JI-1", 5000, status="cancelled"),
            grant("LATER", "JI-1", 700, awarded_on="2021-07-01"),
        ],
    )
    insert(
        db,
        "transactions",
        [
            tx("O1", "2021-02-01", "commitment", 1000, grant="OVER", line="4"),
            tx("O2", "2021-02-05", "disbursement", 1000, grant="OVER", line="4"),
            tx("O3", "2021-02-25", "expenditure", 700, grant="OVER", line="4"),
            tx("O4", "2021-03-25", "expenditure", 400, grant="OVER", line="4"),
            tx("O5", "2021-04-10", "refund", 50, grant="OVER", line="4"),  # net 1050 > 1000
            # The whole UZS award spent: worth less in USD at the later rate, never flagged.
            tx("U1", "2021-02-02", "disbursement", 10000000, "UZS", grant="UZS", line="4"),
            tx("U2", "2021-03-30", "expenditure", 10000000, "UZS", grant="UZS", line="4"),
            tx("S1", "2021-02-10", "disbursement", 1000, grant="STALE", line="4"),
            tx("S2", "2021-02-20", "expenditure", 300, grant="STALE", line="4"),
            tx("S3", "2021-03-01", "disbursement", 500, grant="STALE", line="4"),
        ],
    )
    return db


def grants_at(db, settings, as_of, filters=USD):
    return grants.grant_position(db, settings, as_of, filters)


def test_each_grant_from_award_to_spending(portfolio, settings):
    frame = grants_at(portfolio, settings, Q2)
    over = row(frame, level="grant", grant_id="OVER")
    assert (over.awarded, over.committed, over.disbursed) == (1000, 1000, 1000)
    assert (over.expenditure, over.refunds, over.spent, over.balance) == (1100, 50, 1050, -50)
    uzs = row(frame, level="grant", grant_id="UZS")
    assert uzs.awarded == 1000.00  # 10,000,000 UZS at the February rate
    assert uzs.spent == pytest.approx(833.33)  # at the March rate (12,000)
    assert uzs.region_code == "UZ-NG" and uzs.region_name == "Namangan"
    assert "LATER" not in set(frame.grant_id)  # awarded after the reporting date


def test_spending_beyond_the_award_is_flagged_in_the_grants_own_currency(portfolio, settings):
    frame = grants_at(portfolio, settings, Q2)
    over = row(frame, level="grant", grant_id="OVER")
    assert over.beyond_award
    assert over.flag_text == "▲ Spent beyond the award by 50.00 USD"
    uzs = row(frame, level="grant", grant_id="UZS")
    assert not uzs.beyond_award and uzs.balance_in_grant_currency == 0
    assert uzs.flag_text == ""
    # As of 2021Q1, before the refund, 1100 had been spent: over by 100.
    q1 = row(grants_at(portfolio, settings, Q1), level="grant", grant_id="OVER")
    assert q1.flag_text == "▲ Spent beyond the award by 100.00 USD"


@pytest.mark.parametrize(
    "as_of, stale_days, flagged",
    [
        (dt.date(2021, 5, 29), 90, False),  # 89 days after the 1 March disbursement
        (dt.date(2021, 5, 30), 90, True),  # 90 days
        (dt.date(2021, 6, 30), 90, True),
        (dt.date(2021, 6, 30), 200, False),  # a longer setting
    ],
)
def test_a_disbursement_without_spending_after_n_days_is_flagged(
    portfolio, tmp_path, as_of, stale_days, flagged
):
    path = tmp_path / "stale.toml"
    path.write_text(
        textwrap.dedent(SETTINGS_TOML) + f"\n[spending]\nstale_disbursement_days = {stale_days}\n",
        encoding="utf-8",
    )
    frame = grants_at(portfolio, load_settings(path), as_of)
    stale = row(frame, level="grant", grant_id="STALE")
    # Only the 1 March disbursement counts: the 10 February one was followed by spending.
    assert stale.stale_disbursements == (1 if flagged else 0)
    if flagged:
        days = (as_of - dt.date(2021, 3, 1)).days
        assert stale.flag_text == (
            f"◷ No spending reported since a disbursement {days} days before the reporting date"
        )
    else:
        assert stale.flag_text == ""


def test_spending_after_a_disbursement_clears_the_flag(portfolio, settings):
    insert(
        portfolio,
        "transactions",
        [tx("S4", "2021-06-01", "expenditure", 10, grant="STALE", line="4")],
    )
    stale = row(grants_at(portfolio, settings, Q2), level="grant", grant_id="STALE")
    assert stale.stale_disbursements == 0 and stale.flag_text == ""


def test_grant_status_follows_the_reporting_date(portfolio, settings):
    q1 = grants_at(portfolio, settings, Q1).set_index("grant_id")
    q2 = grants_at(portfolio, settings, Q2).set_index("grant_id")
    assert q1.loc["OVER", "status_as_of"] == "active"  # closed on 31 May 2021
    assert q2.loc["OVER", "status_as_of"] == "closed"
    assert q2.loc["GONE", "status_as_of"] == "cancelled"
    table = grants.grants_table(grants_at(portfolio, settings, Q2), "USD")
    assert table.Grant.tolist()[:2] == ["OVER", "STALE"]  # flagged grants first
    assert set(table.Status) <= set(grants.GRANT_STATUS_TEXT.values())


def test_totals_by_region_and_grantee_leave_cancelled_grants_out(portfolio, settings):
    frame = grants_at(portfolio, settings, Q2)
    total = grants.grant_totals(frame)
    assert total.grants == 3
    assert total.awarded == 1000 + 1000 + 2000
    assert row(frame, level="region", region_code="UZ-JI").awarded == 1000
    namangan = row(frame, level="region", region_code="UZ-NG")
    assert namangan.grants == 2 and namangan.grants_with_stale_disbursements == 1
    assert row(frame, level="grantee", org_id="NG-1").grants == 2
    by_region = grants.grant_totals_table(frame, "region", "USD")
    assert by_region.Region.tolist() == ["Jizzakh", "Namangan"]


def test_the_region_filter_uses_the_grants_region_else_its_organisations(portfolio, settings):
    frame = grants_at(portfolio, settings, Q2, SpendingFilters(regions=("UZ-NG",)))
    assert set(frame[frame.level == "grant"].grant_id) == {"UZS", "STALE"}
    assert grants.grant_totals(frame).grants == 2


def test_grant_amounts_in_uzs(portfolio, settings):
    frame = grants_at(portfolio, settings, Q2, UZS)
    uzs = row(frame, level="grant", grant_id="UZS")
    assert (uzs.awarded, uzs.spent, uzs.balance) == (10000000, 10000000, 0)
    over = row(frame, level="grant", grant_id="OVER")
    assert over.awarded == 1000 * 10000  # at the award month's rate
    assert over.spent == 700 * 10000 + 400 * 12000 - 50 * 12500


def test_a_grant_with_an_award_month_without_rate_is_flagged(portfolio, settings):
    insert(portfolio, "grants", [grant("NORATE", "JI-1", 100, awarded_on="2021-01-15")])
    norate = row(grants_at(portfolio, settings, Q2, UZS), level="grant", grant_id="NORATE")
    assert norate.awarded != norate.awarded  # NaN: not converted
    assert norate.flag_text == (
        "⊘ 1 amount(s) without an exchange rate, left out of the converted figures"
    )


# Against the overview, on the sample tables ------------------------------------------------


def test_totals_agree_with_the_overview_on_the_sample_data(sample_db_path, settings):
    db = Database(sample_db_path)
    try:
        for as_of in (Q2, dt.date(2021, 12, 31), END):
            summary = overview.spending_summary(db, settings, as_of)
            total = row(grants.budget_vs_actual(db, settings, as_of, USD), level="total")
            assert total.spent == pytest.approx(summary.spent_to_date, abs=0.005)
            assert total.budget_total == summary.budget_total
            assert total.burn_rate == pytest.approx(summary.burn_rate, rel=1e-6)
    finally:
        db.close()


def test_each_symbol_of_the_grants_page_means_one_thing():
    """A reader tells the keys apart by their symbols too (the words beside them may be cut
    short in a narrow table): within each key every symbol is another, and the flags' icons
    mark nothing else (the grants page had "◷" for a stale disbursement and a grant past its
    end, and "⚠" for under, over and unplanned spending)."""
    keys = (grants.PACE_TEXT, grants.GRANT_STATUS_TEXT, grants.PLAN_TEXT)
    for key in keys:
        symbols = [text.split(" ")[0] for text in key.values()]
        assert len(set(symbols)) == len(symbols), symbols
    flags = {grants.BEYOND_AWARD_ICON, grants.STALE_ICON, grants.NO_RATE_ICON}
    assert len(flags) == 3
    assert not flags & {text.split(" ")[0] for key in keys for text in key.values()}
