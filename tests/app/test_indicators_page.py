"""The outcome indicators page in-process: the tracking table, filters from the URL, detail."""

import json

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.reports import exports
from tests.app.conftest import no_exceptions
from tests.conftest import add_test_accounts
from ui import common

PAGE = "views/indicators.py"


def open_page(app, **params):
    for key, value in params.items():
        app.query_params[key] = value
    at = app.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    return at


def tracking_table(at) -> pd.DataFrame:
    return at.dataframe[0].value


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


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
    titles = chart_titles(at)
    assert titles[0] == "OC1.2: actual against target by quarter (number)"
    assert any("by sex" in t for t in titles) and any("by age group" in t for t in titles)
    metric = next(m for m in at.metric if m.label == "Actual to 2021Q4")
    assert metric.value == "86"  # 18 + 38 + 30 people trained by the end of 2021


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
    frames = [d.value for d in at.dataframe]
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
    titles = chart_titles(at)
    assert titles[0] == "OC3.4: actual against target by quarter (%)"
    assert any("by age group" in t for t in titles)
    assert not any("by sex" in t for t in titles)  # OC3.4 is reported by age group only


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
    """Everything the page shows: text, tables, charts, choices (and the notices)."""
    parts = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in at.get(kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
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
    sex = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "by sex" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    bars = {trace["name"]: dict(zip(trace["x"], trace["y"], strict=True)) for trace in sex["data"]}
    assert bars["Men and boys"]["2021Q2"] is None  # 4 men: not drawn, and not as zero
    assert bars["Women and girls"]["2021Q2"] is None  # else 18 - 14 gives the men away
    assert bars["Total reported"]["2021Q2"] is None  # hidden in the table: a gap here too
    assert any("hidden to protect the people counted" in c.value for c in at.caption)
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
    assert any("Comment" in d.value.columns for d in at.dataframe)
