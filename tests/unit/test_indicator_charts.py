"""The indicators page's Vega-Lite charts (ui/indicators.py), built from small frames: gaps
drawn as gaps, lines that break or run across them, parts stacked and marked, legends that
fit, and text of the data only ever as data."""

from __future__ import annotations

import math
import re

import pandas as pd

from ui import indicators as charts
from ui import vega
from ui.indicators import Kind

NAN = math.nan
QUARTERS = ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]
INFO = {
    "indicator_code": "OC9.9",
    "unit": "number",
    "aggregation": "sum",
    "target": 100.0,
    "baseline": 0.0,
}
ODD = "Region {x} [a](http://evil.example) <b>b</b> 'quote' \\ datum.x"  # a region's name


def series(values, to_date, targets=(NAN, NAN, NAN, NAN), reporting=(1, 1, 0, 1)):
    return pd.DataFrame(
        {
            "period": QUARTERS,
            "value": values,
            "actual_to_date": to_date,
            "period_target": list(targets),
            "regions_reporting": list(reporting),
        }
    )


def layer_of(spec: dict, mark: str, kind: int) -> list[dict]:
    return [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == mark
        and {"filter": {"field": "kind", "oneOf": [kind]}} in layer["transform"]
    ]


def expressions(node) -> list[str]:
    """Every string Vega would read as code: calculate, filter, test, labelExpr, expr."""
    keys = {"calculate", "filter", "test", "labelExpr", "expr", "signal"}
    if isinstance(node, dict):
        return [
            text
            for k, v in node.items()
            for text in ([v] if k in keys and isinstance(v, str) else []) + expressions(v)
        ]
    if isinstance(node, list):
        return [text for v in node for text in expressions(v)]
    return []


def numbers_out(expression: str) -> str:
    """An expression with its numbers written N: its words are what tell where it came from."""
    return re.sub(r"\d+(\.\d+)?", "N", expression)


def test_a_quarter_without_a_value_is_a_gap_and_the_total_runs_across_it():
    data, spec = charts.actual_against_target(
        series([10, 5, NAN, 7], [10, 15, 15, 22]), INFO, regions_expected=2
    )
    reported = data[data.kind == Kind.REPORTED]
    assert reported.value.tolist()[:2] == [10, 5] and pd.isna(reported.value.iloc[2])
    assert reported.tip.tolist()[2] == ""  # nothing to hover
    assert data[data.kind == Kind.REPORTED].quarter.tolist()[2] == "2021Q3\n0 of 2"
    (line,) = layer_of(spec, "line", Kind.TO_DATE)
    assert charts.VALID in line["transform"]  # connected: the gap left out
    assert data[data.kind == Kind.TARGET].series.tolist() == ["End-of-programme target: 100"]
    assert data[data.kind == Kind.BASELINE].series.tolist() == ["Baseline: 0"]


def test_withheld_values_break_the_line_and_a_latest_value_gets_a_dotted_connector():
    withheld = charts.actual_against_target(
        series([10, NAN, 4, 7], [10, NAN, 14, 21]), INFO, 2, withheld=True
    )[1]
    (line,) = layer_of(withheld, "line", Kind.TO_DATE)
    assert charts.VALID not in line["transform"]
    assert line["mark"]["invalid"] == "break-paths-show-domains"

    latest = {**INFO, "aggregation": "latest"}
    data, spec = charts.actual_against_target(series([10, NAN, 12, 11], [0, 0, 0, 0]), latest, 2)
    connector, line = layer_of(spec, "line", Kind.TO_DATE)
    assert connector["mark"]["strokeDash"] == [1, 3] and charts.VALID in connector["transform"]
    assert charts.VALID not in line["transform"]  # the value's own line breaks
    # A latest value is drawn from the quarter's value, not from a "to date" figure.
    assert data[data.kind == Kind.TO_DATE].value.tolist()[:1] == [10]
    no_connector = charts.actual_against_target(
        series([10, NAN, 12, 11], [0, 0, 0, 0]), latest, 2, withheld=True
    )[1]
    assert len(layer_of(no_connector, "line", Kind.TO_DATE)) == 1


def test_parts_are_stacked_in_the_legends_order_and_marked_where_there_is_room():
    frame = pd.DataFrame(
        {
            "dimension": ["sex"] * 6 + ["total"] * 3,
            "category": ["female"] * 3 + ["male"] * 3 + ["total"] * 3,
            "period": QUARTERS[:3] * 3,
            "value": [20, NAN, 30, 0, 5, 1, 20, NAN, 31],
        }
    )
    data, spec = charts.breakdown(frame, "sex", INFO)
    women = data[data.group == "Women and girls"].set_index("period")
    men = data[data.group == "Men and boys"].set_index("period")
    assert (women.low["2021Q1"], women.high["2021Q1"]) == (0, 20)
    assert (men.low["2021Q3"], men.high["2021Q3"]) == (30, 31)  # on the women's 30
    assert (men.low["2021Q2"], men.high["2021Q2"]) == (0, 5)  # nothing withheld stacked under it
    assert pd.isna(women.value["2021Q2"]) and not women.glyph["2021Q2"]  # a gap, unmarked
    assert not men.glyph["2021Q1"]  # a zero has no bar to mark
    assert not men.glyph["2021Q3"]  # 1 of 31: too short for its shape, named by its tooltip
    assert women.glyph["2021Q1"] and men.glyph["2021Q2"]
    shapes = spec["layer"][1]["encoding"]["shape"]["scale"]
    assert shapes["domain"] == ["Women and girls", "Men and boys", "Total reported"]
    assert shapes["range"] == ["circle", "square", charts.FLAT_BAR]
    assert "xOffset" not in spec["layer"][0]["encoding"]  # a count: stacked

    side = charts.breakdown(frame, "sex", {**INFO, "unit": "percent"})[1]
    assert side["layer"][0]["encoding"]["xOffset"]["field"] == "group"
    assert side["layer"][0]["encoding"]["y"]["axis"]["labelExpr"] in charts.PERCENT_TICKS.values()


def test_regions_are_told_apart_by_colour_dash_and_shape_and_their_names_stay_data():
    regions = ["Jizzakh", ODD, "Namangan"]
    frame = pd.concat(
        [
            series([1, 2, 3, 4], [1, 3, 6, 10], targets=(NAN, 5, NAN, 12)).assign(
                region_code=f"UZ-{n}", region_name=r
            )
            for n, r in enumerate(regions)
        ]
    )
    data, spec = charts.by_region(frame, {**INFO, "indicator_code": ODD})
    line, points, diamonds = spec["layer"]
    assert points["encoding"]["shape"]["scale"]["domain"] == [*regions, "Target for the quarter"]
    assert len(set(points["encoding"]["shape"]["scale"]["range"])) == 4
    assert data.groupby("region").dash.first().to_dict() == {"Jizzakh": 0, ODD: 1, "Namangan": 2}
    assert line["encoding"]["strokeDash"]["legend"] is None
    assert diamonds["mark"]["shape"] == "diamond"
    # The odd name is shown as written (Vega draws text as text), in its rows and hover texts,
    # and the title; never inside an expression, which are all this module's constants.
    assert ODD in set(data.region) and any(t.startswith(ODD) for t in data.tip)
    assert vega.title_of(spec).startswith(ODD)
    # (The title's and the legends' are vega's, whose numbers only fit them to the chart.)
    fitted = vega.fitted(["a"], 1)
    constants = [
        vega.LINE_LABELS["labelExpr"],
        *charts.PERCENT_TICKS.values(),
        vega._title(1)["text"]["expr"],
        fitted["columns"]["expr"],
        fitted["labelExpr"],
    ]
    for built in (spec, charts.actual_against_target(series([1] * 4, [1] * 4), INFO, 3)[1]):
        assert {numbers_out(e) for e in expressions(built)} <= set(map(numbers_out, constants))


def test_regions_that_share_a_name_or_are_named_as_the_targets_are_not_drawn_as_one():
    """Two regions both named "Tashkent" are two lines, each named with its code; a region
    named as the legend's "Target for the quarter" is not mistaken for the targets."""
    regions = [("UZ-TK", "Tashkent"), ("UZ-TO", "Tashkent"), ("UZ-XX", "Target for the quarter")]
    frame = pd.concat(
        [
            series([1, 2, 3, 4], [1, 3, 6, 10], targets=(NAN, 5, NAN, 12)).assign(
                region_code=code, region_name=name
            )
            for code, name in regions
        ]
    )
    data, spec = charts.by_region(frame, INFO)
    names = ["Tashkent (UZ-TK)", "Tashkent (UZ-TO)", "Target for the quarter (UZ-XX)"]
    points = spec["layer"][1]
    assert points["encoding"]["shape"]["scale"]["domain"] == [*names, "Target for the quarter"]
    assert data[data.kind == Kind.REGION].groupby("region").size().to_dict() == dict.fromkeys(
        names, 4
    )
    assert sorted(data.dash.unique()) == [0, 1, 2]  # three lines, three dashes


def test_a_legend_has_as_many_columns_as_fit_its_names():
    assert charts.legend_columns(["Jizzakh", "Namangan", "Tashkent"]) == 3
    long = ["Целевое значение на конец программы: 120", "Нарастающий итог"]
    assert charts.legend_columns(long, 2) == 1
    # 53 characters: two columns (a row is measured for Russian letters, wider than Latin).
    assert charts.legend_columns(["Women and girls", "Men and boys", "Total reported"]) == 2
    assert charts.legend_columns(["One"]) == 1
