"""Plotly figures of the milestones page (graph_objects: ~2 ms a figure)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from monitoring import i18n
from monitoring.i18n import _, ngettext
from monitoring.reports.milestones import MILESTONE_STATUSES, level_label
from monitoring.reports.status import status_text
from ui.charts import FONT, chart_title
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
    # Each date, share, status and level written once: babel takes ~0.1 ms a figure, and
    # milestones share a few indicators (one progress and status each) and levels.
    written: dict = {}

    def once(fn, value) -> str:
        key = (fn, value)
        if key not in written:
            written[key] = fn(value)
        return written[key]

    def day(value) -> str:
        return i18n.date(_day(value), "medium")

    for r in frame.itertuples():
        dates = [_("Planned {date}").format(date=once(day, r.planned_on))]
        if pd.notna(r.achieved_on):
            dates.append(_("Achieved {date}").format(date=once(day, r.achieved_on)))
        if isinstance(r.indicator_code, str):
            if pd.notna(r.indicator_progress):
                indicator = _("Indicator {code}: {share} of the way to its target").format(
                    code=chart(r.indicator_code), share=once(i18n.percent, r.indicator_progress)
                )
            else:
                indicator = _("Indicator {code}").format(code=chart(r.indicator_code))
            if isinstance(r.indicator_status, str):
                indicator += f" ({once(status_text, r.indicator_status)})"
            dates.append(indicator)
        where = f"{once(level_label, r.level)} · {chart(r.region_label)}"
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
    # Plain arrays, each made once, picked from by masks: DataFrame filters copy every column
    # (text columns through Arrow), and plotly checks a list item by item, an array at once.
    status = frame.status.to_numpy(dtype=object)
    is_late = frame.late.fillna(False).to_numpy(dtype=bool)
    days_late = frame.days_late.astype("float64").to_numpy()
    group = np.array(
        [
            f"{stage}<br>{level_label(level)}"
            for stage, level in zip(frame.stage_label, frame.level, strict=True)
        ],
        dtype=object,
    )
    row = np.array(
        [
            chart(f"{mid} {_short(t)}")
            for mid, t in zip(frame.milestone_id, frame.title, strict=True)
        ],
        dtype=object,
    )
    hover = np.empty((len(frame), 4), dtype=object)
    if len(frame):
        hover[:] = _hover(frame)
    # Dates as plotly writes a datetime column (markers), and as text for the delay lines.
    planned_on = pd.to_datetime(frame.planned_on).tolist()
    achieved_on = pd.to_datetime(frame.achieved_on).tolist()
    planned = np.array([t.isoformat(timespec="microseconds") for t in planned_on], dtype=object)
    achieved = np.array(
        [None if pd.isna(t) else t.isoformat(timespec="microseconds") for t in achieved_on],
        dtype=object,
    )
    planned_text = np.array([t.isoformat() for t in planned_on], dtype=object)
    achieved_text = np.array(
        [None if pd.isna(t) else t.isoformat() for t in achieved_on], dtype=object
    )
    as_of_ts = pd.Timestamp(as_of)

    def y(mask: np.ndarray) -> np.ndarray:
        """The rows of `mask` on the two-level axis (group, row)."""
        return np.array([group[mask], row[mask]], dtype=object).reshape(2, int(mask.sum()))

    every = np.ones(len(frame), dtype=bool)
    # The figure is made in one go (traces and layout handed to go.Figure): each add_* or
    # update_* call on a figure validates and copies it again (docs/benchmarks.md).
    traces = []
    # Rows come in the order of their first appearance over the traces: an invisible trace of
    # every row first keeps the timeline order, whichever milestones are late.
    traces.append(
        go.Scatter(
            x=planned,
            y=y(every),
            mode="markers",
            marker=dict(opacity=0),
            showlegend=False,
            hoverinfo="skip",
            name="",  # never shown: it only keeps the rows in order
        )
    )
    # The delay itself: a thick line from the planned date to the achieved or reporting date.
    # One trace per kind of delay, its segments parted by gaps (x None): thousands of late
    # milestones stay two traces (docs/benchmarks.md).
    shown_legend = False
    for overdue in (True, False):
        mask = is_late & ((status == "overdue") == overdue)
        count = int(mask.sum())
        if not count:
            continue
        ends = [as_of_ts.isoformat()] * count if overdue else achieved_text[mask].tolist()
        xs, groups, rows = [], [], []
        for since, until, in_group, in_row in zip(
            planned_text[mask], ends, group[mask], row[mask], strict=True
        ):
            xs += [since, until, None]  # dates as text: gaps stay None
            groups += [in_group] * 3
            rows += [in_row] * 3
        traces.append(
            go.Scatter(
                x=xs,
                y=np.array([groups, rows], dtype=object),
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
        )
        shown_legend = True

    traces.append(
        go.Scatter(
            x=planned,
            y=y(every),
            mode="markers",
            marker=dict(symbol="circle-open", size=10, color=PLANNED_COLOUR, line=dict(width=2)),
            name="○ " + _("Planned date"),
            customdata=hover,
            hovertemplate=HOVER,
        )
    )

    on_time = (status == "achieved") & ~is_late
    traces.append(
        go.Scatter(
            x=achieved[on_time],
            y=y(on_time),
            mode="markers",
            marker=dict(symbol="circle", size=11, color=MILESTONE_STATUSES["achieved"].colour),
            name="● " + _("Achieved on time"),
            customdata=hover[on_time],
            hovertemplate=HOVER,
        )
    )

    achieved_late = (status == "achieved") & is_late
    traces.append(
        go.Scatter(
            x=achieved[achieved_late],
            y=y(achieved_late),
            mode="markers+text",
            marker=dict(
                symbol="diamond", size=12, color=LATE_COLOUR, line=dict(color="#333", width=1)
            ),
            text=[
                ngettext("{n} day late", "{n} days late", int(d)).format(n=int(d))
                for d in days_late[achieved_late]
            ],
            textposition="middle right",
            textfont=dict(size=11, color="#7a5200"),
            cliponaxis=False,
            name="◆ " + _("Achieved late"),
            customdata=hover[achieved_late],
            hovertemplate=HOVER,
        )
    )

    overdue = status == "overdue"
    overdue_texts = [
        ngettext("OVERDUE {n} day", "OVERDUE {n} days", int(d)).format(n=int(d))
        for d in days_late[overdue]
    ]
    traces.append(
        go.Scatter(
            x=[as_of_ts] * int(overdue.sum()),
            y=y(overdue),
            mode="markers+text",
            marker=dict(
                symbol="triangle-right",
                size=14,
                color=MILESTONE_STATUSES["overdue"].colour,
                line=dict(color="#333", width=1),
            ),
            text=[f"<b>{t}</b>" for t in overdue_texts],
            textposition="middle right",
            textfont=dict(size=12, color=MILESTONE_STATUSES["overdue"].colour),
            cliponaxis=False,
            name="▶ " + _("Overdue at the reporting date"),
            customdata=hover[overdue],
            hovertemplate=HOVER,
        )
    )

    dropped = status == "dropped"
    traces.append(
        go.Scatter(
            x=planned[dropped],
            y=y(dropped),
            mode="markers+text",
            marker=dict(symbol="x", size=11, color=MILESTONE_STATUSES["dropped"].colour),
            text=[_("dropped")] * int(dropped.sum()),
            textposition="middle right",
            textfont=dict(size=11, color="#666"),
            cliponaxis=False,  # a milestone dropped near the reporting date keeps its word
            name="✕ " + _("Dropped"),
            customdata=hover[dropped],
            hovertemplate=HOVER,
        )
    )

    # The reporting date: everything to its right was not yet known.
    reporting_line = dict(
        type="line",
        x0=as_of_ts,
        x1=as_of_ts,
        y0=0,
        y1=1,
        yref="paper",
        line=dict(color="#0072B2", dash="dash", width=2),
    )
    reporting_label = dict(
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
    xaxis = dict(
        type="date",
        range=[pd.Timestamp(left), pd.Timestamp(right)],
        title=dict(text=_("Date")),
        gridcolor="#eee",
        tickvals=[pd.Timestamp(t) for t in ticks],
        ticktext=[i18n.short_month(t) for t in ticks],
        showline=True,
        linecolor="#999",
    )
    yaxis = dict(
        autorange="reversed",
        tickfont=dict(size=11),
        showdividers=True,
        dividercolor="#999",
        gridcolor="#f3f3f3",
    )
    layout = dict(
        shapes=[reporting_line],
        annotations=[reporting_label],
        xaxis=xaxis,
        yaxis=yaxis,
        title=chart_title(
            _(
                "Milestones by stage and level: planned and achieved dates, delays in days "
                "(as of {date})"
            ).format(date=i18n.date(as_of, "medium"))
        ),
        height=height,
        # Right: room for the longest "OVERDUE n days", drawn past the plot (in capitals,
        # about 9 pixels a character; the Russian and Uzbek ones are a third longer).
        margin=dict(
            l=10, r=max(130, 20 + 9 * max(map(len, overdue_texts), default=0)), t=top, b=10
        ),
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
    return go.Figure(data=traces, layout=layout)


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

    written: dict = {}  # counts repeat: each written once (babel takes ~0.1 ms a number)

    def number(n) -> str:
        if n not in written:
            written[n] = i18n.number(n)
        return written[n]

    achieved = values(q.achieved)
    late = values(q.achieved_late)
    on_time = [None if a is None else a - lt for a, lt in zip(achieved, late, strict=True)]
    traces = []  # the figure is made in one go, as milestone_timeline's
    traces.append(
        go.Bar(
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
    )
    traces.append(
        go.Bar(
            x=periods,
            y=on_time,
            name=_("Achieved on time"),
            offsetgroup="achieved",
            marker=dict(color=MILESTONE_STATUSES["achieved"].colour),
            customdata=[
                None if n is None else _("{n} achieved on time").format(n=number(n))
                for n in on_time
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    traces.append(
        go.Bar(
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
                None if n is None else _("{n} achieved late").format(n=number(n)) for n in late
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    # Totals above the achieved bars, saying how many were late. The achieved bar sits right
    # of the quarter's centre: two bars of (1 - bargap) / 2 each. Given all at once: one
    # add_annotation per quarter copies every earlier annotation again (40 quarters: 0.1 s).
    annotations = [
        dict(
            x=i + (1 - BARGAP) / 4,
            y=a,
            text=_("{achieved} ({late} late)").format(achieved=number(a), late=number(lt)),
            showarrow=False,
            xanchor="center",
            yanchor="bottom",
            font=dict(size=12, color="#444"),
        )
        for i, (a, lt) in enumerate(zip(achieved, late, strict=True))
        if a is not None
    ]
    shapes = []
    after = q[q.after_reporting_date]
    if not after.empty:  # shaded, with its words at the top left
        first = periods.index(after.period.iloc[0])
        shapes.append(
            dict(
                type="rect",
                x0=first - 0.5,
                x1=len(periods) - 0.5,
                xref="x",
                y0=0,
                y1=1,
                yref="y domain",
                fillcolor="#eeeeee",
                opacity=0.6,
                line=dict(width=0),
            )
        )
        annotations.append(
            dict(
                x=first - 0.5,
                xref="x",
                y=1,
                yref="y domain",
                xanchor="left",
                yanchor="top",
                text=_("After the reporting date: achievements not yet known"),
                showarrow=False,
            )
        )
    top = max([*q.planned.tolist(), *(a or 0 for a in achieved), 1])
    layout = dict(
        annotations=annotations,
        shapes=shapes,
        yaxis=dict(
            title=dict(text=_("Milestones (number)")), range=[0, top * 1.3 + 1], gridcolor="#eee"
        ),
        xaxis=dict(title=dict(text=_("Quarter")), type="category"),
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
    return go.Figure(data=traces, layout=layout)
