"""The milestones page in-process (AppTest) over the sample tables and a doctored copy."""

import json
import shutil

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.reports import milestones as ms
from tests.app.conftest import no_exceptions
from tests.conftest import insert


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


def figures(at):
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_the_page_shows_achieved_against_due_and_what_is_overdue(app):
    at = open_page(app)
    assert at.title[0].value == "Advocacy milestones"
    assert metric(at, "Achieved").value == "26 of 30 due"
    overdue = metric(at, "Overdue")
    assert overdue.value == "3"
    assert overdue.delta == "longest: 149 days late"


def test_the_timeline_marks_delays_with_shape_and_days_and_the_reporting_date(app):
    at = open_page(app)
    timeline, per_quarter = figures(at)
    assert "as of 30 Jun 2022" in timeline["layout"]["title"]["text"]
    traces = {t.get("name"): t for t in timeline["data"]}
    overdue = traces["▶ Overdue at the reporting date"]
    assert overdue["marker"]["symbol"] == "triangle-right"
    assert "<b>OVERDUE 149 days</b>" in overdue["text"]
    late = traces["◆ Achieved late"]
    assert late["marker"]["symbol"] == "diamond"
    assert "75 days late" in late["text"]  # M-22, planned 31 Oct 2021, achieved 14 Jan 2022
    line = timeline["layout"]["shapes"][0]
    assert line["x0"].startswith("2022-06-30") and line["x0"] == line["x1"]
    assert "(number)" in per_quarter["layout"]["title"]["text"]


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
    assert metric(at, "Achieved").value == "2 of 3 due"  # M-01, M-28 achieved; M-31 due
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
    assert metric(at, "Achieved").value == "26 of 30 due"


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


@pytest.fixture
def doctored_db(sample_db_path, tmp_path, monkeypatch):
    """The sample tables plus a milestone whose text and evidence try to inject markup."""
    path = tmp_path / "doctored.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    insert(
        db,
        "milestones",
        [
            dict(
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
        ],
    )
    new_data_version(db)  # so no cached result is reused
    db.close()
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
    timeline = figures(at)[0]
    hover = json.dumps([t.get("customdata") for t in timeline["data"]])
    assert "&lt;b&gt;Bold&lt;/b&gt;" in hover and "<b>Bold" not in hover
    rows = json.dumps([t["y"] for t in timeline["data"]])
    assert "M-99 &lt;b&gt;Bold&lt;/b&gt;" in rows and "<b>Bold" not in rows


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
    """The milestones on the timeline: the ids its hover texts name."""
    planned = next(t for t in figures(at)[0]["data"] if t.get("customdata"))
    return {row[0].split()[0] for row in planned["customdata"]}


def test_the_charts_kept_between_reruns_follow_the_data_the_filters_and_the_language(
    app, sample_db_path, tmp_path, monkeypatch
):
    # The two charts are kept between reruns (ui.common.figure), never shown for other data,
    # filters or language than the page's.
    path = tmp_path / "own.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = open_page(app, full_table=False)
    assert "M-98" not in timeline_milestones(at)
    kept = figures(at)
    at.run()
    assert figures(at) == kept, "a rerun draws the same charts"

    db = Database(path)
    try:
        insert(
            db,
            "milestones",
            [
                dict(
                    milestone_id="M-98",
                    title="Added while the page was open",
                    stage=2,
                    level="regional",
                    region_code="UZ-JI",
                    planned_on="2022-03-01",
                    status="planned",
                )
            ],
        )
        new_data_version(db)  # as an upload leaves it
    finally:
        db.close()
    at.run()
    no_exceptions(at)
    assert "M-98" in timeline_milestones(at), "the new milestone is drawn at the next rerun"
    per_quarter = figures(at)[1]
    assert per_quarter != kept[1], "the per-quarter chart counts it too"

    at.multiselect(key="status").set_value(["overdue"]).run()
    no_exceptions(at)
    assert timeline_milestones(at) == {"M-23", "M-27", "M-30", "M-98"}

    at.selectbox(key="_language_picker").set_value("ru").run()
    no_exceptions(at)
    title = figures(at)[0]["layout"]["title"]["text"]
    assert "Milestones by stage" not in title and "30 июн. 2022" in title
    assert timeline_milestones(at) == {"M-23", "M-27", "M-30", "M-98"}
