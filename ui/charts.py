"""Plotly figures shared by pages. graph_objects, not express: ~2 ms a figure, not ~30."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from monitoring import i18n
from monitoring.i18n import _, ngettext
from monitoring.reports.status import STATUSES
from ui.text import chart

FONT = dict(family="Source Sans Pro, sans-serif", size=13)


def lines(text: str, width: int) -> list[str]:
    """A text broken into lines of about `width` characters at spaces, never inside a word
    (at least one line, empty for an empty text)."""
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def wrapped(text: str, width: int) -> str:
    """A label broken into lines of about `width` characters at spaces (plotly does not
    wrap; a Russian or Uzbek label is often half as long again as the English one)."""
    return "<br>".join(lines(text, width)) if text else text


def chart_title(text: str) -> dict:
    """A chart's title at its top left. Placed from the top of the chart with a pad, not at
    a share of its height: plotly puts a title of two lines (Russian, Uzbek) above that
    share, and its first line was cut off at the top."""
    return dict(
        text=text, x=0, xanchor="left", yref="container", y=1, yanchor="top",
        pad=dict(t=10), font=dict(size=15),
    )  # fmt: skip


TITLE_LINE = 20  # pixels a line of a chart's title takes (15 px type)


def wrapped_title(text: str, width: int) -> tuple[dict, int]:
    """A chart's title wrapped at `width` characters (chart_title), and the pixels its lines
    past the first take: the chart grows by them, so that its plot keeps its height."""
    text = wrapped(text, width)
    return chart_title(text), TITLE_LINE * text.count("<br>")


def _layout(fig: go.Figure, text: str, height: int, wrap: int = 48) -> go.Figure:
    title, extra = wrapped_title(text, wrap)
    fig.update_layout(
        title=title,
        height=height + extra,
        margin=dict(l=10, r=40, t=80 + extra, b=10),
        font=FONT,
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        separators=i18n.separators(),  # the language's decimal and group marks
    )
    return fig


def status_bars(counts: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: indicators per goal/outcome by status, labelled with icons."""
    fig = go.Figure()
    groups = [chart(group) for group in counts["group"]]
    for code in [c for c in counts.columns if c in STATUSES]:  # in the order counted
        status = STATUSES[code]
        values = counts[code].tolist()
        fig.add_bar(
            y=groups,
            x=values,
            name=f"{status.icon} {status.label}",
            orientation="h",
            marker=dict(
                color=status.colour,
                line=dict(color="white", width=1),
                # Withheld is hatched, like a map region without a value: never read as data.
                pattern=dict(shape="/", fgcolor="#777777", size=6) if code == "withheld" else None,
            ),
            text=[f"{v} {status.icon}" if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            # The hover text is made here, each count with its plural form.
            customdata=[
                ngettext("{n} indicator(s) {status}", "{n} indicator(s) {status}", int(v)).format(
                    n=i18n.number(v), status=status.label.lower()
                )
                for v in values
            ],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.35, legend_traceorder="normal")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=_("Number of indicators"), dtick=1, gridcolor="#eee")
    statuses = sum(1 for c in counts.columns if c in STATUSES)
    fig = _layout(
        fig, _("Indicators per goal and outcome, by status (number)"), 40 * len(groups) + 200
    )
    # Below the bars, one status a line where the column is narrow: never over the title,
    # which has room for each of its lines (Russian and Uzbek wrap it in two).
    lines = fig.layout.title.text.count("<br>") + 1
    return fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0, entrywidth=0),
        margin=dict(t=20 + TITLE_LINE * lines, b=20 + 12 * statuses),
    )


def pace_bars(
    time_share: float,
    spent_share: float | None,
    against_plan: float | None,
    small_grants: bool = False,
):
    """Share of time elapsed beside the share of the budget spent, in percent.

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
    labels = [wrapped(label, 24) for label in labels]
    values = [time_share, spent_share or 0.0, against_plan or 0.0]
    colours = ["#999999", "#0072B2", "#56B4E9"]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=[v * 100 for v in values],
            orientation="h",
            marker_color=colours,
            text=[i18n.percent(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            customdata=[i18n.percent(v, 1) for v in values],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    fig.add_vline(x=100, line=dict(color="#333", dash="dot", width=1))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(
        title=_("Percent"), range=[0, max(120, max(values) * 100 + 20)], gridcolor="#eee"
    )
    return _layout(fig, title, 260, wrap=34)  # the narrower column of the overview
