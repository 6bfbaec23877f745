"""The naive baseline: each page's figures the way a typical Streamlit dashboard gets them.

Every rerun reads the whole tables it needs into pandas (`select * from table`, as
`pd.read_sql` or `pd.read_csv` would) and computes the same figures with pandas: the
region values by quarter, actual to date and status of every indicator, spending against
budget in US dollars, grant positions, milestone status as of the reporting date. Reading
from DuckDB is the fastest way pandas can get the tables, so the baseline is a generous one.

`PAGES[url_path](cur, settings, as_of)` does one page's data work; `check_overview`
compares the baseline's actual values with the core's, so that the ratio compares like
with like.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from monitoring.periods import period_of, programme_periods, time_share
from monitoring.settings import Settings


def read(cur, table: str) -> pd.DataFrame:
    """A whole table, as a naive dashboard reads it on every rerun."""
    return cur.execute(f"select * from {table}").df()  # noqa: S608 - fixed table names


# Every page: the sidebar's reporting quarters and the header's freshness line --------------


def dashboard_chrome(cur, settings: Settings) -> str:
    """The latest quarter with data and when the data last changed, as every page shows."""
    values, transactions = read(cur, "indicator_values"), read(cur, "transactions")
    batches = read(cur, "upload_batches")
    first, last = period_of(settings.programme.start), period_of(settings.programme.end)
    periods = values.period[(values.period >= first) & (values.period <= last)]
    days = transactions.date[
        (transactions.date >= pd.Timestamp(settings.programme.start))
        & (transactions.date <= pd.Timestamp(settings.programme.end))
    ]
    latest = max(periods.max(), period_of(days.max()) if len(days) else "")
    committed = batches[batches.status == "committed"]
    committed.uploaded_at.max(), (committed.source == "sample").any(), values.period.max()
    return latest


def with_chrome(page):
    """A page's naive data work, after the dashboard's own (sidebar and header)."""

    def run(cur, settings: Settings, as_of: dt.date):
        dashboard_chrome(cur, settings)
        return page(cur, settings, as_of)

    run.__name__ = page.__name__
    return run


# Indicators ---------------------------------------------------------------------------------


def region_values(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One value per indicator, quarter and region from the total rows: the region-level
    row where there is one, else its organisations' rows summed (counts) or averaged."""
    totals = values[(values.sex == "all") & (values.age_group == "all")]
    totals = totals.merge(indicators[["indicator_code", "unit", "aggregation"]])
    keys = ["indicator_code", "period", "region_code"]
    region_rows = totals[totals.org_id == ""].groupby(keys).value.max().rename("region_value")
    org_rows = totals[totals.org_id != ""]
    orgs = org_rows.groupby(keys).agg(
        org_sum=("value", "sum"),
        org_mean=("value", "mean"),
        organisations_reporting=("value", "size"),
        unit=("unit", "first"),
        aggregation=("aggregation", "first"),
    )
    out = pd.concat([region_rows, orgs], axis=1).reset_index()
    is_count = (out.unit == "number") & (out.aggregation != "mean")
    out["value"] = out.region_value.where(
        out.region_value.notna(), np.where(is_count, out.org_sum, out.org_mean)
    )
    return out[keys + ["value"]]


def progress(
    rv: pd.DataFrame,
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    settings: Settings,
    as_of: dt.date,
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Actual to date, progress, expected progress and status of every indicator."""
    as_of_period = period_of(as_of)
    rows = rv[rv.period <= as_of_period]
    if regions:
        rows = rows[rows.region_code.isin(regions)]
    by_indicator = rows.groupby("indicator_code").agg(
        total=("value", "sum"), mean=("value", "mean"), last_period=("period", "max")
    )
    latest = rows.sort_values("period").groupby(["indicator_code", "region_code"]).value.last()
    latest = latest.groupby(level=0).agg(["sum", "mean"]).add_prefix("latest_")
    out = indicators.set_index("indicator_code").join(by_indicator).join(latest)
    count = (out.unit == "number") & (out.aggregation != "mean")
    out["actual"] = np.select(
        [out.aggregation == "sum", out.aggregation == "mean", out.unit == "number"],
        [out.total, out["mean"], out.latest_sum],
        out.latest_mean,
    )
    period_rows = targets[targets.period == as_of_period]
    if regions:
        period_rows = period_rows[period_rows.region_code.isin(regions)]
    period_target = period_rows.groupby("indicator_code").target.agg(["sum", "mean"])
    out = out.join(period_target.add_prefix("pt_"))
    out["period_target"] = np.where(count, out.pt_sum, out.pt_mean)
    span = out.target - out.baseline
    out["progress"] = np.where(
        out.baseline.notna() & (span != 0),
        (out.actual - out.baseline) / span,
        out.actual / out.target,
    )
    share = time_share(settings.programme, as_of)
    out["expected"] = np.where(
        out.period_target.notna() & out.baseline.notna() & (span != 0),
        (out.period_target - out.baseline) / span,
        share,
    )
    out["status"] = np.select(
        [
            out.actual.isna(),
            (out.expected <= 0) | (out.progress >= settings.status.on_track * out.expected),
            out.progress >= settings.status.at_risk * out.expected,
        ],
        ["no_data", "on_track", "at_risk"],
        "behind",
    )
    return out.reset_index()


def series(
    rv: pd.DataFrame,
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    periods: list[str],
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Per indicator and quarter: the value in the quarter and the actual to date."""
    rows = rv if not regions else rv[rv.region_code.isin(regions)]
    rows = rows.merge(indicators[["indicator_code", "unit", "aggregation"]])
    frames = []
    for period in periods:  # the usual pandas way: one pass per quarter
        upto = rows[rows.period <= period]
        now = upto[upto.period == period].groupby("indicator_code").value.agg(["sum", "mean"])
        cumulative = upto.groupby("indicator_code").value.agg(["sum", "mean"])
        latest = (
            upto.sort_values("period")
            .groupby(["indicator_code", "region_code"])
            .value.last()
            .groupby(level=0)
            .agg(["sum", "mean"])
        )
        frame = pd.concat(
            [now.add_prefix("q_"), cumulative.add_prefix("c_"), latest.add_prefix("l_")], axis=1
        )
        frames.append(frame.assign(period=period))
    out = pd.concat(frames).reset_index().merge(indicators[["indicator_code", "unit"]])
    period_targets = targets[targets.period.isin(periods)]
    if regions:
        period_targets = period_targets[period_targets.region_code.isin(regions)]
    period_targets = period_targets.groupby(["indicator_code", "period"]).target.sum()
    return out.merge(period_targets.reset_index(), how="left")


def indicators_page(cur, settings: Settings, as_of: dt.date) -> None:
    values, indicators = read(cur, "indicator_values"), read(cur, "indicators")
    targets, regions = read(cur, "indicator_targets"), read(cur, "regions")
    rv = region_values(values, indicators)
    periods = [p for p in programme_periods(settings.programme) if p <= period_of(as_of)]
    progress(rv, indicators, targets, settings, as_of)
    series(rv, indicators, targets, periods)
    code = indicators.indicator_code.iloc[0]
    one = indicators[indicators.indicator_code == code]
    for region in regions.region_code:  # the indicator in each region on its own
        progress(rv, one, targets, settings, as_of, [region])
        series(rv[rv.indicator_code == code], one, targets, periods, [region])
    mine = values[values.indicator_code == code]
    mine[(mine.sex != "all") | (mine.age_group != "all")].groupby(
        ["period", "sex", "age_group"]
    ).value.sum()
    mine[mine.comment.notna()].sort_values("period", ascending=False)
    mine.groupby("source").period.agg(["min", "max", "count"])
    reported = mine[mine.period == period_of(as_of)].org_id.unique()
    earlier = mine[mine.period < period_of(as_of)].groupby("org_id").period.max()
    earlier[~earlier.index.isin(reported)]


# Overview -----------------------------------------------------------------------------------


def to_usd(frame: pd.DataFrame, rates: pd.DataFrame, date_column: str) -> pd.Series:
    """Amounts in US dollars at the rate of their month (NaN without a rate)."""
    month = frame[date_column].dt.strftime("%Y-%m")
    rate = rates.set_index(["currency", "month"]).per_usd.astype(float)
    looked_up = rate.reindex(pd.MultiIndex.from_arrays([frame.currency, month])).to_numpy()
    amount = frame.amount.astype(float).to_numpy()
    return pd.Series(
        np.where(frame.currency == "USD", amount, amount / looked_up), index=frame.index
    )


def budget_usd(budget: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    quarter = rates.assign(
        period=rates.month.str[:4] + "Q" + ((rates.month.str[5:7].astype(int) + 2) // 3).astype(str)
    )
    mean_rate = quarter.groupby(["currency", "period"]).per_usd.apply(
        lambda s: s.astype(float).mean()
    )
    looked_up = mean_rate.reindex(pd.MultiIndex.from_arrays([budget.currency, budget.period]))
    amount = budget.amount.astype(float).to_numpy()
    return pd.Series(
        np.where(budget.currency == "USD", amount, amount / looked_up.to_numpy()),
        index=budget.index,
    )


def spending_summary(cur, as_of: dt.date) -> dict:
    transactions, rates, budget = (
        read(cur, "transactions"),
        read(cur, "exchange_rates"),
        read(cur, "budget"),
    )
    tx = transactions[transactions.date <= pd.Timestamp(as_of)]
    usd = to_usd(tx, rates, "date")
    spent = usd[tx.kind == "expenditure"].sum() - usd[tx.kind == "refund"].sum()
    planned = budget_usd(budget, rates)
    return {
        "budget_total": planned.sum(),
        "budget_to_date": planned[budget.period <= period_of(as_of)].sum(),
        "spent": spent,
        "disbursed": usd[tx.kind == "disbursement"].sum(),
    }


def milestone_status(milestones: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    day = pd.Timestamp(as_of)
    achieved = milestones.achieved_on.notna() & (milestones.achieved_on <= day)
    status = np.select(
        [milestones.status == "dropped", achieved, milestones.planned_on < day],
        ["dropped", "achieved", "overdue"],
        "planned",
    )
    late = np.where(
        achieved,
        (milestones.achieved_on - milestones.planned_on).dt.days.clip(lower=0),
        (day - milestones.planned_on).dt.days,
    )
    return milestones.assign(
        status_as_of=status,
        days_late=np.where(status == "planned", np.nan, late),
        due=milestones.planned_on <= day,
    )


def overview_page(cur, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    values, indicators = read(cur, "indicator_values"), read(cur, "indicators")
    targets = read(cur, "indicator_targets")
    result = progress(region_values(values, indicators), indicators, targets, settings, as_of)
    spending_summary(cur, as_of)
    status = milestone_status(read(cur, "milestones"), as_of)
    status.groupby("status_as_of").size()
    read(cur, "upload_batches").uploaded_at.max()
    return result


def check_overview(cur, settings: Settings, as_of: dt.date, ours: pd.DataFrame) -> bool:
    """Whether the baseline's actual values equal the core's (so both do the same work)."""
    theirs = overview_page(cur, settings, as_of).set_index("indicator_code").actual
    mine = ours.set_index("indicator_code").actual.astype(float)
    return bool(np.allclose(theirs.reindex(mine.index), mine, equal_nan=True, rtol=1e-9))


# Map ----------------------------------------------------------------------------------------


def map_page(cur, settings: Settings, as_of: dt.date) -> None:
    values, indicators = read(cur, "indicator_values"), read(cur, "indicators")
    targets, regions = read(cur, "indicator_targets"), read(cur, "regions")
    organisations, grants = read(cur, "organisations"), read(cur, "grants")
    transactions, rates = read(cur, "transactions"), read(cur, "exchange_rates")
    milestones = read(cur, "milestones")
    period = period_of(as_of)
    code = indicators.indicator_code.iloc[0]
    rv = region_values(values, indicators)
    mine = rv[(rv.indicator_code == code) & (rv.period <= period)]
    per_region = (
        mine.sort_values("period").groupby("region_code").value.agg(["sum", "mean", "last"])
    )
    end_targets = targets[(targets.indicator_code == code)].groupby("region_code").target.last()
    per_region.join(end_targets).join(regions.set_index("region_code"))
    # Organisations: grant money received and their latest values.
    tx = transactions[
        (transactions.date <= pd.Timestamp(as_of))
        & transactions.kind.isin(["disbursement", "refund"])
        & transactions.grant_id.notna()
    ]
    usd = to_usd(tx, rates, "date") * np.where(tx.kind == "disbursement", 1, -1)
    received = tx.assign(usd=usd).merge(grants[["grant_id", "org_id"]]).groupby("org_id").usd.sum()
    awarded = grants[grants.awarded_on <= pd.Timestamp(as_of)].assign(
        usd=lambda g: to_usd(g, rates, "awarded_on")
    )
    awarded = awarded.groupby("org_id").usd.agg(["sum", "size"])
    org_rows = values[
        (values.org_id != "")
        & (values.sex == "all")
        & (values.age_group == "all")
        & (values.period <= period)
    ]
    latest = org_rows.sort_values("period").groupby(["org_id", "indicator_code"]).value.last()
    points = organisations.set_index("org_id").join(received).join(awarded, rsuffix="_a")
    points.join(latest.groupby(level=0).size().rename("indicators"))
    points.groupby("region_code").size()
    pd.concat(
        [
            frame.region_code
            for frame in (regions, organisations, values, targets, grants, milestones)
        ]
    ).dropna().unique()


# Grants -------------------------------------------------------------------------------------


def grants_page(cur, settings: Settings, as_of: dt.date) -> None:
    transactions, rates, budget = (
        read(cur, "transactions"),
        read(cur, "exchange_rates"),
        read(cur, "budget"),
    )
    grants, organisations = read(cur, "grants"), read(cur, "organisations")
    tx = transactions[transactions.date <= pd.Timestamp(as_of)].copy()
    tx["usd"] = to_usd(tx, rates, "date")
    tx["spent"] = np.select(
        [tx.kind == "expenditure", tx.kind == "refund"], [tx.usd, -tx.usd], np.nan
    )
    tx["period"] = tx.date.dt.year.astype(str) + "Q" + tx.date.dt.quarter.astype(str)
    planned = budget.assign(usd=budget_usd(budget, rates))
    # Budget against actual per line, and per quarter.
    by_line = planned[planned.period <= period_of(as_of)].groupby("budget_line").usd.sum()
    by_line.to_frame("planned").join(tx.groupby("budget_line").spent.sum())
    by_quarter = planned.groupby("period").usd.sum().to_frame("planned")
    by_quarter.join(tx.groupby("period").spent.sum()).cumsum()
    # Each grant's position.
    on_grants = tx[tx.grant_id.notna()]
    flows = on_grants.pivot_table(
        index="grant_id", columns="kind", values="usd", aggfunc="sum", fill_value=0
    )
    last_expenditure = on_grants[on_grants.kind == "expenditure"].groupby("grant_id").date.max()
    last_disbursement = on_grants[on_grants.kind == "disbursement"].groupby("grant_id").date.max()
    position = (
        grants[grants.awarded_on <= pd.Timestamp(as_of)]
        .assign(awarded_usd=lambda g: to_usd(g, rates, "awarded_on"))
        .merge(organisations[["org_id", "name", "region_code"]], on="org_id", how="left")
        .set_index("grant_id")
        .join(flows)
        .join(last_expenditure.rename("last_expenditure"))
        .join(last_disbursement.rename("last_disbursement"))
    )
    position["stale"] = (position.last_expenditure.isna()) | (
        position.last_expenditure < position.last_disbursement
    )
    position.groupby("region_code_y").awarded_usd.sum()
    position.groupby("name").awarded_usd.sum()
    tx[tx.usd.isna()]


# Milestones ---------------------------------------------------------------------------------


def milestones_page(cur, settings: Settings, as_of: dt.date) -> None:
    values, indicators = read(cur, "indicator_values"), read(cur, "indicators")
    targets = read(cur, "indicator_targets")
    progress(region_values(values, indicators), indicators, targets, settings, as_of)
    status = milestone_status(read(cur, "milestones"), as_of)
    status.merge(read(cur, "regions")[["region_code", "name_en"]], how="left").sort_values(
        ["stage", "planned_on"]
    )
    for column in ("level", "region_code", "stage"):
        status.groupby([column, "status_as_of"]).size()
    status.assign(
        period=status.planned_on.dt.year.astype(str)
        + "Q"
        + status.planned_on.dt.quarter.astype(str)
    ).groupby(["period", "status_as_of"]).size()


# Upload and administration ------------------------------------------------------------------


def upload_page(cur, settings: Settings, as_of: dt.date) -> None:
    read(cur, "upload_batches").sort_values("batch_id", ascending=False).head(200)


def admin_page(cur, settings: Settings, as_of: dt.date) -> None:
    read(cur, "users")
    read(cur, "share_links")
    read(cur, "share_link_uses")


# Data quality -------------------------------------------------------------------------------


def quarter_end(periods: pd.Series) -> pd.Series:
    """The last day of each quarter ("2021Q2" -> 2021-06-30)."""
    year = periods.str[:4].astype(int)
    quarter = periods.str[5].astype(int)
    start = pd.to_datetime({"year": year, "month": quarter * 3 - 2, "day": 1})
    return start + pd.offsets.QuarterEnd(0)


def expected_cells(
    values: pd.DataFrame, targets: pd.DataFrame, settings: Settings, period: str
) -> pd.DataFrame:
    """Every indicator x programme region x quarter from the first reported or targeted one up
    to `period`, and whether any row of it is reported."""
    keys = ["indicator_code", "region_code"]
    both = pd.concat([values[[*keys, "period"]], targets[[*keys, "period"]]])
    both = both[both.region_code.isin(settings.programme.regions)]
    firsts = both.groupby(keys).period.min().rename("first_period").reset_index()
    quarters = pd.DataFrame({"period": programme_periods(settings.programme)})
    cells = firsts.merge(quarters, how="cross")
    cells = cells[(cells.period >= cells.first_period) & (cells.period <= period)]
    reported = values[[*keys, "period"]].drop_duplicates().assign(reported=True)
    cells = cells.merge(reported, how="left", on=[*keys, "period"])
    return cells.assign(reported=cells.reported.fillna(False).astype(bool))


def quality_outliers(values: pd.DataFrame, indicators: pd.DataFrame, period: str, threshold):
    """Values up to `period` beyond the modified z-score threshold or the indicator's bounds."""
    rows = values[values.period <= period].merge(
        indicators[["indicator_code", "min_value", "max_value"]], on="indicator_code"
    )
    group = rows.groupby(["indicator_code", "sex", "age_group"]).value
    median = group.transform("median")
    n = group.transform("size")
    deviation = (rows.value - median).abs()
    by = [rows.indicator_code, rows.sex, rows.age_group]
    mad = deviation.groupby(by).transform("median")
    mean_ad = deviation.groupby(by).transform("mean")
    z = np.where(
        mad > 0,
        0.6745 * (rows.value - median) / mad.where(mad > 0),
        (rows.value - median) / (1.2533 * mean_ad.where(mean_ad > 0)),
    )
    z = pd.Series(np.where(n < 5, np.nan, z), index=rows.index)
    flagged = (z.abs() > threshold) | (rows.value < rows.min_value) | (rows.value > rows.max_value)
    return rows[flagged].assign(z=z[flagged], median=median[flagged], n=n[flagged])


def quality_rules(cur, values, indicators, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """The violations of the settings' rules, each with its two sides."""
    period = period_of(as_of)
    counts = indicators.indicator_code[indicators.unit == "number"]
    rows = values[(values.period <= period) & values.indicator_code.isin(counts)]
    found = []
    for rule in settings.quality.rules:
        mine = rows
        if rule.indicators:
            mine = rows[rows.indicator_code.isin(rule.indicators)]
        if rule.kind == "sex_adds_up":
            keys = ["indicator_code", "period", "region_code", "org_id", "age_group"]
            wide = mine.pivot_table(index=keys, columns="sex", values="value", aggfunc="first")
            wide = wide.dropna(subset=["all", "female", "male"])
            bad = wide[(wide.female + wide.male - wide["all"]).abs() > rule.tolerance]
            found.append(bad.reset_index().assign(rule=rule.kind))
        elif rule.kind == "age_groups_add_up":
            keys = ["indicator_code", "period", "region_code", "org_id", "sex"]
            whole = mine[mine.age_group == "all"].set_index(keys).value.rename("all_ages")
            parts = mine[mine.age_group != "all"].groupby(keys).value.agg(["sum", "size"])
            both = parts.join(whole, how="inner")
            both = both[both["size"] >= 2]
            bad = both[(both["sum"] - both.all_ages).abs() > rule.tolerance]
            found.append(bad.reset_index().assign(rule=rule.kind))
        elif rule.kind == "not_above":
            rv = region_values(values, indicators)
            rv = rv[rv.period <= period]
            n = rv[rv.indicator_code == rule.numerator]
            d = rv[rv.indicator_code == rule.denominator]
            both = n.merge(d, on=["period", "region_code"], suffixes=("", "_d"))
            found.append(both[both.value > both.value_d + rule.tolerance].assign(rule=rule.kind))
        elif rule.kind == "achieved_milestone_has_date":
            milestones = read(cur, "milestones")
            bad = milestones[(milestones.status == "achieved") & milestones.achieved_on.isna()]
            found.append(bad.assign(rule=rule.kind))
        elif rule.kind == "disbursed_within_award":
            grants, transactions = read(cur, "grants"), read(cur, "transactions")
            tx = transactions[
                (transactions.kind == "disbursement") & (transactions.date <= pd.Timestamp(as_of))
            ].merge(grants[["grant_id", "currency", "amount"]], on="grant_id", suffixes=("", "_g"))
            tx = tx[tx.currency == tx.currency_g]
            per_grant = tx.groupby("grant_id").agg(
                disbursed=("amount", lambda a: a.astype(float).sum()),
                award=("amount_g", lambda a: float(a.iloc[0])),
            )
            bad = per_grant[per_grant.disbursed > per_grant.award + rule.tolerance]
            found.append(bad.reset_index().assign(rule=rule.kind))
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame()


def quality_page(cur, settings: Settings, as_of: dt.date) -> dict:
    values, indicators = read(cur, "indicator_values"), read(cur, "indicators")
    targets, organisations = read(cur, "indicator_targets"), read(cur, "organisations")
    changes, batches = read(cur, "upload_changes"), read(cur, "upload_batches")
    regions, approvals = read(cur, "regions"), read(cur, "quarter_approvals")
    follow_ups = read(cur, "follow_ups")
    period = period_of(as_of)
    # Completeness: per indicator x region x quarter, per region, quarter and organisation.
    cells = expected_cells(values, targets, settings, period)
    for column in ("region_code", "period"):
        cells.groupby(column).reported.agg(["size", "sum"])
    cells.pivot_table(
        index=["indicator_code", "region_code"],
        columns="period",
        values="reported",
        aggfunc="first",
    )
    org_rows = values[values.org_id != ""]
    org_reported = org_rows[["org_id", "indicator_code", "period"]].drop_duplicates()
    org_firsts = (
        org_reported[org_reported.period <= period]
        .groupby(["org_id", "indicator_code"])
        .period.min()
        .rename("first_period")
        .reset_index()
    )
    quarters = pd.DataFrame({"period": programme_periods(settings.programme)})
    org_cells = org_firsts.merge(quarters, how="cross")
    org_cells = org_cells[
        (org_cells.period >= org_cells.first_period) & (org_cells.period <= period)
    ].merge(org_reported.assign(reported=True), how="left")
    by_org = org_cells.groupby("org_id").agg(
        expected=("period", "size"), reported=("reported", "count")
    )
    by_org.join(organisations.set_index("org_id")[["name", "region_code"]])
    # Timeliness: the first committed upload that inserted each cell, against its deadline.
    committed = batches[batches.status == "committed"][["batch_id", "uploaded_at"]]
    inserts = changes[(changes.table_name == "indicator_values") & (changes.action == "insert")]
    inserts = inserts.merge(committed, on="batch_id")
    keys = inserts.row_key.map(lambda k: k if isinstance(k, list) else json.loads(k))
    inserts = inserts.assign(
        indicator_code=keys.str[0], period=keys.str[1], region_code=keys.str[2]
    )
    uploads = inserts.groupby(["indicator_code", "region_code", "period"]).uploaded_at.min()
    timely = cells.merge(uploads.reset_index(), how="left")
    timely["deadline"] = quarter_end(timely.period) + pd.Timedelta(
        days=settings.quality.timeliness_days
    )
    timely = timely.merge(regions[["region_code", "name_en"]], how="left")
    first_by_org = (
        org_rows.merge(organisations[["org_id", "name"]], how="left")
        .groupby(["indicator_code", "region_code", "name"])
        .period.min()
        .rename("org_first")
        .reset_index()
    )
    listed = timely.merge(first_by_org, how="left", on=["indicator_code", "region_code"])
    listed = listed[listed.org_first < listed.period]
    who = listed.groupby(["indicator_code", "region_code", "period"]).name.agg(
        lambda names: "; ".join(sorted(set(names)))
    )
    timely = timely.merge(who.rename("who_reports").reset_index(), how="left")
    today = pd.Timestamp(dt.date.today())
    uploaded = timely.uploaded_at.dt.tz_localize(None) if len(timely) else timely.uploaded_at
    timely["status"] = np.select(
        [
            ~timely.reported & (timely.deadline < today),
            ~timely.reported,
            timely.uploaded_at.isna(),
            uploaded.dt.normalize() <= timely.deadline,
        ],
        ["missing", "not due yet", "no upload recorded", "on time"],
        "late",
    )
    timely.status.value_counts()
    # Outliers, rules, follow-ups, approvals.
    flagged = quality_outliers(values, indicators, period, settings.quality.outlier_threshold)
    broken = quality_rules(cur, values, indicators, settings, as_of)
    open_ = follow_ups[follow_ups.closed_at.isna()].merge(
        values,
        how="left",
        on=["indicator_code", "period", "region_code", "org_id", "sex", "age_group"],
        suffixes=("", "_now"),
    )
    open_[open_.value_now == open_.value]
    latest = approvals.sort_values("event_id").groupby(["period", "region_code"]).tail(1)
    latest[latest.action == "approve"]
    approvals.sort_values("event_id", ascending=False).head(500)
    return {
        "expected": len(cells),
        "reported": int(cells.reported.sum()),
        "outliers": len(flagged),
        "violations": len(broken),
    }


def check_quality(cur, db, settings: Settings, as_of: dt.date) -> dict:
    """The baseline's counts against the core's (completeness, outliers, rule violations)."""
    from monitoring.quality import completeness, outliers, rules

    theirs = quality_page(cur, settings, as_of)
    found = completeness.completeness(db, settings, as_of)
    ours = {
        "expected": found.expected,
        "reported": found.reported,
        "outliers": len(outliers.outliers(db, settings, as_of)),
        "violations": len(rules.violations(db, settings, as_of)),
    }
    return {"matches": theirs == ours, "naive": theirs, "ours": ours}


PAGES = {
    name: with_chrome(page)
    for name, page in {
        "overview": overview_page,
        "indicators": indicators_page,
        "map": map_page,
        "grants": grants_page,
        "milestones": milestones_page,
        "upload": upload_page,
        "admin": admin_page,
        "quality": quality_page,
    }.items()
}
