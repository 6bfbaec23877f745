"""Charts of one indicator: actual against target over quarters, by region, by sex and age.

plotly graph_objects; Okabe-Ito colours, and every series told apart by shape or dash too.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from monitoring import i18n
from monitoring.i18n import N_, _
from ui.charts import FONT, chart_title
from ui.text import chart

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
SYMBOLS = ["circle", "square", "triangle-up", "diamond", "x", "star", "cross"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid"]
ACTUAL, REPORTED, TARGET, BASELINE = "#0072B2", "#56B4E9", "#D55E00", "#666666"
CATEGORY_NAMES = {
    "female": N_("Women and girls"),
    "male": N_("Men and boys"),
    "total": N_("Total"),
}
# Plotly's own fields in a hover text: passed as the values of a message's placeholders.
X, Y = "%{x}", "%{y:,.4g}"


def unit_label(unit: str) -> str:
    return "%" if unit == "percent" else _("number")


def _figure(value) -> str:
    """A value to four significant digits, written the language's way (legend names)."""
    rounded = float(f"{float(value):.4g}")
    if rounded == round(rounded):
        return i18n.number(rounded)
    decimals = len(repr(rounded).split(".")[1]) if "e" not in repr(rounded) else 4
    return i18n.number(rounded, decimals)


def _hover(text: str) -> str:
    return text + "<extra></extra>"


def _layout(fig: go.Figure, title: str, height: int, unit: str) -> go.Figure:
    fig.update_layout(
        title=chart_title(title),
        height=height,
        margin=dict(l=10, r=30, t=50, b=10),
        font=FONT,
        plot_bgcolor="white",
        # Below the plot: a long legend above it would run into the title.
        legend=dict(orientation="h", yanchor="top", y=-0.32, x=0),
        hovermode="x unified",
        separators=i18n.separators(),
    )
    fig.update_xaxes(type="category", title=_("Quarter"), showgrid=False)
    fig.update_yaxes(title=unit_label(unit), gridcolor="#eee", rangemode="tozero")
    if unit == "percent":
        fig.update_yaxes(ticksuffix="%")
    return fig


def _values(series: pd.Series) -> list:
    """Plotly values: None (a gap) where nothing was reported, never 0."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in series]


def _reference_line(fig: go.Figure, periods: list[str], value, name: str, colour: str, dash: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    fig.add_scatter(
        x=periods,
        y=[value] * len(periods),
        mode="lines",
        name=_("{name}: {value}").format(name=name, value=_figure(value)),
        line=dict(color=colour, dash=dash, width=1.5),
        hovertemplate=_hover(_("{name}: {value}").format(name=name, value=Y)),
    )


def _connector(fig: go.Figure, x, y, colour: str) -> None:
    """A faint dotted line across quarters nobody reported in: continuity, not a value."""
    fig.add_scatter(
        x=x,
        y=_values(y),
        mode="lines",
        connectgaps=True,
        line=dict(color=colour, dash="dot", width=1),
        opacity=0.6,
        showlegend=False,
        hoverinfo="skip",
    )


def actual_against_target(
    series: pd.DataFrame, info: dict, regions_expected: int, withheld: bool = False
) -> go.Figure:
    """The indicator quarter by quarter: what was reported, the actual to date, the targets.

    Under each quarter: how many of the regions reported in it, so that a jump when regions
    join (or a dip when one is late) is not mistaken for change on the ground.
    `withheld`: some values are hidden to protect people (NaN): the line breaks there
    instead of running across them.
    """
    periods = series.period.tolist()
    unit, aggregation = info["unit"], info["aggregation"]
    fig = go.Figure()
    if aggregation == "sum":
        fig.add_bar(
            x=periods,
            y=_values(series.value),
            name=_("Reported in the quarter"),
            marker=dict(color=REPORTED),
            hovertemplate=_hover(_("Reported in {period}: {value}").format(period=X, value=Y)),
        )
        to_date = _("Cumulative total")
    elif aggregation == "mean":
        fig.add_scatter(
            x=periods,
            y=_values(series.value),
            mode="markers",
            name=_("Average of the quarter's reports"),
            marker=dict(color=REPORTED, symbol="circle-open", size=10, line=dict(width=2)),
            hovertemplate=_hover(_("Reported in {period}: {value}").format(period=X, value=Y)),
        )
        to_date = _("Average to date")
    else:
        to_date = _("Latest value")
    y_to_date = series.actual_to_date if aggregation != "latest" else series.value
    if aggregation == "latest" and not withheld:
        _connector(fig, periods, y_to_date, ACTUAL)
    fig.add_scatter(
        x=periods,
        y=_values(y_to_date),
        mode="lines+markers",
        connectgaps=aggregation != "latest" and not withheld,
        name=to_date,
        line=dict(color=ACTUAL, width=3),
        marker=dict(symbol="circle", size=8),
        hovertemplate=_hover(
            _("{measure} at {period}: {value}").format(measure=to_date, period=X, value=Y)
        ),
    )
    if series.period_target.notna().any():
        fig.add_scatter(
            x=periods,
            y=_values(series.period_target),
            mode="markers",
            name=_("Target for the quarter"),
            marker=dict(color=TARGET, symbol="diamond", size=13, line=dict(color="white", width=1)),
            hovertemplate=_hover(_("Target by {period}: {value}").format(period=X, value=Y)),
        )
    _reference_line(fig, periods, info.get("target"), _("End-of-programme target"), TARGET, "dash")
    _reference_line(fig, periods, info.get("baseline"), _("Baseline"), BASELINE, "dot")
    fig.update_layout(barmode="overlay")
    code = chart(info["indicator_code"])
    title = _("{code}: actual against target by quarter ({unit})").format(
        code=code, unit=unit_label(unit)
    )
    fig = _layout(fig, title, 470, unit)
    fig.update_xaxes(
        title=_("Quarter (regions that reported in it)"),
        tickmode="array",
        tickvals=periods,
        ticktext=[
            f"{p}<br>" + _("{n} of {total}").format(n=int(n), total=regions_expected)
            for p, n in zip(periods, series.regions_reporting, strict=True)
        ],
    )
    return fig


def by_region(series: pd.DataFrame, info: dict, withheld: bool = False) -> go.Figure:
    """The actual to date in each region over the quarters, with each region's targets
    (`withheld`: as in actual_against_target).

    One line per region (colour, dash and marker tell them apart); the regions' targets are
    one trace of diamonds in each region's colour, and the dotted connectors across quarters
    a region did not report in are one trace too: a figure of about as many traces as
    regions, not three per region."""
    unit = info["unit"]
    latest = info["aggregation"] == "latest"
    periods = list(dict.fromkeys(series.period))
    fig = go.Figure()
    gaps_x: list = []
    gaps_y: list = []
    targets: dict[str, list] = {"x": [], "y": [], "colour": [], "region": []}
    for i, (region, rows) in enumerate(series.groupby("region_name", sort=False)):
        name = chart(region)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        x = rows.period.tolist()
        values = _values(rows.value if latest else rows.actual_to_date)
        if latest and not withheld:  # continuity across the quarters it did not report
            shown = [(p, v) for p, v in zip(x, values, strict=True) if v is not None]
            if len(shown) > 1:
                gaps_x += [p for p, _v in shown] + [None]
                gaps_y += [v for _p, v in shown] + [None]
        fig.add_scatter(
            x=x,
            y=values,
            mode="lines+markers",
            connectgaps=not latest and not withheld,
            name=name,
            line=dict(color=colour, dash=DASHES[i % len(DASHES)], width=2.5),
            marker=dict(symbol=SYMBOLS[i % len(SYMBOLS)], size=8),
            hovertemplate=_hover(
                _("{measure} at {period}: {value}").format(measure=name, period=X, value=Y)
            ),
        )
        for period, target in zip(x, _values(rows.period_target), strict=True):
            if target is not None:
                targets["x"].append(period)
                targets["y"].append(target)
                targets["colour"].append(colour)
                targets["region"].append(name)
    if gaps_x:
        fig.add_scatter(
            x=gaps_x,
            y=gaps_y,
            mode="lines",
            line=dict(color=BASELINE, dash="dot", width=1),
            opacity=0.6,
            showlegend=False,
            hoverinfo="skip",
        )
    if targets["x"]:
        fig.add_scatter(
            x=targets["x"],
            y=targets["y"],
            customdata=targets["region"],
            mode="markers",
            name=_("Target for the quarter"),
            marker=dict(
                color=targets["colour"], symbol="diamond-open", size=13, line=dict(width=2)
            ),
            hovertemplate=_hover(
                _("{region}, target by {period}: {value}").format(
                    region="%{customdata}", period=X, value=Y
                )
            ),
        )
    titles = {
        "sum": N_("{code} by region: cumulative total by quarter ({unit})"),
        "latest": N_("{code} by region: latest value by quarter ({unit})"),
        "mean": N_("{code} by region: average to date by quarter ({unit})"),
    }
    title = _(titles[info["aggregation"]]).format(
        code=chart(info["indicator_code"]), unit=unit_label(unit)
    )
    fig = _layout(fig, title, 470, unit)
    # The quarters in order, whichever trace names them first.
    fig.update_xaxes(categoryorder="array", categoryarray=periods)
    return fig


def breakdown(frame: pd.DataFrame, dimension: str, info: dict) -> go.Figure:
    """Values by sex or by age group per quarter, beside the total they are parts of."""
    unit = info["unit"]
    is_count = unit == "number" and info["aggregation"] != "mean"
    fig = go.Figure()
    parts = frame[frame.dimension == dimension]
    for i, (category, rows) in enumerate(parts.groupby("category", sort=True)):
        name = (
            _(CATEGORY_NAMES[category])
            if category in CATEGORY_NAMES
            else _("Aged {group}").format(group=chart(category))
        )
        fig.add_bar(
            x=rows.period,
            y=_values(rows.value),
            name=name,
            marker=dict(
                color=OKABE_ITO[(i + 1) % len(OKABE_ITO)],
                pattern=dict(shape=["", "/", ".", "x"][i % 4]),
            ),
            hovertemplate=_hover(
                _("{group}, {period}: {value}").format(group=name, period=X, value=Y)
            ),
        )
    total = frame[frame.dimension == "total"]
    fig.add_scatter(
        x=total.period,
        y=_values(total.value),
        mode="markers",
        name=_("Total reported"),
        marker=dict(color="#000000", symbol="line-ew-open", size=28, line=dict(width=3)),
        hovertemplate=_hover(
            _("{group}, {period}: {value}").format(group=_("Total reported"), period=X, value=Y)
        ),
    )
    fig.update_layout(barmode="stack" if is_count else "group")
    titles = {
        ("sex", True): N_("{code} by sex, by quarter: parts stacked to the total ({unit})"),
        ("sex", False): N_("{code} by sex, by quarter: each group beside the total ({unit})"),
        ("age", True): N_("{code} by age group, by quarter: parts stacked to the total ({unit})"),
        ("age", False): N_("{code} by age group, by quarter: each group beside the total ({unit})"),
    }
    what = "sex" if dimension == "sex" else "age"
    title = _(titles[what, is_count]).format(
        code=chart(info["indicator_code"]), unit=unit_label(unit)
    )
    return _layout(fig, title, 420, unit)
