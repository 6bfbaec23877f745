"""Plotly figures of the milestones page (graph_objects: ~2 ms a figure)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from monitoring import i18n
from monitoring.i18n import _, ngettext
from monitoring.reports.milestones import MILESTONE_STATUSES, level_label
from monitoring.reports.status import status_text
from ui.charts import FONT
from ui.text import chart

PLANNED_COLOUR = "#333333"
LATE_COLOUR = "#E69F00"  # Okabe-Ito orange: achieved late
SHORT_TITLE = 42
BARGAP = 0.3


def _short(text: str, limit: int = SHORT_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def _hover(frame: pd.DataFrame) -> list[list[str]]:
    """Hover lines per milestone; text from the data is escaped (ui/text.py), the line
    breaks are ours. Dates and numbers are written in the language's way."""
    rows = []
    for r in frame.itertuples():
        dates = [_("Planned {date}").format(date=i18n.date(_day(r.planned_on), "medium"))]
        if pd.notna(r.achieved_on):
            dates.append(_("Achieved {date}").format(date=i18n.date(_day(r.achieved_on), "medium")))
        if isinstance(r.indicator_code, str):
            if pd.notna(r.indicator_progress):
                indicator = _("Indicator {code}: {share} of the way to its target").format(
                    code=chart(r.indicator_code), share=i18n.percent(r.indicator_progress)
                )
            else:
                indicator = _("Indicator {code}").format(code=chart(r.indicator_code))
            if isinstance(r.indicator_status, str):
                indicator += f" ({status_text(r.indicator_status)})"
            dates.append(indicator)
        where = f"{level_label(r.level)} · {chart(r.region_label)}"
        if isinstance(r.audience, str):
            where += " · " + _("audience: {audience}").format(audience=chart(r.audience))
        rows.append(
            [chart(f"{r.milestone_id} {r.title}"), r.status_text, where, "<br>".join(dates)]
        )
    return rows


HOVER = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<br>%{customdata[3]}"
    "<extra></extra>"
)


def milestone_timeline(
    frame: pd.DataFrame, as_of: dt.date, start: dt.date, end: dt.date
) -> go.Figure:
    """One row per milestone, grouped by stage and level: planned date (○),
    achieved date (● on time, ◆ late), overdue (▶ at the reporting date), with days late."""
    frame = frame.reset_index(drop=True)
    frame = frame.assign(
        group=[
            f"{stage}<br>{level_label(level)}"
            for stage, level in zip(frame.stage_label, frame.level, strict=True)
        ],
        row=[
            chart(f"{mid} {_short(t)}")
            for mid, t in zip(frame.milestone_id, frame.title, strict=True)
        ],
        hover=_hover(frame),
        achieved_ts=pd.to_datetime(frame.achieved_on),
        planned_ts=pd.to_datetime(frame.planned_on),
    )
    as_of_ts = pd.Timestamp(as_of)

    def y(part: pd.DataFrame) -> list[list[str]]:
        return [part.group.tolist(), part.row.tolist()]

    fig = go.Figure()
    # Rows come in the order of their first appearance over the traces: an invisible trace of
    # every row first keeps the timeline order, whichever milestones are late.
    fig.add_scatter(
        x=frame.planned_ts,
        y=y(frame),
        mode="markers",
        marker=dict(opacity=0),
        showlegend=False,
        hoverinfo="skip",
        name="",  # never shown: it only keeps the rows in order
    )
    # The delay itself: a thick line from the planned date to the achieved or reporting date.
    # One trace per kind of delay, its segments parted by gaps (x None): thousands of late
    # milestones stay two traces (docs/benchmarks.md).
    late = frame[frame.late]
    shown_legend = False
    for overdue in (True, False):
        part = late[(late.status == "overdue") == overdue]
        if part.empty:
            continue
        ends = [as_of_ts] * len(part) if overdue else part.achieved_ts.tolist()
        xs, groups, rows = [], [], []
        for planned, until, group, row in zip(
            part.planned_ts, ends, part.group, part.row, strict=True
        ):
            xs += [planned.isoformat(), until.isoformat(), None]  # dates as text: gaps stay None
            groups += [group] * 3
            rows += [row] * 3
        fig.add_scatter(
            x=xs,
            y=[groups, rows],
            mode="lines",
            line=dict(
                color=MILESTONE_STATUSES["overdue"].colour if overdue else LATE_COLOUR, width=4
            ),
            connectgaps=False,
            name=_("Delay"),
            legendgroup="delay",
            showlegend=not shown_legend,
            hoverinfo="skip",
        )
        shown_legend = True

    fig.add_scatter(
        x=frame.planned_ts,
        y=y(frame),
        mode="markers",
        marker=dict(symbol="circle-open", size=10, color=PLANNED_COLOUR, line=dict(width=2)),
        name="○ " + _("Planned date"),
        customdata=frame.hover.tolist(),
        hovertemplate=HOVER,
    )

    on_time = frame[(frame.status == "achieved") & ~frame.late]
    fig.add_scatter(
        x=on_time.achieved_ts,
        y=y(on_time),
        mode="markers",
        marker=dict(symbol="circle", size=11, color=MILESTONE_STATUSES["achieved"].colour),
        name="● " + _("Achieved on time"),
        customdata=on_time.hover.tolist(),
        hovertemplate=HOVER,
    )

    achieved_late = frame[(frame.status == "achieved") & frame.late]
    fig.add_scatter(
        x=achieved_late.achieved_ts,
        y=y(achieved_late),
        mode="markers+text",
        marker=dict(symbol="diamond", size=12, color=LATE_COLOUR, line=dict(color="#333", width=1)),
        text=[
            ngettext("{n} day late", "{n} days late", int(d)).format(n=int(d))
            for d in achieved_late.days_late
        ],
        textposition="middle right",
        textfont=dict(size=11, color="#7a5200"),
        cliponaxis=False,
        name="◆ " + _("Achieved late"),
        customdata=achieved_late.hover.tolist(),
        hovertemplate=HOVER,
    )

    overdue = frame[frame.status == "overdue"]
    fig.add_scatter(
        x=[as_of_ts] * len(overdue),
        y=y(overdue),
        mode="markers+text",
        marker=dict(
            symbol="triangle-right",
            size=14,
            color=MILESTONE_STATUSES["overdue"].colour,
            line=dict(color="#333", width=1),
        ),
        text=[
            "<b>"
            + ngettext("OVERDUE {n} day", "OVERDUE {n} days", int(d)).format(n=int(d))
            + "</b>"
            for d in overdue.days_late
        ],
        textposition="middle right",
        textfont=dict(size=12, color=MILESTONE_STATUSES["overdue"].colour),
        cliponaxis=False,
        name="▶ " + _("Overdue at the reporting date"),
        customdata=overdue.hover.tolist(),
        hovertemplate=HOVER,
    )

    dropped = frame[frame.status == "dropped"]
    fig.add_scatter(
        x=dropped.planned_ts,
        y=y(dropped),
        mode="markers+text",
        marker=dict(symbol="x", size=11, color=MILESTONE_STATUSES["dropped"].colour),
        text=[_("dropped")] * len(dropped),
        textposition="middle right",
        textfont=dict(size=11, color="#666"),
        name="✕ " + _("Dropped"),
        customdata=dropped.hover.tolist(),
        hovertemplate=HOVER,
    )

    # The reporting date: everything to its right was not yet known.
    fig.add_shape(
        type="line",
        x0=as_of_ts,
        x1=as_of_ts,
        y0=0,
        y1=1,
        yref="paper",
        line=dict(color="#0072B2", dash="dash", width=2),
    )
    fig.add_annotation(
        x=as_of_ts,
        y=1,
        yref="paper",
        yanchor="bottom",
        text=_("Reporting date {date}").format(date=i18n.date(as_of, "medium")),
        showarrow=False,
        font=dict(color="#0072B2", size=12),
        bgcolor="white",
    )
    left = start - dt.timedelta(days=15)
    right = max(end, as_of) + dt.timedelta(days=20)
    top = 140
    height = top + 70 + 24 * max(len(frame), 3)
    # A tick every quarter, month names in the language (plotly writes English ones only).
    ticks = _quarter_starts(left, right)
    fig.update_xaxes(
        type="date",
        range=[pd.Timestamp(left), pd.Timestamp(right)],
        title=_("Date"),
        gridcolor="#eee",
        tickvals=[pd.Timestamp(t) for t in ticks],
        ticktext=[i18n.short_month(t) for t in ticks],
        showline=True,
        linecolor="#999",
    )
    fig.update_yaxes(
        autorange="reversed",
        tickfont=dict(size=11),
        showdividers=True,
        dividercolor="#999",
        gridcolor="#f3f3f3",
    )
    fig.update_layout(
        title=dict(
            text=_(
                "Milestones by stage and level: planned and achieved dates, delays in days "
                "(as of {date})"
            ).format(date=i18n.date(as_of, "medium")),
            x=0,
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=8),
            font=dict(size=15),
        ),
        height=height,
        margin=dict(l=10, r=130, t=top, b=10),  # right: room for "OVERDUE n days"
        font=FONT,
        plot_bgcolor="white",
        # Below the title, across the whole figure (the plot area alone is too narrow).
        legend=dict(
            orientation="h",
            xref="container",
            x=0.01,
            yref="container",
            y=1 - 42 / height,
            yanchor="top",
        ),
        hoverlabel=dict(align="left"),
        separators=i18n.separators(),
    )
    return fig


def _quarter_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the quarters (January, April, July, October) from first to last."""
    day = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    if day < first:
        day = dt.date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    found = []
    while day <= last:
        found.append(day)
        day = dt.date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    return found


def milestones_per_quarter(quarters: pd.DataFrame, as_of: dt.date) -> go.Figure:
    """Per quarter: milestones planned, beside those achieved (on time and late)."""
    q = quarters.reset_index(drop=True)
    periods = q.period.tolist()
    known = ~q.after_reporting_date.astype(bool)

    def values(column: pd.Series) -> list[float | None]:
        """Plain numbers, None after the reporting date (plotly draws no bar, not zero)."""
        return [float(v) if k and pd.notna(v) else None for v, k in zip(column, known, strict=True)]

    achieved = values(q.achieved)
    late = values(q.achieved_late)
    on_time = [None if a is None else a - lt for a, lt in zip(achieved, late, strict=True)]
    fig = go.Figure()
    fig.add_bar(
        x=periods,
        y=q.planned,
        name=_("Planned in the quarter"),
        offsetgroup="planned",
        marker=dict(color="#56B4E9"),
        text=q.planned,
        textposition="outside",
        cliponaxis=False,
        customdata=[
            ngettext("{n} milestone(s) planned", "{n} milestone(s) planned", int(n)).format(
                n=int(n)
            )
            for n in q.planned
        ],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
    )
    fig.add_bar(
        x=periods,
        y=on_time,
        name=_("Achieved on time"),
        offsetgroup="achieved",
        marker=dict(color=MILESTONE_STATUSES["achieved"].colour),
        customdata=[
            None if n is None else _("{n} achieved on time").format(n=i18n.number(n))
            for n in on_time
        ],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
    )
    fig.add_bar(
        x=periods,
        y=late,
        base=on_time,
        name=_("Achieved late (hatched)"),
        offsetgroup="achieved",
        # Streamlit's plotly does not fill a pattern from marker.color: give both colours.
        marker=dict(
            color=LATE_COLOUR,
            pattern=dict(shape="x", bgcolor=LATE_COLOUR, fgcolor="#ffffff", size=7),
        ),
        customdata=[
            None if n is None else _("{n} achieved late").format(n=i18n.number(n)) for n in late
        ],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
    )
    # Totals above the achieved bars, saying how many were late. The achieved bar sits right
    # of the quarter's centre: two bars of (1 - bargap) / 2 each.
    for i, (a, lt) in enumerate(zip(achieved, late, strict=True)):
        if a is not None:
            fig.add_annotation(
                x=i + (1 - BARGAP) / 4,
                y=a,
                text=_("{achieved} ({late} late)").format(
                    achieved=i18n.number(a), late=i18n.number(lt)
                ),
                showarrow=False,
                xanchor="center",
                yanchor="bottom",
                font=dict(size=12, color="#444"),
            )
    after = q[q.after_reporting_date]
    if not after.empty:
        first = periods.index(after.period.iloc[0])
        fig.add_vrect(
            x0=first - 0.5,
            x1=len(periods) - 0.5,
            fillcolor="#eeeeee",
            opacity=0.6,
            line_width=0,
            annotation_text=_("After the reporting date: achievements not yet known"),
            annotation_position="top left",
        )
    top = max([*q.planned.tolist(), *(a or 0 for a in achieved), 1])
    fig.update_yaxes(title=_("Milestones (number)"), range=[0, top * 1.3 + 1], gridcolor="#eee")
    fig.update_xaxes(title=_("Quarter"), type="category")
    fig.update_layout(
        barmode="group",
        bargap=BARGAP,
        bargroupgap=0,
        title=dict(
            text=_("Milestones planned and achieved per quarter (number), as of {date}").format(
                date=i18n.date(as_of, "medium")
            ),
            x=0,
            xanchor="left",
            font=dict(size=15),
        ),
        height=340,
        margin=dict(l=10, r=10, t=50, b=10),
        font=FONT,
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=-0.35, x=0),
        separators=i18n.separators(),
    )
    return fig
