"""Vega-Lite charts of the milestones page (st.vega_lite_chart, drawn by ui/vega.draw): the
timeline of milestones and the milestones per quarter. Each builder returns the rows the
chart draws and its specification.

Why not plotly: a page that draws any plotly chart loads plotly's script, about a second of
every load in the browser; Vega-Lite costs a quarter of that (ui/vega.py).

Text from the data (titles, regions, audiences, indicator codes) travels only as data
values, drawn as text by Vega, never escaped (it would show "&amp;") and never inside an
expression: every `filter`, `test` and `labelExpr` here is a constant of this module.
Numbers and dates are written in Python in the reader's language (monitoring.i18n); the
axes' month names and numbers by Vega with the language's names and marks (config.locale).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from monitoring import i18n
from monitoring.i18n import N_, _, ngettext
from monitoring.reports.milestones import MILESTONE_STATUSES, level_label
from monitoring.reports.status import status_text
from ui import vega
from ui.milestone_tables import on_timeline

PLANNED_COLOUR = "#333333"
LATE_COLOUR = "#E69F00"  # Okabe-Ito orange: achieved late
OVERDUE_COLOUR = MILESTONE_STATUSES["overdue"].colour
REPORTING_COLOUR = "#0072B2"
SHORT_TITLE = 42
FULL_WIDTH = 110  # characters of a title on one line, across the page
ROW = 22  # pixels of a row of the timeline
MISSING = "–"  # a tooltip's line with nothing to say, as i18n writes a missing value


def _short(text: str, limit: int = SHORT_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _each_distinct(values: pd.Series, fn) -> pd.Series:
    """fn of each value, worked out once a distinct value (Babel takes ~0.1 ms a date or a
    share; milestones share a few dates, indicators and levels); missing values stay
    missing."""
    written = {v: fn(v) for v in values.dropna().unique()}
    return values.map(written).astype(object)  # texts, even when none is written


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def _iso(values: pd.Series) -> pd.Series:
    """Dates as Vega reads them ("2022-06-30"), missing ones missing."""
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").astype(object).where(values.notna())


# What a row of a chart's data draws, its `kind`, a number (a row's texts are all words the
# reader sees, and tests/i18n_support.py reads them so): in the timeline, a heading of a stage
# and level, a milestone's marks, or its delay; per quarter, a bar, a count or a quarter after
# the reporting date.
KINDS = (
    "heading", "planned", "on_time", "late", "overdue", "dropped", "delay_late", "delay_overdue",
    "achieved", "after",
)  # fmt: skip
KIND = {name: number for number, name in enumerate(KINDS)}


def _only(*kinds: str) -> dict:
    """A layer's rows: those of these kinds."""
    return vega.rows_of("kind", *(KIND[k] for k in kinds))


# Timeline ---------------------------------------------------------------------------------
HEADING = "heading"
POINTS = ("planned", "on_time", "late", "overdue", "dropped")
DELAYS = ("delay_late", "delay_overdue")
# Each mark: its shape, fill, outline, size (area in pixels) and outline width. The legend
# shows each with its symbol; the shapes tell the status without its colour.
CROSS = "M-1,-1L1,1M-1,1L1,-1"  # ✕ (Vega's "cross" is a +)
MARKS = {
    "planned": ("circle", "white", PLANNED_COLOUR, 100, 2),
    "on_time": ("circle", MILESTONE_STATUSES["achieved"].colour, "white", 130, 1),
    "late": ("diamond", LATE_COLOUR, PLANNED_COLOUR, 170, 1),
    "overdue": ("triangle-right", OVERDUE_COLOUR, PLANNED_COLOUR, 200, 1),
    "dropped": (CROSS, "transparent", MILESTONE_STATUSES["dropped"].colour, 90, 2.5),
    "delay_late": ("stroke", LATE_COLOUR, LATE_COLOUR, 300, 4),
    "delay_overdue": ("stroke", OVERDUE_COLOUR, OVERDUE_COLOUR, 300, 4),
}


# A legend's name without the symbol it starts with (a character and a space), in Vega's
# expressions: the legend draws the mark itself.
UNSYMBOLLED = "(substring(datum.label, 1, 2) == ' ' ? substring(datum.label, 2) : datum.label)"


def _mark_names() -> dict[str, str]:
    """Each mark's name in the legend, its symbol first."""
    return {
        "planned": "○ " + _("Planned date"),
        "on_time": "● " + _("Achieved on time"),
        "late": "◆ " + _("Achieved late"),
        "overdue": "▶ " + _("Overdue at the reporting date"),
        "dropped": "✕ " + _("Dropped"),
        "delay_late": _("Delay (achieved late)"),
        "delay_overdue": _("Delay (overdue)"),
    }


def _tips(frame: pd.DataFrame) -> pd.DataFrame:
    """What a milestone's tooltip says, a column a line: its name (the tooltip's heading),
    status, level, region, audience, planned and achieved dates, and the indicator it
    serves with its progress and status. Dates and numbers in the language's way; text
    from the data as written."""
    day = lambda value: i18n.date(_day(value), "medium")  # noqa: E731
    progress = _each_distinct(frame.indicator_progress, i18n.percent)
    indicator_status = _each_distinct(frame.indicator_status, status_text)
    indicators = []
    # Lists, not the Series: pandas hands out Arrow strings one at a time.
    codes, shares = frame.indicator_code.tolist(), progress.tolist()
    for code, share, status in zip(codes, shares, indicator_status.tolist(), strict=True):
        if not isinstance(code, str):
            indicators.append(MISSING)
            continue
        text = (
            _("{code}: {share} of the way to its target").format(code=code, share=share)
            if isinstance(share, str)
            else code
        )
        indicators.append(f"{text} ({status})" if isinstance(status, str) else text)
    return pd.DataFrame(
        {
            "title": (frame.milestone_id + " " + frame.title).to_numpy(dtype=object),
            "status": frame.status_text.to_numpy(dtype=object),
            "level": _each_distinct(frame.level, level_label).to_numpy(dtype=object),
            "region": frame.region_label.fillna(MISSING).to_numpy(dtype=object),
            "audience": frame.audience.fillna(MISSING).to_numpy(dtype=object),
            "planned": _each_distinct(frame.planned_on, day).to_numpy(dtype=object),
            "achieved": _each_distinct(frame.achieved_on, day).fillna(MISSING).to_numpy(object),
            "indicator": np.array(indicators, dtype=object),
        },
        index=frame.index,
    )


# The tooltip's fields (TIP_COLUMNS), each with its name (translated where used); the
# milestone's own name, the tooltip's heading, has none.
TIP_NAMES: dict[str, str | None] = {
    "title": None,
    "status": N_("Status"),
    "level": N_("Level"),
    "region": N_("Region"),
    "audience": N_("Audience"),
    "planned": N_("Planned"),
    "achieved": N_("Achieved"),
    "indicator": N_("Indicator"),
}
TIP_COLUMNS = list(TIP_NAMES)


def _tip_names() -> dict[str, str | None]:
    """TIP_NAMES in the reader's language."""
    return {field: name and _(name) for field, name in TIP_NAMES.items()}


SPOKEN = ("title", "status", "planned", "achieved")  # of the tooltip, what _spoken says


def _spoken(tips: pd.DataFrame) -> np.ndarray:
    """What a screen reader says of each milestone's marks (after the mark's name): its
    name, status and dates, each named as in the tooltip. Vega-Lite would otherwise read out
    every field a mark draws, by the fields' own names ("row", "until", "colour")."""
    names = _tip_names()
    columns = [
        [
            text if names[field] is None else f"{names[field]}: {text}"
            for text in tips[field].astype(str)
        ]
        for field in SPOKEN
    ]
    return np.array(["; ".join(parts) for parts in zip(*columns, strict=True)], dtype=object)


def _tooltip() -> list[dict]:
    """The tooltip of a milestone's marks: its name as the heading (vega-tooltip shows a
    field titled "title" so), then a line a field, each named. The names are this module's
    words (Vega-Lite puts them in the tooltip's expression: never data)."""
    # Vega-Lite escapes a name's double quotes, not a backslash: none of ours holds one.
    return [
        {"field": field, "type": "nominal", "title": (name or "title").replace("\\", "/")}
        for field, name in _tip_names().items()
    ]


TIMELINE_COLUMNS = ["kind", "row", "order", "at", "until", "text", "mark", "colour", "aria"]


def _timeline_rows(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The timeline's data: a heading row for each stage and level, then its milestones'
    rows, each mark a row (its planned date, its status's mark, its delay), in the order of
    `frame`. `row` is the row's label on the y axis ("ID short title"; a heading's is
    empty, a run of zero-width spaces, so that it is never a milestone's), `order` its place
    from the top, `aria` what a screen reader says of a milestone's mark (`_spoken`)."""
    frame = frame.reset_index(drop=True)
    n = len(frame)
    names = _mark_names()
    group = (frame.stage_label + " · " + _each_distinct(frame.level, level_label)).to_numpy(
        dtype=object
    )
    starts = np.ones(n, dtype=bool)
    starts[1:] = group[1:] != group[:-1]  # a new stage or level: a heading above
    headings = np.flatnonzero(starts)
    # Places from the top: each heading takes one, before its milestones.
    order = np.arange(n) + np.cumsum(starts)
    labels = (frame.milestone_id + " " + frame.title.map(_short)).to_numpy(dtype=object)
    status = frame.status.to_numpy(dtype=object)
    late = frame.late.fillna(False).to_numpy(dtype=bool)
    days = frame.days_late.astype("float64").fillna(0).to_numpy()
    planned = _iso(frame.planned_on).to_numpy(dtype=object)
    achieved = _iso(frame.achieved_on).to_numpy(dtype=object)
    reporting = as_of.isoformat()
    tips = _tips(frame)
    spoken = _spoken(tips)

    def days_text(message, mask: np.ndarray) -> list[str]:
        """message(n) written for each milestone of `mask`, n its days late."""
        counts = days[mask].astype("int64").tolist()
        return [
            message(d).format(n=text) for d, text in zip(counts, i18n.numbers(counts), strict=True)
        ]

    kinds = {
        "planned": np.ones(n, dtype=bool),
        "on_time": (status == "achieved") & ~late,
        "late": (status == "achieved") & late,
        "overdue": status == "overdue",
        "dropped": status == "dropped",
    }
    kinds["delay_late"] = kinds["late"]
    kinds["delay_overdue"] = kinds["overdue"] & late
    at = {
        "planned": planned,
        "on_time": achieved,
        "late": achieved,
        "overdue": np.full(n, reporting, dtype=object),
        "dropped": planned,
        "delay_late": planned,
        "delay_overdue": planned,
    }
    until = {"delay_late": achieved, "delay_overdue": np.full(n, reporting, dtype=object)}
    texts = {
        "late": lambda mask: days_text(
            lambda n: ngettext("{n} day late", "{n} days late", n), mask
        ),
        "overdue": lambda mask: days_text(
            lambda n: ngettext("OVERDUE {n} day", "OVERDUE {n} days", n), mask
        ),
        "dropped": lambda mask: [_("dropped")] * int(mask.sum()),
    }
    # The rows as lists, a column each, made into one frame at the end (a frame per kind,
    # joined, took two thirds of the timeline's 34 ms for 200 milestones): the headings
    # first, then the delays, the planned dates and the status's marks, drawn in this order.
    k = len(headings)
    columns: dict[str, list] = {
        "kind": [KIND[HEADING]] * k,
        "row": ["\u200b" * (i + 1) for i in range(k)],
        "order": (order[headings] - 1).tolist(),
        "at": [None] * k,
        "until": [None] * k,
        "text": group[headings].tolist(),
        "mark": [None] * k,
        "colour": [None] * k,
        "aria": [None] * k,
        **{field: [None] * k for field in TIP_COLUMNS},
    }
    tip_lists = {field: tips[field].tolist() for field in TIP_COLUMNS}
    for kind in (*DELAYS, *POINTS):
        mask = kinds[kind]
        chosen = np.flatnonzero(mask)
        m = len(chosen)
        if not m:
            continue
        columns["kind"] += [KIND[kind]] * m
        columns["row"] += labels[mask].tolist()
        columns["order"] += order[mask].tolist()
        columns["at"] += at[kind][mask].tolist()
        columns["until"] += until[kind][mask].tolist() if kind in until else [None] * m
        columns["text"] += texts[kind](mask) if kind in texts else [""] * m
        columns["mark"] += [names[kind]] * m
        columns["colour"] += [MARKS[kind][1] if kind in DELAYS else None] * m
        columns["aria"] += [f"{names[kind]}: {said}" for said in spoken[mask]]
        for field in TIP_COLUMNS:
            values = tip_lists[field]
            columns[field] += [values[i] for i in chosen]
    # Texts as Python objects, as Vega is sent them (pandas would make Arrow strings of them).
    rows = pd.DataFrame(columns, dtype=object)
    return rows.astype({"kind": "int64", "order": "int64"})


# The timeline's plot at its narrowest (a laptop's window, the sidebar open), in pixels: how
# far "n days late" reaches beside its mark.
TIMELINE_PLOT_PX = 260
NARROW_CHART_PX = 760  # a chart narrower than this gives its rows' names less room


def _place_late_words(data: pd.DataFrame, as_of: dt.date, days_shown: int) -> pd.DataFrame:
    """The timeline's `data` with where the words beside a mark go ("n days late" beside an
    achievement, "dropped" beside its cross): `before` (True: ending before the mark, or
    before the planned date of a late one, at `planned_at`), where the reporting date's
    dashed line would run through them beside the mark (a mark a few weeks before the
    reporting date; in Russian, "опоздание 7 дней" is half as long again as in English).
    (`planned` is the tooltip's.)"""
    late = data.kind == KIND["late"]
    worded = late | (data.kind == KIND["dropped"])
    planned = data.loc[data.kind == KIND["delay_late"]].set_index("order")["at"]
    px_per_day = TIMELINE_PLOT_PX / max(days_shown, 1)
    marked = pd.to_datetime(data["at"].where(worded))
    gap = (pd.Timestamp(as_of) - marked).dt.days * px_per_day  # to the line, in pixels
    reach = data["text"].str.len().fillna(0) * vega.MARK_CHAR_PX + 10
    return data.assign(
        planned_at=data["order"].map(planned).where(late, data["at"].where(worded)),
        before=(worded & (gap >= 0) & (gap <= reach)).astype(bool),
    )


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


def milestone_timeline(
    frame: pd.DataFrame, as_of: dt.date, start: dt.date, end: dt.date
) -> tuple[pd.DataFrame, dict]:
    """One row per milestone, in `frame`'s order, under a heading for each stage and level:
    the planned date (○), the achieved date (● on time, ◆ late, with the days late beside
    it), overdue (▶ at the reporting date, "OVERDUE n days"), dropped (✕), a thick line for
    the delay, and the reporting date as a dashed line. The data and the Vega-Lite
    specification, for ui/vega.draw."""
    data = _timeline_rows(frame, as_of)
    names = _mark_names()
    present = [k for k in MARKS if (data.kind == KIND[k]).any()]  # the legend's entries
    legend_names = [names[k] for k in present]

    def by_mark(index: int) -> dict:
        return {"domain": legend_names, "range": [MARKS[k][index] for k in present]}

    # The programme's time, and any date drawn outside it (Vega draws a mark beyond its
    # scale's domain over the labels: clipped, the milestone would show no date at all).
    drawn = pd.to_datetime(pd.concat([data["at"], data["until"]]).dropna())
    first = min(start, drawn.min().date()) if len(drawn) else start
    last = max(end, as_of, drawn.max().date()) if len(drawn) else max(end, as_of)
    left = first - dt.timedelta(days=15)
    right = last + dt.timedelta(days=20)
    data = _place_late_words(data, as_of, (right - left).days)
    x = {
        "field": "at",
        "type": "temporal",
        "title": _("Date"),
        "scale": {"type": "utc", "domain": [vega.utc_date(left), vega.utc_date(right)]},
        "axis": {
            # A tick each quarter, its month in the language (config.locale).
            "values": [vega.utc_date(d) for d in _quarter_starts(left, right)],
            "format": "%b %Y",
            "labelOverlap": True,
            "gridColor": "#eeeeee",
            "domainColor": "#999999",
            # What a screen reader says of the axis, in the reader's language (Vega's own
            # words are English: "X-axis titled 'Date' for a utc scale with values from …").
            "description": _("Dates from {first} to {last}").format(
                first=i18n.month(left), last=i18n.month(right)
            ),
        },
    }
    y = {
        "field": "row",
        "type": "nominal",
        "title": None,
        "sort": {"field": "order", "op": "min", "order": "ascending"},
        "axis": {
            "labelFontSize": 12,
            # The rows' names take at most a third of a narrow chart (a laptop's window with
            # the sidebar open), cut with "…" (the tooltip names the milestone whole): drawn
            # whole, they left 120-150 pixels for 18 months of dates at 1,000 pixels.
            "labelLimit": {"expr": f"containerSize()[0] < {NARROW_CHART_PX} ? 120 : 300"},
            "ticks": False,
            "domain": False,
            "grid": True,
            "gridColor": "#f3f3f3",
            "bandPosition": 0.5,
            "zindex": 0,  # the rows' lines under the marks (Vega-Lite draws them over)
            # Not read out: a heading's label is empty, and each mark names its milestone.
            "aria": False,
        },
    }
    note = {"type": "text", "align": "left", "baseline": "middle", "dx": 10}
    quiet = {**note, "aria": False}  # words beside a mark: its description says them
    text = {"field": "text", "type": "nominal"}
    tooltip = _tooltip()
    # Each name broken onto lines where the plot is narrower (vega.fitted), without its
    # symbol, which the legend draws beside it ("○ ○ Planned date").
    labels = vega.fitted(legend_names, 1, label=UNSYMBOLLED)["labelExpr"]
    reporting = {
        "values": [
            {
                "at": as_of.isoformat(),
                "text": _("Reporting date {date}").format(date=i18n.date(as_of, "medium")),
            }
        ]
    }
    layers = [
        {  # a heading's band across the plot (nothing to say: its words say it)
            "transform": [_only(HEADING)],
            "mark": {"type": "rect", "color": "#f0f0f0", "aria": False},
            "encoding": {"y": y, "x": {"value": 0}, "x2": {"value": "width"}},
        },
        {  # the delays (a screen reader hears them in the marks' status)
            "transform": [_only(*DELAYS)],
            "mark": {"type": "rule", "strokeWidth": 4, "aria": False},
            "encoding": {
                "y": y,
                "x": x,
                "x2": {"field": "until"},
                "color": {"field": "colour", "type": "nominal", "scale": None},
                "tooltip": tooltip,
            },
        },
        {  # the reporting date
            "data": reporting,
            "mark": {
                "type": "rule",
                "color": REPORTING_COLOUR,
                "strokeDash": [6, 4],
                "strokeWidth": 2,
            },
            "encoding": {"x": x, "description": text},
        },
        {  # the marks, each named in the legend with its symbol
            "transform": [_only(*POINTS)],
            "mark": {"type": "point", "opacity": 1},
            "encoding": {
                "y": y,
                "x": x,
                "shape": {
                    "field": "mark",
                    "type": "nominal",
                    "scale": by_mark(0),
                    # Vega-Lite takes a legend's labelExpr here, not from config.legend.
                    "legend": {"labelExpr": labels},
                },
                "fill": {"field": "mark", "type": "nominal", "scale": by_mark(1)},
                "stroke": {"field": "mark", "type": "nominal", "scale": by_mark(2)},
                "size": {"field": "mark", "type": "nominal", "scale": by_mark(3)},
                "strokeWidth": {"field": "mark", "type": "nominal", "scale": by_mark(4)},
                "tooltip": tooltip,
                "description": {"field": "aria", "type": "nominal"},
            },
        },
        # "n days late" beside an achievement, "dropped" beside its cross, or before them
        # (before a late one's planned date) where the reporting date's line would cross them
        *(
            {
                "transform": [
                    _only(kind),
                    {"filter": "datum.before" if before else "!datum.before"},
                ],
                "mark": {
                    **quiet,
                    **({"align": "right", "dx": -10} if before else {}),
                    "fontSize": 12,
                    "color": colour,
                },
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "planned_at"} if before else x,
                    "text": text,
                },
            }
            for kind, colour in (("late", "#7a5200"), ("dropped", "#666666"))
            for before in (False, True)
        ),
        {  # "OVERDUE n days" beside the reporting date
            "transform": [_only("overdue")],
            "mark": {**quiet, "fontSize": 12, "fontWeight": "bold", "color": OVERDUE_COLOUR},
            "encoding": {"y": y, "x": x, "text": text},
        },
        {  # a heading's words: its stage and level
            "transform": [_only(HEADING)],
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "middle",
                "dx": 6,
                "fontSize": 13,
                "fontWeight": "bold",
                "color": "#333333",
            },
            "encoding": {"y": y, "x": {"value": 0}, "text": text, "description": text},
        },
        {  # the reporting date's words, above the plot
            "data": reporting,
            "mark": {
                "type": "text",
                "baseline": "bottom",
                "y": 0,
                "dy": -4,
                "fontSize": 12,
                "color": REPORTING_COLOUR,
                "aria": False,  # the dashed line says it
            },
            "encoding": {"x": x, "text": text},
        },
    ]
    spec = vega.chart_spec(
        _(
            "Milestones by stage and level: planned and achieved dates, delays in days "
            "(as of {date})"
        ).format(date=i18n.date(as_of, "medium")),
        FULL_WIDTH,
        {"height": {"step": ROW}, "layer": layers},
    )
    # Drawn as SVG: Streamlit turns a chart of over 2,000 rows (counted once a layer) to a
    # canvas, which names no mark for screen readers (200 milestones make some 3,500).
    spec["usermeta"] = {"embedOptions": {"renderer": "svg"}}
    # The legend above the plot (a long timeline's bottom is far below), one name a row,
    # each broken onto lines where the plot is narrower (the marks' legend: `labels`). Not as
    # many a row as the width holds (an expression of `width`): where that came to fewer
    # than Vega first laid out, the legend grew upwards past the chart's top edge, hiding
    # the title and the first names (Russian, 1,400-pixel window).
    spec["config"]["legend"] |= {
        "orient": "top",
        "direction": "horizontal",
        "columns": 1,
        "title": None,
        "offset": 26,
        "symbolSize": 130,
        "description": _("Marks: {names}").format(names="; ".join(legend_names)),
    }
    return data, spec


# Per quarter ------------------------------------------------------------------------------
PLANNED_BAR, ACHIEVED_BAR = 0, 1  # a quarter's two bars, from the left (its `group`)
QUARTER_COLUMNS = ["kind", "period", "index", "group", "start", "end", "text", "part", "tip"]


def timeline_of(
    shown: pd.DataFrame, as_of: dt.date, start: dt.date, end: dt.date
) -> tuple[pd.DataFrame, dict]:
    """The timeline (milestone_timeline) of the milestones of `shown` the core chose for it,
    the most urgent (`on_timeline`)."""
    return milestone_timeline(on_timeline(shown), as_of, start, end)


def milestones_per_quarter(quarters: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, dict]:
    """Per quarter: milestones planned, beside those achieved (on time, and late: outlined
    with dashes, their count inside), each bar's count above it. Quarters after the
    reporting date are shaded and have no achieved bar (not known yet: empty, not zero).
    The data and the Vega-Lite specification, for ui/vega.draw."""
    q = quarters.reset_index(drop=True)
    known = ~q.after_reporting_date.astype(bool).to_numpy()
    period = q.period.to_numpy(dtype=object)
    planned = q.planned.astype("int64").to_numpy()
    achieved = q.achieved.fillna(0).astype("int64").to_numpy()
    late = q.achieved_late.fillna(0).astype("int64").to_numpy()
    on_time = achieved - late
    planned_name = _("Planned in the quarter")
    on_time_name = _("Achieved on time")
    late_name = _("Achieved late (dashed outline)")
    after_name = _("After the reporting date: achievements not yet known")
    # Every count the chart writes, each written once, the language's way.
    counts = sorted({int(n) for values in (planned, achieved, late, on_time) for n in values})
    number = dict(zip(counts, i18n.numbers(counts), strict=True)).__getitem__

    def part(kind: str, mask, end, start=0, group=-1, text="", name=None, tips=None):
        """The rows of one kind, a quarter of `mask` each: a bar from `start` to `end` (of
        `group`: -1, no bar), or a count's `text` at `end`; `name`: the legend's, `tips`:
        the tooltips."""
        return pd.DataFrame(
            {
                "kind": kind,
                "period": period[mask],
                "index": np.flatnonzero(mask),  # the quarter's place, in time
                "group": group,
                "start": start[mask] if isinstance(start, np.ndarray) else start,
                "end": end[mask],
                "text": text,
                "part": name,
                "tip": tips,
            },
            columns=QUARTER_COLUMNS,
        )

    def tips(message, counts: np.ndarray, mask: np.ndarray) -> list[str]:
        return [
            f"{p}: " + message(int(n)).format(n=number(n))
            for p, n in zip(period[mask], counts[mask], strict=True)
        ]

    every = np.ones(len(q), dtype=bool)
    after = ~known
    parts = [
        part(
            "planned",
            every,
            planned,
            group=PLANNED_BAR,
            text=[number(n) for n in planned],
            name=planned_name,
            tips=tips(
                lambda n: ngettext("{n} milestone(s) planned", "{n} milestone(s) planned", n),
                planned,
                every,
            ),
        ),
        part(
            "on_time",
            known,
            on_time,
            group=ACHIEVED_BAR,
            name=on_time_name,
            tips=tips(lambda n: _("{n} achieved on time"), on_time, known),
        ),
        part(
            "late",
            known,
            achieved,
            start=on_time,
            group=ACHIEVED_BAR,
            # How many were late, written inside their dashed part: above the bar, beside
            # the count, it was wider than the bar and ran into the next bar's count in
            # Russian ("(с опозданием: 2)"), on one line or two.
            text=[number(n) if n else "" for n in late[known]],
            name=late_name,
            tips=tips(lambda n: _("{n} achieved late"), late, known),
        ),
        part(
            "achieved",
            known,
            achieved,
            group=ACHIEVED_BAR,
            text=[number(a) for a in achieved[known]],
        ),
    ]
    if after.any():  # no bars, no counts: a shade, named in the legend
        parts.append(part("after", after, np.zeros(len(q)), name=after_name, tips=after_name))
    data = pd.concat(parts, ignore_index=True)
    data["kind"] = data.kind.map(KIND)
    names = [planned_name, on_time_name, late_name] + ([after_name] if after.any() else [])

    def by_part(values: list) -> dict:
        return {"domain": names, "range": values[: len(names)]}

    top = max([*planned.tolist(), *achieved[known].tolist(), 1])
    x = {
        "field": "period",
        "type": "nominal",
        "title": _("Quarter"),
        "sort": {"field": "index", "op": "min", "order": "ascending"},  # in time
        "scale": {"paddingInner": 0, "paddingOuter": 0},
        "axis": {"labelAngle": 0, "domainColor": "#999999"},
    }
    y = {
        "field": "end",
        "type": "quantitative",
        "title": _("Milestones (number)"),
        "scale": {"domain": [0, int(top * 1.25) + 1]},
        "axis": {"format": "d", "tickMinStep": 1, "gridColor": "#eeeeee"},
    }
    offset = {
        "field": "group",
        "type": "nominal",
        "sort": [PLANNED_BAR, ACHIEVED_BAR],
        "scale": {"domain": [PLANNED_BAR, ACHIEVED_BAR], "paddingInner": 0.05, "paddingOuter": 0.4},
    }
    colour = {
        "field": "part",
        "type": "nominal",
        "scale": by_part(
            ["#56B4E9", MILESTONE_STATUSES["achieved"].colour, LATE_COLOUR, "#e8e8e8"]
        ),
        "legend": {"title": None, "orient": "bottom", **vega.fitted(names, 4)},
    }
    layers = [
        {  # quarters after the reporting date: shaded, named in the legend
            "transform": [_only("after")],
            "mark": {"type": "rect"},
            "encoding": {
                "x": x,
                "y": {"value": 0},
                "y2": {"value": "height"},
                "color": colour,
                "tooltip": {"field": "tip", "type": "nominal"},
            },
        },
        {
            "transform": [_only("planned", "on_time", "late")],
            "mark": {"type": "bar", "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "xOffset": offset,
                "y": y,
                "y2": {"field": "start"},
                "color": colour,
                # Late is outlined with dashes, in the legend too: not told by colour alone.
                "stroke": {
                    "field": "part",
                    "type": "nominal",
                    "scale": by_part(["transparent", "transparent", "#333333", "transparent"]),
                },
                "strokeDash": {
                    "field": "part",
                    "type": "nominal",
                    "scale": by_part([[1, 0], [1, 0], [4, 2], [1, 0]]),
                },
                "tooltip": {"field": "tip", "type": "nominal"},
            },
        },
        *(
            {  # the counts above the planned and the achieved bars
                "transform": [_only(kind)],
                "mark": {
                    "type": "text",
                    "baseline": "bottom",
                    "dy": -3,
                    "fontSize": 12,
                    "color": "#444444",
                },
                "encoding": {
                    "x": x,
                    "xOffset": offset,
                    "y": y,
                    "text": {"field": "text", "type": "nominal"},
                },
            }
            for kind in ("planned", "achieved")
        ),
        {  # how many were late, in the middle of their dashed part
            "transform": [
                _only("late"),
                {"calculate": "(datum.start + datum.end) / 2", "as": "mid"},
            ],
            "mark": {"type": "text", "baseline": "middle", "fontSize": 12, "color": "#222222"},
            "encoding": {
                "x": x,
                "xOffset": offset,
                "y": {**y, "field": "mid"},
                "text": {"field": "text", "type": "nominal"},
            },
        },
    ]
    spec = vega.chart_spec(
        _("Milestones planned and achieved per quarter (number), as of {date}").format(
            date=i18n.date(as_of, "medium")
        ),
        FULL_WIDTH,
        # The plot's height: titles, axes and legend add to it (with "fit", the default,
        # they took from 300 pixels, and a long Russian axis title ran into the title).
        {"height": 240, "autosize": {"type": "fit-x", "contains": "padding"}, "layer": layers},
    )
    spec["config"]["legend"] |= {"symbolSize": 180}  # room for the dashes of late
    return data, spec
