"""Vega-Lite charts (st.vega_lite_chart): what they share, and the overview's two charts.

Every chart of the dashboard is Vega-Lite, drawn with `draw` (the grants page's in
ui/grants.py, the indicators page's in ui/indicators.py, the milestones page's in
ui/milestones.py; the map is pydeck, its legends SVG images). Why not plotly, as the pages
were drawn until 3 December 2026: a page that draws any plotly chart loads and runs plotly's
4.7 MB script on every load, about a second in the browser whether its script is cached or
not, and Streamlit's Vega-Lite a quarter of that (docs/benchmarks.md, "In the browser").
What plotly drew and Vega-Lite does not is drawn another way: hatching as a shape in each bar
or a dashed outline, a two-level axis as heading rows, hover across series as a tooltip per
point that names its series.

Text is safe by construction: Vega draws every text as text (axis labels, legends, marks,
tooltips: Streamlit's tooltip handler escapes HTML), and text from the data travels only
as data values, never inside an expression (a `calculate`, `test` or `labelExpr` string is
a constant of these modules, but for numbers that fit a legend or title to its chart; a
chart's title is a parameter's value, which the title's expression breaks onto lines; a
layer's rows are picked by a field predicate, `rows_of`). A
tooltip's line names, which Vega-Lite writes into an expression of its own, are our words
too; and no tooltip field is titled "image" (Vega's tooltip would load it as a picture).
Dates are UTC (`utc_date`, a scale of type "utc"): a reader west of Greenwich sees the
data's day and month, not the one before. Numbers shown are written in Python in the
reader's language (i18n), as the rest of the page writes them; the axes' own ticks are
written by Vega with the language's decimal and group marks (`config.locale`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from babel import dates as babel_dates

from monitoring import i18n
from monitoring.access.view import WITHHELD
from monitoring.i18n import _, ngettext
from monitoring.reports.status import STATUSES, status_text
from ui.charts import lines

# An axis whose labels have several lines: each label's text split at its line breaks (the
# expression is this constant; the label stays data).
LINE_LABELS = {"labelExpr": "split(datum.label, '\\n')", "labelLimit": 0, "labelPadding": 6}


def rows_of(field: str, *values) -> dict:
    """A layer's rows: those whose `field` is one of `values` (a field predicate, no
    expression: the values may be anything)."""
    return {"filter": {"field": field, "oneOf": list(values)}}


def utc_date(day: dt.date) -> dict:
    """A date for a specification (a scale's domain, an axis's ticks, a mark's place) at
    midnight UTC, as Vega reads the data's ISO dates ("2022-06-30"): with the axis's scale
    of type "utc", no reader's time zone moves it to the day before."""
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


# A chart's title: its text is the value of this parameter (a value, never an expression),
# read by the title's expression, which breaks it onto lines that fit the chart.
TITLE = "chart_title"
TITLE_CHAR_PX = 10  # what one character of a title (15 px, semibold; Cyrillic is wide) takes, in px


def wrapped(text: str, chars: str) -> str:
    """An expression (a constant of this module) giving the text that the expression `text`
    names broken into lines (a list) of at most the number `chars` (an expression of
    numbers) of characters at its spaces, a longer word on a line of its own."""
    return (
        f"split(trim(replace({text}, regexp('(.{{1,' + {chars} + '}})(\\\\s+|$)', 'g'), "
        "'$1\\n')), '\\n')"
    )


def _title(width: int) -> dict:
    """A chart's title at its top left, on lines of at most `width` characters and fewer
    where the chart is narrower (a half-width column on a laptop's window; a Russian or
    Uzbek title is often half as long again as the English one): never cut short."""
    fits = f"floor((containerSize()[0] || width) / {TITLE_CHAR_PX})"
    return {
        "text": {"expr": wrapped(TITLE, f"max(12, min({width}, {fits}))")},
        "anchor": "start",
        "fontSize": 15,
        "fontWeight": 600,
        "offset": 12,
        "limit": 0,
    }


def title_of(spec: dict) -> str:
    """A chart's title, whole (as chart_spec was given it)."""
    return next(p["value"] for p in spec["params"] if p["name"] == TITLE)


def number_locale() -> dict:
    """Vega's number format for the current language (d3-format's locale): its decimal and
    group marks, as i18n writes numbers."""
    written = i18n.number(1234.5, 1)  # "1,234.5" / "1 234,5"
    return {
        "decimal": written[-2],
        "thousands": written[1],
        "grouping": [3],
        "currency": ["", ""],
        "minus": "-",
    }


def time_locale() -> dict:
    """Vega's month and day names for the current language (d3-time-format's locale), as
    Babel writes them: an axis of dates reads "июнь 2022" in Russian, not "Jun 2022"."""
    loc = i18n.locale()

    def written(day: dt.date, pattern: str) -> str:
        return babel_dates.format_date(day, pattern, locale=loc)

    months = [dt.date(2001, m, 1) for m in range(1, 13)]
    week = [dt.date(2001, 1, 7) + dt.timedelta(days=d) for d in range(7)]  # from a Sunday
    return {
        "dateTime": "%x, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [written(d, "cccc") for d in week],
        "shortDays": [written(d, "ccc") for d in week],
        "months": [written(d, "LLLL") for d in months],
        "shortMonths": [written(d, "LLL") for d in months],
    }


def chart_spec(title: str, wrap: int, body: dict) -> dict:
    """A chart's specification: its title (on lines of at most `wrap` characters, fewer on
    a narrower chart: `_title`), `body` (data encodings, marks, layers), and what every
    chart here shares: type sizes, no frame, and numbers written the language's way."""
    return {
        "title": _title(wrap),
        **body,
        "params": [{"name": TITLE, "value": title}, *body.get("params", [])],
        "config": {
            "locale": {"number": number_locale(), "time": time_locale()},
            "axis": {"labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal"},
            "legend": {"labelFontSize": 13, "labelLimit": 0, "symbolType": "square"},
            "view": {"stroke": None},
        },
    }


def draw(data: pd.DataFrame, spec: dict, key: str) -> None:
    """Show a chart across its column, named for screen readers by its title."""
    st.vega_lite_chart(data, spec, width="stretch", key=key, alt=title_of(spec))


# A legend's entries below a chart: what one character of a label (13 px) and an entry's
# symbol and gaps take, in pixels, to fit them to the plot's width (Vega's signal `width`).
LABEL_CHAR_PX = 7.5
# What one character of the words drawn on a chart (12 px) takes, in px: how far they reach.
MARK_CHAR_PX = 7
ENTRY_PX = 40


def fitted(names: list[str], columns: int, label: str = "datum.label") -> dict:
    """A legend's layout (its properties) for the entries `names`: up to `columns` of them
    a row, as many as the plot's width holds with the longest name whole (one on a narrow
    window or a half-width column), and a name longer than the plot is wide broken onto
    lines at its spaces, so that no entry runs past the chart's edge and none is cut short.
    `label`: the expression of an entry's text (a constant of the caller). The expressions
    are constants but for numbers: the names stay data."""
    longest = max((len(name) for name in names), default=1)
    entry = round(longest * LABEL_CHAR_PX + ENTRY_PX)
    chars = f"max(12, floor((width - {ENTRY_PX}) / {LABEL_CHAR_PX}))"
    return {
        "columns": {"expr": f"max(1, min({columns}, floor(width / {entry})))"},
        "labelExpr": wrapped(label, chars),
    }


def legend(names: list[str], colours: list[str], columns: int) -> dict:
    """A colour for each series named, with its legend below the chart (`fitted`)."""
    return {
        "scale": {"domain": names, "range": colours},
        "legend": {"title": None, "orient": "bottom", **fitted(names, columns)},
    }


def percent_x(field: str, title: str, top: float) -> dict:
    """An x axis of percentages from 0 to `top` (above 100: room for a label past a bar)."""
    return {
        "field": field,
        "type": "quantitative",
        "title": title,
        "scale": {"domain": [0, top]},
        "axis": {"gridColor": "#eee", "format": "d"},
    }


def status_bars(counts: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Indicators per goal/outcome by status (overview.status_counts): stacked horizontal
    bars, each part labelled with its count and the status's icon, so that no status is told
    by colour alone; a status withheld in a donor's view is outlined with dashes. The data
    and the Vega-Lite specification, for st.vega_lite_chart."""
    statuses = [STATUSES[c] for c in counts.columns if c in STATUSES]  # in the order counted
    rows = []
    for order, status in enumerate(statuses):
        for group, n in zip(counts["group"], counts[status.code], strict=True):
            n = int(n)
            rows.append(
                {
                    "group": str(group),
                    "status": status_text(status.code),
                    "order": order,
                    "n": n,
                    "text": f"{i18n.number(n)} {status.icon}" if n else "",
                    "tip": f"{group}: "
                    + ngettext("{n} indicator(s) {status}", "{n} indicator(s) {status}", n).format(
                        n=i18n.number(n), status=status.label.lower()
                    ),
                    "dashed": status.code == WITHHELD,
                }
            )
    data = pd.DataFrame(rows, columns=["group", "status", "order", "n", "text", "tip", "dashed"])
    groups = [str(g) for g in counts["group"]]
    spec = chart_spec(
        _("Indicators per goal and outcome, by status (number)"),
        48,
        {
            "height": {"step": 40},
            "transform": [
                {"filter": "datum.n > 0"},
                {
                    "stack": "n",
                    "groupby": ["group"],
                    "sort": [{"field": "order", "order": "ascending"}],
                    "as": ["start", "end"],
                },
                {"calculate": "(datum.start + datum.end) / 2", "as": "middle"},
            ],
            "encoding": {
                "y": {
                    "field": "group",
                    "type": "nominal",
                    "sort": groups,
                    "title": None,
                    "axis": {"labelLimit": 200, "labelPadding": 6},
                },
                # One text, as written here (a single field's value is shown alone).
                "tooltip": {"field": "tip", "type": "nominal"},
            },
            "layer": [
                {
                    "mark": {"type": "bar", "strokeWidth": 1.5, "height": {"band": 0.65}},
                    "encoding": {
                        "x": {
                            "field": "start",
                            "type": "quantitative",
                            "title": _("Number of indicators"),
                            "axis": {"tickMinStep": 1, "format": "d", "gridColor": "#eee"},
                        },
                        "x2": {"field": "end"},
                        "color": {
                            "field": "status",
                            "type": "nominal",
                            **legend(
                                [status_text(s.code) for s in statuses],
                                [s.colour for s in statuses],
                                2,
                            ),
                        },
                        "stroke": {
                            "condition": {"test": "datum.dashed", "value": "#777777"},
                            "value": "white",
                        },
                        "strokeDash": {
                            "condition": {"test": "datum.dashed", "value": [4, 2]},
                            "value": [1, 0],
                        },
                    },
                },
                {
                    "mark": {"type": "text", "fontSize": 13, "color": "#111111"},
                    "encoding": {
                        "x": {"field": "middle", "type": "quantitative"},
                        "text": {"field": "text", "type": "nominal"},
                    },
                },
            ],
        },
    )
    return data, spec


def pace_bars(
    time_share: float,
    spent_share: float | None,
    against_plan: float | None,
    small_grants: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """Share of time elapsed beside the share of the budget spent, in percent, each bar
    labelled with its percentage; a dotted line at 100 %. The data and the Vega-Lite
    specification, for st.vega_lite_chart.

    small_grants: the figures are those of a region's small grants (a donor's link): the
    budget is what was awarded, the time that of the grants, weighted by award.
    """
    labels = [_("Time elapsed"), _("Budget spent (of total)"), _("Spent of budget planned to date")]
    title = _("Time elapsed and budget spent (% of programme)")
    if small_grants:
        labels = [
            _("Grants' time elapsed"),
            _("Awards spent (of total)"),
            _("Spent of awards to date"),
        ]
        title = _("Grants' time elapsed and awards spent (%)")
    values = [time_share, spent_share or 0.0, against_plan or 0.0]
    data = pd.DataFrame(
        {
            "label": ["\n".join(lines(label, 26)) for label in labels],
            "percent": [v * 100 for v in values],
            "text": [i18n.percent(v) for v in values],
            "tip": [
                f"{label}: {i18n.percent(v, 1)}" for label, v in zip(labels, values, strict=True)
            ],
            "colour": ["#999999", "#0072B2", "#56B4E9"],
        }
    )
    top = max(120.0, max(values) * 100 + 20)
    x = percent_x("percent", _("Percent"), top)
    # The bars' and their labels' rows (the line at 100 % has none).
    y = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": LINE_LABELS,
    }
    tip = {"field": "tip", "type": "nominal"}
    spec = chart_spec(
        title,
        34,  # the narrower column of the overview
        {
            "height": {"step": 54},
            "layer": [
                {
                    "mark": {"type": "bar", "height": {"band": 0.7}},
                    "encoding": {
                        "y": y,
                        "x": x,
                        "tooltip": tip,
                        "color": {"field": "colour", "type": "nominal", "scale": None},
                    },
                },
                {
                    "mark": {"type": "text", "align": "left", "dx": 5, "fontSize": 13},
                    "encoding": {
                        "y": y,
                        "x": {"field": "percent", "type": "quantitative"},
                        "tooltip": tip,
                        "text": {"field": "text", "type": "nominal"},
                    },
                },
                {
                    "data": {"values": [{"at": 100}]},
                    "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#333333"},
                    "encoding": {"x": {"field": "at", "type": "quantitative"}},
                },
            ],
        },
    )
    return data, spec
