"""The grant spending page in-process: headline figures, filters from the URL, flags."""

import json
import shutil

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.db import Database, close_all
from monitoring.settings import ROOT
from tests.app import lazy_parts
from tests.app.conftest import no_exceptions
from tests.conftest import account_name
from tests.i18n_support import vega_charts
from ui import vega
from ui.access import USER_KEY

PAGE = "views/grants.py"


def open_page(app, **params):
    for key, value in params.items():
        app.query_params[key] = value
    at = app.run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    return at


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def chart_titles(at) -> list[str]:
    return [vega.title_of(spec) for spec, _ in vega_charts(at)]


def table_with(at, column) -> pd.DataFrame:
    return lazy_parts.table(at, column)


def warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_the_page_shows_budget_spending_and_grants_in_usd(app):
    at = open_page(app)
    assert at.title[0].value == "Grant spending"
    assert "as of **30 June 2022**" in at.caption[0].value
    assert metric(at, "Budget (USD)").value == "525,000"
    assert metric(at, "Spent (USD)").value == "454,975"
    assert metric(at, "Burn rate").value == "0.87"
    assert metric(at, "Burn rate").delta == "✔ On pace"
    titles = chart_titles(at)
    assert "Cumulative spending against the budget plan (USD)" in titles
    assert any(t.startswith("Small grants: awarded, disbursed and spent (USD)") for t in titles)
    by_line = table_with(at, "Budget line")
    assert {"Variance (USD)", "Variance %", "Burn rate", "Against plan"} <= set(by_line.columns)
    labels = [b.proto.label for b in at.get("download_button")]
    # The open tab of each tab set (by category, each grant) with its downloads; the others
    # are built when their tab is opened.
    assert labels.count("Download CSV") == 2 and labels.count("Download Excel") == 2


def test_only_the_open_tab_of_each_tab_set_is_built(app):
    at = open_page(app)
    assert [t.label for t in at.tabs] == [
        "By category",
        "By budget line",
        "By quarter",
        "Each grant",
        "By region",
        "By grantee",
    ]
    shown = {d.value.columns[0] for d in at.dataframe}
    assert {"Category", "Grant"} <= shown
    assert not {"Budget line", "Quarter", "Region", "Grantee"} & shown
    at.session_state["budget-tab"] = "By quarter"
    at.session_state["grants-tab"] = "By region"
    at.run()
    no_exceptions(at)
    shown = {d.value.columns[0] for d in at.dataframe}
    assert {"Quarter", "Region"} <= shown and not {"Category"} & shown
    assert table_with(at, "Quarter").Quarter.iloc[0] == "2021Q1"
    assert table_with(at, "Grants").Grants.sum() == 11  # 12 grants, the cancelled one left out
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == 2 and labels.count("Download Excel") == 2


def test_the_s_curve_marks_the_reporting_date(app):
    at = open_page(app, as_of="2021Q4")
    spec, rows = vega_charts(at)[0]
    assert chart_titles(at)[0] == "Cumulative spending against the budget plan (USD)"
    assert [c.proto.alt for c in at.get("vega_lite_chart")] == chart_titles(at)  # screen readers
    rule, label = (layer for layer in spec["layer"] if "data" in layer)  # the reporting date
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"][0]["at"] == "2021-12-31"
    assert label["data"]["values"][0]["text"] == "Reporting date 31 Dec 2021"
    spent = [r for r in rows if r["series"] == "Spent (cumulative)"]
    assert len(spent) == 1 + 4  # the start, then 2021Q1 to 2021Q4: no later spending
    assert spent[-1]["when"] == "2021-12-31"
    # Told apart by dash and shape too, not by colour alone.
    line, points = spec["layer"][:2]
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[6, 4], [1, 0]]
    assert points["encoding"]["shape"]["scale"]["range"] == ["square", "circle"]


def test_a_categorys_share_is_written_clear_of_the_time_elapsed_line(app):
    """Each category's share spent is written beyond its bar, unless the time-elapsed line
    (100 % at the sample's end) would run through it there: then inside the bar's end."""
    at = open_page(app)
    spec, rows = vega_charts(at)[1]
    spent = {r["label"].split("\n")[0]: r for r in rows if r["measure"] == "Spent"}
    line = next(layer["data"]["values"][0]["at"] for layer in spec["layer"] if "data" in layer)
    assert line == 100
    inside = {name for name, r in spent.items() if r["inside"]}
    assert inside == {name for name, r in spent.items() if 75 <= r["share"] < 100}
    assert {"research", "staff"} <= inside  # 94 %: outside, the line crossed "94 %"
    assert not spent["advocacy"]["inside"]  # 124 %: beyond the line, outside
    texts = [
        layer for layer in spec["layer"] if layer["mark"]["type"] == "text" and "transform" in layer
    ]
    assert [t["mark"]["align"] for t in texts] == ["left", "right"]


def test_flagged_grants_are_named_with_icon_and_words(app):
    at = open_page(app)
    assert "2 grant(s) need a look" in warnings(at)
    flagged = table_with(at, "Flags")
    flags = dict(zip(flagged.Grant, flagged.Flags, strict=True))
    assert flags["G-01"] == "▲ Spent beyond the award by 450.00 USD"
    assert flags["G-09"].startswith("◷ No spending reported since a disbursement 135 days")
    grants = table_with(at, "Awarded on")
    assert grants.Grant.tolist()[:2] == ["G-01", "G-09"]  # flagged grants first
    assert "✖ Cancelled" in set(grants.Status)


def test_grants_awarded_by_the_reporting_date_are_shown(app):
    grants = table_with(open_page(app, as_of="2022Q1"), "Awarded on")
    assert "G-11" in set(grants.Grant)  # awarded 1 March 2022


def test_an_earlier_reporting_date_ignores_later_grants_and_spending(app):
    at = open_page(app, as_of="2021Q4")
    grants = table_with(at, "Awarded on")
    assert "G-11" not in set(grants.Grant)
    assert metric(at, "Spent (USD)").value == "285,638"
    # G-09's disbursement of 15 February 2022 lies after the date: nothing flagged for it
    assert not grants.Flags.str.contains("◷").any()


def test_uzs_on_request_from_the_url(app):
    at = open_page(app, currency="UZS")
    assert metric(at, "Budget (mln UZS)").value == "5,652.6"
    assert "Cumulative spending against the budget plan (mln UZS)" in chart_titles(at)
    assert "Spent (UZS)" in table_with(at, "Budget line").columns
    assert at.selectbox(key="currency").value == "UZS"


def test_region_filter_from_the_url_limits_the_grants_not_the_budget(app):
    at = open_page(app, region="Namangan")
    assert metric(at, "Budget (USD)").value == "525,000"
    grants = table_with(at, "Awarded on")
    assert set(grants.Region) == {"Namangan"}
    assert set(table_with(at, "Organisation ID").Grantee) == {
        "Bog'ishamol mahalla women's committee",
        "Chust community security working group",
        "Pop district youth volunteers",
    }


def test_category_and_quarter_filters_from_the_url(app):
    at = open_page(app, category="grants", **{"from": "2021Q3", "to": "2021Q4"})
    by_line = table_with(at, "Budget line")
    assert by_line["Budget line"].tolist() == ["4.1"]
    assert metric(at, "Budget (USD)").value == "55,000"
    quarters = table_with(at, "Quarter")
    assert quarters.Quarter.tolist() == ["2021Q3", "2021Q4"]


def test_malformed_parameters_are_ignored_with_a_notice(app):
    at = open_page(app, currency="EUR", region=["Namangan", "Atlantis", "UZ-JI"], foo="1")
    text = warnings(at)
    assert "**Currency** as `EUR`" in text
    assert "**Region** as `Atlantis`, `UZ-JI`" in text
    assert "`foo`, which this page does not use" in text
    assert metric(at, "Budget (USD)").value == "525,000"
    assert set(table_with(at, "Awarded on").Region) == {"Namangan"}


def test_a_reversed_quarter_range_is_swapped_with_a_notice(app):
    at = open_page(app, **{"from": "2022Q1", "to": "2021Q3"})
    assert "showing 2021Q3 to 2022Q1 instead" in warnings(at)
    assert table_with(at, "Quarter").Quarter.tolist() == ["2021Q3", "2021Q4", "2022Q1"]


def test_the_rules_are_explained_with_the_configured_thresholds(app):
    at = open_page(app)
    text = " ".join(m.value for m in at.markdown)
    assert "below 0.80" in text and "above 1.10" in text
    assert "90 days or more" in text


@pytest.fixture
def app_without_may_2021_rate(sample_db_path, tmp_path, monkeypatch):
    """The dashboard over a copy of the sample data whose UZS rate for May 2021 is missing."""
    path = tmp_path / "no-may-rate.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    with db.transaction() as cur:
        cur.execute("delete from exchange_rates where month = '2021-05'")
    db.close()
    monkeypatch.setenv("MONITORING_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    close_all()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[USER_KEY] = account_name("manager")
    yield at
    close_all()


def test_an_amount_without_a_rate_is_listed_and_left_out_never_guessed(
    app_without_may_2021_rate,
):
    at = open_page(app_without_may_2021_rate)
    assert "1 transaction(s) and 0 budget row(s) cannot be shown in USD" in warnings(at)
    # T-0014, 38,500,000 UZS on 15 May 2021 (3,652.71 USD at the May rate) is left out
    assert metric(at, "Spent (USD)").value == "451,322"
    missing = table_with(at, "Rate needed for")
    assert missing.Reference.tolist() == ["T-0014"]
    assert missing["Rate needed for"].tolist() == ["2021-05"]


def test_a_chart_of_many_grants_shows_the_flagged_then_the_largest(app, monkeypatch):
    from monitoring.reports import grants as grants_report

    monkeypatch.setattr(grants_report, "GRANT_BARS", 4)
    at = open_page(app)
    notice = [i.value for i in at.info if "The chart shows" in i.value]
    assert notice == [
        "The chart shows 4 of 12 grants: those that need a look first, then the largest "
        "awards. The table of grants below lists them all."
    ]
    rows = next(
        rows for spec, rows in vega_charts(at) if vega.title_of(spec).startswith("Small grants")
    )
    labels = list(dict.fromkeys(r["grant"] for r in rows))
    assert len(labels) == 4
    assert len(rows) == 3 * 4  # awarded, disbursed and spent of each
    flagged = table_with(at, "Flags").Grant.tolist()  # the grants that need a look
    assert all(any(label.startswith(g) for label in labels) for g in flagged)
    assert len(table_with(at, "Awarded on")) == 12  # the table keeps every grant


def test_the_charts_follow_the_currency_and_the_filters(app):
    # The S-curve, the categories' bars and the grants' bars: never shown for another
    # currency or other filters than the page's.
    at = open_page(app)
    usd = vega_charts(at)
    at.run()
    assert vega_charts(at) == usd, "a rerun draws the same charts"
    assert not at.get("plotly_chart"), "the page loads no plotly (docs/benchmarks.md)"

    at.selectbox(key="currency").set_value("UZS").run()
    no_exceptions(at)
    titles = chart_titles(at)
    assert "Cumulative spending against the budget plan (mln UZS)" in titles
    assert any(t.startswith("Small grants: awarded, disbursed and spent (mln UZS)") for t in titles)

    grants_before = json.dumps(vega_charts(at)[-1][1], ensure_ascii=False)
    at.multiselect(key="region").set_value(["UZ-NG"]).run()
    no_exceptions(at)
    grants_after = json.dumps(vega_charts(at)[-1][1], ensure_ascii=False)
    assert grants_after != grants_before, "the grants' bars follow the region picked"
    shown = set(table_with(at, "Awarded on").Grant)
    assert all(grant in grants_after for grant in shown)
