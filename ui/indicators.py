"""Charts of one indicator: actual against target over quarters, by region, by sex and age.

Vega-Lite (st.vega_lite_chart, drawn with ui/vega.draw), so that the indicators page loads no
plotly: plotly's script costs about a second of every load of a page that draws it
(docs/benchmarks.md). Each builder returns the rows a chart draws and its specification.

Nothing is told by colour alone (the colours are Okabe-Ito's, safe for colour-blind readers):
- actual against target: each series has a mark of its own, shown with its name in the
  legend: bars (open circles for an average), a thick line with dots, diamonds, a dashed and
  a dotted line across the chart;
- by region: each region's line has a dash of its own and its points a shape of their own,
  the shape its legend entry shows; the quarters' targets are open diamonds in its colour;
- by sex and by age group: Vega-Lite has no hatching, so each group's bars carry the group's
  shape (a white circle, square, triangle ...) in their middle, the shape of its legend
  entry; parts are stacked in the legend's order, first at the bottom; the total reported
  is a black bar across the quarter. A part too short for its shape (under a fifteenth of
  the chart's height) is named by its tooltip.

A quarter with no value is a gap, never a zero: its row's value is null and nothing is drawn
there. A line breaks at it where values are withheld to protect people; otherwise a total or
average to date runs across it from one value to the next, and a latest value's line breaks
with a faint dotted line across (continuity, not a value).

Text from the data (indicator codes, region names, age groups) goes into the charts as data
only, never into an expression: every filter here is a predicate on a column and every
expression a constant of ui/vega.py or of this module. Vega draws text as text, so it is
written as it is (ui.text.chart escapes for plotly, not for these charts).
"""

from __future__ import annotations

import pandas as pd

from monitoring import i18n
from monitoring.i18n import N_, _
from monitoring.reports.names import told_apart
from ui import vega
from ui.charts import lines

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
# A region's point shape and line dash, a group's shape in its bars. Not the diamond: it marks
# the targets. Six shapes and five dashes against seven colours: no two of 35 regions alike.
X = "M.52-.82L.82-.52L.3 0L.82.52L.52.82L0 .3L-.52.82L-.82.52L-.3 0L-.82-.52L-.52-.82L0-.3Z"  # ×
SHAPES = ["circle", "square", "triangle-up", "cross", "triangle-down", X]
DASHES = [[1, 0], [7, 3], [2, 2], [8, 3, 2, 3], [14, 4]]
SOLID, DASHED, DOTTED = [1, 0], [6, 4], [2, 3]
ACTUAL, REPORTED, TARGET, BASELINE = "#0072B2", "#56B4E9", "#D55E00", "#666666"
# Legend symbols (Vega's shapes, or paths within -1..1): a line with its dot, a line, a bar.
LINE_WITH_DOT = "M-1,0H-.35M.35,0H1M-.35,0A.35,.35,0,1,1,.35,0A.35,.35,0,1,1,-.35,0Z"
LINE = "stroke"
FLAT_BAR = "M-1,-.22H1V.22H-1Z"
CATEGORY_NAMES = {
    "female": N_("Women and girls"),
    "male": N_("Men and boys"),
    "total": N_("Total"),
}
# Characters of a title on one line: the charts stand two to a row, or one across the page
# (a Russian letter is wider than a Latin one: a title longer than its plot is cut, not wrapped).
HALF_COLUMN, FULL_WIDTH = 48, 110
# Characters of the legend's names on one row, a symbol's room counted as four: more runs
# past the chart's edge and is cut off.
LEGEND_ROW = 50
# A chart's plot, and what a title's line or a legend's row adds to it: Streamlit draws the
# chart in the height given, its title, axes and legend included.
PLOT_HEIGHT, BREAKDOWN_PLOT, TITLE_LINE, LEGEND_LINE = 340, 280, 22, 22
# The ticks of a percentage axis: its number, then the sign as the language writes it (the
# expressions are these constants; the number is Vega's, written with config.locale).
PERCENT_TICKS = {
    "%": "datum.label + '%'",
    "\u00a0%": "datum.label + '\u00a0%'",
}
# A glyph is drawn in a part's bar from this share of the chart's height up.
GLYPH_ROOM = 1 / 15


def unit_label(unit: str) -> str:
    return "%" if unit == "percent" else _("number")


def _figure(value, unit: str | None = None) -> str:
    """A value to four significant digits, written the language's way (legend names, hover
    texts); a percentage with its sign ("45%", "45 %"), as the axis's ticks."""
    rounded = float(f"{float(value):.4g}")
    if rounded == round(rounded):
        written = i18n.number(rounded)
    else:
        decimals = len(repr(rounded).split(".")[1]) if "e" not in repr(rounded) else 4
        written = i18n.number(rounded, decimals)
    return written + _percent_sign() if unit == "percent" else written


def _value(value) -> float | None:
    """A value as drawn: None (a gap) where nothing was reported, never 0."""
    return None if value is None or pd.isna(value) else float(value)


def _percent_sign() -> str:
    """How the language sets the percent sign after a number: "%" or a no-break space and "%"."""
    sign = i18n.percent(1.0).removeprefix(i18n.number(100))
    return sign if sign in PERCENT_TICKS else "%"


def _y_axis(unit: str) -> dict:
    """The values' axis from zero, titled with the unit; a percentage's ticks with "%"."""
    axis: dict = {"gridColor": "#eee", "format": ",~f"}
    if unit == "percent":
        axis["labelExpr"] = PERCENT_TICKS[_percent_sign()]
    return {
        "type": "quantitative",
        "title": unit_label(unit),
        "scale": {"zero": True},
        "axis": axis,
    }


class Kind:
    """What a chart's row is (its `kind` column): a number, not a word, as every text of the
    rows is one a person reads (and is checked for English left on the page)."""

    REPORTED, TO_DATE, PERIOD_TARGET, TARGET, BASELINE = range(5)  # over time
    REGION, REGION_TARGET = 5, 6  # by region: a region's value, its quarter's target
    PART, TOTAL = 7, 8  # by sex or age group


def _kind(*kinds: int) -> dict:
    """A layer's rows: those of these kinds."""
    return vega.rows_of("kind", *kinds)


VALID = {"filter": {"field": "value", "valid": True}}  # rows with a value (not a gap)


def legend_columns(names: list[str], most: int = 3, room: int = LEGEND_ROW) -> int:
    """How many columns a legend of `names` can have within `room` characters a row (Vega
    lays the entries out row by row, each column as wide as its longest name)."""
    for columns in range(min(most, len(names)), 1, -1):
        widths = [max(len(name) for name in names[start::columns]) + 4 for start in range(columns)]
        if sum(widths) <= room:
            return columns
    return 1


def _spec(
    title: str, wrap: int, layers: list[dict], plot: int, legend: tuple[int, int], symbol: dict
) -> dict:
    """A chart's specification (vega.chart_spec) of `layers`, its title wrapped at `wrap`
    characters. Its height: the plot's, and its title's lines and its legend's rows
    (`legend`: its entries and columns). Its legend's symbols drawn as `symbol` says
    (size, outline), never faded."""
    spec = vega.chart_spec(title, wrap, {"layer": layers})
    entries, columns = legend
    rows = -(-entries // columns)
    # (On a narrower chart the browser breaks the title and the legend onto more lines,
    # which then take from the plot.)
    spec["height"] = plot + TITLE_LINE * len(lines(title, wrap)) + LEGEND_LINE * rows
    spec["config"]["legend"] |= {**symbol, "symbolOpacity": 1}
    return spec


def _legend(field: str, names: list[str], values: list, columns: int) -> dict:
    """A channel (fill, stroke, shape, dash) of `field`'s legend. Channels with the same
    names are shown as one legend: each entry with its own colour, shape and dash."""
    return {"field": field, "type": "nominal", **vega.legend(names, values, columns)}


def _quarters(periods: list[str]) -> dict:
    """An x axis of the quarters, in their order."""
    return {
        "field": "period",
        "type": "ordinal",
        "title": _("Quarter"),
        "scale": {"domain": periods},
        "axis": {"labelAngle": 0},
    }


TIP = {"field": "tip", "type": "nominal"}  # a row's hover text, written here


def _hover(message: str, value: float | None, unit: str, **names) -> str:
    """A row's hover text: `message` with the value written the language's way and the
    `names` (series, period ...); none for a gap."""
    return "" if value is None else message.format(value=_figure(value, unit), **names)


def actual_against_target(
    series: pd.DataFrame, info: dict, regions_expected: int, withheld: bool = False
) -> tuple[pd.DataFrame, dict]:
    """The indicator quarter by quarter: what was reported, the actual to date, the targets.
    The rows drawn and the Vega-Lite specification, for vega.draw.

    Under each quarter: how many of the regions reported in it, so that a jump when regions
    join (or a dip when one is late) is not mistaken for change on the ground.
    `withheld`: some values are hidden to protect people (NaN): the line breaks there
    instead of running across them.

    Rows: `kind` (Kind.REPORTED ... Kind.BASELINE), `series` (its name in
    the legend), `period`, `quarter` (the quarter's tick label), `value` (None: a gap) and
    `tip` (the hover text).
    """
    periods = series.period.tolist()
    unit, aggregation = info["unit"], info["aggregation"]
    quarters = [
        f"{period}\n"
        + _("{n} of {total}").format(n=i18n.number(int(n)), total=i18n.number(regions_expected))
        for period, n in zip(periods, series.regions_reporting, strict=True)
    ]
    if aggregation == "sum":
        reported, to_date = _("Reported in the quarter"), _("Cumulative total")
    elif aggregation == "mean":
        reported, to_date = _("Average of the quarter's reports"), _("Average to date")
    else:
        reported, to_date = None, _("Latest value")
    to_date_values = series.actual_to_date if aggregation != "latest" else series.value
    rows: list[dict] = []

    def add(kind: int, name: str, values, tip: str) -> None:
        for index, (period, quarter, value) in enumerate(
            zip(periods, quarters, values, strict=True)
        ):
            value = _value(value)
            rows.append(
                {
                    "kind": kind,
                    "series": name,
                    "index": index,
                    "period": period,
                    "quarter": quarter,
                    "value": value,
                    "tip": _hover(tip, value, unit, measure=name, period=period),
                }
            )

    # Each series in the legend: its name, fill, stroke, legend symbol and dash.
    legend: list[tuple[str, str, str, str, list[int]]] = []
    if reported is not None:
        add(Kind.REPORTED, reported, series.value, _("Reported in {period}: {value}"))
        if aggregation == "sum":
            legend.append((reported, REPORTED, REPORTED, "square", SOLID))
        else:
            legend.append((reported, "transparent", REPORTED, "circle", SOLID))
    add(Kind.TO_DATE, to_date, to_date_values, _("{measure} at {period}: {value}"))
    legend.append((to_date, ACTUAL, ACTUAL, LINE_WITH_DOT, SOLID))
    if series.period_target.notna().any():
        target_name = _("Target for the quarter")
        add(Kind.PERIOD_TARGET, target_name, series.period_target, _("Target by {period}: {value}"))
        legend.append((target_name, TARGET, TARGET, "diamond", SOLID))
    for kind, field, name, colour, dash in (
        (Kind.TARGET, "target", _("End-of-programme target"), TARGET, DASHED),
        (Kind.BASELINE, "baseline", _("Baseline"), BASELINE, DOTTED),
    ):
        value = _value(info.get(field))
        if value is None:
            continue
        named = _("{name}: {value}").format(name=name, value=_figure(value, unit))
        rows.append(
            {
                "kind": kind,
                "series": named,
                "index": 0,
                "period": None,
                "quarter": None,
                "value": value,
                "tip": named,
            }
        )
        legend.append((named, "transparent", colour, LINE, dash))
    data = pd.DataFrame(
        rows, columns=["kind", "series", "index", "period", "quarter", "value", "tip"]
    )

    names = [entry[0] for entry in legend]
    columns = legend_columns(names, 2)
    fill = _legend("series", names, [entry[1] for entry in legend], columns)
    stroke = _legend("series", names, [entry[2] for entry in legend], columns)
    shape = _legend("series", names, [entry[3] for entry in legend], columns)
    dash = _legend("series", names, [entry[4] for entry in legend], columns)
    x = {
        "field": "quarter",
        "type": "ordinal",
        "title": _("Quarter (regions that reported in it)"),
        "scale": {"domain": quarters},
        "axis": {**vega.LINE_LABELS, "labelAngle": 0},
    }
    y = {"field": "value", **_y_axis(unit)}
    order = {"field": "index", "type": "quantitative"}
    layers: list[dict] = []
    if aggregation == "sum":
        layers.append(
            {
                "transform": [_kind(Kind.REPORTED), VALID],
                "mark": {"type": "bar", "width": {"band": 0.6}},
                "encoding": {"x": x, "y": y, "fill": fill, "tooltip": TIP},
            }
        )
    elif aggregation == "mean":
        layers.append(
            {
                "transform": [_kind(Kind.REPORTED), VALID],
                "mark": {
                    "type": "point",
                    "filled": False,
                    "size": 110,
                    "strokeWidth": 2,
                    "opacity": 1,
                },
                "encoding": {"x": x, "y": y, "stroke": stroke, "shape": shape, "tooltip": TIP},
            }
        )
    connected = aggregation != "latest" and not withheld
    if aggregation == "latest" and not withheld:  # continuity across unreported quarters
        layers.append(
            {
                "transform": [_kind(Kind.TO_DATE), VALID],
                "mark": {"type": "line", "strokeDash": [1, 3], "strokeWidth": 1, "opacity": 0.6},
                "encoding": {"x": x, "y": y, "order": order, "color": {"value": ACTUAL}},
            }
        )
    layers += [
        {
            # Connected: the quarters without a value left out; else the line breaks there.
            "transform": [_kind(Kind.TO_DATE), VALID] if connected else [_kind(Kind.TO_DATE)],
            "mark": {"type": "line", "strokeWidth": 3, "invalid": "break-paths-show-domains"},
            "encoding": {"x": x, "y": y, "order": order, "stroke": stroke, "strokeDash": dash},
        },
        {
            "transform": [_kind(Kind.TO_DATE), VALID],
            "mark": {"type": "point", "filled": True, "size": 60, "shape": "circle", "opacity": 1},
            "encoding": {"x": x, "y": y, "fill": fill, "tooltip": TIP},
        },
        {
            # Always there (without rows when no quarter has a target): the legend's shapes.
            "transform": [_kind(Kind.PERIOD_TARGET), VALID],
            "mark": {"type": "point", "filled": True, "size": 170, "stroke": "white", "opacity": 1},
            "encoding": {"x": x, "y": y, "fill": fill, "shape": shape, "tooltip": TIP},
        },
        {
            "transform": [_kind(Kind.TARGET, Kind.BASELINE)],
            "mark": {"type": "rule", "strokeWidth": 1.5},
            "encoding": {"y": y, "stroke": stroke, "strokeDash": dash, "tooltip": TIP},
        },
    ]
    title = _("{code}: actual against target by quarter ({unit})").format(
        code=info["indicator_code"], unit=unit_label(unit)
    )
    symbol = {"symbolSize": 160, "symbolStrokeWidth": 2}
    return data, _spec(title, HALF_COLUMN, layers, PLOT_HEIGHT, (len(names), columns), symbol)


def by_region(
    series: pd.DataFrame, info: dict, withheld: bool = False
) -> tuple[pd.DataFrame, dict]:
    """The actual to date in each region over the quarters, with each region's targets
    (`withheld`: as in actual_against_target). The rows drawn and the Vega-Lite
    specification, for vega.draw.

    One line per region: its colour, dash and point shape tell it apart; the regions'
    targets for the quarter are open diamonds in each region's colour. Rows: `kind`
    (Kind.REGION, Kind.REGION_TARGET), `region` (its name in the legend: `told_apart`),
    `dash` (the number of its line's dash), `period`, `value` (None: a gap), `tip`. `series`:
    the rows of each region (`region_code`, `region_name`), as region_series gives them.
    """
    unit = info["unit"]
    latest = info["aggregation"] == "latest"
    periods = list(dict.fromkeys(series.period))
    target_name = _("Target for the quarter")
    # Each region by its code, named in the legend by its name (with its code where that
    # name is another region's too, or the targets' label).
    labels = told_apart(
        dict(zip(series.region_code, series.region_name.astype(str), strict=True)),
        reserved={target_name},
    )
    rows: list[dict] = []
    regions: list[str] = []
    for number, (code, part) in enumerate(series.groupby("region_code", sort=False)):
        region = labels[code]
        regions.append(region)
        values = part.value if latest else part.actual_to_date
        measure = _("{measure} at {period}: {value}")
        target_by = _("{region}, target by {period}: {value}")
        for period, value, target in zip(part.period, values, part.period_target, strict=True):
            where = {"region": region, "dash": number % len(DASHES), "period": period}
            where["index"] = periods.index(period)
            value, target = _value(value), _value(target)
            tip = _hover(measure, value, unit, measure=region, period=period)
            rows.append({"kind": Kind.REGION, **where, "value": value, "tip": tip})
            if target is not None:
                tip = _hover(target_by, target, unit, region=region, period=period)
                rows.append({"kind": Kind.REGION_TARGET, **where, "value": target, "tip": tip})
    data = pd.DataFrame(rows, columns=["kind", "region", "dash", "index", "period", "value", "tip"])

    n = len(regions)
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]
    shapes = [SHAPES[i % len(SHAPES)] for i in range(n)]
    # One legend: the regions, each with its colour and shape, then the targets' open diamond.
    targets = bool((data.kind == Kind.REGION_TARGET).any())
    names = [*regions, target_name] if targets else regions
    columns = legend_columns(names)
    fill = _legend("region", names, [*colours, "transparent"], columns)
    stroke = _legend("region", names, [*colours, "#555555"], columns)
    shape = _legend("region", names, [*shapes, "diamond"], columns)
    # A line's dash is not in the legend (a dashed outline would blur a shape): it is drawn by
    # the region's number, not its name, so that its scale is not merged into the legend.
    dash = {
        "field": "dash",
        "type": "ordinal",
        "scale": {"domain": list(range(len(DASHES))), "range": DASHES},
        "legend": None,
    }
    x = _quarters(periods)
    y = {"field": "value", **_y_axis(unit)}
    order = {"field": "index", "type": "quantitative"}
    connected = not latest and not withheld
    layers: list[dict] = []
    if latest and not withheld:  # continuity across the quarters a region did not report
        layers.append(
            {
                "transform": [_kind(Kind.REGION), VALID],
                "mark": {
                    "type": "line",
                    "strokeDash": [1, 3],
                    "strokeWidth": 1,
                    "opacity": 0.6,
                    "color": BASELINE,
                },
                "encoding": {"x": x, "y": y, "order": order, "detail": {"field": "region"}},
            }
        )
    layers += [
        {
            "transform": [_kind(Kind.REGION), VALID] if connected else [_kind(Kind.REGION)],
            "mark": {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-show-domains"},
            "encoding": {
                "x": x,
                "y": y,
                "order": order,
                "stroke": stroke,
                "strokeDash": dash,
                "detail": {"field": "region"},
            },
        },
        {
            "transform": [_kind(Kind.REGION), VALID],
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {"x": x, "y": y, "fill": fill, "shape": shape, "tooltip": TIP},
        },
    ]
    if targets:  # open diamonds in the region's colour
        layers.append(
            {
                "transform": [_kind(Kind.REGION_TARGET)],
                "mark": {
                    "type": "point",
                    "filled": False,
                    "shape": "diamond",
                    "size": 170,
                    "strokeWidth": 2,
                    "opacity": 1,
                },
                "encoding": {"x": x, "y": y, "stroke": stroke, "tooltip": TIP},
            }
        )
    titles = {
        "sum": N_("{code} by region: cumulative total by quarter ({unit})"),
        "latest": N_("{code} by region: latest value by quarter ({unit})"),
        "mean": N_("{code} by region: average to date by quarter ({unit})"),
    }
    title = _(titles[info["aggregation"]]).format(
        code=info["indicator_code"], unit=unit_label(unit)
    )
    symbol = {"symbolSize": 110, "symbolStrokeWidth": 2}
    return data, _spec(title, HALF_COLUMN, layers, PLOT_HEIGHT, (len(names), columns), symbol)


def breakdown(
    frame: pd.DataFrame, dimension: str, info: dict, wide: bool = False
) -> tuple[pd.DataFrame, dict]:
    """Values by sex or by age group per quarter, beside the total they are parts of. The
    rows drawn and the Vega-Lite specification, for vega.draw.

    A count's parts are stacked (first group at the bottom, in the legend's order), other
    values stand side by side; the total reported is a black bar across the quarter. Each
    group's bars carry its shape, as its legend entry shows it (Vega-Lite has no hatching).
    `wide`: the chart spans the page (its title is wrapped later).
    Rows: `kind` (Kind.PART, Kind.TOTAL), `group` (its name in the legend), `period`,
    `value` (None: a gap), `low` and `high` (the bar's ends), `middle` (where its shape is
    drawn), `glyph` (whether the bar has room for it) and `tip`.
    """
    unit = info["unit"]
    is_count = unit == "number" and info["aggregation"] != "mean"
    parts = frame[frame.dimension == dimension]
    total = frame[frame.dimension == "total"]
    total_name = _("Total reported")
    groups: list[str] = []
    rows: list[dict] = []
    stacked: dict[str, float] = {}  # a quarter's height stacked so far
    message = _("{group}, {period}: {value}")
    for category, part in parts.groupby("category", sort=True):
        name = (
            _(CATEGORY_NAMES[category])
            if category in CATEGORY_NAMES
            else _("Aged {group}").format(group=category)
        )
        groups.append(name)
        for period, value in zip(part.period, part.value, strict=True):
            value = _value(value)
            low = stacked.get(period, 0.0) if is_count else 0.0
            high = None if value is None else low + value
            if is_count and high is not None:
                stacked[period] = high
            rows.append(
                {
                    "kind": Kind.PART,
                    "group": name,
                    "period": str(period),
                    "value": value,
                    "low": None if value is None else low,
                    "high": high,
                    "tip": _hover(message, value, unit, group=name, period=period),
                }
            )
    for period, value in zip(total.period, total.value, strict=True):
        value = _value(value)
        rows.append(
            {
                "kind": Kind.TOTAL,
                "group": total_name,
                "period": str(period),
                "value": value,
                "low": None,
                "high": value,
                "tip": _hover(message, value, unit, group=total_name, period=period),
            }
        )
    data = pd.DataFrame(rows, columns=["kind", "group", "period", "value", "low", "high", "tip"])
    top = max((abs(v) for v in data.high.dropna()), default=0.0)
    data["middle"] = (data.low + data.high) / 2
    height = (data.high - data.low).abs()
    data["glyph"] = (data.kind == Kind.PART) & (height > 0) & (height >= top * GLYPH_ROOM)

    names = [*groups, total_name]
    colours = [OKABE_ITO[(i + 1) % len(OKABE_ITO)] for i in range(len(groups))] + ["#000000"]
    columns = legend_columns(names, 4, LEGEND_ROW * 2) if wide else legend_columns(names)
    fill = _legend("group", names, colours, columns)
    shape = _legend(
        "group", names, [SHAPES[i % len(SHAPES)] for i in range(len(groups))] + [FLAT_BAR], columns
    )
    periods = sorted(set(data.period))
    x = _quarters(periods)
    side = {} if is_count else {"xOffset": {"field": "group", "type": "nominal", "sort": groups}}
    y = {"field": "low", **_y_axis(unit)}
    layers = [
        {
            "transform": [_kind(Kind.PART), VALID],
            "mark": {"type": "bar", "stroke": "white", "strokeWidth": 1},
            "encoding": {
                "x": x,
                **side,
                "y": y,
                "y2": {"field": "high"},
                "fill": fill,
                "tooltip": TIP,
            },
        },
        {
            "transform": [_kind(Kind.PART), {"filter": {"field": "glyph", "equal": True}}],
            "mark": {
                "type": "point",
                "filled": True,
                "size": 55,
                "color": "white",
                "stroke": "#222222",
                "strokeWidth": 1,
            },
            "encoding": {
                "x": x,
                **side,
                "y": {"field": "middle", "type": "quantitative"},
                "shape": shape,
                "tooltip": TIP,
            },
        },
        {
            "transform": [_kind(Kind.TOTAL), VALID],
            "mark": {"type": "tick", "thickness": 3, "opacity": 1},
            "encoding": {
                "x": x,
                "y": {"field": "high", "type": "quantitative"},
                "fill": fill,
                "tooltip": TIP,
            },
        },
    ]
    titles = {
        ("sex", True): N_("{code} by sex, by quarter: parts stacked to the total ({unit})"),
        ("sex", False): N_("{code} by sex, by quarter: each group beside the total ({unit})"),
        ("age", True): N_("{code} by age group, by quarter: parts stacked to the total ({unit})"),
        ("age", False): N_("{code} by age group, by quarter: each group beside the total ({unit})"),
    }
    what = "sex" if dimension == "sex" else "age"
    title = _(titles[what, is_count]).format(code=info["indicator_code"], unit=unit_label(unit))
    # The shapes filled, without the bars' white outline (it would hide the total's bar).
    symbol = {"symbolSize": 140, "symbolStrokeWidth": 0}
    wrap = FULL_WIDTH if wide else HALF_COLUMN
    return data, _spec(title, wrap, layers, BREAKDOWN_PLOT, (len(names), columns), symbol)
