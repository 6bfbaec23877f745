"""Build the synthetic benchmark database: a programme far larger than the sample.

Default scale (issue 9): 1,000,000 indicator values, 200 organisations, 60 indicators,
the 14 regions, 200,000 transactions and 5,000 milestones, over ten years (2015-2024, 40
quarters) in all 14 regions. The figures are SYNTHETIC: they exist to load the pages, not
to mean anything.

Deterministic: one `numpy.random.default_rng(SEED)` drives every random draw, in a fixed
order, so the same scale always gives the same rows (`table_checksums` in the results
proves it). The rows are written straight into DuckDB (`insert ... select * from frame`);
the upload pipeline is measured separately, on CSV files written from the same rows.

Usage: python -m tests.bench.generate [--scale 0.1 | --values N] [--out bench/data]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from monitoring.access import accounts
from monitoring.contract import LOAD_ORDER, TABLES
from monitoring.db import Database, refresh_stored_views
from monitoring.intake.sample import VALUES_DAYS_AFTER
from monitoring.periods import period_end

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATA = ROOT / "bench" / "data"
SEED = 20150101
GENERATOR_VERSION = 4  # bump when the rows change: cached databases are rebuilt
BENCH_USER = "bench"
GENERATOR_USER = "bench generator"

START, END = dt.date(2015, 1, 1), dt.date(2024, 12, 31)
PERIODS = [f"{y}Q{q}" for y in range(START.year, END.year + 1) for q in range(1, 5)]
SEXES = ("female", "male")
AGE_GROUPS = ("15-24", "25-34", "35-49", "50+")
EXTRA_ROWS = {"": 0, "sex": 2, "age_group": 4, "sex;age_group": 6}
BUDGET_LINES = (
    ("1.1", "staff"),
    ("1.2", "staff"),
    ("1.3", "staff"),
    ("2.1", "outreach"),
    ("2.2", "training"),
    ("2.3", "training"),
    ("2.4", "training"),
    ("3.1", "research"),
    ("3.2", "research"),
    ("4.1", "grants"),
    ("4.2", "grants"),
    ("4.3", "grants"),
    ("5.1", "advocacy"),
    ("5.2", "advocacy"),
    ("5.3", "advocacy"),
    ("6.1", "monitoring"),
    ("6.2", "monitoring"),
    ("7.1", "operations"),
    ("7.2", "operations"),
    ("7.3", "operations"),
)
GRANT_LINES = ("4.1", "4.2", "4.3")
COMMENTS = (
    "Reported late: the partner's officer was on leave",
    "Figure checked against attendance sheets",
    "Includes two events postponed from the previous quarter",
    "Survey sample smaller than planned",
    "Revised after the quarterly review meeting",
    "Estimate; the final figure follows next quarter",
)
SOURCES = (
    "Quarterly partner report",
    "Training attendance sheets",
    "CSWG minutes",
    "Community perception survey",
    "Mahalla and police records",
    "Partner case records",
)


@dataclass(frozen=True)
class Scale:
    """How big the synthetic programme is."""

    values: int = 1_000_000
    organisations: int = 200
    indicators: int = 60
    transactions: int = 200_000
    milestones: int = 5_000

    @classmethod
    def of(cls, factor: float = 1.0, values: int | None = None) -> Scale:
        """The default scale times `factor` (indicators and regions stay); `values` overrides."""
        base = cls()
        scale = cls(
            values=max(1_000, round(base.values * factor)),
            organisations=max(14, round(base.organisations * factor)),
            indicators=base.indicators,
            transactions=max(1_000, round(base.transactions * factor)),
            milestones=max(100, round(base.milestones * factor)),
        )
        if values is not None:
            scale = replace(scale, values=values)
        return scale

    @classmethod
    def from_options(cls, factor: float | None, values: int | None) -> Scale:
        """--scale F and/or --values N: N values alone scale the rest by N / 1,000,000."""
        if factor is None:
            factor = 1.0 if values is None else values / cls().values
        return cls.of(factor, values)

    @property
    def tag(self) -> str:
        """A short name for files of this scale."""
        return f"v{self.values}-o{self.organisations}-t{self.transactions}-m{self.milestones}"


# -------------------------------------------------------------------------------------------
# settings
# -------------------------------------------------------------------------------------------

SETTINGS_TOML = """\
# Settings of the synthetic benchmark programme (tests/bench/generate.py): ten years in
# all 14 regions. Not a real programme.
[programme]
name = "Synthetic benchmark programme (not real data)"
short_name = "Benchmark programme"
donor = "Synthetic donor"
partners = "Synthetic partners"
start = {start}
end = {end}
regions = [{regions}]
reporting_currency = "USD"

[status]
on_track = 0.9
at_risk = 0.6
"""


def region_rows() -> pd.DataFrame:
    """The 14 regions, as in the committed sample (names and label points)."""
    return pd.read_csv(ROOT / "data" / "sample" / "regions.csv", dtype=str, keep_default_na=False)


def settings_text() -> str:
    codes = ", ".join(f'"{c}"' for c in region_rows().region_code)
    return SETTINGS_TOML.format(start=START.isoformat(), end=END.isoformat(), regions=codes)


# -------------------------------------------------------------------------------------------
# tables
# -------------------------------------------------------------------------------------------


def organisations(rng: np.random.Generator, scale: Scale, regions: pd.DataFrame) -> pd.DataFrame:
    n = scale.organisations
    ids = [f"ORG-{i:04d}" for i in range(1, n + 1)]
    kinds = rng.choice(
        ["cso", "cswg", "authority", "community_group"], size=n, p=[0.55, 0.2, 0.1, 0.15]
    )
    # Every region gets organisations; the rest are spread at random.
    region_index = np.concatenate(
        [np.arange(len(regions)), rng.integers(0, len(regions), size=max(0, n - len(regions)))]
    )[:n]
    lat0 = regions.lat.astype(float).to_numpy()[region_index]
    lon0 = regions.lon.astype(float).to_numpy()[region_index]
    lat = (lat0 + rng.uniform(-0.3, 0.3, n)).round(4)
    lon = (lon0 + rng.uniform(-0.3, 0.3, n)).round(4)
    located = rng.random(n) > 0.05
    established = pd.to_datetime("2000-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 22, size=n), unit="D"
    )
    women_led = np.where(np.isin(kinds, ["cso", "community_group"]), rng.random(n) < 0.85, None)
    return pd.DataFrame(
        {
            "org_id": ids,
            "name": [f"Synthetic organisation {i:04d}" for i in range(1, n + 1)],
            "kind": kinds,
            "region_code": regions.region_code.to_numpy()[region_index],
            "district": [f"District {k}" for k in rng.integers(1, 13, size=n)],
            "women_led": pd.array(women_led, dtype="boolean"),
            "status": rng.choice(["existing", "new"], size=n, p=[0.7, 0.3]),
            "established_on": established,
            "lat": np.where(located, lat, np.nan),
            "lon": np.where(located, lon, np.nan),
        }
    )


def indicators(rng: np.random.Generator, scale: Scale) -> pd.DataFrame:
    """The logframe: a mix of levels, units, aggregations and disaggregations."""
    rows = []
    n = scale.indicators
    for i in range(n):
        level = "goal" if i < 2 else ("outcome" if i < n * 0.7 else "output")
        outcome = None if level == "goal" else str(1 + i % 3)
        # One in six is a region-level survey percentage; the rest are counted per organisation.
        if i % 6 == 0:
            unit, aggregation = "percent", "latest"
        elif i % 6 == 3:
            unit, aggregation = "percent", "mean"
        else:
            unit, aggregation = "number", ("sum" if i % 6 in (1, 2, 4) else "latest")
        direction = "decrease" if i % 10 == 7 else "increase"
        disaggregation = ("", "sex", "age_group", "sex;age_group", "")[i % 5]
        if unit == "percent":
            baseline = float(rng.integers(25, 50))
            target = baseline + 25 if direction == "increase" else baseline - 15
        else:
            baseline = 0.0 if aggregation == "sum" else float(rng.integers(5, 20))
            target = 0.0  # set from the generated values below
        rows.append(
            {
                "indicator_code": f"BI{1 + i // 20}.{1 + i % 20:02d}",
                "level": level,
                "outcome": outcome,
                "title": f"Synthetic indicator {i + 1:02d}: "
                + ("% of people reached who" if unit == "percent" else "Number of activities")
                + f" (benchmark, {aggregation})",
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
                "baseline": baseline,
                "target": target,
                "disaggregation": disaggregation or None,
                "sensitive": i % 15 == 11,
                "means_of_verification": SOURCES[i % len(SOURCES)],
            }
        )
    return pd.DataFrame(rows)


def indicator_values(
    rng: np.random.Generator,
    scale: Scale,
    inds: pd.DataFrame,
    orgs: pd.DataFrame,
    regions: pd.DataFrame,
) -> pd.DataFrame:
    """Exactly `scale.values` rows: reports (a total row and its breakdown rows) drawn from
    every indicator x reporter x quarter, region-level for survey percentages."""
    n_periods = len(PERIODS)
    region_level = (inds.unit == "percent") & (inds.aggregation == "latest")
    reporters = np.where(region_level, len(regions), len(orgs))
    extra = inds.disaggregation.fillna("").map(EXTRA_ROWS).to_numpy()
    full_rows = int((reporters * n_periods * (1 + extra)).sum())
    if full_rows < scale.values:
        raise SystemExit(
            f"{scale.values:,} values do not fit in {full_rows:,} possible rows: "
            "use more organisations."
        )
    share = min(1.0, 1.04 * scale.values / full_rows)

    # Reports: (indicator, reporter, period) kept with probability `share`.
    ind_idx = np.repeat(np.arange(len(inds)), reporters * n_periods)
    within = np.concatenate([np.arange(r * n_periods) for r in reporters])
    reporter_idx, period_idx = within // n_periods, within % n_periods
    kept = rng.random(len(ind_idx)) < share
    if (1 + extra[ind_idx[kept]]).sum() < scale.values:  # an unlucky draw: keep every report
        kept[:] = True
    ind_idx, reporter_idx, period_idx = ind_idx[kept], reporter_idx[kept], period_idx[kept]
    rows_per_report = 1 + extra[ind_idx]
    # Exactly scale.values rows: drop whole reports at random beyond the count, then trim.
    order = rng.permutation(len(ind_idx))
    cum = np.cumsum(rows_per_report[order])
    take = np.sort(order[: int(np.searchsorted(cum, scale.values)) + 1])
    ind_idx, reporter_idx, period_idx = ind_idx[take], reporter_idx[take], period_idx[take]

    is_region = region_level.to_numpy()[ind_idx]
    org_region = orgs.region_code.to_numpy()
    region_codes = regions.region_code.to_numpy()
    as_region = np.minimum(reporter_idx, len(regions) - 1)
    as_org = np.minimum(reporter_idx, len(orgs) - 1)
    region_of = np.where(is_region, region_codes[as_region], org_region[as_org])
    org_of = np.where(is_region, "", orgs.org_id.to_numpy()[as_org])

    # Totals: counts a few a quarter; percentages moving from baseline towards target.
    unit_percent = (inds.unit == "percent").to_numpy()[ind_idx]
    baseline = inds.baseline.to_numpy()[ind_idx]
    target = np.where(unit_percent, inds.target.to_numpy()[ind_idx], 0)
    progress = period_idx / (n_periods - 1)
    drift = rng.normal(0, 4, len(ind_idx))
    percent = np.clip(baseline + (target - baseline) * progress * 0.9 + drift, 0, 100).round(1)
    lam = 1 + (ind_idx % 7)
    count = rng.poisson(lam).astype(float)
    total = np.where(unit_percent, percent, count)

    reports = pd.DataFrame(
        {
            "report": np.arange(len(ind_idx)),
            "indicator_code": inds.indicator_code.to_numpy()[ind_idx],
            "period": np.asarray(PERIODS)[period_idx],
            "region_code": region_of,
            "org_id": org_of,
            "value": total,
            "percent": unit_percent,
            "disaggregation": inds.disaggregation.fillna("").to_numpy()[ind_idx],
        }
    )
    parts = [reports.assign(sex="all", age_group="all")]
    # Breakdown rows: shares of the total for counts, near the total for percentages.
    by_sex = reports[reports.disaggregation.str.contains("sex")]
    female_share = rng.uniform(0.35, 0.75, len(by_sex))
    for sex, share_of in (("female", female_share), ("male", 1 - female_share)):
        value = np.where(
            by_sex.percent,
            np.clip(by_sex.value + rng.normal(0, 3, len(by_sex)), 0, 100).round(1),
            np.floor(by_sex.value * share_of),
        )
        parts.append(by_sex.assign(sex=sex, age_group="all", value=value))
    by_age = reports[reports.disaggregation.str.contains("age_group")]
    weights = rng.dirichlet(np.ones(len(AGE_GROUPS)), len(by_age))
    for k, group in enumerate(AGE_GROUPS):
        value = np.where(
            by_age.percent,
            np.clip(by_age.value + rng.normal(0, 3, len(by_age)), 0, 100).round(1),
            np.floor(by_age.value * weights[:, k]),
        )
        parts.append(by_age.assign(sex="all", age_group=group, value=value))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["report", "sex", "age_group"], kind="stable")
    frame = frame.head(scale.values).reset_index(drop=True)

    n = len(frame)
    with_comment = rng.random(n) < 0.03
    frame["comment"] = np.where(with_comment, np.asarray(COMMENTS)[rng.integers(0, 6, n)], None)
    frame["source"] = np.asarray(SOURCES)[rng.integers(0, len(SOURCES), n)]
    frame["deviation_narrative"] = None  # optional (docs/reports.md); none in the synthetic data
    return frame[TABLES["indicator_values"].column_names]


def set_count_targets(inds: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Targets of count indicators: about what the programme reaches, give or take, so that
    some indicators are on track, some at risk and some behind."""
    totals = values[(values.sex == "all") & (values.age_group == "all")]
    sums = totals.groupby("indicator_code").value.sum()
    per_period = totals.groupby(["indicator_code", "period"]).value.sum().groupby(level=0).max()
    factor = {0: 0.9, 1: 1.05, 2: 1.5, 3: 1.0, 4: 2.2}
    out = inds.copy()
    for i, row in out.iterrows():
        if row.unit != "number":
            continue
        f = factor[i % 5]
        if row.aggregation == "sum":
            reached = sums.get(row.indicator_code, 0.0)
        else:
            reached = per_period.get(row.indicator_code, 0.0)
        out.at[i, "target"] = float(max(1, round(reached * f)))
        if row.direction == "decrease" and row.aggregation != "sum":
            out.at[i, "baseline"] = float(max(2, round(reached * 1.3)))
            out.at[i, "target"] = float(max(1, round(reached * 0.8 * f)))
    return out


def indicator_targets(inds: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Cumulative year-end targets per region for counts summed over time."""
    counted = inds[(inds.unit == "number") & (inds.aggregation == "sum")].indicator_code
    totals = values[
        (values.sex == "all") & (values.age_group == "all") & values.indicator_code.isin(counted)
    ]
    year_ends = [p for p in PERIODS if p.endswith("Q4")]
    per_region = totals.groupby(["indicator_code", "region_code"]).value.sum().reset_index()
    rows = []
    for k, period in enumerate(year_ends, start=1):
        share = k / len(year_ends)
        part = per_region.assign(period=period, target=(per_region.value * share).round(0))
        rows.append(part[["indicator_code", "period", "region_code", "target"]])
    return pd.concat(rows, ignore_index=True)


def months() -> list[str]:
    return [f"{y}-{m:02d}" for y in range(START.year, END.year + 1) for m in range(1, 13)]


def exchange_rates() -> pd.DataFrame:
    """UZS per US dollar, rising over the decade (illustrative)."""
    ms = months()
    rate = [2400 * (12800 / 2400) ** (k / (len(ms) - 1)) for k in range(len(ms))]
    return pd.DataFrame({"currency": "UZS", "month": ms, "per_usd": [round(r, 2) for r in rate]})


def grants(rng: np.random.Generator, orgs: pd.DataFrame) -> pd.DataFrame:
    grantees = orgs[orgs.kind != "authority"]
    count = rng.integers(1, 4, len(grantees))
    org_ids = np.repeat(grantees.org_id.to_numpy(), count)
    regions = np.repeat(grantees.region_code.to_numpy(), count)
    n = len(org_ids)
    days = (END - START).days
    awarded = pd.to_datetime(START) + pd.to_timedelta(rng.integers(0, days - 200, n), unit="D")
    end = awarded + pd.to_timedelta(rng.integers(180, 720, n), unit="D")
    currency = np.where(rng.random(n) < 0.25, "UZS", "USD")
    usd = rng.integers(20, 500, n) * 100
    amount = np.where(currency == "UZS", usd * 10_000, usd).astype(float)
    return pd.DataFrame(
        {
            "grant_id": [f"GR-{i:05d}" for i in range(1, n + 1)],
            "org_id": org_ids,
            "title": [f"Synthetic small grant {i:05d}" for i in range(1, n + 1)],
            "region_code": np.where(rng.random(n) < 0.8, regions, None),
            "awarded_on": awarded,
            "end_on": end.where(end <= pd.Timestamp(END), pd.Timestamp(END)),
            "amount": amount,
            "currency": currency,
            "purpose": rng.choice(["CSWG action plan", "Community initiative", "Advocacy"], n),
            "status": rng.choice(["active", "closed", "cancelled"], n, p=[0.3, 0.65, 0.05]),
        }
    )


def transactions(
    rng: np.random.Generator, scale: Scale, grant_rows: pd.DataFrame, rates: pd.DataFrame
) -> pd.DataFrame:
    n = scale.transactions
    days = (END - START).days + 1
    on_grant = rng.random(n) < 0.35
    grant_idx = rng.integers(0, len(grant_rows), n)
    date = pd.to_datetime(START) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    kind = np.where(
        on_grant,
        rng.choice(
            ["commitment", "disbursement", "expenditure", "refund"], n, p=[0.1, 0.2, 0.67, 0.03]
        ),
        rng.choice(["commitment", "expenditure", "refund"], n, p=[0.05, 0.93, 0.02]),
    )
    currency = np.where(
        on_grant,
        grant_rows.currency.to_numpy()[grant_idx],
        np.where(rng.random(n) < 0.15, "UZS", "USD"),
    )
    usd = rng.gamma(2.0, 60.0 * 200_000 / n * 20, n).round(2) + 10
    rate = rates.set_index("month").per_usd.reindex(date.strftime("%Y-%m")).to_numpy()
    amount = np.where(currency == "UZS", (usd * rate).round(0), usd)
    non_grant_lines = [b for b, _ in BUDGET_LINES if b not in GRANT_LINES]
    line = np.where(
        on_grant,
        rng.choice(list(GRANT_LINES), n),
        rng.choice(non_grant_lines, n),
    )
    return pd.DataFrame(
        {
            "transaction_id": [f"T-{i:07d}" for i in range(1, n + 1)],
            "grant_id": np.where(on_grant, grant_rows.grant_id.to_numpy()[grant_idx], None),
            "date": date,
            "kind": kind,
            "amount": amount,
            "currency": currency,
            "budget_line": line,
            "description": np.where(
                rng.random(n) < 0.5, [f"Synthetic payment {i}" for i in range(1, n + 1)], None
            ),
        }
    )


def budget(tx: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """A budget per line and quarter close to what is spent (some lines over, some under)."""
    rate = rates.set_index("month").per_usd
    months_of = tx.date.dt.strftime("%Y-%m")
    usd = np.where(tx.currency == "UZS", tx.amount / rate.reindex(months_of).to_numpy(), tx.amount)
    spent = (
        pd.DataFrame(
            {
                "line": tx.budget_line,
                "period": tx.date.dt.year.astype(str) + "Q" + tx.date.dt.quarter.astype(str),
                "usd": np.where(tx.kind == "expenditure", usd, 0.0),
            }
        )
        .groupby(["line", "period"])
        .usd.sum()
    )
    rows = []
    for k, (line, category) in enumerate(BUDGET_LINES):
        factor = (0.8, 1.0, 1.15, 0.95, 1.3)[k % 5]
        for period in PERIODS:
            planned = round(float(spent.get((line, period), 0.0)) * factor, -2)
            if planned > 0:
                rows.append((line, category, period, planned, "USD"))
    return pd.DataFrame(rows, columns=["budget_line", "category", "period", "amount", "currency"])


def milestones(
    rng: np.random.Generator, scale: Scale, regions: pd.DataFrame, inds: pd.DataFrame
) -> pd.DataFrame:
    n = scale.milestones
    days = (END - START).days
    planned = pd.to_datetime(START) + pd.to_timedelta(np.sort(rng.integers(0, days, n)), unit="D")
    status = rng.choice(
        ["planned", "in_progress", "achieved", "delayed", "dropped"],
        n,
        p=[0.1, 0.08, 0.72, 0.06, 0.04],
    )
    late = np.maximum(-10, rng.normal(8, 25, n)).round().astype(int)
    achieved = pd.Series(planned + pd.to_timedelta(late, unit="D"))
    achieved = achieved.where(status == "achieved")
    stage = rng.integers(1, 5, n)
    region = np.where(rng.random(n) < 0.8, rng.choice(regions.region_code.to_numpy(), n), None)
    indicator = np.where(rng.random(n) < 0.4, rng.choice(inds.indicator_code.to_numpy(), n), None)
    with_outcome = (status == "achieved") & (rng.random(n) < 0.5)
    return pd.DataFrame(
        {
            "milestone_id": [f"MS-{i:05d}" for i in range(1, n + 1)],
            "title": [f"Synthetic milestone {i:05d}" for i in range(1, n + 1)],
            "stage": stage,
            "level": rng.choice(
                ["community", "regional", "national", "international"], n, p=[0.5, 0.3, 0.15, 0.05]
            ),
            "audience": rng.choice(
                ["CSWG members", "Regional khokimiyat", "Police", "Partner CSOs"], n
            ),
            "region_code": region,
            "planned_on": planned,
            "achieved_on": achieved,
            "status": status,
            "outcome": np.where(with_outcome, "Synthetic change achieved", None),
            "evidence_url": np.where(
                with_outcome, [f"https://example.org/bench/{i}" for i in range(1, n + 1)], None
            ),
            "indicator_code": indicator,
        }
    )


def build_tables(scale: Scale) -> dict[str, pd.DataFrame]:
    """Every table of the contract at `scale`; the random draws happen in this fixed order."""
    rng = np.random.default_rng(SEED)
    regions = region_rows()
    orgs = organisations(rng, scale, regions)
    inds = indicators(rng, scale)
    values = indicator_values(rng, scale, inds, orgs, regions)
    inds = set_count_targets(inds, values)
    rates = exchange_rates()
    grant_rows = grants(rng, orgs)
    tx = transactions(rng, scale, grant_rows, rates)
    tables = {
        "regions": regions.assign(lat=regions.lat.astype(float), lon=regions.lon.astype(float)),
        "organisations": orgs,
        "indicators": inds,
        "indicator_targets": indicator_targets(inds, values),
        "indicator_values": values,
        "grants": grant_rows,
        "transactions": tx,
        "budget": budget(tx, rates),
        "exchange_rates": rates,
        "milestones": milestones(rng, scale, regions, inds),
    }
    # Optional columns the generator does not fill (translations, bounds) stay empty.
    return {
        name: tables[name]
        .reindex(columns=TABLES[name].column_names)
        .astype({c: "object" for c in TABLES[name].column_names if c not in tables[name].columns})
        for name in LOAD_ORDER
    }


# -------------------------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------------------------


def paths(scale: Scale, folder: Path = BENCH_DATA) -> dict[str, Path]:
    return {
        "db": folder / f"bench-{scale.tag}.duckdb",
        "settings": folder / f"bench-{scale.tag}.toml",
        "meta": folder / f"bench-{scale.tag}.json",
    }


def write_database(path: Path, tables: dict[str, pd.DataFrame], fingerprint: str) -> None:
    """A new database at `path` holding `tables`, one upload batch per table (the indicator
    values: one a quarter, `values_by_quarter`), and the admin account `bench` (all pages
    are open to it)."""
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(path)
    try:
        with db.transaction() as cur:
            for name, frame in tables.items():
                if name == "indicator_values":
                    values_by_quarter(cur, frame, fingerprint)
                    continue
                cur.register("bench_rows", frame)
                cur.execute(f"insert into {name} by name select * from bench_rows")  # noqa: S608
                cur.unregister("bench_rows")
                cur.execute(
                    "insert into upload_batches (table_name, file_name, sha256, uploaded_by, "
                    "rows_inserted, source) values ($t, $f, $s, $b, $n, 'cli')",
                    {
                        "t": name,
                        "f": f"{name}.csv (benchmark generator)",
                        "s": hashlib.sha256(f"{fingerprint}:{name}".encode()).hexdigest(),
                        "b": GENERATOR_USER,
                        "n": len(frame),
                    },
                )
            refresh_stored_views(cur)
        accounts.add_user(db, BENCH_USER, accounts.ADMIN, None, by=GENERATOR_USER)
        with db.cursor() as cur:
            cur.execute("checkpoint")
    finally:
        db.close()


def values_by_quarter(cur, frame: pd.DataFrame, fingerprint: str) -> None:
    """The indicator values as regional teams upload them: a batch a quarter, dated some days
    after the quarter's end (as the sample's, monitoring/intake/sample.py), each row in the
    change log (upload_changes) as an import writes it. The pages that read the upload
    history (the Data quality page's timeliness) then read a programme's, not an empty one."""
    batches = []
    for i, period in enumerate(sorted(frame.period.unique())):
        at = dt.datetime.combine(
            period_end(period) + dt.timedelta(days=VALUES_DAYS_AFTER[i % len(VALUES_DAYS_AFTER)]),
            dt.time(9),
            tzinfo=dt.UTC,
        )
        batch = cur.execute(
            "insert into upload_batches (table_name, file_name, sha256, uploaded_by, "
            "uploaded_at, rows_inserted, source) values ('indicator_values', $f, $s, $b, $at, "
            "$n, 'cli') returning batch_id",
            {
                "f": f"indicator_values {period}.csv (benchmark generator)",
                "s": hashlib.sha256(
                    f"{fingerprint}:indicator_values:{period}".encode()
                ).hexdigest(),
                "b": GENERATOR_USER,
                "at": at,
                "n": int((frame.period == period).sum()),
            },
        ).fetchone()[0]
        batches.append((period, int(batch)))
    key = ", ".join(f"cast(r.{k} as varchar)" for k in TABLES["indicator_values"].key)
    cur.register("bench_rows", frame)
    cur.register("bench_batches", pd.DataFrame(batches, columns=["period", "batch_id"]))
    cur.execute("insert into indicator_values by name select * from bench_rows")
    cur.execute(
        "insert into upload_changes (batch_id, line, table_name, row_key, action) "  # noqa: S608
        "select b.batch_id, cast(row_number() over (partition by b.batch_id) + 1 as integer), "
        f"'indicator_values', to_json([{key}]), 'insert' "
        "from bench_rows r join bench_batches b using (period)"
    )
    cur.unregister("bench_rows")
    cur.unregister("bench_batches")


def fingerprint(scale: Scale) -> str:
    text = json.dumps({"scale": asdict(scale), "version": GENERATOR_VERSION, "seed": SEED})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure_database(scale: Scale, folder: Path = BENCH_DATA, *, log=print) -> dict[str, Path]:
    """The benchmark database of `scale` (built unless one of the same scale exists)."""
    folder.mkdir(parents=True, exist_ok=True)
    where = paths(scale, folder)
    stamp = fingerprint(scale)
    if where["db"].exists() and where["meta"].exists():
        meta = json.loads(where["meta"].read_text())
        if meta.get("fingerprint") == stamp:
            upgrade_in_place(where["db"], log=log)
            return where
    log(f"Generating the benchmark database {where['db']} ({scale}) ...")
    tables = build_tables(scale)
    where["settings"].write_text(settings_text(), encoding="utf-8")
    write_database(where["db"], tables, stamp)
    counts = {name: len(frame) for name, frame in tables.items()}
    where["meta"].write_text(
        json.dumps({"fingerprint": stamp, "scale": asdict(scale), "rows": counts}, indent=1)
    )
    log("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return where


def upgrade_in_place(path: Path, *, log=print) -> None:
    """Bring a kept benchmark database to this release's schema, and delete the copy of the
    file as it was that an upgrade keeps (220 MB at 1,000,000 values): a benchmark database
    is made again from its fingerprint whenever it is needed, so the copy is never used."""
    db = Database(path)
    try:
        db.connection()
    finally:
        db.close()
    for kept in path.parent.glob(f"{path.stem}.before-v*.duckdb"):
        kept.unlink()
        log(f"Deleted {kept.name}, the copy the upgrade of {path.name} kept.")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as canonical CSV (contract columns, UTF-8, \\n line ends, empty = empty)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").fillna("")
        elif out[column].dtype == float:
            out[column] = [
                "" if math.isnan(v) else (str(int(v)) if v.is_integer() else repr(v))
                for v in out[column]
            ]
    out.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, help="times the default scale (default 1)")
    parser.add_argument("--values", type=int, help="indicator values (overrides --scale)")
    parser.add_argument("--out", type=Path, default=BENCH_DATA, help="folder of the files")
    args = parser.parse_args(argv)
    scale = Scale.from_options(args.scale, args.values)
    where = ensure_database(scale, args.out)
    print(f"Benchmark database: {where['db']}  settings: {where['settings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
