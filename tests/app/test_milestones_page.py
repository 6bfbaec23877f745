"""The milestones page in-process (AppTest) over the sample tables and a doctored copy."""

import json
import shutil

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.reports import milestones as ms
from tests.app.conftest import no_exceptions
from tests.conftest import insert
from tests.i18n_support import vega_charts
from ui import vega
from ui.milestones import KIND


def open_page(app, full_table: bool = True):
    """The page, with the table of every milestone opened (it is built only when asked)."""
    at = app.run()
    if full_table:
        at.session_state["timeline-table-open"] = True
    at.switch_page("views/milestones.py").run()
    no_exceptions(at)
    return at


def metric(at, label):
    return next(m for m in at.metric if label in m.label)


def table(at, first_column):
    """The table of the page whose first column is `first_column`."""
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def charts(at) -> list[tuple[dict, list[dict]]]:
    """The page's two Vega-Lite charts (the timeline, the milestones per quarter): each one's
    specification and the rows it draws."""
    found = vega_charts(at)
    assert len(found) == 2 and not at.get("plotly_chart"), "two Vega-Lite charts, no plotly"
    return found


def title(spec: dict) -> str:
    return vega.title_of(spec)


def of_kind(rows: list[dict], *kinds: str) -> list[dict]:
    """The rows drawing these kinds of marks (ui.milestones.KINDS)."""
    return [r for r in rows if r["kind"] in {KIND[k] for k in kinds}]


def by_milestone(rows: list[dict], kind: str) -> dict[str, dict]:
    """The rows of a kind of mark, by milestone id."""
    return {r["title"].split()[0]: r for r in of_kind(rows, kind)}


def layer(spec: dict, *kinds: str) -> dict:
    """The layer of a chart drawing the rows of these kinds (its filter's)."""
    return next(
        layer
        for layer in spec["layer"]
        if layer.get("transform", [{}])[0].get("filter", {}).get("oneOf")
        == [KIND[k] for k in kinds]
    )


POINTS = ("planned", "on_time", "late", "overdue", "dropped")  # the timeline's marks


def test_the_page_shows_achieved_against_due_and_what_is_overdue(app):
    at = open_page(app)
    assert at.title[0].value == "Advocacy milestones"
    assert metric(at, "Achieved").value == "26 of 29 due"
    overdue = metric(at, "Overdue")
    assert overdue.value == "3"
    assert overdue.delta == "longest: 149 days late"
    # Each card's small line says more about its figure, not that it rose: no arrow drawn.
    from streamlit.proto.Metric_pb2 import Metric

    assert {m.proto.direction for m in at.metric} == {Metric.MetricDirection.NONE}
    # M-31, planned on 30 June and not achieved, is not overdue until the next day: still to
    # come (it was due, and neither achieved nor overdue: 26 of 30 due, 3 overdue)
    assert metric(at, "Still to come").value == "1"


def test_the_timeline_marks_delays_with_shape_and_days_and_the_reporting_date(app):
    at = open_page(app)
    (timeline, rows), (per_quarter, _) = charts(at)
    assert "as of 30 Jun 2022" in title(timeline)
    # Each status by its own shape (and words beside it), named with its symbol in the legend.
    points = layer(timeline, *POINTS)["encoding"]
    scale = points["shape"]["scale"]
    shapes = dict(zip(scale["domain"], scale["range"], strict=True))
    assert shapes["○ Planned date"] == "circle"
    assert points["fill"]["scale"]["range"][0] == "white"  # ○: open
    assert shapes["● Achieved on time"] == "circle"
    assert shapes["◆ Achieved late"] == "diamond"
    assert shapes["▶ Overdue at the reporting date"] == "triangle-right"
    assert shapes["✕ Dropped"].startswith("M")  # a cross drawn as a path: Vega's "cross" is a +
    overdue = by_milestone(rows, "overdue")
    assert sorted(overdue) == ["M-23", "M-27", "M-30"]
    assert overdue["M-23"]["text"] == "OVERDUE 149 days"
    assert {r["at"] for r in overdue.values()} == {"2022-06-30"}  # at the reporting date
    assert layer(timeline, "overdue")["mark"]["fontWeight"] == "bold"  # the words beside ▶
    assert not any("fontWeight" in layer(timeline, k)["mark"] for k in ("late", "dropped"))
    late = by_milestone(rows, "late")
    assert late["M-22"]["text"] == "75 days late"  # planned 31 Oct 2021, achieved 14 Jan 2022
    assert late["M-22"]["at"] == "2022-01-14"
    # Words beside an achievement that the reporting date's line would run through (in
    # Russian it crossed "опоздание 7 дней") go before the planned date instead.
    m26 = late["M-26"]  # achieved 6 Apr 2022, 7 days late; the reporting date 30 Jun 2022
    assert m26["before"] and m26["planned_at"] < m26["at"]
    assert not late["M-06"]["before"]  # in 2021: far from the line
    words = [
        layer
        for layer in timeline["layer"]
        if layer.get("transform", [{}])[0].get("filter", {}).get("oneOf") == [KIND["late"]]
    ]
    assert [w["encoding"]["x"]["field"] for w in words] == ["at", "planned_at"]
    assert [w["mark"]["align"] for w in words] == ["left", "right"]
    assert by_milestone(rows, "dropped")["M-25"]["text"] == "dropped"
    # The delays: a thick line from the planned date to the achieved or the reporting date.
    delay = by_milestone(rows, "delay_late")["M-22"]
    assert (delay["at"], delay["until"], delay["colour"]) == ("2021-10-31", "2022-01-14", "#E69F00")
    delay = by_milestone(rows, "delay_overdue")["M-23"]
    assert (delay["until"], delay["colour"]) == ("2022-06-30", "#D55E00")
    assert layer(timeline, "delay_late", "delay_overdue")["mark"]["strokeWidth"] >= 4
    # The reporting date: a dashed line, named above the plot.
    rule, label = (layer for layer in timeline["layer"] if "data" in layer)
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"]
    assert rule["data"]["values"][0]["at"] == "2022-06-30"
    assert label["data"]["values"][0]["text"] == "Reporting date 30 Jun 2022"
    # From 15 days before the programme's start to 20 days after its end, a tick a quarter.
    x = layer(timeline, *POINTS)["encoding"]["x"]
    assert x["scale"]["type"] == "utc"
    assert x["scale"]["domain"] == [
        {"year": 2020, "month": 12, "date": 17, "utc": True},
        {"year": 2022, "month": 7, "date": 20, "utc": True},
    ]
    assert [(v["year"], v["month"]) for v in x["axis"]["values"]] == [
        (2021, 1), (2021, 4), (2021, 7), (2021, 10), (2022, 1), (2022, 4), (2022, 7),
    ]  # fmt: skip
    assert x["axis"]["format"] == "%b %Y"  # the month's name in the language: config.locale
    assert timeline["height"] == {"step": 22}  # the chart grows with its rows
    assert "(number)" in title(per_quarter)


def test_a_screen_reader_hears_each_milestones_mark_and_each_heading_by_name(app):
    """Vega-Lite names every mark for screen readers; unasked, by the fields it draws
    ("row: ", "until: …; colour: #E69F00"). Each milestone's mark says its name, status and
    dates in the reader's words, a heading its stage and level; the rest is not read out."""
    at = open_page(app)
    (timeline, rows), _ = charts(at)
    overdue = by_milestone(rows, "overdue")["M-23"]
    assert overdue["aria"] == (
        f"▶ Overdue at the reporting date: {overdue['title']}; Status: ▶ Overdue by 149 days; "
        f"Planned: {overdue['planned']}; Achieved: –"  # en dash: not achieved
    )
    late = by_milestone(rows, "late")["M-22"]
    assert late["aria"].startswith(f"◆ Achieved late: {late['title']}; Status: ◆ Achieved")
    assert "Achieved: 14 Jan 2022" in late["aria"]
    planned = of_kind(rows, "planned")
    assert all(r["aria"].startswith("○ Planned date: M-") for r in planned)
    assert layer(timeline, *POINTS)["encoding"]["description"]["field"] == "aria"
    words = [layer for layer in timeline["layer"] if layer["mark"].get("fontWeight") == "bold"]
    heading = next(layer for layer in words if layer["mark"].get("fontSize") == 13)
    assert heading["encoding"]["description"]["field"] == "text"  # "1 Inception · Community"
    assert heading["encoding"]["y"]["axis"]["aria"] is False  # the headings' rows: no label
    quiet = ("delay_late", "delay_overdue"), ("late",), ("overdue",), ("dropped",)
    assert all(layer(timeline, *kinds)["mark"]["aria"] is False for kinds in quiet)
    rule, label = (layer for layer in timeline["layer"] if "data" in layer)
    assert rule["encoding"]["description"]["field"] == "text" and label["mark"]["aria"] is False
    # The axis and the legend in the reader's words too (Vega's own are English).
    x = layer(timeline, *POINTS)["encoding"]["x"]
    assert x["axis"]["description"] == "Dates from December 2020 to July 2022"
    legend = timeline["config"]["legend"]["description"]
    assert legend.startswith("Marks: ○ Planned date; ● Achieved on time; ◆ Achieved late")


def test_the_timeline_draws_the_cores_rows_in_order_under_their_stage_and_level(app):
    at = open_page(app)
    (timeline, rows), _ = charts(at)
    shown = table(at, "Stage")  # every milestone, as the core gives them (31: all on the timeline)
    planned = sorted(of_kind(rows, "planned"), key=lambda r: r["order"])
    assert [r["title"] for r in planned] == shown.Milestone.tolist()
    assert [r["at"] for r in planned] == shown.Planned.dt.strftime("%Y-%m-%d").tolist()
    assert [r["status"] for r in planned] == shown.Status.tolist()
    assert [r["region"] for r in planned] == shown.Region.tolist()
    # A row's label is "ID short title"; each mark of a milestone is on its row.
    for r in planned:
        short = r["row"].removesuffix("…").rstrip()
        assert r["row"] == r["title"] or (r["title"].startswith(short) and len(r["row"]) < 50)
    rows_of = {r["title"]: r["row"] for r in planned}
    assert all(rows_of[r["title"]] == r["row"] for r in rows if r["kind"] != KIND["heading"])
    achieved = {r["title"]: r["at"] for r in of_kind(rows, "on_time", "late")}
    expected = shown[shown.Achieved.notna()]
    assert achieved == dict(
        zip(expected.Milestone, expected.Achieved.dt.strftime("%Y-%m-%d"), strict=True)
    )
    # A heading above each stage and level, in the core's order; rows sorted by place.
    headings = sorted(of_kind(rows, "heading"), key=lambda r: r["order"])
    groups = list(dict.fromkeys(shown.Stage + " · " + shown.Level))
    assert [h["text"] for h in headings] == groups
    places = sorted(headings + planned, key=lambda r: r["order"])
    assert [r["order"] for r in places] == list(range(len(places)))
    current = None
    for r in places:
        if r["kind"] == KIND["heading"]:
            current = r["text"]
        else:
            stage, level = shown.loc[shown.Milestone == r["title"], ["Stage", "Level"]].iloc[0]
            assert current == f"{stage} · {level}"
    # A heading's row label is empty (its words are drawn on its band), never a milestone's.
    assert all(not h["row"].strip("\u200b") for h in headings)
    y = layer(timeline, *POINTS)["encoding"]["y"]
    assert y["sort"] == {"field": "order", "op": "min", "order": "ascending"}
    # The tooltip: the milestone's name as its heading, then its lines, named.
    tooltip = layer(timeline, *POINTS)["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip] == [
        "title", "Status", "Level", "Region", "Audience", "Planned", "Achieved", "Indicator",
    ]  # fmt: skip
    m28 = by_milestone(rows, "planned")["M-28"]
    assert m28["audience"] == "Ministry of Internal Affairs"
    assert m28["planned"].endswith("2022") and m28["achieved"].endswith("2022")
    assert (
        m28["indicator"].startswith("OC3.2: ") and "of the way to its target (" in m28["indicator"]
    )
    assert by_milestone(rows, "planned")["M-23"]["achieved"] == "–"


def test_after_the_reporting_date_quarters_are_shaded_and_have_no_achieved_bars(app):
    app.query_params["as_of"] = "2021Q4"
    at = open_page(app)
    at.session_state["per-quarter-open"] = True
    at.run()
    no_exceptions(at)
    _, (spec, rows) = charts(at)
    quarters = table(at, "Quarter")
    after = {r["period"] for r in of_kind(rows, "after")}
    assert after == {"2022Q1", "2022Q2"}
    assert all(
        r["part"] == "After the reporting date: achievements not yet known"
        for r in of_kind(rows, "after")
    )
    known = quarters[~quarters.Quarter.isin(after)]
    # Planned in every quarter; achieved (on time, late, the count above) only where known.
    assert [r["end"] for r in of_kind(rows, "planned")] == quarters.Planned.tolist()
    for kind in ("on_time", "late", "achieved"):
        assert [r["period"] for r in of_kind(rows, kind)] == known.Quarter.tolist()
    assert [r["end"] for r in of_kind(rows, "achieved")] == known.Achieved.tolist()
    assert [r["end"] - r["start"] for r in of_kind(rows, "late")] == known["of which late"].tolist()
    assert [r["text"] for r in of_kind(rows, "planned")] == [str(n) for n in quarters.Planned]
    assert of_kind(rows, "achieved")[0]["text"] == "4"  # 2021Q1, and 2 of them late:
    assert of_kind(rows, "late")[0]["text"] == "2"  # written inside the dashed part
    assert [r["text"] for r in of_kind(rows, "late")] == [
        str(int(r["end"] - r["start"])) if r["end"] > r["start"] else ""
        for r in of_kind(rows, "late")
    ]
    assert quarters.Achieved.iloc[-2:].isna().all()  # the table: empty, not zero
    # Late is outlined with dashes (in the legend too), not told by colour alone.
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    dashes = dict(
        zip(
            bars["encoding"]["strokeDash"]["scale"]["domain"],
            bars["encoding"]["strokeDash"]["scale"]["range"],
            strict=True,
        )
    )
    assert dashes["Achieved late (dashed outline)"] != [1, 0]
    assert dashes["Achieved on time"] == [1, 0]
    assert spec["layer"][1]["encoding"]["y"]["title"] == "Milestones (number)"
    assert spec["layer"][1]["encoding"]["x"]["sort"]["field"] == "index"  # quarters in time


def test_counts_by_level_and_region(app):
    at = open_page(app)
    by_level = table(at, "Level").set_index("Level")
    assert by_level.loc["National", "Planned"] == 5
    assert by_level.loc["National", "Achieved"] == 3
    assert by_level.loc["International", "Dropped"] == 1
    by_region = table(at, "Region").set_index("Region")
    assert by_region.loc["Jizzakh", "Achieved of due"] == 100
    assert by_region.loc["Namangan", "Overdue"] == 1


def test_achieved_list_links_the_evidence_and_the_indicator_with_its_progress(app):
    at = open_page(app)
    achieved = table(at, "Achieved")
    row = achieved[achieved.Milestone.str.startswith("M-28 ")].iloc[0]
    assert row["Outcome (the change it led to)"].startswith("Ministry agreed to pilot")
    assert row["Audience"] == "Ministry of Internal Affairs"
    assert row["Evidence"] == "https://example.org/uz-community-security/roundtable-mia"
    assert row["Indicator"] == "/indicators?indicator=OC3.2&as_of=2022Q2"
    assert row["Indicator status"].endswith(("On track", "At risk", "Behind", "No data"))
    assert 0 <= row["Indicator progress"] <= 200
    assert not achieved.Milestone.str.startswith("M-27 ").any()  # overdue, not achieved
    evidence = achieved.Evidence.dropna()
    assert len(evidence) > 0 and evidence.str.match(r"https?://").all()


def test_filters_come_from_the_address(app):
    app.query_params["level"] = "National"
    app.query_params["region"] = "Tashkent City"
    at = open_page(app)
    assert at.multiselect(key="level").value == ["national"]
    assert at.multiselect(key="region").value == ["UZ-TK"]
    assert metric(at, "Achieved").value == "2 of 2 due"  # M-01, M-28; M-31 still to come
    shown = table(at, "Stage")
    assert sorted(shown.Milestone.str[:4]) == ["M-01", "M-28", "M-31"]


def test_picking_a_filter_narrows_the_page(app):
    at = open_page(app)
    at.multiselect(key="status").set_value(["overdue"]).run()
    no_exceptions(at)
    shown = table(at, "Stage")
    assert sorted(shown.Milestone.str[:4]) == ["M-23", "M-27", "M-30"]
    assert shown.Status.str.startswith("▶ Overdue by").all()


def test_an_unknown_filter_value_in_the_address_is_ignored_with_a_notice(app):
    app.query_params["stage"] = "[evil](https://example.com)"
    at = open_page(app)
    notice = at.warning[0].value
    assert "it was ignored" in notice
    assert "`[evil](https://example.com)`" in notice  # as code: never a live link
    assert metric(at, "Achieved").value == "26 of 29 due"


def test_an_earlier_reporting_date_changes_status_and_lateness(app):
    app.query_params["as_of"] = "2021Q4"
    at = open_page(app)
    shown = table(at, "Stage")
    m22 = shown[shown.Milestone.str.startswith("M-22 ")].iloc[0]
    assert m22.Status == "▶ Overdue by 61 days"  # 31 Oct to 31 Dec 2021
    assert pd.isna(m22.Achieved)  # achieved only in January 2022
    achieved = table(at, "Achieved")
    assert not achieved.Milestone.str.startswith("M-22 ").any()
    assert metric(at, "Achieved").value == "21 of 22 due"


def new_data_version(db: Database) -> None:
    """A batch recorded, as an upload records one: the data version changes."""
    with db.transaction() as cur:
        cur.execute(
            "insert into upload_batches (table_name, file_name, sha256, uploaded_by) "
            "values ('milestones', 'test', 'x', 'test')"
        )


def add_milestone(path, **milestone) -> None:
    """A milestone added to the database at `path`, as an upload adds one (a new data
    version: no cached result is reused)."""
    db = Database(path)
    try:
        insert(db, "milestones", [milestone])
        new_data_version(db)
    finally:
        db.close()


@pytest.fixture
def doctored_db(sample_db_path, tmp_path, monkeypatch):
    """The sample tables plus a milestone whose text and evidence try to inject markup."""
    path = tmp_path / "doctored.duckdb"
    shutil.copy(sample_db_path, path)
    add_milestone(
        path,
        milestone_id="M-99",
        title="<b>Bold</b> claim [click](javascript:alert(1))",
        stage=4,
        level="national",
        planned_on="2022-05-01",
        achieved_on="2022-05-02",
        status="achieved",
        outcome="<img src=x onerror=alert(1)>",
        evidence_url="javascript:alert(1)",
    )
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def test_text_and_links_from_the_data_are_never_markup(app, doctored_db):
    at = open_page(app)
    achieved = table(at, "Achieved")
    row = achieved[achieved.Milestone.str.startswith("M-99 ")].iloc[0]
    assert pd.isna(row["Evidence"])
    assert row["Evidence (not a web address)"] == "javascript:alert(1)"
    assert row["Outcome (the change it led to)"] == "<img src=x onerror=alert(1)>"
    markdown = " ".join(getattr(m, "value", "") for m in at.markdown)
    assert "onerror" not in markdown and "javascript:" not in markdown
    # Vega draws text as text: the title reaches the chart as written, never escaped.
    (_, rows), _ = charts(at)
    m99 = by_milestone(rows, "planned")["M-99"]
    assert m99["title"] == "M-99 <b>Bold</b> claim [click](javascript:alert(1))"
    assert m99["row"] == "M-99 <b>Bold</b> claim [click](javascript:aler…"  # shortened
    assert "&lt;" not in json.dumps(rows)


def test_a_date_outside_the_programme_widens_the_timeline(
    app, sample_db_path, tmp_path, monkeypatch
):
    # Vega draws a mark beyond its scale's domain over the row labels, and clipped the
    # milestone would show no date at all: the axis reaches every date drawn.
    path = tmp_path / "early.duckdb"
    shutil.copy(sample_db_path, path)
    add_milestone(
        path,
        milestone_id="M-97",
        title="Planned before the programme began",
        stage=1,
        level="national",
        planned_on="2020-06-01",
        status="planned",
    )
    monkeypatch.setenv("MONITORING_DB", str(path))
    (timeline, rows), _ = charts(open_page(app, full_table=False))
    assert by_milestone(rows, "overdue")["M-97"]["text"] == "OVERDUE 759 days"
    x = layer(timeline, *POINTS)["encoding"]["x"]
    assert x["scale"]["domain"][0] == {"year": 2020, "month": 5, "date": 17, "utc": True}
    assert x["axis"]["values"][0] == {"year": 2020, "month": 7, "date": 1, "utc": True}
    assert x["scale"]["domain"][1] == {"year": 2022, "month": 7, "date": 20, "utc": True}


def test_the_tables_under_the_timeline_and_per_quarter_are_built_when_opened(app):
    at = open_page(app, full_table=False)
    shown = {d.value.columns[0] for d in at.dataframe}
    assert "Stage" not in shown and "Quarter" not in shown  # closed: not built
    labels = [e.label for e in at.expander]
    assert "All 31 milestones of these filters, as a table" in labels
    assert "Per quarter, as a table" in labels
    at.session_state["timeline-table-open"] = True
    at.session_state["per-quarter-open"] = True
    at.run()
    no_exceptions(at)
    assert len(table(at, "Stage")) == 31
    assert table(at, "Quarter").Quarter.iloc[0] == "2021Q1"
    assert {b.label for b in at.get("download_button")} >= {"Download CSV", "Download Excel"}


def test_a_long_achieved_list_is_paged_latest_first_and_downloads_every_row(app, monkeypatch):
    at = open_page(app, full_table=False)
    achieved = table(at, "Achieved")
    assert len(achieved) == 26 and not at.get("pagination")  # one page: no picker
    assert achieved.Achieved.is_monotonic_decreasing  # latest first
    monkeypatch.setattr(ms, "ACHIEVED_PAGE_ROWS", 10)
    at.run()
    no_exceptions(at)
    first = table(at, "Achieved")
    assert len(first) == 10 and first.Achieved.iloc[0] == achieved.Achieved.iloc[0]
    assert any("Achieved milestones 1 to 10 of 26" in c.value for c in at.caption)
    at.get("pagination")[0].set_value(3).run()
    no_exceptions(at)
    last = table(at, "Achieved")
    assert last.Milestone.tolist() == achieved.Milestone.iloc[20:].tolist()
    assert any("21 to 26 of 26" in c.value for c in at.caption)


def timeline_milestones(at) -> set[str]:
    """The milestones on the timeline: the ids its rows name."""
    return set(by_milestone(charts(at)[0][1], "planned"))


def test_the_charts_kept_between_reruns_follow_the_data_the_filters_and_the_language(
    app, sample_db_path, tmp_path, monkeypatch
):
    # The two charts are kept between reruns (ui.common.built), never shown for other data,
    # filters or language than the page's.
    path = tmp_path / "own.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = open_page(app, full_table=False)
    assert "M-98" not in timeline_milestones(at)
    kept = charts(at)
    at.run()
    assert charts(at) == kept, "a rerun draws the same charts"

    add_milestone(
        path,
        milestone_id="M-98",
        title="Added while the page was open",
        stage=2,
        level="regional",
        region_code="UZ-JI",
        planned_on="2022-03-01",
        status="planned",
    )
    at.run()
    no_exceptions(at)
    assert "M-98" in timeline_milestones(at), "the new milestone is drawn at the next rerun"
    per_quarter = charts(at)[1]
    assert per_quarter != kept[1], "the per-quarter chart counts it too"

    at.multiselect(key="status").set_value(["overdue"]).run()
    no_exceptions(at)
    assert timeline_milestones(at) == {"M-23", "M-27", "M-30", "M-98"}

    at.selectbox(key="_language_picker").set_value("ru").run()
    no_exceptions(at)
    words = title(charts(at)[0][0])
    assert "Milestones by stage" not in words and "30 июн. 2022" in words
    assert timeline_milestones(at) == {"M-23", "M-27", "M-30", "M-98"}


def test_the_downloads_hold_each_table_as_shown_with_the_indicators_codes(app, monkeypatch):
    # The downloads are made on click (ui.common.downloads_on_click): each holds the table as
    # shown, its indicator column the code rather than the link behind it, row for row.
    from ui import common

    built = {}
    monkeypatch.setattr(
        common, "downloads_on_click", lambda build, name, key: built.update({name: build()})
    )
    at = open_page(app)
    for name, first in (("milestones", "Stage"), ("milestones_achieved", "Achieved")):
        shown, downloaded = table(at, first), built[name]
        assert downloaded.columns.equals(shown.columns) and len(downloaded) == len(shown) > 0
        links = shown.Indicator.dropna()
        assert links.str.startswith("/indicators?indicator=").all() and len(links) > 0
        codes = links.str.extract(r"indicator=([^&]+)")[0]
        assert downloaded.Indicator[links.index].tolist() == codes.tolist()
        others = shown.drop(columns="Indicator")
        assert downloaded.drop(columns="Indicator").astype(str).equals(others.astype(str))
