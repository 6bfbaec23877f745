"""Vector charts for the PDF report, drawn without a browser (docs/reports.md).

Each chart is a `Drawing`: a size in millimetres and a list of shapes (rectangles, lines,
circles, polygons and text) with coordinates from the top left. The PDF's Typst template
(report.typ) places them as they are, so the charts are vectors in the file, their words
are real text in the report's fonts, and what they show is computed and tested here.
Colours are never the only cue: every bar and marker is labelled or in a legend with words.
Words, numbers and dates are in the language of the run (monitoring/i18n.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from monitoring import i18n
from monitoring.i18n import _
from monitoring.reports.milestones import LATE_ICON, MILESTONE_STATUSES
from monitoring.reports.status import STATUSES

AXIS = "#555555"
GRID = "#DDDDDD"
TEXT = "#222222"
BUDGET_COLOUR = "#999999"
SPENT_COLOUR = "#0072B2"
PLAN_COLOUR = "#56B4E9"
LATE_COLOUR = "#D55E00"


@dataclass
class Drawing:
    width: float  # mm
    height: float  # mm
    items: list[dict] = field(default_factory=list)

    def rect(self, x, y, w, h, fill, stroke=None) -> None:
        self.items.append(
            {
                "kind": "rect",
                "x": x,
                "y": y,
                "w": max(w, 0.0),
                "h": h,
                "fill": fill,
                "stroke": stroke,
            }  # fmt: skip
        )

    def line(self, x1, y1, x2, y2, colour=AXIS, width=0.6, dash=None) -> None:
        self.items.append(
            {
                "kind": "line",
                "x1": x1,
                "y1": y1,
                "x2": x2,
                "y2": y2,
                "colour": colour,
                "width": width,
                "dash": dash,
            }  # fmt: skip
        )

    def circle(self, x, y, r, fill, stroke=None) -> None:
        self.items.append({"kind": "circle", "x": x, "y": y, "r": r, "fill": fill,
                           "stroke": stroke})  # fmt: skip

    def polygon(self, points, fill) -> None:
        self.items.append({"kind": "polygon", "points": [list(p) for p in points], "fill": fill})

    def text(self, x, y, text, size=7.0, anchor="left", colour=TEXT, bold=False) -> None:
        """Text whose `anchor` side sits at x, vertically centred on y."""
        self.items.append(
            {
                "kind": "text",
                "x": x,
                "y": y,
                "text": str(text),
                "size": size,
                "anchor": anchor,
                "colour": colour,
                "bold": bold,
            }  # fmt: skip
        )

    def as_dict(self) -> dict:
        rounded = [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in item.items()}
            for item in self.items
        ]
        return {"width": self.width, "height": self.height, "items": rounded}


def status_chart(counts: pd.DataFrame, width: float = 170.0) -> Drawing:
    """Indicators per goal/outcome, stacked by status, each part labelled with its count;
    the legend names every status shown (overview.status_counts)."""
    codes = [c for c in counts.columns if c in STATUSES]
    label_width, row, bar = 28.0, 9.0, 6.0
    plot = width - label_width - 4
    most = max(1, int(counts["total"].max()) if len(counts) else 1)
    height = 8 + row * len(counts) + 12
    drawing = Drawing(width, height)
    top = 4.0
    for k in range(most + 1):  # a gridline per indicator
        x = label_width + plot * k / most
        drawing.line(x, top - 1, x, top + row * len(counts), GRID, 0.3)
        drawing.text(x, top + row * len(counts) + 3, i18n.number(k), 6.0, "center", AXIS)
    for i, group in enumerate(counts.itertuples(index=False)):
        y = top + row * i + (row - bar) / 2
        drawing.text(label_width - 2, y + bar / 2, group.group, 7.5, "right")
        x = label_width
        for code in codes:
            n = int(getattr(group, code))
            if not n:
                continue
            w = plot * n / most
            drawing.rect(x, y, w, bar, STATUSES[code].colour, "#FFFFFF")
            drawing.text(
                x + w / 2, y + bar / 2, i18n.number(n), 7.0, "center", "#FFFFFF", bold=True
            )
            x += w
    legend_y = top + row * len(counts) + 8
    x = label_width
    for code in codes:
        drawing.rect(x, legend_y - 1.5, 3, 3, STATUSES[code].colour)
        words = f"{STATUSES[code].icon} {STATUSES[code].label}"
        drawing.text(x + 4, legend_y, words, 6.5)
        x += 6 + 1.6 * len(words)
    return drawing


def pace_chart(
    time_share: float,
    spent_share: float | None,
    against_plan: float | None,
    small_grants: bool = False,
    width: float = 170.0,
) -> Drawing:
    """Share of time elapsed beside the shares of the budget spent, in percent, with the
    100% line (the overview's 'spending against budget and time')."""
    labels = [_("Time elapsed"), _("Budget spent (of total)"), _("Spent of budget planned to date")]
    if small_grants:
        labels = [
            _("Grants' time elapsed"),
            _("Awards spent (of total)"),
            _("Spent of awards to date"),
        ]
    values = [time_share, spent_share, against_plan]
    colours = [BUDGET_COLOUR, SPENT_COLOUR, PLAN_COLOUR]
    # Wide enough for the longest label (Russian and Uzbek ones are longer than English).
    label_width = max(48.0, min(90.0, 1.45 * max(len(label) for label in labels)))
    row, bar = 8.0, 5.0
    plot = width - label_width - 16
    top = max(1.2, max((v or 0) for v in values) + 0.1)
    drawing = Drawing(width, 4 + row * 3 + 8)
    scale = plot / top
    for pct in range(0, int(top * 100) + 1, 25):
        x = label_width + scale * pct / 100
        drawing.line(x, 2, x, 4 + row * 3, GRID, 0.3)
        drawing.text(x, 4 + row * 3 + 3, i18n.percent(pct / 100), 6.0, "center", AXIS)
    for i, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
        y = 4 + row * i + (row - bar) / 2
        drawing.text(label_width - 2, y + bar / 2, label, 7.5, "right")
        if value is None:
            drawing.text(label_width + 1, y + bar / 2, _("no budget"), 7.0, "left", AXIS)
            continue
        drawing.rect(label_width, y, scale * value, bar, colour)
        drawing.text(label_width + scale * value + 1.5, y + bar / 2, i18n.percent(value), 7.0)
    x100 = label_width + scale
    drawing.line(x100, 2, x100, 4 + row * 3, "#333333", 0.6, "dotted")
    return drawing


def s_curve(quarters: pd.DataFrame, currency: str, width: float = 170.0) -> Drawing:
    """Cumulative budget and spending per quarter (grants.quarterly_spending): two lines, the
    spending one ending at the reporting quarter."""
    height, left, bottom, top_pad = 62.0, 20.0, 10.0, 10.0
    plot_w, plot_h = width - left - 4, height - bottom - top_pad
    drawing = Drawing(width, height)
    periods = list(quarters.period)
    budget = [float(v) for v in quarters.cumulative_budget]
    spent = [None if pd.isna(v) else float(v) for v in quarters.cumulative_spent]
    most = max([*budget, *[s for s in spent if s is not None], 1.0])
    step = _nice_step(most)
    top = step * (int(most / step) + 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / max(len(periods), 1)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - v / top)

    k = 0.0
    while k <= top + 1e-9:
        drawing.line(left, y(k), left + plot_w, y(k), GRID, 0.3)
        drawing.text(left - 1.5, y(k), i18n.number(k), 6.0, "right", AXIS)
        k += step
    for i, period in enumerate(periods):
        drawing.text(x(i), height - bottom + 4, period, 6.0, "center", AXIS)
    for values, colour, dash in ((budget, BUDGET_COLOUR, "dashed"), (spent, SPENT_COLOUR, None)):
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            drawing.line(x1, y1, x2, y2, colour, 1.2, dash)
        for px, py in points:
            drawing.circle(px, py, 0.7, colour)
    legend = top_pad - 4
    drawing.line(left, legend, left + 6, legend, BUDGET_COLOUR, 1.2, "dashed")
    drawing.text(
        left + 7, legend, _("Cumulative budget ({currency})").format(currency=currency), 6.5
    )
    drawing.line(left + 60, legend, left + 66, legend, SPENT_COLOUR, 1.2)
    drawing.text(
        left + 67, legend, _("Cumulative spent ({currency})").format(currency=currency), 6.5
    )
    return drawing


def _nice_step(most: float) -> float:
    raw = most / 4
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def milestone_timeline(
    frame: pd.DataFrame, as_of: dt.date, start: dt.date, end: dt.date, width: float = 170.0
) -> Drawing:
    """One row per milestone (milestones_in_view, at most TIMELINE_ROWS of the most urgent):
    its planned date (hollow circle), when achieved (filled circle; a diamond when late) or
    how late it is (a line to the reporting date), and the reporting date as a line."""
    label_width, row = 62.0, 4.2
    plot = width - label_width - 2
    rows = len(frame)
    height = 8 + row * rows + 14
    drawing = Drawing(width, height)
    span = max((end - start).days, 1)

    def x(day) -> float:
        day = pd.Timestamp(day).date()
        return label_width + plot * min(max((day - start).days, 0), span) / span

    top = 6.0
    months = pd.date_range(start, end, freq="QS")
    for month in months:
        gx = x(month)
        drawing.line(gx, top - 2, gx, top + row * rows, GRID, 0.3)
        drawing.text(gx + 0.5, top + row * rows + 3, i18n.short_month(month), 5.5, "left", AXIS)
    ax = x(as_of)
    drawing.line(ax, top - 4, ax, top + row * rows, "#333333", 0.6, "dotted")
    words = _("reporting date {date}").format(date=i18n.date(as_of, "medium"))
    drawing.text(ax, top - 4.5, words, 5.5, "center", AXIS)
    achieved, overdue, planned = (MILESTONE_STATUSES[s] for s in ("achieved", "overdue", "planned"))
    for i, m in enumerate(frame.itertuples(index=False)):
        y = top + row * i + row / 2
        title = str(m.title)
        short = title if len(title) <= 44 else title[:43] + "…"
        drawing.text(label_width - 2, y, f"{m.milestone_id} {short}", 5.6, "right")
        px = x(m.planned_on)
        if m.status == "achieved":
            qx = x(m.achieved_on)
            if m.late:
                drawing.line(px, y, qx, y, LATE_COLOUR, 0.8)
                size = 1.3
                drawing.polygon(
                    [(qx, y - size), (qx + size, y), (qx, y + size), (qx - size, y)],
                    LATE_COLOUR,
                )
            else:
                drawing.circle(qx, y, 1.0, achieved.colour)
            drawing.circle(px, y, 0.9, "#FFFFFF", AXIS)
        elif m.status == "overdue":
            drawing.line(px, y, ax, y, overdue.colour, 0.8, "dashed")
            drawing.circle(px, y, 1.0, overdue.colour)
        elif m.status == "dropped":
            drawing.circle(px, y, 0.9, "#FFFFFF", MILESTONE_STATUSES["dropped"].colour)
        else:
            drawing.circle(px, y, 1.0, "#FFFFFF", planned.colour)
    legend_y = top + row * rows + 9
    entries = [
        ("circle", "#FFFFFF", AXIS, _("planned date")),
        ("circle", achieved.colour, None, _("{icon} achieved on time").format(icon=achieved.icon)),
        (
            "diamond",
            LATE_COLOUR,
            None,
            _("{icon} achieved late (line: the delay)").format(icon=LATE_ICON),
        ),
        (
            "circle",
            overdue.colour,
            None,
            _("{icon} overdue (dashes: so far)").format(icon=overdue.icon),
        ),
    ]
    lx = 4.0
    for shape, fill, stroke, words in entries:
        if shape == "diamond":
            drawing.polygon(
                [
                    (lx, legend_y - 1.3),
                    (lx + 1.3, legend_y),
                    (lx, legend_y + 1.3),
                    (lx - 1.3, legend_y),
                ],  # fmt: skip
                fill,
            )
        else:
            drawing.circle(lx, legend_y, 1.0, fill, stroke)
        drawing.text(lx + 2, legend_y, words, 6.0)
        lx += 5 + 1.15 * len(words)
    return drawing
