"""The indicator performance tracking table (IPTT) as a workbook donors know (docs/reports.md).

One row per indicator, grouped under goal and outcomes, with the columns of the usual IPTT
templates (USAID's, Mercy Corps' TolaData export): No., indicator, unit, direction, whether
it is cumulative, # or %, baseline, life-of-programme (LoP) target, actual and % met, then
Target | Actual | % met for every quarter, status, means of verification and the deviation
narrative, and the check of the narratives. Rows by sex and age group follow each indicator
that is disaggregated. A cover sheet says what the table covers and which data it is made
from.

Every figure comes from the viewer's protected view: the tracking table of the indicators
page (`indicators.tracking_table`), the quarter figures judged here by the view's cells
(`quarters_in_view`), the breakdown of the indicator page (`indicators.breakdown_in_view`).

Targets revised by uploads (old → new, when, why: docs/quality.md) have a sheet of their own.

The workbook is written in the language of the run (monitoring/i18n.py): sheet names, headers,
status words, notes, dates; indicator titles and region names in the language where the data
has them (monitoring/reports/names.py), else in English marked " [EN]".
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from monitoring import i18n
from monitoring.access import cells as pc
from monitoring.access.view import WITHHELD, ProtectedView
from monitoring.db import Database
from monitoring.db.versions import DataVersion
from monitoring.i18n import N_, _, ngettext, pgettext
from monitoring.periods import period_end, period_of, programme_periods
from monitoring.quality.revisions import revisions_in_view
from monitoring.reports import indicators, overview
from monitoring.reports.documents import (
    MISSING,
    Scope,
    fixed_zip,
    percent_met,
    require_reports,
    scope_of,
    version_label,
    version_time,
)
from monitoring.reports.exports import neutralise_cell
from monitoring.reports.names import Names, names_in
from monitoring.reports.status import status_rule_text, status_text
from monitoring.settings import Settings

DEVIATION_POINTS = 15  # % met this far from expected (in points) needs a narrative
# Labels are kept in English (N_) and translated where written: _(UNIT_OF_MEASURE[unit]).
UNIT_OF_MEASURE = {"number": N_("Count"), "percent": N_("Percentage")}
NUMBER_SIGN = {"number": "#", "percent": "%"}
DIRECTION_SIGN = {"increase": N_("Increase (+)"), "decrease": N_("Decrease (−)")}
CUMULATIVE = {
    "sum": N_("Cumulative"),
    "latest": N_("Not cumulative (latest value)"),
    "mean": N_("Not cumulative (average)"),
}
PART_LABEL = {"female": N_("Female"), "male": N_("Male")}
# The columns' keys (English); their headers are _(key).
FIXED_COLUMNS = (
    N_("No."),
    N_("Indicator"),
    N_("Unit of measure"),
    N_("Direction of change"),
    N_("Cumulative or not"),
    "# / %",
    N_("Baseline"),
    N_("LoP target"),
    N_("LoP actual"),
    N_("LoP % met"),
)
QUARTER_COLUMNS = (N_("Target"), N_("Actual"), N_("% met"))
LAST_COLUMNS = (
    N_("Status"),
    N_("Means of verification"),
    N_("Deviation narrative"),
    N_("Narrative check"),
)
REVISION_COLUMNS = (
    N_("Indicator"),
    N_("Quarter"),
    N_("Region"),
    N_("Old target"),
    N_("New target"),
    N_("Revised on"),
    N_("By"),
    N_("Why"),
)


@dataclass(frozen=True)
class IpttLine:
    """One row of the table: a goal/outcome heading, an indicator, or a part of one."""

    kind: str  # "group", "indicator" or "part"
    fixed: dict[str, object]  # FIXED_COLUMNS -> value (a number, a text, or None)
    quarters: dict[str, tuple[object, object, object]] = field(default_factory=dict)
    last: dict[str, object] = field(default_factory=dict)  # LAST_COLUMNS -> value
    unit: str | None = None  # "number" or "percent"
    needs_narrative: bool = False


@dataclass(frozen=True)
class Iptt:
    scope: Scope
    periods: tuple[str, ...]  # every quarter of the programme
    lines: tuple[IpttLine, ...]
    flagged: tuple[str, ...]  # indicators whose deviation has no narrative
    any_withheld: bool
    note: str  # why some figures read "<5" or "hidden"
    status_rule: str
    # Targets revised by uploads (docs/quality.md): (indicator, quarter, region, old, new,
    # date, reason), newest first; a sheet of their own when there are any.
    revisions: tuple[tuple, ...] = ()
    # Who revised each (same order; None where the view does not show uploaders' names).
    revised_by: tuple[str | None, ...] = ()

    @property
    def indicator_count(self) -> int:
        return sum(1 for line in self.lines if line.kind == "indicator")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value):
    """A figure as a number where it is one (to one decimal, as the pages show it), else as
    shown ("<5", "hidden"); None if missing."""
    if _missing(value):
        return None
    if isinstance(value, str):
        return value
    return round(float(value), 1)


def quarters_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date
) -> pd.DataFrame:
    """Every indicator the viewer may see, quarter by quarter: the quarter's target, its
    actual (the running total for a cumulative indicator, else the quarter's value) and % met
    against the quarter's target, as the viewer may see them ("<5", "hidden", a withheld
    actual withholding its % met). Quarters after the reporting quarter have targets only."""
    periods = programme_periods(settings.programme)
    reporting = period_of(as_of)
    regions = view.within(None)
    series = indicators.indicator_series(db, periods, regions)
    series = series.loc[series.indicator_code.map(view.shows_indicator).astype(bool)]
    series = series.reset_index(drop=True)
    status = overview.indicator_status(db, view, settings, as_of).set_index("indicator_code")
    series = series[series.indicator_code.isin(status.index)].reset_index(drop=True)
    aggregation = series.indicator_code.map(status.aggregation)
    due = series.period <= reporting
    reported = series.value.notna() & due
    cumulative = aggregation == "sum"
    actual = series.actual_to_date.where(cumulative, series.value).where(reported)
    frame = pd.DataFrame(
        {
            "indicator_code": series.indicator_code,
            "period": series.period,
            "due": due,
            "target": series.period_target.astype("float64"),
            "actual": actual.astype("float64"),
        }
    )
    frame["percent_met"] = [
        percent_met(a, t, status.baseline.get(c), status.direction.get(c))
        for c, a, t in zip(frame.indicator_code, frame.actual, frame.target, strict=True)
    ]
    frame["percent_met"] = frame.percent_met.astype("float64")
    states = [
        (view.to_date if cum else view.quarter)(code, regions, period, value)
        for code, period, value, cum in zip(
            frame.indicator_code, frame.period, frame.actual, cumulative, strict=True
        )
    ]
    met_states = [
        pc.derived(s) if not math.isnan(m) else pc.EXACT
        for s, m in zip(states, frame.percent_met, strict=True)
    ]
    return view.withhold(frame, {"actual": states, "percent_met": met_states}).table


def iptt_table(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    *,
    label: str | None = None,
    version: DataVersion | None = None,
) -> Iptt:
    """The IPTT as the viewer may see it, as of `as_of` (`label`: a share link's)."""
    as_of = view.allowed_date(as_of)  # a donor's link: approved quarters only
    require_reports(view)
    scope = scope_of(db, view, settings, as_of, label, version)
    reporting = period_of(as_of)
    periods = tuple(programme_periods(settings.programme))
    tracking = indicators.tracking_table(db, view, settings, as_of)
    table, numeric = tracking.table, tracking.numeric
    status = overview.indicator_status(db, view, settings, as_of).set_index("indicator_code")
    quarters = quarters_in_view(db, view, settings, as_of)
    by_code = {code: rows.set_index("period") for code, rows in quarters.groupby("indicator_code")}
    names = data_names(db)
    narratives = _narratives(db, view, reporting, names)
    definitions = _definitions(db, view)
    actual_column = f"Actual to {reporting}"
    lines: list[IpttLine] = []
    flagged: list[str] = []
    group = None
    for i, row in table.iterrows():
        code = row["Code"]
        info = status.loc[code]
        if row["Goal / outcome"] != group:
            group = row["Goal / outcome"]
            lines.append(IpttLine("group", {"No.": group}))
        withheld = numeric.at[i, "Status"] is None or _missing(numeric.at[i, "Status"])
        shown_status = status_text(WITHHELD) if withheld else row["Status"]
        progress, expected = info.progress, info.expected
        gap = None if _missing(progress) or _missing(expected) else (progress - expected) * 100
        narrative, narrative_period = narratives.get(code, (None, None))
        needs = gap is not None and abs(gap) > DEVIATION_POINTS
        explained = narrative_period == reporting
        check = ""
        points = i18n.number(abs(gap)) if gap is not None else ""
        if needs and not explained:
            flagged.append(code)
            above = _("Narrative needed: % met is {points} points above the {expected} expected")
            below = _("Narrative needed: % met is {points} points below the {expected} expected")
            check = (above if gap > 0 else below).format(
                points=points, expected=i18n.percent(expected)
            )
        elif needs:
            check = _("Explained ({points} points from expected)").format(points=points)
        percent = row["% of target achieved"]
        lines.append(
            IpttLine(
                "indicator",
                {
                    "No.": code,
                    "Indicator": _title(names, code, row["Indicator"]),
                    "Unit of measure": _label(UNIT_OF_MEASURE, info.unit),
                    "Direction of change": _label(DIRECTION_SIGN, info.direction, ""),
                    "Cumulative or not": _label(CUMULATIVE, info.aggregation),
                    "# / %": NUMBER_SIGN.get(info.unit, ""),
                    "Baseline": _number(row["Baseline"]),
                    "LoP target": _number(row["Target"]),
                    "LoP actual": _number(row[actual_column]),
                    "LoP % met": percent if isinstance(percent, str) else _share(percent),
                },
                quarters=_quarter_cells(by_code.get(code), periods, reporting),
                last={
                    "Status": shown_status,
                    "Means of verification": definitions.get(code),
                    "Deviation narrative": narrative,
                    "Narrative check": check,
                },
                unit=info.unit,
                needs_narrative=needs and not explained,
            )
        )
        if isinstance(info.disaggregation, str) and info.disaggregation:
            dimensions = tuple(info.disaggregation.split(";"))
            lines.extend(_parts(db, view, code, periods, reporting, info.unit, dimensions))
    revisions = _revisions(db, view, as_of)
    return Iptt(
        scope=scope,
        periods=periods,
        lines=tuple(lines),
        flagged=tuple(flagged),
        any_withheld=bool(tracking.any_hidden or quarters.actual.map(_is_label).any()),
        note=view.note,
        status_rule=status_rule_text(settings.status).replace("**", ""),
        revisions=revisions[0],
        revised_by=revisions[1],
    )


def data_names(db: Database) -> Names | None:
    """The data's texts in the language of the run; None in English (shown as stored)."""
    return None if i18n.current() == i18n.DEFAULT else names_in(db)


def _title(names: Names | None, code, english):
    """An indicator's title in the language (a withheld or changed title stays as it is)."""
    if names is None or not isinstance(english, str):
        return english
    return names.text("indicator", str(code), english) or english


def _label(labels: dict[str, str], key, default=None) -> str:
    found = labels.get(key) if isinstance(key, str) else None
    if found is None:
        return key if default is None else default
    return _(found)


def _revisions(db: Database, view: ProtectedView, as_of: dt.date) -> tuple[tuple, tuple]:
    found = revisions_in_view(db, view, as_of)
    rows = tuple(
        (r.indicator_code, r.period, r.region_code, float(r.old_target), float(r.new_target),
         pd.Timestamp(r.revised_at).strftime("%Y-%m-%d"), r.reason)
        for r in found.itertuples()
    )  # fmt: skip
    by = tuple(
        None if b is None or (isinstance(b, float) and math.isnan(b)) else str(b)
        for b in found.revised_by
    )
    return rows, by


def _is_label(value) -> bool:
    return isinstance(value, str)


def _share(percent) -> float | None:
    return None if _missing(percent) else float(percent) / 100


def _quarter_cells(rows: pd.DataFrame | None, periods, reporting: str) -> dict:
    out = {}
    for period in periods:
        due = period <= reporting
        if rows is None or period not in rows.index:
            out[period] = (None, MISSING if due else None, None)
            continue
        row = rows.loc[period]
        actual = _number(row.actual)
        met = row.percent_met
        out[period] = (
            _number(row.target),
            (MISSING if actual is None else actual) if due else None,
            met if isinstance(met, str) else (None if _missing(met) else float(met)),
        )
    return out


def _definitions(db: Database, view: ProtectedView) -> dict[str, str]:
    """code -> means of verification (the logframe's), for the indicators the viewer sees."""
    frame = view.visible(db.query("iptt_definitions"))
    return {
        str(code): str(text)
        for code, text in zip(frame.indicator_code, frame.means_of_verification, strict=True)
        if isinstance(text, str) and text.strip()
    }


def _narratives(db: Database, view: ProtectedView, reporting: str, names=None) -> dict:
    """code -> (the narratives of its latest narrated quarter, that quarter)."""
    regions = view.within(None)
    frame = db.query(
        "iptt_narratives", last=reporting, regions=None if regions is None else list(regions)
    )
    frame = frame.loc[frame.indicator_code.map(view.shows_indicator).astype(bool)]
    several = frame.region_name.nunique() > 1 or regions is None or len(regions) > 1
    out = {}
    for code, rows in frame.groupby("indicator_code", sort=False):
        period = rows.period.iat[0]
        texts = [
            f"{names.by_text.get(region, region) if names else region}: {text}" if several else text
            for region, text in zip(rows.region_name, rows.narrative, strict=True)
        ]
        out[code] = (f"{period}: " + " ".join(texts), period)
    return out


def _part_label(dimension: str, category: str) -> str:
    if dimension == "sex":
        return _label(PART_LABEL, category)
    return _("Age {group}").format(group=category.replace("-", "–"))


def _parts(db, view, code, periods, reporting, unit, dimensions) -> list[IpttLine]:
    """The indicator's rows by sex and by age group: the value reported in each quarter."""
    first = periods[0]
    shown = indicators.breakdown_in_view(db, view, code, first, reporting)
    if shown is None:
        return [
            IpttLine(
                "part",
                {"Indicator": _("By sex and age group: not shared in this view")},
                unit=unit,
            )
        ]
    parts = shown.table
    if parts.empty:
        return []
    lines = []
    order = {"sex": 0, "age_group": 1}
    keys = sorted(
        {
            (d, c)
            for d, c in zip(parts.dimension, parts.category, strict=True)
            if d in dimensions and c not in ("all", "total")
        },
        key=lambda k: (order.get(k[0], 2), k[1] != "female", k[1]),
    )
    for dimension, category in keys:
        rows = parts[(parts.dimension == dimension) & (parts.category == category)]
        values = dict(zip(rows.period, rows.value, strict=True))
        quarters = {}
        for period in periods:
            if period > reporting:
                quarters[period] = (None, None, None)
            else:
                value = _number(values.get(period))
                quarters[period] = (None, MISSING if value is None else value, None)
        lines.append(
            IpttLine(
                "part",
                {"Indicator": _part_label(dimension, category)},
                quarters=quarters,
                unit=unit,
            )
        )
    return lines


# The workbook ---------------------------------------------------------------------------------


def iptt_workbook(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    *,
    label: str | None = None,
    version: DataVersion | None = None,
) -> bytes:
    """The IPTT workbook (XLSX): a cover sheet and the table, ready to print; the same data
    version, date and scope give the same bytes."""
    iptt = iptt_table(db, view, settings, as_of, label=label, version=version)
    return workbook_bytes(iptt)


def workbook_bytes(iptt: Iptt) -> bytes:
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    workbook = openpyxl.Workbook()
    _cover(workbook.active, iptt)
    _table(workbook.create_sheet(_("IPTT")), iptt)
    if iptt.revisions:
        _revision_sheet(workbook.create_sheet(pgettext("sheet", "Target revisions")[:31]), iptt)
    at = iptt.scope.version.at.astimezone(dt.UTC).replace(tzinfo=None)
    properties = workbook.properties
    properties.creator = "Programme monitoring dashboard"
    properties.title = _("IPTT {quarter}: {programme}").format(
        quarter=iptt.scope.reporting, programme=iptt.scope.programme
    )
    properties.created = properties.modified = at
    properties.lastModifiedBy = None
    buffer = io.BytesIO()
    # ExcelWriter, not save_workbook: that one stamps the time of saving.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return fixed_zip(buffer.getvalue(), iptt.scope.version.at)


def _cell(value):
    return neutralise_cell(value)


def _revision_sheet(sheet, iptt: Iptt) -> None:
    """Targets revised by uploads: old → new, when, why (docs/quality.md)."""
    from openpyxl.styles import Font

    with_names = any(b is not None for b in iptt.revised_by)
    headers = [h for h in REVISION_COLUMNS if h != "By" or with_names]
    for column, name in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=_cell(_(name))).font = Font(bold=True)
    by = iptt.revised_by or (None,) * len(iptt.revisions)
    for row, (values, who) in enumerate(zip(iptt.revisions, by, strict=True), start=2):
        shown = [*values[:6], who, values[6]] if with_names else list(values)
        for column, value in enumerate(shown, start=1):
            sheet.cell(row=row, column=column, value=_cell(value))
    sheet.column_dimensions[chr(ord("A") + len(headers) - 1)].width = 80
    _print_setup(sheet, landscape=True, title_rows="1:1")


def _cover(sheet, iptt: Iptt) -> None:
    from openpyxl.styles import Alignment, Font

    scope = iptt.scope
    sheet.title = _("Cover")[:31]
    sheet["A1"] = _cell(_("Indicator performance tracking table (IPTT)"))
    sheet["A1"].font = Font(bold=True, size=14)
    missing_words = ngettext(
        "{n} indicator more than {points} points from the progress expected has no "
        "deviation narrative for the reporting quarter",
        "{n} indicators more than {points} points from the progress expected have no "
        "deviation narrative for the reporting quarter",
        len(iptt.flagged),
    ).format(n=i18n.number(len(iptt.flagged)), points=i18n.number(DEVIATION_POINTS))
    rows = [
        (_("Programme"), scope.programme),
        (_("Donor"), scope.donor),
        (_("Partners"), scope.partners),
        (
            _("Reporting date"),
            _("{date} (quarter {quarter})").format(
                date=i18n.date(scope.as_of), quarter=scope.reporting
            ),
        ),
        (_("Scope"), scope.regions_text),
        (_("Made for"), scope.audience_text),
        (_("Data version"), version_label(scope.version)),
        (_("Data as of"), version_time(scope.version)),
        (_("Indicators"), iptt.indicator_count),
        (
            _("Narratives missing"),
            missing_words + (f": {', '.join(iptt.flagged)}" if iptt.flagged else ""),
        ),
    ]
    if scope.sample_data:
        rows.append((_("Sample data"), _("Illustrative sample data, not real results.")))
    notes = [
        _("How to read it"),
        _(
            "“{missing}”: nothing was reported for that quarter (never 0). An empty cell: not "
            "applicable (no target set for the quarter, or a quarter after the reporting date)."
        ).format(missing=MISSING),
        _(
            "LoP: life of programme. LoP % met and each quarter's % met are the share of the "
            "way from baseline to target covered (for an indicator that should decrease, a "
            "fall counts); a quarter is measured against its own target."
        ),
        _(
            "Actual per quarter: the running total to the end of the quarter for a cumulative "
            "indicator, else the value of the quarter. The rows by sex and age group under an "
            "indicator give the value reported in each quarter (never a running total)."
        ),
        _("Status: {rule}").format(rule=iptt.status_rule),
        _(
            "Narrative check: an indicator whose LoP % met is more than {points} points from "
            "the progress expected needs a deviation narrative for the reporting quarter "
            "(column deviation_narrative of the indicator values)."
        ).format(points=i18n.number(DEVIATION_POINTS)),
        revisions_note(bool(iptt.revisions)),
    ]
    if iptt.any_withheld or iptt.scope.label:
        notes.append(iptt.note)
    for index, (key, value) in enumerate(rows, start=3):
        sheet.cell(row=index, column=1, value=_cell(key)).font = Font(bold=True)
        sheet.cell(row=index, column=2, value=_cell(value))
    start = len(rows) + 4
    for offset, text in enumerate(notes):
        cell = sheet.cell(row=start + offset, column=1 if offset == 0 else 2, value=_cell(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if offset == 0:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 110
    for row in sheet.iter_rows(min_row=3, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(sheet, landscape=False)


def revisions_note(any_revised: bool) -> str:
    """What the targets shown are, with or without revisions (the cover's and the PDF's)."""
    if any_revised:
        return _(
            "Target revisions: targets changed by an upload are listed with the old and new "
            "value, when and why; the targets shown are as they stand in this data version."
        )
    return _(
        "No target has been revised by an upload: the targets shown are those of the logframe "
        "and the quarterly targets as they stand in this data version."
    )


def _print_setup(sheet, *, landscape: bool, title_rows: str | None = None) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _value_format(unit: str | None, value) -> str:
    if unit == "percent":
        return "0.0"
    if isinstance(value, float) and not value.is_integer():
        return "#,##0.0"
    return "#,##0"


def _table(sheet, iptt: Iptt) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    heading = Font(bold=True)
    band = PatternFill("solid", fgColor="DDE6F0")
    group_fill = PatternFill("solid", fgColor="F2F2F2")
    thin = Side(style="thin", color="BBBBBB")
    boxed = Border(bottom=thin)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(wrap_text=True, vertical="top")

    fixed, last = len(FIXED_COLUMNS), len(LAST_COLUMNS)
    width = fixed + 3 * len(iptt.periods) + last
    # Row 1: the quarters over their three columns; row 2: every column's name.
    for column, name in enumerate(FIXED_COLUMNS, start=1):
        sheet.cell(row=2, column=column, value=_cell(_(name)))
    for k, period in enumerate(iptt.periods):
        first = fixed + 1 + 3 * k
        words = _("{quarter} (to {date})").format(
            quarter=period, date=i18n.date(period_end(period), "medium")
        )
        sheet.cell(row=1, column=first, value=_cell(words))
        sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 2)
        for j, name in enumerate(QUARTER_COLUMNS):
            sheet.cell(row=2, column=first + j, value=_cell(_(name)))
    for j, name in enumerate(LAST_COLUMNS):
        sheet.cell(row=2, column=fixed + 3 * len(iptt.periods) + 1 + j, value=_cell(_(name)))
    heading_words = _("IPTT as of {quarter}").format(quarter=iptt.scope.reporting)
    sheet.cell(row=1, column=1, value=_cell(heading_words))
    for row in (1, 2):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font = heading
            cell.fill = band
            cell.alignment = centred
            cell.border = boxed

    row = 3
    for line in iptt.lines:
        if line.kind == "group":
            cell = sheet.cell(row=row, column=1, value=_cell(line.fixed["No."]))
            cell.font = heading
            for column in range(1, width + 1):
                sheet.cell(row=row, column=column).fill = group_fill
            row += 1
            continue
        for column, name in enumerate(FIXED_COLUMNS, start=1):
            value = line.fixed.get(name)
            cell = sheet.cell(row=row, column=column, value=_cell(value))
            if name == "LoP % met" and isinstance(value, float):
                cell.number_format = "0%"
            elif name in ("Baseline", "LoP target", "LoP actual") and isinstance(value, float):
                cell.number_format = _value_format(line.unit, value)
            if isinstance(value, str) and name not in ("No.", "Indicator"):
                cell.alignment = Alignment(horizontal="right")
        for k, period in enumerate(iptt.periods):
            target, actual, met = line.quarters.get(period, (None, None, None))
            first = fixed + 1 + 3 * k
            for j, value in enumerate((target, actual, met)):
                cell = sheet.cell(row=row, column=first + j, value=_cell(value))
                if isinstance(value, float):
                    cell.number_format = "0%" if j == 2 else _value_format(line.unit, value)
                elif isinstance(value, str):
                    cell.alignment = Alignment(horizontal="right")
        for j, name in enumerate(LAST_COLUMNS):
            column = fixed + 3 * len(iptt.periods) + 1 + j
            cell = sheet.cell(row=row, column=column, value=_cell(line.last.get(name)))
            cell.alignment = wrapped
            if name == "Narrative check" and line.needs_narrative:
                cell.font = Font(bold=True, color="B34700")
        if line.kind == "part":
            sheet.cell(row=row, column=2).alignment = Alignment(indent=2, wrap_text=True)
            for column in range(1, width + 1):
                sheet.cell(row=row, column=column).font = Font(italic=True, color="555555")
        else:
            sheet.cell(row=row, column=2).alignment = wrapped
        row += 1

    widths = {1: 8, 2: 48, 3: 12, 4: 9, 5: 16, 6: 6, 7: 9, 8: 9, 9: 9, 10: 8}
    for column in range(1, width + 1):
        letter = get_column_letter(column)
        if column in widths:
            sheet.column_dimensions[letter].width = widths[column]
        elif column > fixed + 3 * len(iptt.periods):
            sheet.column_dimensions[letter].width = (16, 30, 50, 34)[column - width + last - 1]
        else:
            sheet.column_dimensions[letter].width = 8
    sheet.row_dimensions[1].height = 30
    sheet.row_dimensions[2].height = 30
    sheet.freeze_panes = "C3"
    _print_setup(sheet, landscape=True, title_rows="1:2")
    sheet.print_options.gridLines = True
