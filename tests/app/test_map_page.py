"""The regional map page in AppTest, over the sample database."""

import json

import pytest

from monitoring import regional
from tests.app.conftest import no_exceptions

PROGRAMME = {"UZ-JI", "UZ-TO", "UZ-NG"}


def open_map(app, **params):
    for key, value in params.items():
        app.query_params[key] = value
    at = app.switch_page("views/map.py").run()
    no_exceptions(at)
    return at


def deck_spec(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def region_properties(at) -> dict:
    layer = next(layer for layer in deck_spec(at)["layers"] if layer["id"] == "regions")
    return {f["properties"]["region_code"]: f["properties"] for f in layer["data"]["features"]}


def selectbox(at, label):
    return next(s for s in at.selectbox if s.label == label)


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [w.value for w in at.warning]
    return "\n".join(parts)


def test_the_map_colours_the_three_programme_regions_offline(app):
    at = open_map(app, indicator="OC1.2")
    assert at.title[0].value == "Regional map"
    spec = deck_spec(at)
    assert not spec.get("mapProvider") and not spec.get("mapStyle")  # no basemap tiles
    props = region_properties(at)
    assert len(props) == 14
    no_data = regional.hex_to_rgba(regional.NO_DATA_FILL)
    for code in PROGRAMME:
        assert props[code]["value"] is not None, code
        assert props[code]["fill"] != no_data and props[code]["fill"][3] > 200, code
    faint = regional.hex_to_rgba(regional.CONTEXT_FILL)[:3]
    for code, p in props.items():
        if code not in PROGRAMME:  # the others are drawn faintly, with thin outlines
            assert p["fill"][:3] == faint, code
            assert p["line_width"] < props["UZ-JI"]["line_width"], code
    assert "Natural Earth" in texts(at)  # the boundaries' attribution


def test_the_legend_states_the_scale_and_the_unit(app):
    at = open_map(app, indicator="G1", period="2022Q1")
    legend = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "Colour:" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    assert legend["layout"]["title"]["text"] == "Colour: G1: latest value up to 2022Q1 (%)"
    labels = legend["data"][0]["y"]
    assert "90% to 100%" in labels and "0% to under 10%" in labels and "no data" in labels


def test_percent_of_target_is_coloured_against_the_regions_targets(app):
    at = open_map(app, indicator="OC1.1", measure="% of target", period="2021Q4")
    assert at.radio[0].value == "% of target"
    table = at.dataframe[0].value.set_index("Code")
    # 2021Q4 has a target per region in the sample (Jizzakh 6, Tashkent region 3, Namangan 3).
    assert table.at["UZ-JI", "Target"] == "6"
    assert table.at["UZ-JI", "Target used"] == "the region's target for 2021Q4"
    props = region_properties(at)
    shown = float(table.at["UZ-JI", "% of target"].rstrip("%"))
    assert props["UZ-JI"]["shown"] == pytest.approx(shown, abs=0.5)


def test_filters_come_from_the_url_and_a_region_from_the_url_opens_its_panel(app):
    at = open_map(app, indicator="OC2.2", period="2021Q4", region="UZ-NG")
    assert selectbox(at, "Indicator").value == "OC2.2"
    assert selectbox(at, "Quarter").value == "2021Q4"
    assert selectbox(at, "Region").value == "UZ-NG"
    text = texts(at)
    assert "Namangan (UZ-NG)" in text
    assert "Organisations in Namangan" in text
    assert region_properties(at)["UZ-NG"]["line_width"] == 4  # the selected region stands out
    summary = next(df.value for df in at.dataframe if "Indicator" in df.value.columns)
    assert len(summary) == 12 and "OC2.2" in set(summary.Indicator)
    at.button(key="clear-region").click().run()
    no_exceptions(at)
    assert selectbox(at, "Region").value is None
    assert "Organisations in Namangan" not in texts(at)
    assert selectbox(at, "Indicator").value == "OC2.2"  # the other choices stay


def test_choices_are_written_back_to_the_url(app):
    at = open_map(app)
    selectbox(at, "Indicator").set_value("OC3.1").run()
    selectbox(at, "Region").set_value("UZ-TO").run()
    no_exceptions(at)
    assert at.query_params["indicator"] in ("OC3.1", ["OC3.1"])
    assert at.query_params["region"] in ("UZ-TO", ["UZ-TO"])
    assert "Tashkent Region (UZ-TO)" in texts(at)
    at.button(key="clear-region").click().run()
    assert "region" not in at.query_params
    assert "Tashkent Region (UZ-TO)" not in texts(at)


@pytest.mark.parametrize(
    ("param", "bad"),
    [("indicator", "XX9"), ("period", "2031Q9"), ("region", "UZ-ZZ"), ("measure", "colour")],
)
def test_an_unknown_choice_in_the_url_is_ignored_with_a_notice(app, param, bad):
    at = open_map(app, **{param: bad})
    assert any(bad in w.value and "ignored" in w.value for w in at.warning)
    assert selectbox(at, "Indicator").value == "G1"


def test_a_basemap_can_be_switched_on(app):
    at = open_map(app)
    next(t for t in at.toggle if t.label.startswith("Show a basemap")).set_value(True).run()
    assert deck_spec(at)["mapProvider"] == "carto"
    assert any("CARTO" in c.value for c in at.caption)


def test_organisations_are_listed_with_those_without_coordinates_flagged(app):
    at = open_map(app)
    layer = next(layer for layer in deck_spec(at)["layers"] if layer["id"] == "organisations")
    assert len(layer["data"]) == 35
    orgs = next(df.value for df in at.dataframe if "Organisation" in df.value.columns)
    unlocated = orgs[orgs.Location != "coordinates"]
    assert set(unlocated.Organisation) == {
        "Yangi Qadam",
        "Bonu",
        "Pop district youth volunteers",
        "Bekobod returnee families support group",
    }
    assert at.get("download_button"), "the tables can be downloaded"
