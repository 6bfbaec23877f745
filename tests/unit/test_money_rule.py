"""One rule for money on every page (docs/spending.md, "Currency"): the Overview, the Grant
spending page and the regional map give the same figure for the same money, scope and
reporting date, to the cent; on the sample tables and on a synthetic programme whose exchange
rate changes every month (doubling within one quarter) and misses a month, with budget rows
in UZS, where converting in floating point or at a mean of whatever months exist would show.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.periods import period_end, programme_periods
from monitoring.reports import grants, overview
from monitoring.reports import map as map_report
from monitoring.settings import load_settings
from tests.bench import generate
from tests.conftest import ENGINES, sample_database

MISSING_MONTH = "2019-05"  # no UZS rate: 2019Q2 has two of its three months
DEVALUED_FROM = "2017-09"  # the rate doubles in the last month of 2017Q3
UZS_CATEGORIES = ("outreach", "training")  # budgeted in UZS in the synthetic programme
# The benchmark generator's programme at a small scale, cut to three years (12 quarters).
SYNTHETIC = generate.Scale(
    values=2_000, organisations=30, indicators=12, transactions=12_000, milestones=100
)
FIRST_DAY, LAST_DAY = dt.date(2017, 1, 1), dt.date(2019, 12, 31)


def cents(value) -> int:
    """An amount as a whole number of cents (the pages give DECIMALs rounded to cents); none
    (a total over no grant yet) is 0."""
    return 0 if pd.isna(value) else round(float(value) * 100)


def count(value) -> int:
    """A count from a page's totals; none (a total over no grant yet) is 0."""
    return 0 if pd.isna(value) else int(value)


def reporting_dates(settings) -> list[dt.date]:
    """Every quarter end of the programme."""
    return [
        min(period_end(p), settings.programme.end) for p in programme_periods(settings.programme)
    ]


def region_codes(db: Database) -> list[str]:
    with db.cursor() as cur:
        return [r[0] for r in cur.execute("select region_code from regions order by 1").fetchall()]


# The check: the same money, scope and date give the same figure on every page ------------------


def assert_programme_agrees(db: Database, settings, as_of: dt.date) -> None:
    """The whole programme: the Overview against the Grant spending page's total row."""
    summary = overview.spending_summary(db, settings, as_of)
    lines = grants.budget_vs_actual(db, settings, as_of, grants.SpendingFilters())
    total = lines[lines.level == "total"].iloc[0]
    for mine, theirs in (
        (summary.budget_total, total.budget_total),
        (summary.budget_to_date, total.budget_to_date),
        (summary.spent_to_date, total.spent),
    ):
        assert cents(mine) == cents(theirs), as_of
    assert summary.budget_rows_without_rate == total.budget_rows_without_rate, as_of


def position_of(db: Database, settings, as_of: dt.date, regions: list[str] | None):
    """The Grant spending page's small grants over `regions` (None: all)."""
    filters = grants.SpendingFilters(regions=None if regions is None else tuple(regions))
    return grants.grant_position(db, settings, as_of, filters)


def assert_overview_agrees(db, settings, as_of, regions: list[str], position) -> None:
    """The small grants of `regions`: the Overview (a share link's view) against the Grant
    spending page's totals for the same regions."""
    summary = overview.spending_summary(db, settings, as_of, regions)
    total = grants.grant_totals(position)
    for mine, theirs in (
        (summary.budget_total, total.awarded),
        (summary.spent_to_date, total.spent),
        (summary.disbursed_to_date, total.disbursed),
    ):
        assert cents(mine) == cents(theirs), (as_of, regions)
    without_rate = summary.transactions_without_rate + summary.budget_rows_without_rate
    assert without_rate == count(total.amounts_without_rate), (as_of, regions)


def assert_same_grant_money(shown, page, where) -> None:
    """A row of the map against the same grants' row on the Grant spending page."""
    assert int(shown.grants_awarded) == count(page.grants), where
    assert cents(shown.awarded_usd) == cents(page.awarded), where
    # received = disbursed - refunds, rounded once; the page rounds each of the two
    received = cents(page.disbursed) - cents(page.refunds)
    assert abs(cents(shown.received_usd) - received) <= 1, where


def assert_map_agrees(db, settings, as_of, regions: list[str] | None, position) -> None:
    """Each region's grant money on the map (and, over all regions, each organisation's)
    against the Grant spending page's rows for the same grants."""
    period = f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
    assert map_report.money_date(settings, period) == as_of
    activity = map_report.region_activity(db, settings, period, regions).set_index("region_code")
    by_region = position[position.level == "region"].set_index("region_code")
    for code, page in by_region.iterrows():
        assert_same_grant_money(activity.loc[code], page, (as_of, code))
    for code in activity.index.difference(by_region.index):  # regions without a grant
        assert activity.at[code, "grants_awarded"] == 0, (as_of, code)
        assert activity.at[code, "awarded_usd"] == activity.at[code, "received_usd"] == 0
    if regions is None:
        points = map_report.organisation_points(db, settings, period).set_index("org_id")
        by_grantee = position[position.level == "grantee"].set_index("org_id")
        for org_id, page in by_grantee.iterrows():
            assert_same_grant_money(points.loc[org_id], page, (as_of, org_id))


def assert_every_page_agrees(db: Database, settings, regions_checked: list[str]) -> None:
    """At each quarter end: the whole programme, the small grants of every region together
    and of each region in `regions_checked` (as a share link limited to it sees them)."""
    every_region = region_codes(db)
    for as_of in reporting_dates(settings):
        assert_programme_agrees(db, settings, as_of)
        position = position_of(db, settings, as_of, None)
        assert_overview_agrees(db, settings, as_of, every_region, position)
        assert_map_agrees(db, settings, as_of, None, position)
        for code in regions_checked:
            position = position_of(db, settings, as_of, [code])
            assert_overview_agrees(db, settings, as_of, [code], position)
            assert_map_agrees(db, settings, as_of, [code], position)


# The sample --------------------------------------------------------------------------------


@pytest.fixture(params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db
    db.close()


def test_every_page_gives_the_same_figures_on_the_sample(sample, settings):
    assert_every_page_agrees(sample, settings, list(settings.programme.regions))


def test_the_sample_figures_follow_the_rule(sample, settings):
    """The sample's money, at the programme's end, recomputed in Python decimals."""
    expected = rule_in_decimals(sample, settings.programme.end)
    summary = overview.spending_summary(sample, settings, settings.programme.end)
    assert cents(summary.budget_total) == expected["budget"]
    assert cents(summary.spent_to_date) == expected["spent"]
    assert cents(summary.disbursed_to_date) == expected["disbursed"]


# A synthetic programme ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """tests/bench/generate.py's programme (14 regions) at a small scale, cut to 2017-2019,
    with a UZS rate that doubles within 2017Q3 and is missing for May 2019, and the outreach
    and training lines budgeted in UZS."""
    folder = tmp_path_factory.mktemp("money")
    tables = generate.build_tables(SYNTHETIC)
    moves = tables["transactions"]
    within = (moves.date >= pd.Timestamp(FIRST_DAY)) & (moves.date <= pd.Timestamp(LAST_DAY))
    tables["transactions"] = moves[within].reset_index(drop=True)
    rates = tables["exchange_rates"]
    rates = rates[rates.month != MISSING_MONTH].reset_index(drop=True)
    rates.loc[rates.month >= DEVALUED_FROM, "per_usd"] *= 2
    tables["exchange_rates"] = rates
    budget = tables["budget"]
    budget = budget[budget.period.between("2017Q1", "2019Q4")].reset_index(drop=True)
    in_uzs = budget.category.isin(UZS_CATEGORIES)
    middle = {f"{m[:4]}Q{(int(m[5:]) - 1) // 3 + 1}": r for m, r in zip(
        rates.month, rates.per_usd, strict=True) if int(m[5:]) % 3 == 2}  # fmt: skip
    budget.loc[in_uzs, "amount"] = [
        round(a * middle.get(p, 10_000.0)) for a, p in zip(
            budget.amount[in_uzs], budget.period[in_uzs], strict=True)
    ]  # fmt: skip
    budget.loc[in_uzs, "currency"] = "UZS"
    tables["budget"] = budget
    path = folder / "synthetic.duckdb"
    generate.write_database(path, tables, "money-rule")
    settings_path = folder / "programme.toml"
    text = generate.settings_text()
    text = text.replace(f"start = {generate.START}", f"start = {FIRST_DAY}")
    text = text.replace(f"end = {generate.END}", f"end = {LAST_DAY}")
    settings_path.write_text(text, encoding="utf-8")
    db = Database(path)
    yield db, load_settings(settings_path)
    db.close()


def test_every_page_gives_the_same_figures_on_a_synthetic_programme(synthetic):
    db, settings = synthetic
    assert_every_page_agrees(db, settings, ["UZ-TO", "UZ-SA"])


def test_the_synthetic_figures_follow_the_rule(synthetic):
    db, settings = synthetic
    for as_of in (dt.date(2017, 9, 30), dt.date(2019, 6, 30), settings.programme.end):
        expected = rule_in_decimals(db, as_of)
        summary = overview.spending_summary(db, settings, as_of)
        assert cents(summary.budget_to_date) == expected["budget_to_date"], as_of
        assert cents(summary.spent_to_date) == expected["spent"], as_of
        assert cents(summary.disbursed_to_date) == expected["disbursed"], as_of
        assert summary.budget_rows_without_rate == expected["budget_rows_without_rate"]
        assert summary.transactions_without_rate == expected["transactions_without_rate"]
    assert expected["budget_rows_without_rate"] > 0  # the 2019Q2 UZS rows: flagged, left out


def test_the_synthetic_programme_tells_the_old_ways_apart(synthetic):
    """On this data the way the Overview used to convert a budget quarter (at the mean of
    whatever months have a rate, in floating point) gives another figure than the rule: so
    the agreement above is not an accident of the data. (Converting a transaction at its
    quarter's mean rather than its month's would miss test_the_synthetic_figures_follow_the_rule
    at 2017Q3, whose last month's rate is double the others.)"""
    db, settings = synthetic
    expected = rule_in_decimals(db, settings.programme.end)
    with db.cursor() as cur:
        (old_budget,) = cur.execute(OLD_WAYS).fetchone()
    # 2019Q2's UZS rows: converted at the mean of April and June instead of being flagged.
    assert abs(round(old_budget * 100) - expected["budget"]) > 100_00


# The rule in Python decimals, from the stored tables -----------------------------------------

TEN_PLACES = Decimal("1e-10")
CENT = Decimal("0.01")


def _divide(n: Decimal, d: Decimal) -> Decimal:
    """money_div: n / d to 10 places, rounded half away from zero."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (n / d).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def rule_in_decimals(db: Database, as_of: dt.date) -> dict[str, int]:
    """The programme's figures in US dollars by the rule: a transaction at its month's rate,
    a budget row at the mean rate of its quarter's three months (all three needed)."""
    with db.cursor() as cur:
        rates = dict(
            cur.execute(
                "select month, per_usd from exchange_rates where currency = 'UZS'"
            ).fetchall()
        )
        budget = cur.execute("select period, amount, currency from budget").fetchall()
        moves = cur.execute(
            "select strftime(date, '%Y-%m'), kind, amount, currency from transactions "
            "where date <= $as_of",
            {"as_of": as_of},
        ).fetchall()
    quarter = f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
    totals = dict.fromkeys(("budget", "budget_to_date", "spent", "disbursed"), Decimal(0))
    without = {"budget_rows_without_rate": 0, "transactions_without_rate": 0}
    for period, amount, currency in budget:
        first = (int(period[-1]) - 1) * 3 + 1
        months = [f"{period[:4]}-{m:02d}" for m in range(first, first + 3)]
        if currency == "USD":
            usd = amount
        elif all(m in rates for m in months):
            usd = _divide(amount * 3, sum(rates[m] for m in months))
        else:
            without["budget_rows_without_rate"] += 1
            continue
        totals["budget"] += usd
        if period <= quarter:
            totals["budget_to_date"] += usd
    for month, kind, amount, currency in moves:
        if currency != "USD" and month not in rates:
            without["transactions_without_rate"] += 1
            continue
        usd = amount if currency == "USD" else _divide(amount, rates[month])
        if kind in ("expenditure", "refund"):
            totals["spent"] += usd if kind == "expenditure" else -usd
        elif kind == "disbursement":
            totals["disbursed"] += usd
    return {**{k: _cents(v) for k, v in totals.items()}, **without}


# How the Overview converted before the rule was one: floating-point division, a budget
# quarter at the mean of whatever months have a rate.
OLD_WAYS = """
with quarter_rates as (
    select currency, period_of(cast(month || '-01' as date)) as period, avg(per_usd) as per_usd
    from exchange_rates
    group by all
)
select sum(case when b.currency = 'USD' then b.amount else b.amount / r.per_usd end)
from budget as b
left join quarter_rates as r on r.currency = b.currency and r.period = b.period
"""
