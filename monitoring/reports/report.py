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

The report is written in the language of the run (monitoring/i18n.py: `--lang`, or the page's
language through ui.common.cached): every heading, table header, chart word, note, date and
number; indicator titles, region names and milestone titles in the language where the data
has them (monitoring/reports/names.py). Target revisions (docs/quality.md) have a section of
their own when there are any.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd

from monitoring import i18n
from monitoring.access.view import ProtectedView
from monitoring.db import Database
from monitoring.db.versions import DataVersion
from monitoring.i18n import _, ngettext
from monitoring.reports import drawings as draw
from monitoring.reports import grants, iptt, milestones, overview
from monitoring.reports.documents import (
    MISSING,
    Scope,
    require_reports,
    version_label,
    version_time,
)
from monitoring.reports.milestones import MilestoneFilters
from monitoring.reports.status import STATUSES, status_rule_text
from monitoring.settings import ROOT, Settings

TEMPLATE = ROOT / "monitoring" / "reports" / "report.typ"
FONTS = ROOT / "data" / "fonts"
HYPHENATION = {"uz": "tr"}  # the language whose patterns hyphenate a language's words
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
    as_of = view.allowed_date(as_of)  # a donor's link: approved quarters only
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
    names = iptt.data_names(db)
    if names is not None:
        from monitoring.reports.names import localise_with

        listed = localise_with(listed, names)
    budget_shown = grants.budget_shown(view)
    filters = grants.SpendingFilters(currency=CURRENCY)
    quarters = grants.quarters_in_view(db, view, settings, as_of, filters) if budget_shown else None
    return {
        "lang": i18n.current(),
        # Typst has no Uzbek hyphenation patterns; Turkish ones break Uzbek Latin words at
        # their syllables (a table's header "Boshlangʻich" ran into the next column).
        "hyphenation": HYPHENATION.get(i18n.current(), i18n.current()),
        "words": _words(),
        "title": _("{programme}: report as of {quarter}").format(
            programme=scope.programme, quarter=scope.reporting
        ),
        "author": scope.partners,
        "version_at": scope.version.at.isoformat(),
        "footer": _footer(scope),
        "cover": _cover(scope),
        "summary": _summary(scope, elapsed, money, verdict, reached, counts, settings),
        "charts": {
            "status": draw.status_chart(counts).as_dict(),
            "status_title": _("Indicators per goal and outcome, by status (number of indicators)"),
            "pace": draw.pace_chart(
                money.time_share if small_grants else elapsed.share,
                money.spent_share,
                money.against_plan,
                small_grants=small_grants,
            ).as_dict(),
            "pace_title": _("Small grants: time elapsed and awards spent (%)")
            if small_grants
            else _("Spending against budget and time (% of the programme)"),
            "s_curve": None if quarters is None else draw.s_curve(quarters, CURRENCY).as_dict(),
            "s_curve_title": _("Budget and spending to date, by quarter ({currency})").format(
                currency=CURRENCY
            ),
            "timeline": draw.milestone_timeline(
                milestones.timeline_rows(listed, MILESTONE_ROWS),
                as_of,
                settings.programme.start,
                settings.programme.end,
            ).as_dict(),
            "timeline_title": _("Milestone timeline: planned, achieved and late"),
        },
        "indicators": _indicators(table),
        "spending": _spending(db, view, settings, as_of, money, budget_shown),
        "milestones": _milestones(listed, reached, len(listed) > MILESTONE_ROWS),
        "quality": _quality(db, view, as_of, table, progress, money),
        "revisions": _revisions(table),
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
    return i18n.number(float(value), decimals)


def _figure(value) -> str:
    """An indicator's figure: as shown ("<5", "hidden"), else to one decimal at most."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return MISSING
    value = round(float(value), 1)
    return i18n.number(value, 0 if value.is_integer() else 1)


def _percent(value) -> str:
    if isinstance(value, str):
        return value
    return MISSING if _missing(value) else i18n.percent(float(value))


def _date(value) -> str:
    if _missing(value) or value is pd.NaT:
        return ""
    return i18n.date(pd.Timestamp(value).date(), "medium")


def _words() -> dict:
    """The template's own words: headings and the page number."""
    return {
        "summary": _("Summary"),
        "counts": _("Indicators by goal, outcome and status"),
        "indicators": _("Indicators"),
        "spending": _("Spending"),
        "milestones": _("Milestones"),
        "quality": _("Data quality"),
        "revisions": _("Target revisions"),
        "method": _("Method"),
        "page": _("Page {page} of {pages}"),
    }


def _in_language(db: Database, frame: pd.DataFrame) -> pd.DataFrame:
    """A table's data texts (titles, region names, budget categories) in the language."""
    names = iptt.data_names(db)
    if names is None:
        return frame
    from monitoring.reports.names import localise_with

    return localise_with(frame, names)


def _footer(scope: Scope) -> str:
    return _("{programme} · as of {date} · {scope} · data version {version} ({time})").format(
        programme=scope.programme,
        date=i18n.date(scope.as_of, "medium"),
        scope=scope.regions_text,
        version=version_label(scope.version),
        time=version_time(scope.version),
    )


def _cover(scope: Scope) -> dict:
    rows = [
        [_("Donor"), scope.donor],
        [_("Partners"), scope.partners],
        [
            _("Reporting date"),
            _("{date} (quarter {quarter})").format(
                date=i18n.date(scope.as_of), quarter=scope.reporting
            ),
        ],
        [_("Scope"), scope.regions_text],
        [_("Made for"), scope.audience_text],
        [
            _("Data version"),
            _("{version}, as of {time}").format(
                version=version_label(scope.version), time=version_time(scope.version)
            ),
        ],
    ]
    notice = _("Illustrative sample data, not real results.") if scope.sample_data else None
    return {
        "kicker": _("Programme report"),
        "title": scope.programme,
        "subtitle": _("Progress as of {date}").format(date=i18n.date(scope.as_of)),
        "rows": rows,
        "notice": notice,
    }


def _summary(scope, elapsed, money, verdict, reached, counts, settings) -> dict:
    small_grants = money.basis == overview.SMALL_GRANTS
    words = (
        _("{spent} spent on the small grants of these regions, {share} of the {total} awarded")
        if small_grants
        else _("{spent} spent, {share} of the {total} budget")
    )
    spent_words = words.format(
        spent=i18n.money(money.spent_to_date, CURRENCY),
        share=_percent(money.spent_share),
        total=i18n.number(money.budget_total),
    )
    burn = (
        _("no budget")
        if money.burn_rate is None
        else _("{rate} ({verdict})").format(
            rate=i18n.number(money.burn_rate, 2), verdict=overview.verdict_text(verdict)
        )
    )
    rows = [
        [
            _("Time elapsed"),
            ngettext(
                "{months} of {total} month, {share} of the programme",
                "{months} of {total} months, {share} of the programme",
                elapsed.total_months,
            ).format(
                months=i18n.number(elapsed.months),
                total=i18n.number(elapsed.total_months),
                share=i18n.percent(elapsed.share),
            ),
        ],
        [_("Spending"), spent_words],
        [_("Burn rate"), burn],
        [
            _("Milestones"),
            _(
                "{achieved} of {due} due achieved; {overdue} overdue; {planned} planned in all"
            ).format(
                achieved=i18n.number(reached.achieved_of_planned_to_date),
                due=i18n.number(reached.planned_to_date),
                overdue=i18n.number(reached.overdue),
                planned=i18n.number(reached.planned_total),
            ),
        ],
    ]
    on_track = int(counts.get("on_track", pd.Series(dtype=int)).sum()) if len(counts) else 0
    total = int(counts["total"].sum()) if len(counts) else 0
    notes = [
        ngettext(
            "{n} of {total} indicator is on track as of {date}.",
            "{n} of {total} indicators are on track as of {date}.",
            total,
        ).format(n=i18n.number(on_track), total=i18n.number(total), date=i18n.date(scope.as_of))
    ]
    if small_grants:
        notes.append(
            _(
                "Money is that of the small grants in the regions of this report, the "
                "programme's only money tied to a region: its budget and other spending are "
                "not split by region."
            )
        )
    thresholds = _(
        "A burn rate (share of the budget spent ÷ share of time elapsed) below {low} is "
        "underspending, above {high} overspending."
    ).format(
        low=i18n.number(settings.spending.underspend_below, 2),
        high=i18n.number(settings.spending.overspend_above, 2),
    )
    notes.append(thresholds)
    codes = [c for c in counts.columns if c in STATUSES]
    header = [_("Goal / outcome"), *[f"{STATUSES[c].icon} {STATUSES[c].label}" for c in codes]]
    rows_table = [
        [str(r["group"]), *[i18n.number(int(r[c])) for c in codes], i18n.number(int(r["total"]))]
        for _, r in counts.iterrows()
    ]
    return {
        "rows": rows,
        "notes": notes,
        "counts": {
            "header": [*header, _("Indicators")],
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
        _(
            "Every indicator against its baseline and life-of-programme (LoP) target, with its "
            "actual to {quarter} and the share of the way from baseline to target covered "
            "(% met). “{missing}”: not reported. The IPTT workbook has them quarter by "
            "quarter, by sex and age group, with the deviation narratives."
        ).format(quarter=table.scope.reporting, missing=MISSING)
    ]
    if table.any_withheld or table.scope.label:
        notes.append(table.note)
    return {
        "notes": notes,
        "table": {
            "header": [
                _("No."),
                _("Indicator"),
                "#/%",
                _("Baseline"),
                _("LoP target"),
                _("Actual"),
                _("% met"),
                _("Status"),
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
        categories = _in_language(db, grants.budget_table(frame, "category", CURRENCY))
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
                    {"text": _("All categories"), "bold": True},
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
                "title": _("By budget category ({currency})").format(currency=CURRENCY),
                "table": {
                    "header": [
                        _("Category"),
                        _("Budget"),
                        _("Budget to date"),
                        _("Spent"),
                        _("Variance"),
                        _("Spent of budget %"),
                        _("Burn rate"),
                    ],  # fmt: skip
                    "rows": rows,
                    "widths": [2.4, 1.3, 1.3, 1.3, 1.3, 1.1, 0.9],
                    "align": ["left", *["right"] * 6],
                    "size": 7.5,
                },
            }
        )
        notes.append(
            _(
                "Spent is expenditure less refunds up to the reporting date; variance is spent "
                "less the budget planned to date (negative: less spent than planned)."
            )
        )
    else:
        notes.append(
            _(
                "The programme's budget is not split by region, so only the small grants of "
                "the regions of this report are shown."
            )
        )
    position = grants.grants_in_view(db, view, settings, as_of, filters)
    shown = _in_language(db, grants.grants_table(position, CURRENCY))
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
        notes.append(
            _("The first {shown} of {total} grants, flagged ones first.").format(
                shown=i18n.number(MAX_GRANT_ROWS), total=i18n.number(len(shown))
            )
        )
    tables.append(
        {
            "title": _("Small grants ({currency})").format(currency=CURRENCY),
            "table": {
                "header": [
                    _("Grant"),
                    _("Grantee"),
                    _("Region"),
                    _("Status"),
                    _("Awarded"),
                    _("Spent"),
                    _("Balance"),
                    _("Flags"),
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
        ngettext(
            "{achieved} of {due} milestone due by the reporting date was achieved; "
            "{overdue} overdue.",
            "{achieved} of {due} milestones due by the reporting date were achieved; "
            "{overdue} are overdue.",
            reached.planned_to_date,
        ).format(
            achieved=i18n.number(reached.achieved_of_planned_to_date),
            due=i18n.number(reached.planned_to_date),
            overdue=i18n.number(reached.overdue),
        )
    ]
    if truncated:
        notes.append(
            _("The timeline shows the {n} most urgent milestones.").format(
                n=i18n.number(MILESTONE_ROWS)
            )
        )
    tables = [
        {
            "title": _("Achieved, and the change each led to"),
            "table": {
                "header": [
                    _("ID"),
                    _("Milestone"),
                    _("Status"),
                    _("Achieved"),
                    _("Change it led to"),
                    _("Indicator served"),
                ],  # fmt: skip
                "rows": achieved_rows or [["", _("None yet"), "", "", "", ""]],
                "widths": [0.6, 2.6, 1.4, 1, 3, 1.4],
                "align": ["left"] * 6,
                "size": 7,
            },
        },
        {
            "title": _("Late (overdue)"),
            "table": {
                "header": [_("ID"), _("Milestone"), _("Region"), _("Planned"), _("Late by")],
                "rows": late_rows or [["", _("None"), "", "", ""]],
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
        _("Indicators without any value by the reporting date: {codes}.").format(
            codes=", ".join(no_data)
        )
        if no_data
        else _("Every indicator has at least one value by the reporting date.")
    )
    late = progress[(progress.regions_reporting_now == 0) & (progress.status != "no_data")]
    if len(late):
        notes.append(
            _(
                "Indicators with no value for the reporting quarter itself (their actual is "
                "the latest one reported before): {codes}."
            ).format(codes=", ".join(late.indicator_code))
        )
    flagged = len(table.flagged)
    notes.append(
        ngettext(
            "Deviation narratives missing for {n} indicator more than {points} points from "
            "the progress expected",
            "Deviation narratives missing for {n} indicators more than {points} points from "
            "the progress expected",
            flagged,
        ).format(n=i18n.number(flagged), points=i18n.number(iptt.DEVIATION_POINTS))
        + (f": {', '.join(table.flagged)}." if table.flagged else ".")
    )
    unconverted = grants.unconverted_in_view(db, view, as_of, CURRENCY)
    notes.append(
        ngettext(
            "{n} amount without an exchange rate is left out of the totals.",
            "{n} amounts without an exchange rate are left out of the totals.",
            len(unconverted),
        ).format(n=i18n.number(len(unconverted)))
        if len(unconverted)
        else _("Every amount has an exchange rate: none is left out of the totals.")
    )
    notes.append(iptt.revisions_note(bool(table.revisions)))
    if table.scope.sample_data:
        notes.append(_("The data are illustrative sample data, not real results."))
    return notes


def _revisions(table: iptt.Iptt) -> dict | None:
    """Targets revised by uploads (old → new, when, by whom, why); None when there are none."""
    if not table.revisions:
        return None
    with_names = any(b is not None for b in table.revised_by)
    by = table.revised_by or (None,) * len(table.revisions)
    rows = []
    for (code, period, region, old, new, day, reason), who in zip(table.revisions, by, strict=True):
        row = [
            str(code),
            str(period),
            str(region),
            f"{_figure(old)} → {_figure(new)}",
            _date(day),
        ]
        if with_names:
            row.append("" if who is None else str(who))
        row.append("" if reason is None or _missing(reason) else str(reason))
        rows.append(row)
    header = [_("Indicator"), _("Quarter"), _("Region"), _("Target (old → new)"), _("Revised on")]
    widths = [0.9, 0.9, 0.9, 1.4, 1.2]
    if with_names:
        header.append(_("By"))
        widths.append(1.2)
    header.append(_("Why"))
    widths.append(4)
    return {
        "notes": [
            ngettext(
                "{n} target was changed by an upload after it was first set: the old and "
                "new value, when and why.",
                "{n} targets were changed by uploads after they were first set: the old and "
                "new value, when and why.",
                len(rows),
            ).format(n=i18n.number(len(rows)))
        ],
        "table": {
            "header": header,
            "rows": rows,
            "widths": widths,
            "align": ["left", "left", "left", "right", "left", *["left"] * (len(header) - 5)],
            "size": 7.5,
        },
    }


def _method(settings: Settings, view: ProtectedView, table: iptt.Iptt) -> list[list[str]]:
    items = [
        [_("Status."), table.status_rule],
        [
            _("% met."),
            _(
                "The share of the way from baseline to target covered: (actual − baseline) ÷ "
                "(target − baseline); for an indicator that should decrease the target lies "
                "below the baseline, so a fall counts. Without a baseline: actual ÷ target "
                "(target ÷ actual for a decrease). Values combine over quarters by each "
                "indicator's rule (cumulative total, latest value or average) and over regions "
                "by summing counts and averaging percentages."
            ),
        ],
        [
            _("Burn rate."),
            _(
                "Share of the budget spent ÷ share of the time elapsed; {one} keeps pace. "
                "Amounts are converted at each month's exchange rate, exactly, and rounded only "
                "for display."
            ).format(one=i18n.number(1, 2)),
        ],
        [
            _("Milestones."),
            _(
                "Status follows the reporting date: achieved on or before it, overdue when "
                "planned before it and not achieved by then (late by the days since its planned "
                "date)."
            ),
        ],
        [
            _("Target revisions."),
            _(
                "A target changed by an upload is recorded with its old and new value, when, "
                "by whom and why (the upload's revision_reason column, required when a target "
                "changes); the figures use the targets as they stand in this data version."
            ),
        ],
        [
            _("Data version."),
            _(
                "Made from {version} ({time}): the same data version, reporting date and scope "
                "always give the same file."
            ).format(
                version=version_label(table.scope.version),
                time=version_time(table.scope.version),
            ),
        ],
    ]
    if view.protects_people:
        items.append([_("Protecting people."), table.note])
    return items
