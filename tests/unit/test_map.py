"""The regional map's layer data: values on the right regions, no data, organisations,
grant money and the join on ISO 3166-2 codes."""

import json
import math

import pandas as pd
import pydeck as pdk
import pytest

from monitoring.reports import map as map_report
from tests.conftest import indicator_row, insert, value_row, view_of
from ui import map as map_ui


def indicator(code, **kw):
    return indicator_row(code, **{"target": 20, **kw})


value = value_row


REGIONS = [
    dict(region_code="UZ-JI", name_en="Jizzakh", name_uz="Jizzax viloyati", lat=40.35, lon=67.5),
    dict(region_code="UZ-TO", name_en="Tashkent Region", lat=41.23, lon=69.84),
    dict(region_code="UZ-NG", name_en="Namangan", lat=41.08, lon=71.32),
    dict(region_code="UZ-SA", name_en="Samarkand"),  # no centre: the boundary's label point
]


@pytest.fixture
def mapped(db):
    """Three programme regions: Jizzakh and Tashkent region report, Namangan does not."""
    insert(db, "regions", REGIONS)
    insert(
        db,
        "indicators",
        [
            indicator("N1"),  # a count, summed over quarters
            indicator("P1", unit="percent", aggregation="latest", baseline=40, target=60),
            indicator("C1", aggregation="latest", target=4),  # a count without regional targets
        ],
    )
    insert(
        db,
        "indicator_values",
        [
            value("N1", "2021Q1", "UZ-JI", 2, org_id="CSO-1"),
            value("N1", "2021Q2", "UZ-JI", 5),
            value("N1", "2021Q2", "UZ-JI", 3, sex="female"),  # a part of the total: ignored
            value("N1", "2021Q1", "UZ-TO", 3),
            value("N1", "2021Q3", "UZ-TO", 4),  # after the quarters mapped below
            value("P1", "2021Q1", "UZ-JI", 52.5),
            value("P1", "2021Q2", "UZ-JI", 57.0),
            value("P1", "2021Q2", "UZ-TO", 45.0),
            value("C1", "2021Q2", "UZ-JI", 1),
            value("C1", "2021Q2", "UZ-TO", 0),  # zero is a value, not "no data"
        ],
    )
    insert(
        db,
        "indicator_targets",
        [
            dict(indicator_code="N1", period="2021Q2", region_code="UZ-JI", target=10),
            dict(indicator_code="N1", period="2022Q2", region_code="UZ-TO", target=8),
        ],
    )
    return db


def features_by_code(data):
    return {f["properties"]["region_code"]: f["properties"] for f in data.regions}


@pytest.mark.parametrize(
    ("period", "jizzakh", "tashkent"),
    [("2021Q1", 2.0, 3.0), ("2021Q2", 7.0, 3.0), ("2021Q3", 7.0, 7.0)],
)
def test_the_right_value_lands_on_the_right_region(mapped, settings, period, jizzakh, tashkent):
    data = map_report.build_map(mapped, view_of(mapped, settings), settings, "N1", period, "value")
    props = features_by_code(data)
    assert props["UZ-JI"]["value"] == jizzakh
    assert props["UZ-TO"]["value"] == tashkent
    assert props["UZ-NG"]["value"] is None
    assert props["UZ-JI"]["fill"][:3] == map_report.hex_to_rgba(data.scale.colour_of(jizzakh))[:3]
    assert props["UZ-TO"]["fill"][:3] == map_report.hex_to_rgba(data.scale.colour_of(tashkent))[:3]
    assert props["UZ-JI"]["tooltip"].startswith("Jizzakh (UZ-JI) · programme region")
    assert f"N1 up to {period}: {jizzakh:,.0f}" in props["UZ-JI"]["tooltip"]
    labels = {label["region_code"]: label["text"] for label in data.labels}
    assert labels["UZ-JI"] == f"Jizzakh\n{jizzakh:,.0f}"
    assert labels["UZ-NG"] == "Namangan\nno data"


def test_percentages_take_each_regions_latest_value(mapped, settings):
    props = features_by_code(
        map_report.build_map(mapped, view_of(mapped, settings), settings, "P1", "2021Q2", "value")
    )
    assert props["UZ-JI"]["value"] == 57.0
    assert props["UZ-TO"]["value"] == 45.0
    assert props["UZ-JI"]["shown_text"] == "57.0%"


def test_a_region_without_data_is_hatched_and_a_zero_is_coloured(mapped, settings):
    data = map_report.build_map(
        mapped, view_of(mapped, settings), settings, "C1", "2021Q2", "value"
    )
    props = features_by_code(data)
    assert props["UZ-NG"]["hatched"] and props["UZ-NG"]["shown_text"] == "no data"
    assert props["UZ-NG"]["fill"] == map_report.hex_to_rgba(map_report.NO_DATA_FILL)
    assert "C1 up to 2021Q2: no data" in props["UZ-NG"]["tooltip"]
    assert not props["UZ-TO"]["hatched"]
    assert props["UZ-TO"]["fill"][:3] == map_report.hex_to_rgba(data.scale.colours[0])[:3]
    assert data.hatches and {h["region_code"] for h in data.hatches} == {"UZ-NG"}
    # Regions outside the programme are faint, never hatched.
    assert not props["UZ-SA"]["hatched"] and props["UZ-SA"]["fill"][3] < 255


@pytest.mark.parametrize(
    ("code", "region", "percent", "basis"),
    [
        ("N1", "UZ-JI", 70.0, "period"),  # 7 of its 2021Q2 target of 10
        ("N1", "UZ-TO", 37.5, "end"),  # 3 of its end-of-programme target of 8
        ("P1", "UZ-JI", 95.0, "programme"),  # 57% of the programme's 60%
        ("C1", "UZ-JI", None, "none"),  # a count without a regional target
    ],
)
def test_percent_of_target_uses_the_regions_target(mapped, settings, code, region, percent, basis):
    values = map_report.region_values(mapped, settings, "2021Q2", code)
    row = values.set_index("region_code").loc[region]
    assert row.target_basis == basis
    if percent is None:
        assert pd.isna(row.percent_of_target)
    else:
        assert row.percent_of_target == pytest.approx(percent)
    props = features_by_code(
        map_report.build_map(
            mapped, view_of(mapped, settings), settings, code, "2021Q2", "percent_of_target"
        )
    )
    assert props[region]["shown"] == (None if percent is None else pytest.approx(percent))
    assert props[region]["hatched"] == (percent is None)


def test_a_viewers_scope_limits_every_figure(mapped, settings):
    # P1 is a percentage (no count of people): only the scope changes what is shown.
    data = map_report.build_map(
        mapped, view_of(mapped, settings, ["UZ-JI"]), settings, "P1", "2021Q2", "value"
    )
    everything = map_report.build_map(
        mapped, view_of(mapped, settings), settings, "P1", "2021Q2", "value"
    )
    props = features_by_code(data)
    assert props["UZ-JI"]["value"] == features_by_code(everything)["UZ-JI"]["value"] == 57.0
    assert features_by_code(everything)["UZ-TO"]["value"] is not None
    assert props["UZ-TO"]["value"] is None
    assert set(data.region_table.Code) == {"UZ-JI"}
    assert map_report.region_summary(
        mapped, view_of(mapped, settings, ["UZ-JI"]), settings, "2021Q2", "UZ-TO"
    ).empty


@pytest.fixture
def organisations(mapped):
    insert(
        mapped,
        "organisations",
        [
            dict(
                org_id="CSO-1", name="Located", kind="cso", region_code="UZ-JI", lat=40.2, lon=67.8
            ),
            dict(org_id="CSO-2", name="Alone", kind="cso", region_code="UZ-TO"),
            dict(org_id="CG-1", name="First", kind="community_group", region_code="UZ-NG"),
            dict(org_id="CG-2", name="Second", kind="community_group", region_code="UZ-NG"),
            dict(org_id="AUTH-1", name="Far", kind="authority", region_code="UZ-SA"),
        ],
    )
    insert(
        mapped,
        "exchange_rates",
        [dict(currency="UZS", month="2021-05", per_usd=10500)],
    )
    insert(
        mapped,
        "grants",
        [
            dict(grant_id="G-1", org_id="CSO-1", title="t", awarded_on="2021-04-10", amount=1000,
                 currency="USD", status="active"),
            dict(grant_id="G-2", org_id="CSO-1", title="t", awarded_on="2021-05-02",
                 amount=2_100_000, currency="UZS", status="active"),
            dict(grant_id="G-3", org_id="CSO-2", title="t", awarded_on="2021-04-01", amount=500,
                 currency="USD", status="cancelled"),
            dict(grant_id="G-4", org_id="CG-1", title="t", awarded_on="2021-06-01",
                 amount=3_000_000, currency="UZS", status="active"),
        ],
    )  # fmt: skip
    insert(
        mapped,
        "transactions",
        [
            dict(transaction_id="T1", grant_id="G-1", date="2021-04-15", kind="disbursement",
                 amount=600, currency="USD", budget_line="4.1"),
            dict(transaction_id="T2", grant_id="G-2", date="2021-05-20", kind="disbursement",
                 amount=1_050_000, currency="UZS", budget_line="4.1"),
            dict(transaction_id="T3", grant_id="G-1", date="2021-06-20", kind="refund",
                 amount=50, currency="USD", budget_line="4.1"),
            dict(transaction_id="T4", grant_id="G-1", date="2021-07-05", kind="disbursement",
                 amount=400, currency="USD", budget_line="4.1"),  # after 2021Q2
            dict(transaction_id="T5", grant_id="G-4", date="2021-06-05", kind="disbursement",
                 amount=1_000_000, currency="UZS", budget_line="4.1"),  # no rate for June
            dict(transaction_id="T6", grant_id="G-1", date="2021-04-16", kind="expenditure",
                 amount=300, currency="USD", budget_line="4.1"),  # spending, not money received
        ],
    )  # fmt: skip
    return mapped


def test_organisations_without_coordinates_are_placed_at_their_regions_centre(
    organisations, settings
):
    data = map_report.build_map(
        organisations, view_of(organisations, settings), settings, "N1", "2021Q2", "value"
    )
    points = {p["org_id"]: p for p in data.organisations}
    assert points["CSO-1"]["position"] == [67.8, 40.2]
    assert points["CSO-2"]["position"] == [69.84, 41.23]  # the regions table's centre
    for org in ("CG-1", "CG-2"):  # two share Namangan's centre: spread on a small ring
        lon, lat = points[org]["position"]
        assert math.dist((lon, lat), (71.32, 41.08)) == pytest.approx(
            map_report.UNLOCATED_SPREAD_DEG
        )
    assert points["CG-1"]["position"] != points["CG-2"]["position"]
    samarkand = map_report.boundary_properties(map_report.load_boundaries())["UZ-SA"]
    assert points["AUTH-1"]["position"] == [samarkand["label_lon"], samarkand["label_lat"]]
    assert "region's centre" in points["CSO-2"]["tooltip"]
    assert "region's centre" not in points["CSO-1"]["tooltip"]
    assert points["CSO-2"]["fill"][:3] == [255, 255, 255]  # hollow
    table = data.organisation_table
    location = dict(zip(table.Organisation, table.Location, strict=True))
    assert location == {
        "Located": "coordinates",
        "Alone": "region's centre",
        "First": "region's centre",
        "Second": "region's centre",
        "Far": "region's centre",
    }


def test_grant_money_received_is_in_us_dollars_up_to_the_quarters_end(organisations, settings):
    points = map_report.organisation_points(organisations, settings, "2021Q2").set_index("org_id")
    # 600 USD + 1,050,000 UZS at 10,500 per USD - 50 USD refunded; July's 400 comes later.
    assert points.at["CSO-1", "received_usd"] == pytest.approx(650.0)
    assert points.at["CSO-1", "awarded_usd"] == pytest.approx(1200.0)
    assert points.at["CSO-1", "grants_awarded"] == 2
    assert points.at["CSO-2", "grants_awarded"] == 0  # its only grant was cancelled
    assert points.at["CG-1", "amounts_without_rate"] == 2  # June has no UZS rate
    data = map_report.build_map(
        organisations, view_of(organisations, settings), settings, "N1", "2021Q2", "value"
    )
    radius = {p["org_id"]: p["radius"] for p in data.organisations}
    assert radius["CSO-1"] == map_report.MAX_RADIUS_PX  # received the most
    assert radius["CSO-2"] == map_report.MIN_RADIUS_PX  # received nothing
    assert data.amounts_without_rate == 2
    assert data.region_totals("UZ-JI") == (1, pytest.approx(650.0))


def test_latest_values_of_an_organisation_are_in_its_tooltip(organisations, settings):
    data = map_report.build_map(
        organisations, view_of(organisations, settings), settings, "N1", "2021Q2", "value"
    )
    tooltip = next(p["tooltip"] for p in data.organisations if p["org_id"] == "CSO-1")
    assert "Latest values: N1: 2 (2021Q1)" in tooltip
    assert "Grants: 2 awarded, 1,200 USD; received 650 USD" in tooltip


def test_region_codes_that_do_not_match_the_boundaries_are_reported_not_dropped(mapped, settings):
    insert(mapped, "regions", [dict(region_code="UZ-XX", name_en="Atlantis")])
    insert(mapped, "indicator_values", [value("N1", "2021Q2", "UZ-XX", 9)])
    mapped.connection().execute(
        "update regions set name_en = 'Bukhara' where region_code = 'UZ-SA'"
    )
    data = map_report.build_map(
        mapped, view_of(mapped, settings), settings, "N1", "2021Q2", "value"
    )
    not_on_map = {u.code: u for u in data.match.not_on_map}
    assert "UZ-XX" in not_on_map
    assert "not in the boundary file" in not_on_map["UZ-XX"].reason
    assert [u.code for u in data.match.names_differ] == ["UZ-SA"]
    assert "Bukhara" in data.match.names_differ[0].reason
    table = data.region_table.set_index("Code")
    assert table.at["UZ-XX", "Value up to 2021Q2"] == "9"
    assert table.at["UZ-XX", "On the map"].startswith("no")
    assert "UZ-XX" in map_report.region_names(mapped, settings)


def test_boundaries_missing_from_the_regions_table_are_listed(mapped, settings):
    boundaries = map_report.load_boundaries()
    codes = map_report.region_codes(mapped)
    match = map_report.match_regions(boundaries, codes, settings.programme.regions)
    assert {u.code for u in match.not_in_regions_table} == set(match.on_map) - {
        r["region_code"] for r in REGIONS
    }
    assert match.problems == []
    assert len(match.on_map) == 14


@pytest.mark.parametrize(
    ("values", "unit", "measure", "edges", "step_of"),
    [
        ([44, 31, 36], "number", "value", (0, 10, 20, 30, 40, 50), {44: 4, 31: 3, 30: 3, 50: 4}),
        ([7, 6, 0], "number", "value", (0, 2, 4, 6, 8), {0: 0, 6: 3, 8: 3}),
        ([0], "number", "value", (0, 1), {0: 0}),
        ([63.5, 64.9], "percent", "value", tuple(range(0, 101, 10)), {63.5: 6, 100: 9}),
        ([20, 140], "number", "percent_of_target", map_report.PERCENT_OF_TARGET_EDGES,
         {20: 0, 25: 1, 99.9: 3, 100: 4, 140: 4}),
    ],
)  # fmt: skip
def test_colour_scale_starts_at_zero_and_keeps_each_step_with_its_lower_edge(
    values, unit, measure, edges, step_of
):
    scale = map_report.colour_scale(values, measure, unit, "t")
    assert scale.edges == pytest.approx(edges)
    assert len(scale.colours) == len(scale.labels) == len(edges) - 1
    for v, step in step_of.items():
        assert scale.step_of(v) == step
    assert scale.step_of(None) is None and scale.colour_of(float("nan")) is None


def test_palette_runs_from_light_to_dark():
    colours = map_report.palette(5)
    lightness = [sum(map_report.hex_to_rgba(c)[:3]) for c in colours]
    assert lightness == sorted(lightness, reverse=True)
    assert colours[0] == map_report.VIRIDIS[0] and colours[-1] == map_report.VIRIDIS[-1]


def test_hatching_stays_inside_the_region():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    lines = map_report.hatch_lines(square, spacing=0.1)
    assert len(lines) == 20
    for (x1, y1), (x2, y2) in lines:
        assert x1 - y1 == pytest.approx(x2 - y2)  # 45° lines
        for x, y in ((x1, y1), (x2, y2)):
            assert -1e-9 <= x <= 1 and -1e-9 <= y <= 1


def test_the_view_fits_the_programme_regions():
    view = map_report.fit_view((66.6, 39.5, 72.2, 42.3), width=520, height=540)
    for lon, lat in [(66.6, 39.5), (72.2, 42.3)]:
        x, y = map_report.pixel_of(view, lon, lat, 520, 540)
        assert 0 <= x <= 520 and 0 <= y <= 540
    assert map_report.pixel_of(view, view["longitude"], view["latitude"], 520, 540) == (
        pytest.approx(260),
        pytest.approx(270),
    )


def test_region_summary_lists_every_indicator_for_one_region(mapped, settings):
    summary = map_report.region_summary(
        mapped, view_of(mapped, settings), settings, "2021Q2", "UZ-NG"
    )
    assert list(summary.Indicator) == ["C1", "N1", "P1"]
    assert set(summary["Value up to 2021Q2"]) == {"no data"}
    jizzakh = map_report.region_summary(
        mapped, view_of(mapped, settings), settings, "2021Q2", "UZ-JI"
    ).set_index("Indicator")
    assert jizzakh.at["N1", "% of target"] == "70%"
    assert jizzakh.at["C1", "% of target"] == "—"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(64.94, "percent", "64.9%"), (1234, "number", "1,234"), (12.5, "number", "12.5"),
     (None, "number", "no data"), (float("nan"), "percent", "no data")],
)  # fmt: skip
def test_values_are_written_as_people_read_them(value, unit, text):
    assert map_report.format_value(value, unit) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(70.0, "70%"), (99.8, "99.8%"), (99.4, "99%"), (100.0, "100%"), (125.7, "126%"), (None, "—")],
)
def test_percent_of_target_is_never_rounded_up_to_100(value, text):
    assert map_report.format_percent(value) == text


@pytest.mark.parametrize("regions", [None, ["UZ-JI"], ["UZ-NG", "UZ-SA"]])
def test_one_money_query_gives_what_one_per_level_gave(organisations, settings, regions):
    """build_map reads map_grant_money.sql once for both levels: the same rows as reading
    it for each level (its $regions narrows the region rows only)."""
    rows = map_report.money_rows(organisations, settings, "2021Q2", regions)
    pd.testing.assert_frame_equal(
        map_report.region_activity(organisations, settings, "2021Q2", regions, rows),
        map_report.region_activity(organisations, settings, "2021Q2", regions),
    )
    pd.testing.assert_frame_equal(
        map_report.organisation_points(organisations, settings, "2021Q2", regions, money=rows),
        map_report.organisation_points(organisations, settings, "2021Q2", regions),
    )


def test_latest_values_written_once_read_the_same(organisations, settings):
    """build_map writes each organisation's latest values once (tooltip and table row) and
    each distinct value once: the same text as writing every value on its own."""
    data = map_report.build_map(
        organisations, view_of(organisations, settings), settings, "N1", "2021Q2", "value"
    )
    points = map_report.organisation_points(organisations, settings, "2021Q2")
    one_by_one = [map_report._latest_values_text(v) for v in points.latest_values]
    assert map_report.latest_values_texts(points) == one_by_one
    table = data.organisation_table.set_index("Organisation")
    names = dict(zip(points.name, one_by_one, strict=True))
    assert table["Latest values"].to_dict() == names
    placed = map_report.place_organisations(points, map_report.load_boundaries())
    assert data.organisations == map_report.organisation_records(placed)


def test_the_decks_json_is_pydecks_without_indentation(organisations, settings):
    """CompactDeck writes pydeck's JSON in one pass: the same as pydeck's indented JSON
    parsed and written again compactly (the map's old way)."""
    data = map_report.build_map(
        organisations, view_of(organisations, settings), settings, "N1", "2021Q2", "value"
    )
    deck = map_ui.deck(data)
    old = json.dumps(json.loads(pdk.Deck.to_json(deck)), separators=(",", ":"))
    assert deck.to_json() == old
