"""The PDF report as of a reporting quarter (docs/reports.md).

Cover; a summary of the overview (time elapsed, spending and burn rate, milestones, status
counts with the rule); charts of status, spending against time and budget and the milestone
timeline; the indicator table; spending by category and by grant; milestones achieved and
late with the change they led to; data-quality notes; method. A4, numbered pages, the data
version in every footer.

Made with Typst (the `typst` package: no browser, no network) from report.typ beside this
file, in the fonts shipped in data/fonts (Noto Sans, and DejaVu Sans for the status symbols:
both cover Cyrillic and Uzbek Latin, oʻ and gʻ with U+02BB). The charts are vector shapes
computed in monitoring/reports/drawings.py. Everything the template shows is handed to it as
JSON, never pasted into Typst markup, so text from the data prints exactly as typed. Every
figure comes from the viewer's protected view, through the pages' own core functions.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd

from monitoring.access.view import ProtectedView
from monitoring.db import Database
from monitoring.db.versions import DataVersion
from monitoring.reports import drawings as draw
from monitoring.reports import grants, iptt, milestones, overview
from monitoring.reports.documents import MISSING, Scope, require_reports
from monitoring.reports.milestones import MilestoneFilters
from monitoring.reports.status import STATUSES, status_rule_text
from monitoring.settings import ROOT, Settings

TEMPLATE = ROOT / "monitoring" / "reports" / "report.typ"
FONTS = ROOT / "data" / "fonts"
CURRENCY = "USD"
MAX_GRANT_ROWS = 40
MILESTONE_ROWS = 60  # the timeline shows the most urgent ones when there are more


def pdf_report(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    *,
    label: str | None = None,
    version: DataVersion | None = None,
) -> bytes:
    """The PDF report as the viewer may see it, as of `as_of`; the same data version, date
    and scope give the same bytes."""
    content = report_content(db, view, settings, as_of, label=label, version=version)
    return render(content, content_time(content))


def content_time(content: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(content["version_at"])


def render(content: dict, at: dt.datetime) -> bytes:
    """The PDF of `content` (report_content), its times fixed to `at`."""
    import typst

    return typst.compile(
        TEMPLATE.read_bytes(),
        root=str(TEMPLATE.parent),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,  # the same fonts on every machine: the same bytes
        sys_inputs={"data": json.dumps(content, ensure_ascii=False, allow_nan=False)},
        timestamp=at.astimezone(dt.UTC),
        format="pdf",
    )


def report_content(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    *,
    label: str | None = None,
    version: DataVersion | None = None,
) -> dict:
    """What the report shows, as plain data for the template (every text a string)."""
    require_reports(view)
    table = iptt.iptt_table(db, view, settings, as_of, label=label, version=version)
    scope = table.scope
    progress = overview.indicator_status(db, view, settings, as_of)
    counts = overview.status_counts(progress)
    elapsed = overview.time_elapsed(settings, as_of)
    money = overview.spending_position(db, view, settings, as_of)
    small_grants = money.basis == overview.SMALL_GRANTS
    reached = overview.milestones_position(db, view, as_of)
    verdict = overview.burn_rate_verdict(money.burn_rate, settings)
    listed = milestones.milestones_in_view(db, view, settings, as_of, MilestoneFilters())
    budget_shown = grants.budget_shown(view)
    filters = grants.SpendingFilters(currency=CURRENCY)
    quarters = grants.quarters_in_view(db, view, settings, as_of, filters) if budget_shown else None
    return {
        "title": f"{scope.programme}: report as of {scope.reporting}",
        "author": scope.partners,
        "version_at": scope.version.at.isoformat(),
        "footer": _footer(scope),
        "cover": _cover(scope),
        "summary": _summary(scope, elapsed, money, verdict, reached, counts, settings),
        "charts": {
            "status": draw.status_chart(counts).as_dict(),
            "status_title": "Indicators per goal and outcome, by status (number of indicators)",
            "pace": draw.pace_chart(
                money.time_share if small_grants else elapsed.share,
                money.spent_share,
                money.against_plan,
                small_grants=small_grants,
            ).as_dict(),
            "pace_title": "Small grants: time elapsed and awards spent (%)"
            if small_grants
            else "Spending against budget and time (% of the programme)",
            "s_curve": None if quarters is None else draw.s_curve(quarters, CURRENCY).as_dict(),
            "s_curve_title": f"Budget and spending to date, by quarter ({CURRENCY})",
            "timeline": draw.milestone_timeline(
                milestones.timeline_rows(listed, MILESTONE_ROWS),
                as_of,
                settings.programme.start,
                settings.programme.end,
            ).as_dict(),
            "timeline_title": "Milestone timeline: planned, achieved and late",
        },
        "indicators": _indicators(table),
        "spending": _spending(db, view, settings, as_of, money, budget_shown),
        "milestones": _milestones(listed, reached, len(listed) > MILESTONE_ROWS),
        "quality": _quality(db, view, as_of, table, progress, money),
        "method": _method(settings, view, table),
    }


# Words and numbers ------------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _num(value, decimals: int = 0) -> str:
    if isinstance(value, str):
        return value
    if _missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f}"


def _figure(value) -> str:
    """An indicator's figure: as shown ("<5", "hidden"), else to one decimal at most."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return MISSING
    return f"{float(value):,.1f}".removesuffix(".0")


def _percent(value) -> str:
    if isinstance(value, str):
        return value
    return MISSING if _missing(value) else f"{float(value):.0%}"


def _date(value) -> str:
    if _missing(value) or value is pd.NaT:
        return ""
    return f"{pd.Timestamp(value):%d %b %Y}"


def _footer(scope: Scope) -> str:
    return (
        f"{scope.programme} · as of {scope.as_of:%d %b %Y} · {scope.regions_text} · "
        f"data version {scope.version.label} ({scope.version.time_text})"
    )


def _cover(scope: Scope) -> dict:
    rows = [
        ["Donor", scope.donor],
        ["Partners", scope.partners],
        ["Reporting date", f"{scope.as_of:%d %B %Y} (quarter {scope.reporting})"],
        ["Scope", scope.regions_text],
        ["Made for", scope.audience_text],
        ["Data version", f"{scope.version.label}, as of {scope.version.time_text}"],
    ]
    notice = "Illustrative sample data, not real results." if scope.sample_data else None
    return {
        "kicker": "Programme report",
        "title": scope.programme,
        "subtitle": f"Progress as of {scope.as_of:%d %B %Y}",
        "rows": rows,
        "notice": notice,
    }


def _summary(scope, elapsed, money, verdict, reached, counts, settings) -> dict:
    small_grants = money.basis == overview.SMALL_GRANTS
    spent_words = (
        f"{money.spent_to_date:,.0f} {CURRENCY} spent on the small grants of these regions, "
        f"{_percent(money.spent_share)} of the {money.budget_total:,.0f} awarded"
        if small_grants
        else f"{money.spent_to_date:,.0f} {CURRENCY} spent, {_percent(money.spent_share)} of "
        f"the {money.budget_total:,.0f} budget"
    )
    burn = "no budget" if money.burn_rate is None else f"{money.burn_rate:.2f} ({verdict})"
    rows = [
        [
            "Time elapsed",
            f"{elapsed.months} of {elapsed.total_months} months, {elapsed.share:.0%} of the "
            "programme",
        ],
        ["Spending", spent_words],
        ["Burn rate", burn],
        [
            "Milestones",
            f"{reached.achieved_of_planned_to_date} of {reached.planned_to_date} due achieved; "
            f"{reached.overdue} overdue; {reached.planned_total} planned in all",
        ],
    ]
    on_track = int(counts.get("on_track", pd.Series(dtype=int)).sum()) if len(counts) else 0
    total = int(counts["total"].sum()) if len(counts) else 0
    notes = [f"{on_track} of {total} indicators are on track as of {scope.as_of:%d %B %Y}."]
    if small_grants:
        notes.append(
            "Money is that of the small grants in the regions of this report, the "
            "programme's only money tied to a region: its budget and other spending are not "
            "split by region."
        )
    thresholds = (
        f"A burn rate (share of the budget spent ÷ share of time elapsed) below "
        f"{settings.spending.underspend_below:.2f} is underspending, above "
        f"{settings.spending.overspend_above:.2f} overspending."
    )
    notes.append(thresholds)
    codes = [c for c in counts.columns if c in STATUSES]
    header = ["Goal / outcome", *[f"{STATUSES[c].icon} {STATUSES[c].label}" for c in codes]]
    rows_table = [
        [str(r["group"]), *[str(int(r[c])) for c in codes], str(int(r["total"]))]
        for _, r in counts.iterrows()
    ]
    return {
        "rows": rows,
        "notes": notes,
        "counts": {
            "header": [*header, "Indicators"],
            "rows": rows_table,
            "widths": [2.2, *[1.3] * len(codes), 1],
            "align": ["left", *["right"] * (len(codes) + 1)],
            "size": 8,
        },
        "rule": status_rule_text(settings.status).replace("**", ""),
    }


def _indicators(table: iptt.Iptt) -> dict:
    rows = []
    for line in table.lines:
        if line.kind == "group":
            rows.append([{"text": str(line.fixed["No."]), "colspan": 8, "bold": True,
                          "fill": "#F2F2F2"}])  # fmt: skip
            continue
        if line.kind == "part":
            continue
        fixed = line.fixed
        rows.append(
            [
                str(fixed["No."]),
                str(fixed["Indicator"]),
                str(fixed["# / %"]),
                _figure(fixed["Baseline"]),
                _figure(fixed["LoP target"]),
                _figure(fixed["LoP actual"]),
                _percent(fixed["LoP % met"]),
                str(line.last["Status"]),
            ]
        )
    notes = [
        f"Every indicator against its baseline and life-of-programme (LoP) target, with its "
        f"actual to {table.scope.reporting} and the share of the way from baseline to target "
        f"covered (% met). “{MISSING}”: not reported. The IPTT workbook has them quarter by "
        "quarter, by sex and age group, with the deviation narratives."
    ]
    if table.any_withheld or table.scope.label:
        notes.append(table.note)
    return {
        "notes": notes,
        "table": {
            "header": [
                "No.",
                "Indicator",
                "#/%",
                "Baseline",
                "LoP target",
                "Actual",
                "% met",
                "Status",
            ],  # fmt: skip
            "rows": rows,
            "widths": [0.8, 5.2, 0.5, 1, 1, 1, 0.9, 2.2],
            "align": ["left", "left", "center", "right", "right", "right", "right", "left"],
            "size": 7.5,
        },
    }


def _spending(db, view, settings, as_of, money, budget_shown: bool) -> dict:
    filters = grants.SpendingFilters(currency=CURRENCY)
    tables = []
    notes = []
    if budget_shown:
        frame = grants.budget_in_view(db, view, settings, as_of, filters)
        categories = grants.budget_table(frame, "category", CURRENCY)
        total = frame[frame.level == "total"]
        rows = [
            [
                str(r["Category"]),
                _num(r[f"Budget in range ({CURRENCY})"]),
                _num(r[f"Budget to date ({CURRENCY})"]),
                _num(r[f"Spent ({CURRENCY})"]),
                _num(r[f"Variance ({CURRENCY})"]),
                _num(r["Spent of budget %"], 1),
                _num(r["Burn rate"], 2),
            ]
            for _, r in categories.iterrows()
        ]
        if len(total):
            t = total.iloc[0]
            rows.append(
                [
                    {"text": "All categories", "bold": True},
                    {"text": _num(t.budget_total), "bold": True},
                    {"text": _num(t.budget_to_date), "bold": True},
                    {"text": _num(t.spent), "bold": True},
                    {"text": _num(t.variance), "bold": True},
                    {
                        "text": _num(None if _missing(t.spent_share) else t.spent_share * 100, 1),
                        "bold": True,
                    },  # fmt: skip
                    {"text": _num(t.burn_rate, 2), "bold": True},
                ]
            )
        tables.append(
            {
                "title": f"By budget category ({CURRENCY})",
                "table": {
                    "header": [
                        "Category",
                        "Budget",
                        "Budget to date",
                        "Spent",
                        "Variance",
                        "Spent of budget %",
                        "Burn rate",
                    ],  # fmt: skip
                    "rows": rows,
                    "widths": [2.4, 1.3, 1.3, 1.3, 1.3, 1.1, 0.9],
                    "align": ["left", *["right"] * 6],
                    "size": 7.5,
                },
            }
        )
        notes.append(
            "Spent is expenditure less refunds up to the reporting date; variance is spent "
            "less the budget planned to date (negative: less spent than planned)."
        )
    else:
        notes.append(
            "The programme's budget is not split by region, so only the small grants of the "
            "regions of this report are shown."
        )
    position = grants.grants_in_view(db, view, settings, as_of, filters)
    shown = grants.grants_table(position, CURRENCY)
    rows = [
        [
            str(r["Grant"]),
            str(r["Grantee"]),
            str(r["Region"]),
            str(r["Status"]),
            _num(r[f"Awarded ({CURRENCY})"]),
            _num(r[f"Spent ({CURRENCY})"]),
            _num(r[f"Balance ({CURRENCY})"]),
            str(r["Flags"]),
        ]
        for _, r in shown.head(MAX_GRANT_ROWS).iterrows()
    ]
    if len(shown) > MAX_GRANT_ROWS:
        notes.append(f"The first {MAX_GRANT_ROWS} of {len(shown)} grants, flagged ones first.")
    tables.append(
        {
            "title": f"Small grants ({CURRENCY})",
            "table": {
                "header": [
                    "Grant",
                    "Grantee",
                    "Region",
                    "Status",
                    "Awarded",
                    "Spent",
                    "Balance",
                    "Flags",
                ],  # fmt: skip
                "rows": rows,
                "widths": [0.7, 2.6, 1.1, 1.2, 1, 1, 1, 2.4],
                "align": ["left", "left", "left", "left", "right", "right", "right", "left"],
                "size": 7,
            },
        }
    )
    return {"notes": notes, "tables": tables}


def _milestones(listed: pd.DataFrame, reached, truncated: bool) -> dict:
    achieved = listed[listed.status == "achieved"]
    late = listed[listed.status == "overdue"].sort_values("days_late", ascending=False)

    def progress_text(row) -> str:
        if not isinstance(row.indicator_code, str):
            return ""
        actual = row.indicator_actual_shown
        if _missing(actual) or actual is None:
            actual = MISSING
        status = row.indicator_status
        words = STATUSES[status].label if isinstance(status, str) and status in STATUSES else ""
        return f"{row.indicator_code}: {actual}" + (f" ({words})" if words else "")

    achieved_rows = [
        [
            str(r.milestone_id),
            str(r.title),
            str(r.status_text),
            _date(r.achieved_on),
            "" if _missing(r.outcome) or r.outcome is None else str(r.outcome),
            progress_text(r),
        ]
        for r in achieved.itertuples(index=False)
    ]
    late_rows = [
        [
            str(r.milestone_id),
            str(r.title),
            str(r.region_label),
            _date(r.planned_on),
            str(r.status_text),
        ]
        for r in late.itertuples(index=False)
    ]
    notes = [
        f"{reached.achieved_of_planned_to_date} of {reached.planned_to_date} milestones due by "
        f"the reporting date were achieved; {reached.overdue} are overdue."
    ]
    if truncated:
        notes.append(f"The timeline shows the {MILESTONE_ROWS} most urgent milestones.")
    tables = [
        {
            "title": "Achieved, and the change each led to",
            "table": {
                "header": [
                    "ID",
                    "Milestone",
                    "Status",
                    "Achieved",
                    "Change it led to",
                    "Indicator served",
                ],  # fmt: skip
                "rows": achieved_rows or [["", "None yet", "", "", "", ""]],
                "widths": [0.6, 2.6, 1.4, 1, 3, 1.4],
                "align": ["left"] * 6,
                "size": 7,
            },
        },
        {
            "title": "Late (overdue)",
            "table": {
                "header": ["ID", "Milestone", "Region", "Planned", "Late by"],
                "rows": late_rows or [["", "None", "", "", ""]],
                "widths": [0.6, 3.4, 1.6, 1, 1.6],
                "align": ["left"] * 5,
                "size": 7.5,
            },
        },
    ]
    return {"notes": notes, "tables": tables}


def _quality(db, view, as_of, table: iptt.Iptt, progress, money) -> list[str]:
    notes = []
    no_data = progress[progress.status == "no_data"].indicator_code.tolist()
    notes.append(
        f"Indicators without any value by the reporting date: {', '.join(no_data)}."
        if no_data
        else "Every indicator has at least one value by the reporting date."
    )
    late = progress[(progress.regions_reporting_now == 0) & (progress.status != "no_data")]
    if len(late):
        notes.append(
            "Indicators with no value for the reporting quarter itself (their actual is the "
            f"latest one reported before): {', '.join(late.indicator_code)}."
        )
    notes.append(
        f"Deviation narratives missing for {len(table.flagged)} indicator(s) more than "
        f"{iptt.DEVIATION_POINTS} points from the progress expected"
        + (f": {', '.join(table.flagged)}." if table.flagged else ".")
    )
    unconverted = grants.unconverted_in_view(db, view, as_of, CURRENCY)
    notes.append(
        f"{len(unconverted)} amount(s) without an exchange rate are left out of the totals."
        if len(unconverted)
        else "Every amount has an exchange rate: none is left out of the totals."
    )
    notes.append(
        "Target revisions are not recorded yet: targets are those of the logframe and the "
        "quarterly targets as they stand in this data version."
    )
    if table.scope.sample_data:
        notes.append("The data are illustrative sample data, not real results.")
    return notes


def _method(settings: Settings, view: ProtectedView, table: iptt.Iptt) -> list[list[str]]:
    items = [
        ["Status.", table.status_rule],
        [
            "% met.",
            "The share of the way from baseline to target covered: (actual − baseline) ÷ "
            "(target − baseline); for an indicator that should decrease the target lies below "
            "the baseline, so a fall counts. Without a baseline: actual ÷ target (target ÷ "
            "actual for a decrease). Values combine over quarters by each indicator's rule "
            "(cumulative total, latest value or average) and over regions by summing counts "
            "and averaging percentages.",
        ],
        [
            "Burn rate.",
            "Share of the budget spent ÷ share of the time elapsed; 1.00 keeps pace. Amounts "
            "are converted at each month's exchange rate, exactly, and rounded only for display.",
        ],
        [
            "Milestones.",
            "Status follows the reporting date: achieved on or before it, overdue when planned "
            "before it and not achieved by then (late by the days since its planned date).",
        ],
        [
            "Data version.",
            f"Made from {table.scope.version.label} ({table.scope.version.time_text}): the "
            "same data version, reporting date and scope always give the same file.",
        ],
    ]
    if view.protects_people:
        items.append(["Protecting people.", table.note])
    return items
