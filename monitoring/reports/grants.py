"""Grant spending as of a reporting date: budget against actual, the S-curve, small grants.

Money is exact: amounts stay DECIMAL in DuckDB, converted by `money_in`, `transactions_in`
and `budget_in` (queries/schema.sql), and each query rounds to cents only in its last step.
The rules are written out in docs/spending.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from monitoring.access.view import ProtectedView, free_of_people_data
from monitoring.contract import CURRENCIES
from monitoring.db import Database
from monitoring.periods import period_end, period_start, programme_periods, time_share
from monitoring.reports.overview import burn_rate_verdict
from monitoring.settings import Settings


class SpendingError(ValueError):
    """A filter value the spending figures cannot use; the message says how to fix it."""


@dataclass(frozen=True)
class SpendingFilters:
    """What the spending page shows: currency, regions (small grants), categories, quarters."""

    currency: str = "USD"
    regions: tuple[str, ...] | None = None  # region codes (small grants); None: all
    categories: tuple[str, ...] | None = None  # budget categories; None: all
    # Organisation kinds never named (a donor view: privacy.unnamed_organisation_kinds).
    unnamed_kinds: tuple[str, ...] | None = None
    first: str | None = None  # first quarter of the range; None: the programme's first
    last: str | None = None  # last quarter of the range; None: the programme's last


# Icons are text symbols that common fonts hold (no colour emoji needed), never alone.
# How spending keeps pace with time (monitoring.overview.burn_rate_verdict), in icon + words.
PACE_TEXT = {
    "underspending": "⚠ Underspending",
    "on pace": "✔ On pace",
    "overspending": "⚠ Overspending",
    "no budget": "○ No budget",
}

# A grant's status as of the reporting date (queries/grants_position.sql), in icon + words.
GRANT_STATUS_TEXT = {
    "active": "▶ Active",
    "closed": "■ Closed",
    "past_end": "◷ Past end date, not closed",
    "cancelled": "✖ Cancelled",
}

# Spending against the budget planned up to the reporting date (plan_verdict), icon + words.
PLAN_TEXT = {
    "under": "⚠ Under plan",
    "on": "✔ On plan",
    "over": "⚠ Over plan",
    "nothing_planned": "○ Nothing planned yet",
    "unplanned": "⚠ Spent, nothing planned yet",
}

BEYOND_AWARD_ICON = "▲"
STALE_ICON = "◷"
NO_RATE_ICON = "⊘"
NO_CATEGORY = "(not in the budget)"


def check_currency(currency: str) -> str:
    """The currency code, or a SpendingError that names the choices."""
    code = str(currency).strip().upper()
    if code not in CURRENCIES:
        raise SpendingError(
            f"{currency!r} is not a currency the dashboard reports in. "
            f"Choose one of {', '.join(CURRENCIES)}."
        )
    return code


def quarter_range(settings: Settings, filters: SpendingFilters) -> tuple[str, str]:
    """The first and last quarter shown: the filters' or the programme's own."""
    periods = programme_periods(settings.programme)
    first = filters.first or periods[0]
    last = filters.last or periods[-1]
    for label, period in (("first", first), ("last", last)):
        if period not in periods:
            raise SpendingError(
                f"The {label} quarter {period!r} is not a quarter of the programme: "
                f"pick one from {periods[0]} to {periods[-1]}, written like {periods[0]}."
            )
    if first > last:
        raise SpendingError(
            f"The range starts in {first}, after it ends in {last}: pick a first quarter "
            "on or before the last one."
        )
    return first, last


def range_time_share(settings: Settings, as_of: dt.date, first: str, last: str) -> float:
    """Share of the range's days elapsed by the end of `as_of` (0 to 1)."""
    programme = settings.programme
    start = max(period_start(first), programme.start)
    end = min(period_end(last), programme.end)
    return time_share(replace(programme, start=start, end=end), as_of)


def _listed(values) -> list[str] | None:
    return list(values) if values else None


def _optional(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@free_of_people_data
def budget_categories(db: Database) -> list[str]:
    """The budget's categories, for the filter."""
    return db.query("grants_categories").category.tolist()


@free_of_people_data
def grant_regions(db: Database, settings: Settings) -> pd.DataFrame:
    """Regions the small grants can be filtered by (region_code, region_name)."""
    return db.query("grants_regions", programme_regions=list(settings.programme.regions))


def regions_in_view(db: Database, view: ProtectedView, settings: Settings) -> pd.DataFrame:
    """The regions of grant_regions the viewer may see."""
    frame = grant_regions(db, settings)
    if view.regions is None:
        return frame
    return frame[frame.region_code.isin(view.regions)].reset_index(drop=True)


def budget_shown(view: ProtectedView) -> bool:
    """Whether the viewer sees the programme's budget and spending: not through a share link
    limited to some regions, since the budget is not split by region (docs/access.md)."""
    return view.link_regions is None


def in_view(filters: SpendingFilters, view: ProtectedView) -> SpendingFilters:
    """The reader's filters limited to what the viewer may see: the view's regions, and the
    organisation kinds it never names."""
    regions = view.within(filters.regions)
    return replace(filters, regions=regions, unnamed_kinds=view.unnamed_kinds)


def _budget_in_view(view: ProtectedView) -> None:
    if not budget_shown(view):
        raise PermissionError("The programme's budget is not shown through this link.")


def budget_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """budget_vs_actual, refused where the viewer does not see the budget."""
    _budget_in_view(view)
    return budget_vs_actual(db, settings, as_of, filters)


def budget_vs_actual(
    db: Database, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """Budget, spending, variance and burn rate per budget line, per category and in all.

    Column `level` is 'line', 'category' or 'total'; `pace` is the verdict of the burn rate
    (against time), `against_plan` that of spending against the budget planned to date.
    """
    first, last = quarter_range(settings, filters)
    frame = db.query(
        "grants_budget_lines",
        as_of=as_of,
        first=first,
        last=last,
        currency=check_currency(filters.currency),
        categories=_listed(filters.categories),
        time_share=range_time_share(settings, as_of, first, last),
    )
    frame["pace"] = [burn_rate_verdict(_optional(b), settings) for b in frame.burn_rate]
    frame["against_plan"] = [
        plan_verdict(spent, planned, settings)
        for spent, planned in zip(frame.spent, frame.budget_to_date, strict=True)
    ]
    return frame


def plan_verdict(spent: float, planned: float, settings: Settings) -> str:
    """Spending against the budget planned to date, with the burn-rate thresholds:
    'under', 'on', 'over', 'nothing_planned' or 'unplanned' (spent with nothing planned)."""
    if not planned:
        return "unplanned" if spent > 0 else "nothing_planned"
    ratio = spent / planned
    if ratio < settings.spending.underspend_below:
        return "under"
    if ratio > settings.spending.overspend_above:
        return "over"
    return "on"


@dataclass(frozen=True)
class BudgetPosition:
    """The headline figures: the 'total' row of budget_vs_actual, with the time elapsed."""

    currency: str
    first: str
    last: str
    budget_total: float
    budget_to_date: float
    spent: float
    variance: float
    variance_share: float | None
    spent_share: float | None
    burn_rate: float | None
    time_share: float
    pace: str
    against_plan: str
    budget_rows_without_rate: int
    transactions_without_rate: int


def budget_position(
    frame: pd.DataFrame, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> BudgetPosition:
    """The headline figures of a budget_vs_actual frame."""
    first, last = quarter_range(settings, filters)
    total = frame[frame.level == "total"].iloc[0]
    return BudgetPosition(
        currency=check_currency(filters.currency),
        first=first,
        last=last,
        budget_total=float(total.budget_total),
        budget_to_date=float(total.budget_to_date),
        spent=float(total.spent),
        variance=float(total.variance),
        variance_share=_optional(total.variance_share),
        spent_share=_optional(total.spent_share),
        burn_rate=_optional(total.burn_rate),
        time_share=range_time_share(settings, as_of, first, last),
        pace=str(total.pace),
        against_plan=str(total.against_plan),
        budget_rows_without_rate=int(total.budget_rows_without_rate),
        transactions_without_rate=int(total.transactions_without_rate),
    )


def quarters_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """quarterly_spending, refused where the viewer does not see the budget."""
    _budget_in_view(view)
    return quarterly_spending(db, settings, as_of, filters)


def quarterly_spending(
    db: Database, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """Budget, spending and variance per quarter of the range, and cumulated (the S-curve)."""
    first, last = quarter_range(settings, filters)
    return db.query(
        "grants_quarters",
        as_of=as_of,
        first=first,
        last=last,
        currency=check_currency(filters.currency),
        categories=_listed(filters.categories),
    )


def unconverted_in_view(
    db: Database, view: ProtectedView, as_of: dt.date, currency: str
) -> pd.DataFrame:
    """unconverted_amounts as the viewer may see them: through a share link limited to some
    regions, only the transactions of the small grants in those regions."""
    regions = view.link_regions
    return unconverted_amounts(db, as_of, currency, None if regions is None else list(regions))


def unconverted_amounts(
    db: Database, as_of: dt.date, currency: str, regions: list[str] | None = None
) -> pd.DataFrame:
    """Transactions (up to `as_of`) and budget rows with no rate into `currency`.

    With `regions`: only the transactions of the small grants in those regions (the budget
    is not split by region).
    """
    return db.query(
        "grants_unconverted",
        as_of=as_of,
        currency=check_currency(currency),
        regions=None if regions is None else list(regions),
    )


def grants_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """grant_position over the regions picked within the viewer's, naming no organisation
    of a kind the view never names."""
    return grant_position(db, settings, as_of, in_view(filters, view))


def grant_position(
    db: Database, settings: Settings, as_of: dt.date, filters: SpendingFilters
) -> pd.DataFrame:
    """Small grants as of `as_of`: one row per grant (level 'grant'), then totals per region,
    per grantee and in all (levels 'region', 'grantee', 'total'; cancelled grants left out)."""
    frame = db.query(
        "grants_position",
        as_of=as_of,
        currency=check_currency(filters.currency),
        # An empty tuple keeps no grant: a donor's scope never widens to all by accident.
        regions=None if filters.regions is None else list(filters.regions),
        stale_days=settings.spending.stale_disbursement_days,
        unnamed_kinds=None if filters.unnamed_kinds is None else list(filters.unnamed_kinds),
    )
    grants = frame.level == "grant"
    frame["flag_text"] = ""
    frame.loc[grants, "flag_text"] = [
        " · ".join(grant_flags(row)) for row in frame[grants].itertuples(index=False)
    ]
    return frame


def grant_flags(row) -> list[str]:
    """What is wrong with one grant, in icon + words (a row of grant_position)."""
    flags = []
    if row.beyond_award:
        over = -float(row.balance_in_grant_currency)
        flags.append(
            f"{BEYOND_AWARD_ICON} Spent beyond the award by {over:,.2f} {row.grant_currency}"
        )
    if row.stale_disbursements:
        count = int(row.stale_disbursements)
        which = "a disbursement" if count == 1 else f"{count} disbursements"
        flags.append(
            f"{STALE_ICON} No spending reported since {which} {int(row.days_since_stale)} days "
            "before the reporting date"
        )
    if row.amounts_without_rate:
        flags.append(
            f"{NO_RATE_ICON} {int(row.amounts_without_rate)} amount(s) without an exchange rate, "
            "left out of the converted figures"
        )
    return flags


# Tables as the page shows and downloads them ----------------------------------------------


def _percent(series: pd.Series) -> pd.Series:
    return (series.astype("float64") * 100).round(1)


def budget_table(frame: pd.DataFrame, level: str, currency: str) -> pd.DataFrame:
    """Budget against actual at one level ('line' or 'category'), as shown."""
    rows = frame[frame.level == level]
    shown = pd.DataFrame({"Category": rows.category.replace("", NO_CATEGORY)})
    if level == "line":
        shown.insert(0, "Budget line", rows.budget_line)
    money = {
        f"Budget in range ({currency})": rows.budget_total,
        f"Budget to date ({currency})": rows.budget_to_date,
        f"Expenditure ({currency})": rows.expenditure,
        f"Refunds ({currency})": rows.refunds,
        f"Spent ({currency})": rows.spent,
        f"Variance ({currency})": rows.variance,
    }
    for name, values in money.items():
        shown[name] = values
    shown["Variance %"] = _percent(rows.variance_share)
    shown["Against plan"] = rows.against_plan.map(PLAN_TEXT)
    shown["Spent of budget %"] = _percent(rows.spent_share)
    shown["Burn rate"] = rows.burn_rate.astype("float64").round(2)
    shown["Pace against time"] = rows.pace.map(PACE_TEXT)
    return shown.reset_index(drop=True)


def quarter_table(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Budget against actual per quarter and cumulated, as shown."""
    return pd.DataFrame(
        {
            "Quarter": frame.period,
            f"Budget ({currency})": frame.budget,
            f"Spent ({currency})": frame.spent,
            f"Variance ({currency})": frame.variance,
            "Variance %": _percent(frame.variance_share),
            f"Cumulative budget ({currency})": frame.cumulative_budget,
            f"Cumulative spent ({currency})": frame.cumulative_spent,
            f"Cumulative variance ({currency})": frame.cumulative_variance,
        }
    ).reset_index(drop=True)


def grants_table(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One row per grant, flagged grants first, as shown."""
    rows = frame[frame.level == "grant"].copy()
    rows["flagged"] = rows.flag_text != ""
    rows = rows.sort_values(["flagged", "region_name", "grant_id"], ascending=[False, True, True])
    return pd.DataFrame(
        {
            "Grant": rows.grant_id,
            "Grantee": rows.grantee,
            "Region": rows.region_name.fillna(rows.region_code),
            "Status": rows.status_as_of.map(GRANT_STATUS_TEXT),
            "Flags": rows.flag_text,
            f"Awarded ({currency})": rows.awarded,
            f"Committed ({currency})": rows.committed,
            f"Disbursed ({currency})": rows.disbursed,
            f"Expenditure ({currency})": rows.expenditure,
            f"Refunds ({currency})": rows.refunds,
            f"Spent ({currency})": rows.spent,
            f"Balance ({currency})": rows.balance,
            "Spent of award %": _percent(rows.spent_share),
            "Grant currency": rows.grant_currency,
            "Award (grant currency)": rows.award_in_grant_currency,
            "Balance (grant currency)": rows.balance_in_grant_currency,
            "Title": rows.title,
            "Awarded on": rows.awarded_on.dt.date,
            "Ends on": rows.end_on.dt.date,
        }
    ).reset_index(drop=True)


def grant_totals_table(frame: pd.DataFrame, level: str, currency: str) -> pd.DataFrame:
    """Small-grant totals per region ('region') or per grantee ('grantee'), as shown."""
    rows = frame[frame.level == level]
    if level == "region":
        shown = pd.DataFrame({"Region": rows.region_name.fillna(rows.region_code)})
    else:
        shown = pd.DataFrame({"Grantee": rows.grantee, "Organisation ID": rows.org_id})
    shown["Grants"] = rows.grants.astype("int64")
    for name, column in (
        ("Awarded", "awarded"),
        ("Committed", "committed"),
        ("Disbursed", "disbursed"),
        ("Expenditure", "expenditure"),
        ("Refunds", "refunds"),
        ("Spent", "spent"),
        ("Balance", "balance"),
    ):
        shown[f"{name} ({currency})"] = rows[column]
    shown["Spent of award %"] = _percent(rows.spent_share)
    shown[f"{BEYOND_AWARD_ICON} Spent beyond award"] = rows.grants_beyond_award.astype("int64")
    shown[f"{STALE_ICON} No spending after disbursement"] = (
        rows.grants_with_stale_disbursements.astype("int64")
    )
    return shown.reset_index(drop=True)


def unconverted_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Amounts without an exchange rate (unconverted_amounts), as shown."""
    return frame.rename(
        columns={
            "source": "Table",
            "reference": "Reference",
            "grant_id": "Grant",
            "budget_line": "Budget line",
            "kind": "Kind or category",
            "date_or_period": "Date or quarter",
            "rate_month": "Rate needed for",
            "amount": "Amount",
            "currency": "Currency",
        }
    )


def grant_totals(frame: pd.DataFrame) -> pd.Series:
    """The 'total' row of grant_position (cancelled grants left out)."""
    return frame[frame.level == "total"].iloc[0]


def rules_text(settings: Settings, currency: str) -> str:
    """How the page's figures are computed, in words, with the configured thresholds."""
    rule = settings.spending
    return (
        f"**Currency.** Amounts are shown in {currency}. Each transaction is converted at the "
        "rate of its month (`exchange_rates`, units of the currency per US dollar; the US "
        "dollar is 1 by definition), a budget quarter at the mean rate of its three months, "
        "an award at the rate of the month it was awarded. An amount whose month has no rate "
        "is flagged and left out of the converted totals, never converted with a guess. "
        "Arithmetic is exact (decimal), rounded to cents only for display.\n\n"
        "**Spent** is expenditure less refunds, up to the reporting date. **Variance** is "
        "spent less the budget planned up to the reporting date's quarter (negative: less "
        "spent than planned); **variance %** divides it by that budget. **Against plan**: "
        f"spent below {rule.underspend_below:.0%} of the budget planned to date is "
        f"{PLAN_TEXT['under']}, above {rule.overspend_above:.0%} {PLAN_TEXT['over']}.\n\n"
        "**Burn rate** = share of the range's budget spent ÷ share of the range's time "
        f"elapsed. 1.00 keeps pace with time; below {rule.underspend_below:.2f} is "
        f"{PACE_TEXT['underspending']}, above {rule.overspend_above:.2f} "
        f"{PACE_TEXT['overspending']}. A line whose budget is planned early or late (research, "
        "advocacy) runs ahead of or behind time by design: read it against the plan.\n\n"
        f"**Small grants.** {BEYOND_AWARD_ICON} *Spent beyond the award*: spending (in the "
        "grant's own currency, so exchange rates never raise or hide it) exceeds the award. "
        f"{STALE_ICON} *No spending after a disbursement*: a disbursement made "
        f"{rule.stale_disbursement_days} days or more before the reporting date has no "
        "expenditure reported on or after its date. Balance = awarded − spent; in the "
        "reporting currency it includes exchange-rate differences. Status follows the "
        "reporting date. Totals by region, by grantee and overall leave cancelled grants out."
    )
