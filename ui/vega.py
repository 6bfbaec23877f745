"""Vega-Lite charts (st.vega_lite_chart): the overview's two charts.

Why not plotly, as the other pages: a page that draws any plotly chart loads and runs
plotly's 4.7 MB script on every load, about a second in the browser whether its script is
cached or not (docs/benchmarks.md, "In the browser"); Streamlit's Vega-Lite costs a fifth of
that. The overview is the page everyone opens first, a donor's link included, and its two
charts are simple bars, so they are drawn with Vega-Lite; the pages whose charts need
plotly's timeline, two-level axes or hover across series keep plotly.

Text is safe by construction: Vega draws every text as text (axis labels, legends, marks,
tooltips: Streamlit's tooltip handler escapes HTML), and text from the data travels only
as data values, never inside an expression (a `calculate`, `test` or `labelExpr` string is
a constant of this module). Numbers shown are written in Python in the reader's language
(i18n), as the rest of the page writes them; the axes' own ticks are whole numbers.
"""

from __future__ import annotations

import pandas as pd

from monitoring import i18n
from monitoring.access.view import WITHHELD
from monitoring.i18n import _, ngettext
from monitoring.reports.status import STATUSES
from ui.charts import lines

# A label of several lines: the label's text split at its line breaks (data stays data).
LINES_EXPR = "split(datum.label, '\\n')"


def _title(text: str, width: int) -> dict:
    """A chart's title at its top left, wrapped at about `width` characters (a Russian or
    Uzbek title is often half as long again as the English one)."""
    return {
        "text": lines(text, width),
        "anchor": "start",
        "fontSize": 15,
        "fontWeight": 600,
        "offset": 12,
    }


def _spec(title: str, wrap: int, body: dict) -> dict:
    return {
        "title": _title(title, wrap),
        **body,
        "config": {
            "axis": {"labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal"},
            "legend": {"labelFontSize": 13, "labelLimit": 0, "symbolType": "square"},
            "view": {"stroke": None},
        },
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
                    "status": f"{status.icon} {status.label}",
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
    spec = _spec(
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
                            "scale": {
                                "domain": [f"{s.icon} {s.label}" for s in statuses],
                                "range": [s.colour for s in statuses],
                            },
                            "legend": {"title": None, "orient": "bottom", "columns": 2},
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
    x = {
        "field": "percent",
        "type": "quantitative",
        "title": _("Percent"),
        "scale": {"domain": [0, top]},
        "axis": {"gridColor": "#eee", "format": "d"},
    }
    # The bars' and their labels' rows (the line at 100 % has none).
    y = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelExpr": LINES_EXPR, "labelLimit": 0, "labelPadding": 6},
    }
    tip = {"field": "tip", "type": "nominal"}
    spec = _spec(
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
