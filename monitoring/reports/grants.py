"""Grant spending as of a reporting date: budget against actual, the S-curve, small grants.

Money is exact: amounts stay DECIMAL in DuckDB, converted by `money_in`, `transactions_in`
and `budget_in` (queries/schema.sql), and each query rounds to cents only in its last step.
The rules are written out in docs/spending.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from monitoring import i18n
from monitoring.access.view import ProtectedView, free_of_people_data
from monitoring.contract import CURRENCIES
from monitoring.db import Database
from monitoring.i18n import N_, _, ngettext
from monitoring.periods import period_end, period_start, programme_periods, time_share
from monitoring.reports.map import described, region_words
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
# The texts below are in English (messages); pace_text, grant_status_text and plan_text give
# them in the current language.
# How spending keeps pace with time (monitoring.overview.burn_rate_verdict), in icon + words.
PACE_TEXT = {
    "underspending": N_("↓ Underspending"),
    "on pace": N_("✔ On pace"),
    "overspending": N_("↑ Overspending"),
    "no budget": N_("○ No budget"),
}

# A grant's status as of the reporting date (queries/grants_position.sql), in icon + words.
GRANT_STATUS_TEXT = {
    "active": N_("▶ Active"),
    "closed": N_("■ Closed"),
    "past_end": N_("⇥ Past end date, not closed"),
    "cancelled": N_("✖ Cancelled"),
}

# Spending against the budget planned up to the reporting date (plan_verdict), icon + words.
PLAN_TEXT = {
    "under": N_("↓ Under plan"),
    "on": N_("✔ On plan"),
    "over": N_("↑ Over plan"),
    "nothing_planned": N_("○ Nothing planned yet"),
    "unplanned": N_("⚠ Spent, nothing planned yet"),
}

BEYOND_AWARD_ICON = "▲"
STALE_ICON = "◷"
NO_RATE_ICON = "⊘"
NO_CATEGORY = N_("(not in the budget)")
# What queries/schema.sql's org_shown_text writes in place of a text that may name an
# organisation never named (a donor view), in English: shown_text translates it.
NOT_SHARED = N_("(not shared in this view)")

# Where an amount without a rate comes from (unconverted_amounts' `source`), and the kinds
# of transaction (monitoring/contract.py), as the tables show them.
SOURCE_TEXT = {"transaction": N_("transaction"), "budget": N_("budget")}
KIND_TEXT = {
    "commitment": N_("commitment"),
    "disbursement": N_("disbursement"),
    "expenditure": N_("expenditure"),
    "refund": N_("refund"),
}


def pace_text(code) -> str | None:
    """A burn-rate verdict (burn_rate_verdict) in icon + words of the current language."""
    return _(PACE_TEXT[code]) if code in PACE_TEXT else None


def grant_status_text(code) -> str | None:
    """A grant's status as of the reporting date in icon + words of the current language."""
    return _(GRANT_STATUS_TEXT[code]) if code in GRANT_STATUS_TEXT else None


def plan_text(code) -> str | None:
    """Spending against plan (plan_verdict) in icon + words of the current language."""
    return _(PLAN_TEXT[code]) if code in PLAN_TEXT else None


def shown_text(text):
    """A text of the data as shown, with "(not shared in this view)" in the language."""
    return _(NOT_SHARED) if text == NOT_SHARED else text


def category_text(category) -> str:
    """A budget category as shown: the data's own text, or "(not in the budget)"."""
    return _(NO_CATEGORY) if category == "" else category


def check_currency(currency: str) -> str:
    """The currency code, or a SpendingError that names the choices."""
    code = str(currency).strip().upper()
    if code not in CURRENCIES:
        raise SpendingError(
            _(
                "{currency} is not a currency the dashboard reports in. Choose one of {choices}."
            ).format(currency=repr(currency), choices=", ".join(CURRENCIES))
        )
    return code


def quarter_range(settings: Settings, filters: SpendingFilters) -> tuple[str, str]:
    """The first and last quarter shown: the filters' or the programme's own."""
    periods = programme_periods(settings.programme)
    first = filters.first or periods[0]
    last = filters.last or periods[-1]
    for wrong, period in (
        (
            N_(
                "The first quarter {period} is not a quarter of the programme: pick one from "
                "{start} to {end}, written like {start}."
            ),
            first,
        ),
        (
            N_(
                "The last quarter {period} is not a quarter of the programme: pick one from "
                "{start} to {end}, written like {start}."
            ),
            last,
        ),
    ):
        if period not in periods:
            raise SpendingError(
                _(wrong).format(period=repr(period), start=periods[0], end=periods[-1])
            )
    if first > last:
        raise SpendingError(
            _(
                "The range starts in {first}, after it ends in {last}: pick a first quarter "
                "on or before the last one."
            ).format(first=first, last=last)
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
    # Organisations never named are described, and texts withheld said so, in the language.
    if filters.unnamed_kinds:
        words = region_words(db)
        frame["grantee"] = [described(name, words) for name in frame.grantee]
    frame["title"] = [shown_text(title) for title in frame.title]
    grants = frame.level == "grant"
    frame["flag_text"] = ""
    # Only the columns grant_flags reads: a row of every column costs ~0.1 ms a grant.
    flag_columns = [
        "beyond_award",
        "balance_in_grant_currency",
        "grant_currency",
        "stale_disbursements",
        "days_since_stale",
        "amounts_without_rate",
    ]
    rows = frame.loc[grants, flag_columns]
    # The amounts beyond the award written together (one at a time took 40 ms for the 364
    # grants of the benchmark's data).
    beyond = rows.beyond_award.fillna(False).astype(bool).to_numpy()
    overs = iter(
        i18n.moneys(
            -rows.balance_in_grant_currency.to_numpy()[beyond],
            rows.grant_currency.to_numpy()[beyond],
            2,
        )
    )
    frame.loc[grants, "flag_text"] = [
        " · ".join(grant_flags(row, next(overs) if over else None))
        for row, over in zip(rows.itertuples(index=False), beyond, strict=True)
    ]
    return frame


def grant_flags(row, over_written: str | None = None) -> list[str]:
    """What is wrong with one grant, in icon + words (a row of grant_position).
    `over_written`: the amount beyond the award as i18n.moneys wrote it, when known."""
    flags = []
    if row.beyond_award:
        amount = over_written or i18n.money(
            -float(row.balance_in_grant_currency), row.grant_currency, 2
        )
        flags.append(
            _("{icon} Spent beyond the award by {amount}").format(
                icon=BEYOND_AWARD_ICON, amount=amount
            )
        )
    if row.stale_disbursements:
        count = int(row.stale_disbursements)
        days = int(row.days_since_stale)
        stale = (
            ngettext(
                "{icon} No spending reported since a disbursement {days} days before the "
                "reporting date",
                "{icon} No spending reported since a disbursement {days} days before the "
                "reporting date",
                days,
            )
            if count == 1
            else ngettext(
                "{icon} No spending reported since {count} disbursements {days} days before "
                "the reporting date",
                "{icon} No spending reported since {count} disbursements {days} days before "
                "the reporting date",
                days,
            )
        )
        flags.append(stale.format(icon=STALE_ICON, count=i18n.number(count), days=days))
    if row.amounts_without_rate:
        count = int(row.amounts_without_rate)
        flags.append(
            ngettext(
                "{icon} {n} amount(s) without an exchange rate, left out of the converted figures",
                "{icon} {n} amount(s) without an exchange rate, left out of the converted figures",
                count,
            ).format(icon=NO_RATE_ICON, n=i18n.number(count))
        )
    return flags


# Tables as the page shows and downloads them ----------------------------------------------


def _percent(series: pd.Series) -> pd.Series:
    return (series.astype("float64") * 100).round(1)


def budget_table(frame: pd.DataFrame, level: str, currency: str) -> pd.DataFrame:
    """Budget against actual at one level ('line' or 'category'), as shown."""
    rows = frame[frame.level == level]
    shown = pd.DataFrame({"Category": rows.category.map(category_text)})
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
    shown["Against plan"] = rows.against_plan.map(plan_text)
    shown["Spent of budget %"] = _percent(rows.spent_share)
    shown["Burn rate"] = rows.burn_rate.astype("float64").round(2)
    shown["Pace against time"] = rows.pace.map(pace_text)
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
    # Only the columns shown are taken along: a filter or sort copies every column it is given.
    rows = frame.loc[
        frame.level == "grant",
        [
            "grant_id",
            "grantee",
            "region_name",
            "region_code",
            "status_as_of",
            "flag_text",
            "awarded",
            "committed",
            "disbursed",
            "expenditure",
            "refunds",
            "spent",
            "balance",
            "spent_share",
            "grant_currency",
            "award_in_grant_currency",
            "balance_in_grant_currency",
            "title",
            "awarded_on",
            "end_on",
        ],
    ]
    rows = rows.assign(flagged=rows.flag_text != "")
    rows = rows.sort_values(["flagged", "region_name", "grant_id"], ascending=[False, True, True])
    return pd.DataFrame(
        {
            "Grant": rows.grant_id,
            "Grantee": rows.grantee,
            "Region": rows.region_name.fillna(rows.region_code),
            "Status": rows.status_as_of.map(grant_status_text),
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
    kinds = [
        _(KIND_TEXT[k]) if source == "transaction" and k in KIND_TEXT else k
        for source, k in zip(frame.source, frame.kind, strict=True)
    ]
    frame = frame.assign(
        source=[_(SOURCE_TEXT[s]) if s in SOURCE_TEXT else s for s in frame.source],
        kind=kinds,
    )
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


# A chart of more grants than this cannot be read (364 grants drew a 15,000-pixel chart of
# 1,092 bars that took seconds in a browser, docs/benchmarks.md): it shows the flagged grants
# first, then the largest awards; the table of grants lists them all.
GRANT_BARS = 40


def grants_for_chart(per_grant: pd.DataFrame, limit: int = GRANT_BARS) -> pd.DataFrame:
    """At most `limit` grants of `per_grant` (rows of level 'grant') for the chart: flagged
    grants first, then by award, largest first (grant ID breaking ties). The rows kept stay
    in `per_grant`'s order."""
    if len(per_grant) <= limit:
        return per_grant
    rank = pd.DataFrame(
        {
            "flagged": (per_grant.flag_text != "").to_numpy(),
            "awarded": per_grant.awarded.astype("float64").fillna(0).to_numpy(),
            "grant_id": per_grant.grant_id.to_numpy(dtype=object),
        },
        index=per_grant.index,
    )
    chosen = rank.sort_values(
        ["flagged", "awarded", "grant_id"], ascending=[False, False, True], kind="stable"
    ).index[:limit]
    return per_grant[per_grant.index.isin(chosen)]


def grant_totals(frame: pd.DataFrame) -> pd.Series:
    """The 'total' row of grant_position (cancelled grants left out)."""
    return frame[frame.level == "total"].iloc[0]


def rules_text(settings: Settings, currency: str) -> str:
    """How the page's figures are computed, in words, with the configured thresholds."""
    rule = settings.spending
    return _(
        "**Currency.** Amounts are shown in {currency}. Each transaction is converted at the "
        "rate of its month (`exchange_rates`, units of the currency per US dollar; the US "
        "dollar is 1 by definition), a budget quarter at the mean rate of its three months, "
        "an award at the rate of the month it was awarded. An amount whose month has no rate "
        "is flagged and left out of the converted totals, never converted with a guess. "
        "Arithmetic is exact (decimal), rounded to cents only for display.\n\n"
        "**Spent** is expenditure less refunds, up to the reporting date. **Variance** is "
        "spent less the budget planned up to the reporting date's quarter (negative: less "
        "spent than planned); **variance %** divides it by that budget. **Against plan**: "
        "spent below {under_share} of the budget planned to date is {under_plan}, above "
        "{over_share} {over_plan}.\n\n"
        "**Burn rate** = share of the range's budget spent ÷ share of the range's time "
        "elapsed. 1.00 keeps pace with time; below {under} is {underspending}, above {over} "
        "{overspending}. A line whose budget is planned early or late (research, "
        "advocacy) runs ahead of or behind time by design: read it against the plan.\n\n"
        "**Small grants.** {beyond_icon} *Spent beyond the award*: spending (in the "
        "grant's own currency, so exchange rates never raise or hide it) exceeds the award. "
        "{stale_icon} *No spending after a disbursement*: a disbursement made "
        "{stale_days} days or more before the reporting date has no "
        "expenditure reported on or after its date. Balance = awarded − spent; in the "
        "reporting currency it includes exchange-rate differences. Status follows the "
        "reporting date. Totals by region, by grantee and overall leave cancelled grants out."
    ).format(
        currency=currency,
        under_share=i18n.percent(rule.underspend_below),
        over_share=i18n.percent(rule.overspend_above),
        under_plan=plan_text("under"),
        over_plan=plan_text("over"),
        under=i18n.number(rule.underspend_below, 2),
        over=i18n.number(rule.overspend_above, 2),
        underspending=pace_text("underspending"),
        overspending=pace_text("overspending"),
        beyond_icon=BEYOND_AWARD_ICON,
        stale_icon=STALE_ICON,
        stale_days=i18n.number(rule.stale_disbursement_days),
    )


# Column headers of the tables above, as messages: the tables keep their English headers
# (the PDF report reads them, monitoring/reports/report.py), and shown_headers gives the
# headers in the current language just before a table is shown or downloaded.
HEADERS = (
    N_("Category"),
    N_("Budget line"),
    N_("Budget in range ({currency})"),
    N_("Budget to date ({currency})"),
    N_("Expenditure ({currency})"),
    N_("Refunds ({currency})"),
    N_("Spent ({currency})"),
    N_("Variance ({currency})"),
    N_("Variance %"),
    N_("Against plan"),
    N_("Spent of budget %"),
    N_("Burn rate"),
    N_("Pace against time"),
    N_("Quarter"),
    N_("Budget ({currency})"),
    N_("Cumulative budget ({currency})"),
    N_("Cumulative spent ({currency})"),
    N_("Cumulative variance ({currency})"),
    N_("Grant"),
    N_("Grantee"),
    N_("Region"),
    N_("Status"),
    N_("Flags"),
    N_("Awarded ({currency})"),
    N_("Committed ({currency})"),
    N_("Disbursed ({currency})"),
    N_("Balance ({currency})"),
    N_("Spent of award %"),
    N_("Grant currency"),
    N_("Award (grant currency)"),
    N_("Balance (grant currency)"),
    N_("Title"),
    N_("Awarded on"),
    N_("Ends on"),
    N_("Organisation ID"),
    N_("Grants"),
    N_("{icon} Spent beyond award"),
    N_("{icon} No spending after disbursement"),
    N_("Table"),
    N_("Reference"),
    N_("Kind or category"),
    N_("Date or quarter"),
    N_("Rate needed for"),
    N_("Amount"),
    N_("Currency"),
)


def shown_headers(columns, currency: str) -> dict[str, str]:
    """The tables' English column headers -> the same in the current language."""
    english: dict[str, str] = {}
    for header in HEADERS:
        for icon in (BEYOND_AWARD_ICON, STALE_ICON) if "{icon}" in header else ("",):
            words = {"currency": currency, "icon": icon}
            english[header.format(**words)] = _(header).format(**words)
    return {c: english.get(c, c) for c in columns}


def translated_headers(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A table of this module with its column headers in the current language."""
    return frame.rename(columns=shown_headers(frame.columns, currency))
