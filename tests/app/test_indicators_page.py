"""The outcome indicators page in-process: the tracking table, filters from the URL, detail."""

import json

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.reports import exports
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import (
    DETAIL_TAB,
    DETAIL_TABS,
    OVER_TIME,
    REPORTING,
    SEX_AGE,
    open_tab,
)
from tests.conftest import add_test_accounts
from tests.i18n_support import vega_charts, vega_rows
from ui import common, vega
from ui import indicators as indicators_ui
from ui.indicators import Kind

PAGE = "views/indicators.py"


def open_page(app, **params):
    for key, value in params.items():
        app.query_params[key] = value
    at = app.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    return at


def open_detail(at, label: str):
    """The page with the detail's tab `label` open, as after a reader's click on it."""
    return open_tab(at, DETAIL_TAB, label)


def tracking_table(at) -> pd.DataFrame:
    return at.dataframe[0].value


def chart_titles(at) -> list[str]:
    """The titles of the page's charts, each on one line (they are drawn wrapped)."""
    return [vega.title_of(spec) for spec, _ in vega_charts(at)]


def chart(at, words: str) -> tuple[dict, list[dict]]:
    """The specification and rows of the chart whose title holds `words`."""
    return next((spec, rows) for spec, rows in vega_charts(at) if words in vega.title_of(spec))


def drawn(rows: list[dict], kind: int, key: str = "period") -> dict:
    """The values of the rows of one kind, by `key`."""
    return {r[key]: r["value"] for r in rows if r["kind"] == kind}


def core_values(values: pd.Series, periods: pd.Series) -> dict:
    """The core's values by quarter as a chart draws them: a missing one None, never 0."""
    return {p: None if pd.isna(v) else float(v) for p, v in zip(periods, values, strict=True)}


def layers(spec: dict) -> list[dict]:
    return spec["layer"]


def kinds(layer: dict) -> list[str]:
    """The kinds of rows a layer draws (its filter on the `kind` column)."""
    return next(t["filter"]["oneOf"] for t in layer["transform"] if t["filter"]["field"] == "kind")


def widget(at, kind, label):
    return next(w for w in getattr(at, kind) if w.label == label)


def test_the_table_lists_every_indicator_by_outcome_with_status_in_words(app):
    at = open_page(app)
    assert at.title[0].value == "Outcome indicators"
    table = tracking_table(at)
    assert len(table) == 12
    assert table["Goal / outcome"].iloc[0] == "Goal"
    assert {"2021Q1", "2022Q2", "Actual to 2022Q2", "Target by 2021Q4"} <= set(table.columns)
    statuses = set(table["Status"])
    assert statuses <= {"✔ On track", "▲ At risk", "✖ Behind", "○ No data"}
    assert len(statuses) >= 3
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Excel"]


def test_a_quarter_without_a_report_is_empty_not_zero(app):
    table = tracking_table(open_page(app)).set_index("Code")
    # the goal's survey ran in 2021Q1/Q2, Q4 and 2022Q2: nothing in 2021Q3
    assert pd.isna(table.loc["G1", "2021Q3"])
    assert table.loc["OC2.1", "2021Q1"] == 0  # a reported zero stays zero


def test_a_link_from_the_overview_opens_the_indicator_as_of_its_date(app):
    at = open_page(app, indicator="OC1.2", as_of="2021Q4")
    assert widget(at, "selectbox", "Indicator").value == "OC1.2"
    assert "as of **31 December 2021**" in at.caption[0].value
    assert "Actual to 2021Q4" in tracking_table(at).columns
    assert "2022Q1" not in tracking_table(at).columns
    assert chart_titles(at) == [
        "OC1.2: actual against target by quarter (number)",
        "OC1.2 by region: cumulative total by quarter (number)",
    ]
    metric = next(m for m in at.metric if m.label == "Actual to 2021Q4")
    assert metric.value == "86"  # 18 + 38 + 30 people trained by the end of 2021
    titles = chart_titles(open_detail(at, SEX_AGE))
    assert any("by sex" in t for t in titles) and any("by age group" in t for t in titles)
    assert "Actual to 2021Q4" in tracking_table(at).columns  # the page's date kept


def test_regions_from_the_url_as_codes_or_names_filter_the_table(app):
    at = open_page(app, regions="UZ-JI,namangan")
    assert widget(at, "multiselect", "Regions").value == ["UZ-JI", "UZ-NG"]
    table = tracking_table(at).set_index("Code")
    assert table.loc["OC1.2", "Target"] == 45 + 35  # the two regions' own targets
    assert table.loc["OC3.1", "Status"] == "◇ No target for these regions"
    assert set(table["Regions reporting in 2022Q2"]) <= {"0 of 2", "1 of 2", "2 of 2"}
    assert not at.warning


def test_picking_a_region_changes_the_table_and_the_url(app):
    at = open_page(app)
    widget(at, "multiselect", "Regions").set_value(["UZ-JI"]).run()
    no_exceptions(at)
    table = tracking_table(at).set_index("Code")
    assert table.loc["OC1.2", "Target"] == 45
    assert set(table["Regions reporting in 2022Q2"]) <= {"0 of 1", "1 of 1"}


def test_outcome_and_quarter_range_come_from_the_url(app):
    at = open_page(app, outcome="2", **{"from": "Q3 2021", "to": "2022-Q1"})
    table = tracking_table(at)
    assert set(table["Goal / outcome"]) == {"Outcome 2"}
    quarters = [c for c in table.columns if c[:2] == "20" and c[4] == "Q"]
    assert quarters == ["2021Q3", "2021Q4", "2022Q1"]
    assert "Actual to 2022Q2" in table.columns  # the actual stays as of the reporting date


def test_the_quarter_boxes_offer_quarters_up_to_the_reporting_date_only(app):
    """As of 2021Q4, "To quarter" showed 2022Q2 (the programme's last quarter), though
    nothing after the reporting date is shown."""
    at = open_page(app, as_of="2021Q4")
    last = widget(at, "selectbox", "To quarter")
    assert last.value == "2021Q4" and last.options[-1] == "2021Q4"
    assert widget(at, "selectbox", "From quarter").options[-1] == "2021Q4"
    quarters = [c for c in tracking_table(at).columns if c[:2] == "20" and c[4] == "Q"]
    assert quarters[-1] == "2021Q4"


def test_a_quarter_after_the_reporting_date_in_the_address_is_ignored_with_a_notice(app):
    at = open_page(app, as_of="2021Q4", to="2022Q1")
    assert "2022Q1" in " ".join(w.value for w in at.warning)
    assert widget(at, "selectbox", "To quarter").value == "2021Q4"


def test_unknown_and_malformed_parameters_are_ignored_with_a_notice(app):
    at = open_page(app, indicator="NOPE", regions="Mars", colour="red", to="2031Q9")
    notice = " ".join(w.value for w in at.warning)
    for word in ("NOPE", "Mars", "colour", "2031Q9"):
        assert word in notice
    assert len(tracking_table(at)) == 12
    assert widget(at, "selectbox", "Indicator").value == "G1"


def test_markup_in_the_address_is_shown_as_text(app):
    at = open_page(app, regions="<img src=x onerror=alert(1)>")
    notice = at.warning[0].value
    assert "\\<img" in notice  # escaped: markdown shows it as written, never as a tag


def test_the_detail_lists_who_has_not_reported_and_the_comments(app):
    at = open_page(app, indicator="OC2.3")
    assert not [d for d in at.dataframe if "Comment" in d.value.columns]  # built when opened
    frames = [d.value for d in open_detail(at, REPORTING).dataframe]
    missing = next(f for f in frames if "Last reported" in f.columns and "Who" in f.columns)
    assert missing["Name"].tolist() == ["Namangan"]
    assert missing["Last reported"].tolist() == ["2022Q1"]
    comments = next(f for f in frames if "Comment" in f.columns)
    assert comments["Comment"].str.contains("more women came forward").any()
    sources = next(f for f in frames if "Source" in f.columns)
    assert "Mahalla and police records" in set(sources["Source"])


def test_picking_another_indicator_updates_the_detail(app):
    at = open_page(app)
    widget(at, "selectbox", "Indicator").set_value("OC3.4").run()
    no_exceptions(at)
    assert chart_titles(at)[0] == "OC3.4: actual against target by quarter (%)"
    titles = chart_titles(open_detail(at, SEX_AGE))
    assert any("by age group" in t for t in titles)
    assert not any("by sex" in t for t in titles)  # OC3.4 is reported by age group only


def core_frames(sample_db_path, code: str, regions=None) -> dict:
    """What the core hands the page's charts of `code` for a team member, as of the sample's
    reporting quarter (2022Q2): the series over time, by region, and by sex and age."""
    from monitoring.access.view import TEAM, protected_view
    from monitoring.periods import programme_periods
    from monitoring.reports import indicators
    from monitoring.settings import load_settings

    settings = load_settings()
    periods = programme_periods(settings.programme)
    db = Database(sample_db_path)
    try:
        view = protected_view(db, settings, TEAM)
        return {
            "series": indicators.series_in_view(db, view, periods, code, regions).numeric,
            "regions": indicators.region_series_in_view(
                db, view, settings, periods, code, regions
            ).numeric,
            "parts": indicators.breakdown_in_view(
                db, view, code, periods[0], periods[-1], regions
            ).numeric,
        }
    finally:
        db.close()


def test_the_detail_charts_draw_the_cores_values_and_no_plotly(app, sample_db_path):
    at = open_page(app, indicator="OC1.2")
    assert not at.get("plotly_chart"), "the page loads no plotly (docs/benchmarks.md)"
    assert chart_titles(at) == [
        "OC1.2: actual against target by quarter (number)",
        "OC1.2 by region: cumulative total by quarter (number)",
    ]
    assert chart_titles(open_detail(at, SEX_AGE)) == [
        "OC1.2 by sex, by quarter: parts stacked to the total (number)",
        "OC1.2 by age group, by quarter: parts stacked to the total (number)",
    ]
    open_detail(at, OVER_TIME)
    core = core_frames(sample_db_path, "OC1.2")
    series, regions, parts = core["series"], core["regions"], core["parts"]

    # Over time: reported in the quarter (bars), the cumulative total, the quarters' targets
    # and the end-of-programme target, each exactly the core's.
    spec, rows = chart(at, "actual against target")
    assert drawn(rows, Kind.REPORTED) == core_values(series.value, series.period)
    assert drawn(rows, Kind.TO_DATE) == core_values(series.actual_to_date, series.period)
    assert drawn(rows, Kind.PERIOD_TARGET) == core_values(series.period_target, series.period)
    assert drawn(rows, Kind.REPORTED)["2021Q1"] is None  # nothing reported yet: a gap, not 0
    assert [r["value"] for r in rows if r["kind"] == Kind.TARGET] == [120]
    assert not [r for r in rows if r["kind"] == Kind.BASELINE]  # OC1.2 has no baseline
    # Each quarter's label says how many of the regions reported in it, on a second line.
    x = layers(spec)[0]["encoding"]["x"]
    assert x["scale"]["domain"] == [
        f"{p}\n{n} of 3" for p, n in zip(series.period, series.regions_reporting, strict=True)
    ]
    assert x["scale"]["domain"][:2] == ["2021Q1\n0 of 3", "2021Q2\n1 of 3"]
    assert x["axis"]["labelExpr"] == "split(datum.label, '\\n')"
    assert x["title"] == "Quarter (regions that reported in it)"
    y = layers(spec)[0]["encoding"]["y"]
    assert y["title"] == "number" and y["scale"]["zero"] is True
    # Every series named in the legend, the target with its value; each with a mark of its
    # own (bars, a line with dots, diamonds, a dashed line), not told by colour alone.
    fill = layers(spec)[0]["encoding"]["fill"]
    assert fill["scale"]["domain"] == [
        "Reported in the quarter",
        "Cumulative total",
        "Target for the quarter",
        "End-of-programme target: 120",
    ]
    assert fill["legend"]["orient"] == "bottom"
    shapes = next(layer for layer in layers(spec) if "shape" in layer["encoding"])
    assert shapes["encoding"]["shape"]["scale"]["range"] == [
        "square",
        indicators_ui.LINE_WITH_DOT,
        "diamond",
        "stroke",
    ]
    rule = next(layer for layer in layers(spec) if layer["mark"]["type"] == "rule")
    assert rule["encoding"]["strokeDash"]["scale"]["range"][-1] == indicators_ui.DASHED
    # A cumulative total runs across a quarter nobody reported in (no value is withheld).
    line = next(layer for layer in layers(spec) if layer["mark"]["type"] == "line")
    assert {"filter": {"field": "value", "valid": True}} in line["transform"]
    tips = {r["period"]: r["tip"] for r in rows if r["kind"] == Kind.REPORTED}
    assert tips["2021Q3"] == "Reported in 2021Q3: 38" and tips["2021Q1"] == ""

    # By region: each region's cumulative total and its targets, the core's values.
    spec, rows = chart(at, "by region")
    for name, region in regions.groupby("region_name", sort=False):
        assert {
            r["period"]: r["value"]
            for r in rows
            if r["region"] == name and r["kind"] == Kind.REGION
        } == core_values(region.actual_to_date, region.period)
        targets = {
            r["period"]: r["value"]
            for r in rows
            if r["region"] == name and r["kind"] == Kind.REGION_TARGET
        }
        assert targets == {
            p: float(v)
            for p, v in zip(region.period, region.period_target, strict=True)
            if pd.notna(v)
        }
    # Told apart by colour, dash and shape; the quarters in order; targets as open diamonds.
    line, points, diamonds = layers(spec)
    names = list(dict.fromkeys(regions.region_name))
    assert points["encoding"]["shape"]["scale"]["domain"] == [*names, "Target for the quarter"]
    assert len(set(points["encoding"]["shape"]["scale"]["range"])) == len(names) + 1
    assert len(set(line["encoding"]["stroke"]["scale"]["range"][: len(names)])) == len(names)
    assert {r["dash"] for r in rows} == set(range(len(names)))  # a dash of its own each
    assert line["encoding"]["strokeDash"]["field"] == "dash"
    assert line["encoding"]["x"]["scale"]["domain"] == list(dict.fromkeys(series.period))
    assert diamonds["mark"]["shape"] == "diamond" and diamonds["mark"]["filled"] is False

    # By sex: the core's parts, stacked (a count), beside the total reported.
    spec, rows = chart(open_detail(at, SEX_AGE), "by sex")
    for category, name in (("female", "Women and girls"), ("male", "Men and boys")):
        part = parts[(parts.dimension == "sex") & (parts.category == category)]
        assert {r["period"]: r["value"] for r in rows if r["group"] == name} == core_values(
            part.value, part.period
        )
    total = parts[parts.dimension == "total"]
    assert drawn(rows, Kind.TOTAL) == core_values(total.value, total.period)
    women = {r["period"]: r for r in rows if r["group"] == "Women and girls"}
    men = {r["period"]: r for r in rows if r["group"] == "Men and boys"}
    assert women["2021Q3"]["low"] == 0 and women["2021Q3"]["high"] == 35
    assert men["2021Q3"]["low"] == 35 and men["2021Q3"]["high"] == 38  # on top of the women
    bars, glyphs, ticks = layers(spec)
    assert "xOffset" not in bars["encoding"]  # stacked, not side by side
    assert glyphs["encoding"]["shape"]["scale"]["range"][:2] == ["circle", "square"]
    assert ticks["mark"]["type"] == "tick"
    assert women["2021Q3"]["glyph"] and men["2021Q3"]["glyph"]  # each part carries its shape


def test_a_latest_value_and_a_percentage_are_drawn_as_such(app, sample_db_path):
    """G1 (latest value, a percentage): its value breaks where no region reported, with a
    faint dotted line across; "%" on the axis' ticks; its parts side by side, not stacked."""
    at = open_page(app, indicator="G1")
    spec, rows = chart(at, "actual against target")
    series = core_frames(sample_db_path, "G1")["series"]
    assert drawn(rows, Kind.TO_DATE) == core_values(series.value, series.period)
    assert drawn(rows, Kind.TO_DATE)["2021Q3"] is None  # nobody reported: a gap
    assert not [r for r in rows if r["kind"] == Kind.REPORTED]  # a latest value has no bars
    connector, line = (layer for layer in layers(spec) if layer["mark"]["type"] == "line")
    assert connector["mark"]["strokeDash"] == [1, 3]
    assert {"filter": {"field": "value", "valid": True}} in connector["transform"]
    assert len(line["transform"]) == 1  # the value's own line breaks at the gap
    y = layers(spec)[0]["encoding"]["y"]
    assert y["title"] == "%" and y["axis"]["labelExpr"] == "datum.label + '%'"
    assert [r["series"] for r in rows if r["kind"] in (Kind.TARGET, Kind.BASELINE)] == [
        "End-of-programme target: 65%",
        "Baseline: 54%",
    ]
    _, sex = chart(open_detail(at, SEX_AGE), "by sex")
    bars = layers(chart(at, "by sex")[0])[0]
    assert bars["encoding"]["xOffset"]["field"] == "group"  # a percentage: side by side
    assert all(r["low"] == 0 for r in sex if r["kind"] == Kind.PART and r["value"] is not None)


def test_an_average_is_drawn_with_open_circles(app):
    at = open_page(app, indicator="OC3.3")
    spec, rows = chart(at, "actual against target")
    circles = layers(spec)[0]
    assert circles["mark"]["type"] == "point" and circles["mark"]["filled"] is False
    assert kinds(circles) == [Kind.REPORTED]
    assert circles["encoding"]["stroke"]["scale"]["domain"][:2] == [
        "Average of the quarter's reports",
        "Average to date",
    ]
    assert chart_titles(at)[1] == "OC3.3 by region: average to date by quarter (%)"
    # A percentage's hover texts and reference lines say so, as its axis does: "… 62.5%".
    tips = [r["tip"] for _spec, chart_rows in vega_charts(at) for r in chart_rows if r["tip"]]
    assert tips and all(tip.endswith("%") for tip in tips), tips[:5]
    target = [r["series"] for r in rows if r["kind"] == Kind.TARGET]
    assert target and target[0].startswith("End-of-programme target: ") and target[0][-1] == "%"


def test_the_detail_follows_the_outcome_picked_unless_its_indicator_belongs_to_it(app):
    at = open_page(app, outcome="2")
    assert widget(at, "selectbox", "Indicator").value == "OC2.1"  # the table's first
    widget(at, "selectbox", "Goal / outcome").set_value("Outcome 3").run()
    assert widget(at, "selectbox", "Indicator").value == "OC3.1"
    widget(at, "selectbox", "Indicator").set_value("OC3.3").run()
    widget(at, "selectbox", "Goal / outcome").set_value("All").run()
    assert widget(at, "selectbox", "Indicator").value == "OC3.3"


def test_an_empty_database_says_what_to_upload(app, tmp_path, monkeypatch):
    empty = Database(tmp_path / "empty.duckdb")
    add_test_accounts(empty)  # an empty programme, but someone to sign in
    empty.close()
    monkeypatch.setenv("MONITORING_DB", str(tmp_path / "empty.duckdb"))
    at = open_page(app)
    assert any("No indicators are loaded yet" in i.value for i in at.info)
    assert not at.dataframe


# A donor's shared link ---------------------------------------------------------------------
SENSITIVE = "OC2.4"  # data/sample/indicators.csv: returnees reached (sensitive = true)


@pytest.fixture
def downloads(monkeypatch):
    """The files the page offers for download, by file name, made from the tables the page
    hands to its download buttons (they make their files only when clicked)."""
    files = {}
    keep = common.downloads

    def downloads(frame, name, key):
        files[f"{name}.csv"] = exports.to_csv_bytes(frame)
        files[f"{name}.xlsx"] = exports.to_xlsx_bytes(frame, sheet=name)
        keep(frame, name, key)

    monkeypatch.setattr(common, "downloads", downloads)
    return files


def open_as_donor(donor_app, link_regions=None, **params):
    at = donor_app(regions=link_regions)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    return at


def page_text(at, *, notices: bool = True) -> str:
    """Everything the page shows in any tab of the detail (each opened in turn, the first
    left open): text, tables, charts, choices (and the notices)."""
    shown = []
    for label in (*DETAIL_TABS[1:], OVER_TIME):
        shown.append(shown_text(open_detail(at, label), notices=notices))
    return "\n".join(shown)


def shown_text(at, *, notices: bool) -> str:
    """What the page shows now (its open tabs only)."""
    parts = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in at.get(kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    for chart_element in at.get("vega_lite_chart"):  # its words, and its rows read as text
        parts.append(chart_element.proto.spec)
        parts.append(json.dumps(vega_rows(chart_element.proto), ensure_ascii=False))
    parts += [" ".join(map(str, w.options)) for w in [*at.selectbox, *at.multiselect]]
    if notices:
        parts += [e.value for kind in ("warning", "info", "error", "success") for e in at.get(kind)]
    return "\n".join(parts)


def test_a_region_scoped_donor_sees_only_the_links_regions(donor_app):
    at = open_as_donor(donor_app, ["UZ-JI"], indicator="OC1.2")
    assert widget(at, "multiselect", "Regions").options == ["Jizzakh"]
    table = tracking_table(at).set_index("Code")
    assert set(table["Regions reporting in 2022Q2"]) <= {"0 of 1", "1 of 1"}
    assert table.loc["OC1.2", "Actual to 2022Q2"] == "48"  # Jizzakh's 18 + 12 + 8 + 6 + 4
    assert table.loc["OC1.2", "Target"] == 45  # Jizzakh's own target
    assert next(m for m in at.metric if m.label == "Actual to 2022Q2").value == "48"
    text = page_text(at)
    for other in ("Namangan", "Tashkent", "UZ-NG", "UZ-TO"):
        assert other not in text


def test_a_breakdown_whose_every_value_is_hidden_says_so_instead_of_an_empty_chart(donor_app):
    """Jizzakh's OC1.2 by sex and by age is all small counts: a donor saw two empty charts
    (an axis at 0, a legend, no bars), which read as zero or as broken."""
    at = open_detail(open_as_donor(donor_app, ["UZ-JI"], indicator="OC1.2"), SEX_AGE)
    notes = [i.value for i in at.info]
    assert any(n.startswith("Every value by sex in this view is hidden") for n in notes), notes
    assert any(n.startswith("Every value by age group in this view is hidden") for n in notes)
    assert not chart_titles(at)


def test_a_region_outside_the_link_typed_in_the_address_is_left_out(donor_app):
    at = open_as_donor(donor_app, ["UZ-JI"], regions="UZ-TO")
    notice = " ".join(w.value for w in at.warning)
    assert "UZ\\-TO" in notice and "not available in this view" in notice
    assert set(tracking_table(at)["Regions reporting in 2022Q2"]) <= {"0 of 1", "1 of 1"}
    assert "Tashkent" not in page_text(at, notices=False)


def test_no_sensitive_indicator_reaches_a_donor_not_even_by_its_address(donor_app, downloads):
    at = open_as_donor(donor_app)
    assert SENSITIVE not in set(tracking_table(at)["Code"])
    assert SENSITIVE not in widget(at, "selectbox", "Indicator").options
    text = page_text(at)
    assert SENSITIVE not in text and "returnees" not in text.lower()
    assert downloads and all(SENSITIVE.encode() not in data for data in downloads.values())

    typed = open_as_donor(donor_app, indicator=SENSITIVE)
    unknown = open_as_donor(donor_app, indicator="NOPE")
    said = [w.value.replace("OC2\\.4", "X") for w in typed.warning]  # markdown-escaped
    assert said == [w.value.replace("NOPE", "X") for w in unknown.warning]
    assert "not available in this view" in said[0]
    assert widget(typed, "selectbox", "Indicator").value == "G1"  # the default, not OC2.4
    shown = page_text(typed, notices=False)
    assert SENSITIVE not in shown and "returnees" not in shown.lower()


def test_small_counts_read_less_than_five_and_give_nothing_away(donor_app, downloads):
    # Jizzakh, OC1.2: 6 trained in 2022Q1 and 4 in 2022Q2; in 2021Q2 14 women and 4 men.
    at = open_as_donor(donor_app, ["UZ-JI"], indicator="OC1.2")
    row = tracking_table(at).set_index("Code").loc["OC1.2"]
    assert row["2022Q2"] == "<5"
    assert row["2022Q1"] == "hidden"  # else 48 less the other quarters would give the 4
    # 18 in 2021Q2 is hidden too: the disclosure audit found that, with the sex and age
    # parts and the other quarters shown, it would narrow a withheld part (docs/access.md).
    assert row["2021Q2"] == "hidden"
    assert any("shown as “<5”" in c.value for c in at.caption)
    csv = downloads["indicator_tracking_table.csv"].decode("utf-8")
    assert "<5" in csv and "hidden" in csv
    # 4 men hidden, 14 women too (else 18 - 14 gives the men away), the total 18 as in the
    # table: every value by sex is hidden, and the page says so instead of drawing nothing.
    notes = [i.value for i in open_detail(at, SEX_AGE).info]
    assert any(n.startswith("Every value by sex in this view is hidden") for n in notes)
    assert any("Bars hidden to protect the people counted" in c.value for c in at.caption)
    open_detail(at, OVER_TIME)
    # The chart over time draws the table's figures and leaves out those it hides (a gap,
    # never a zero); its line breaks there instead of running across them.
    spec, rows = chart(at, "actual against target")
    reported = drawn(rows, Kind.REPORTED)
    assert reported["2021Q2"] is None and reported["2022Q1"] is None and reported["2022Q2"] is None
    for period, value in reported.items():
        shown = row[period]
        assert value == (None if shown in ("<5", "hidden") or pd.isna(shown) else float(shown))
    line = next(layer for layer in layers(spec) if layer["mark"]["type"] == "line")
    assert kinds(line) == [Kind.TO_DATE] and len(line["transform"]) == 1  # gaps kept: it breaks
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    assert any("hidden to protect the people counted" in c.value for c in at.caption)
    open_detail(at, REPORTING)
    assert any(c.value == "Comments and sources are not shared in this view." for c in at.caption)
    assert not any("Comment" in d.value.columns for d in at.dataframe)


def test_a_manager_still_sees_everything(app_as):
    at = app_as("manager")
    at.query_params["indicator"] = SENSITIVE
    at.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    table = tracking_table(at)
    assert len(table) == 12 and SENSITIVE in set(table["Code"])
    assert len(widget(at, "multiselect", "Regions").options) >= 3
    assert widget(at, "selectbox", "Indicator").value == SENSITIVE
    assert "<5" not in page_text(at) and "not shared in this view" not in page_text(at)
    assert any("Comment" in d.value.columns for d in open_detail(at, REPORTING).dataframe)
