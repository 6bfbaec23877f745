"""Donor views of the indicators: cells protected once, every figure judged from them."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from monitoring.access import cells as pc
from monitoring.db import Database
from monitoring.periods import period_end, programme_periods
from monitoring.reports import indicators, overview
from monitoring.reports import map as map_report
from tests.conftest import indicator_row as indicator
from tests.conftest import insert, view_of
from tests.conftest import value_row as value

Q1, Q2 = "2021Q1", "2021Q2"
JI, TO, NG = "UZ-JI", "UZ-TO", "UZ-NG"
ALL3 = [JI, TO, NG]


@pytest.fixture
def cells_db(db):
    """PEOPLE (a count, by sex), STOCK (a latest count), RATE (a %), SECRET (sensitive).

    PEOPLE   Q1  Q2  to date      JI in Q2 by sex: women 5, men 3
      JI      3   8   11
      TO     10  12   22
      NG     20   6   26
      all    33  26   59
    """
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in ALL3])
    insert(
        db,
        "indicators",
        [
            indicator("PEOPLE", disaggregation="sex"),
            indicator("STOCK", aggregation="latest", target=30),
            indicator("RATE", unit="percent", aggregation="mean", target=80),
            indicator("SECRET", sensitive=True),
        ],
    )
    insert(
        db,
        "indicator_values",
        [
            value("PEOPLE", Q1, JI, 3),
            value("PEOPLE", Q1, TO, 10),
            value("PEOPLE", Q1, NG, 20),
            value("PEOPLE", Q2, JI, 8),
            value("PEOPLE", Q2, JI, 5, sex="female"),
            value("PEOPLE", Q2, JI, 3, sex="male"),
            value("PEOPLE", Q2, TO, 12),
            value("PEOPLE", Q2, NG, 6),
            # STOCK: Jizzakh 2 then 6; the others report once, in Q1, and keep their value.
            value("STOCK", Q1, JI, 2),
            value("STOCK", Q1, TO, 7),
            value("STOCK", Q1, NG, 9),
            value("STOCK", Q2, JI, 6),
            value("RATE", Q1, JI, 2),
            value("SECRET", Q1, JI, 1),
        ],
    )
    return db


@pytest.fixture
def cells(cells_db, settings):
    return pc.indicator_cells(cells_db, settings, ALL3)


def test_only_counts_of_people_that_are_not_sensitive_are_cells(cells):
    assert cells.aggregation == {"PEOPLE": "sum", "STOCK": "latest"}
    assert cells.sensitive == frozenset({"SECRET"})
    assert cells.values[("PEOPLE", "*", "all", "all", "to_date")] == 59
    assert cells.values[("PEOPLE", "*", "male", "all", Q2)] == 3
    # A latest count keeps each region's last value: 6 + 7 + 9 at the end of Q2.
    assert cells.values[("STOCK", "*", "all", "all", Q2)] == 22
    assert cells.quarter("RATE", [JI], Q1, 2) == pc.SHOWN  # a percentage is no count


@pytest.mark.parametrize(
    ("regions", "period", "amount", "expected"),
    [
        (None, Q1, 33, pc.SHOWN),  # the total over the link's regions
        ([JI], Q1, 3, pc.SMALL),  # 3 people: "<5"
        ([TO], Q1, 10, pc.HIDDEN),  # else 33 - 20 - 10 would give Jizzakh's 3
        ([NG], Q1, 20, pc.SHOWN),
        ([JI, NG], Q1, 23, pc.HIDDEN),  # 23 - 20 = Jizzakh's 3
        ([JI, TO], Q1, 13, pc.SHOWN),  # 33 - 20: nothing new
        ([JI], Q2, 8, pc.HIDDEN),  # else 11 - 8 gives Jizzakh's Q1
        ([NG], Q2, 6, pc.SHOWN),
        ([TO, NG], Q2, 18, pc.HIDDEN),
    ],
)
def test_a_quarter_over_some_regions_is_shown_only_if_nothing_hidden_follows(
    cells, regions, period, amount, expected
):
    assert cells.quarter("PEOPLE", regions, period, amount) == expected


@pytest.mark.parametrize(
    ("regions", "period", "amount", "expected"),
    [
        (None, Q2, 59, pc.SHOWN),
        (None, Q1, 33, pc.SHOWN),
        ([JI], Q2, 11, pc.SHOWN),  # Jizzakh's total: 3 + 8, both hidden
        ([JI], Q1, 3, pc.SMALL),  # its first quarter alone
        ([TO], Q1, 10, pc.HIDDEN),
        ([JI, NG], Q2, 37, pc.SHOWN),  # 11 + 26: both region totals are shown
        ([JI, NG], Q1, 23, pc.HIDDEN),  # 3 + 20 would give Jizzakh's 3
        ([NG], Q1, 20, pc.SHOWN),
    ],
)
def test_an_actual_to_date_is_judged_like_its_quarters(cells, regions, period, amount, expected):
    assert cells.to_date("PEOPLE", regions, period, amount) == expected


def test_many_figures_at_once_are_judged_as_one_at_a_time(cells):
    """The disclosure audit judges every set of regions at once (quarter_codes,
    to_date_codes): the same answers as the pages' one-at-a-time quarter() and to_date()."""
    masks = np.arange(1, 1 << len(ALL3), dtype=np.int64)
    for code, period in itertools.product(("PEOPLE", "STOCK"), (Q1, Q2)):
        values = np.array([float(m * 3 % 7) for m in masks])  # some small, some zero
        many = cells.quarter_codes(code, masks, period, values)
        to_date = cells.to_date_codes(code, masks, [period], [values])[0]
        for mask, amount, one, cumulative in zip(masks, values, many, to_date, strict=True):
            regions = cells.mask_regions(int(mask))
            assert cells.quarter(code, regions, period, amount) == pc.STATE_OF_CODE[one]
            assert cells.to_date(code, regions, period, amount) == pc.STATE_OF_CODE[cumulative]


def test_parts_by_sex_hide_a_second_part_and_a_hidden_total_keeps_a_part_hidden(cells):
    assert cells.quarter("PEOPLE", [JI], Q2, 3, sex="male") == pc.SMALL
    assert cells.quarter("PEOPLE", [JI], Q2, 5, sex="female") == pc.HIDDEN
    assert cells.quarter("PEOPLE", None, Q2, 3, sex="male") == pc.SMALL


def test_a_latest_count_is_judged_at_the_end_of_each_quarter(cells):
    assert cells.quarter("STOCK", None, Q1, 18) == pc.SHOWN
    assert cells.quarter("STOCK", [JI], Q1, 2) == pc.SMALL
    assert cells.quarter("STOCK", [TO], Q1, 7) == pc.HIDDEN  # 18 - 9 - 7 = 2 otherwise
    # Q2 has no small value, but a reader may take Tashkent's 7 as carried forward from
    # Q1: the disclosure audit hides it too (and a complement for it in each quarter).
    assert cells.to_date("STOCK", [TO], Q2, 7) == pc.HIDDEN
    assert ("STOCK", TO, "all", "all", Q2) in cells.secondary
    assert cells.to_date("STOCK", None, Q2, 22) == pc.SHOWN


def test_a_narrower_link_protects_its_own_total(cells_db, settings):
    cells = pc.indicator_cells(cells_db, settings, [JI, NG])
    assert cells.values[("PEOPLE", "*", "all", "all", Q1)] == 23  # the link's total
    assert cells.quarter("PEOPLE", None, Q1, 23) == pc.SHOWN
    assert cells.quarter("PEOPLE", [NG], Q1, 20) == pc.HIDDEN  # else 23 - 20
    assert ("PEOPLE", TO, "all", "all", Q1) not in cells.values


def test_withhold_labels_the_table_and_blanks_the_chart_values(cells):
    frame = pd.DataFrame({"region": ["JI", "NG"], "n": [3.0, 20.0], "pct": [15.0, 80.0]})
    out = pc.withhold(frame, {"n": [pc.SMALL, pc.SHOWN], "pct": [pc.HIDDEN, pc.SHOWN]}, cells)
    assert out.table["n"].tolist() == ["<5", 20.0]
    assert out.table["pct"].tolist() == ["hidden", 80.0]
    assert math.isnan(out.numeric["n"].iat[0]) and out.numeric["n"].iat[1] == 20
    assert out.any_hidden
    assert not pc.withhold(frame, {"n": [pc.SHOWN, pc.SHOWN]}, cells).any_hidden


def test_derived_figures_follow_the_counts_they_come_from():
    assert pc.derived(pc.SHOWN) == pc.SHOWN
    assert pc.derived(pc.SMALL) == pc.HIDDEN
    assert pc.derived(pc.SHOWN, pc.HIDDEN) == pc.HIDDEN


def test_the_cells_hold_the_figures_the_pages_show(sample_db_path, settings):
    """The totals of the cells are the indicator pages' values, quarter by quarter."""
    db = Database(sample_db_path, read_only=True)
    try:
        cells = pc.indicator_cells(db, settings, ALL3)
        periods = programme_periods(settings.programme)
        series = indicators.indicator_series(db, periods, ALL3)
        assert set(cells.aggregation) >= {"OC1.2", "OC2.1"}
        assert "OC2.4" not in cells.aggregation  # sensitive
        for code in cells.aggregation:
            rows = series[series.indicator_code == code].set_index("period")
            for period in periods:
                cell = cells.values.get((code, "*", "all", "all", period))
                expected = rows.at[period, "value"]
                if cells.aggregation[code] == "latest":
                    expected = rows.at[period, "actual_to_date"]
                if pd.isna(expected):
                    assert cell is None, (code, period)
                else:
                    assert cell == pytest.approx(expected), (code, period)
        end = period_end(periods[-1])
        progress = overview.indicator_progress(db, settings, end, ALL3).set_index("indicator_code")
        for code, aggregation in cells.aggregation.items():
            if aggregation == "sum":
                assert cells.values[(code, "*", "all", "all", "to_date")] == pytest.approx(
                    progress.at[code, "actual"]
                )
    finally:
        db.close()


def test_in_the_sample_four_men_trained_in_jizzakh_are_protected(sample_db_path, settings):
    db = Database(sample_db_path, read_only=True)
    try:
        cells = pc.indicator_cells(db, settings, [JI])
    finally:
        db.close()
    # OC1.2 in Jizzakh, 2021Q2: 18 trained, 14 women and 4 men.
    assert cells.quarter("OC1.2", None, "2021Q2", 4, sex="male") == pc.SMALL
    assert cells.quarter("OC1.2", None, "2021Q2", 14, sex="female") == pc.HIDDEN
    # The total is hidden as well: with every line of every quarter shown or "<5", the
    # disclosure audit (tests/unit/test_audit.py) finds the age groups narrowed down.
    assert cells.quarter("OC1.2", None, "2021Q2", 18) == pc.HIDDEN
    assert cells.audit.passed


# The pages' donor views -------------------------------------------------------------------
AS_OF_Q2 = period_end(Q2)


@pytest.fixture
def link_cells(cells_db, settings):
    """A link for Jizzakh and Namangan: its own total, 3 + 20 in Q1 and 8 + 6 in Q2."""
    return pc.indicator_cells(cells_db, settings, [JI, NG])


def test_the_tracking_table_of_a_donor(cells_db, settings, cells):
    table = indicators.iptt(cells_db, settings, AS_OF_Q2, ALL3)
    shown = indicators.donor_iptt(table, cells, ALL3, Q2)
    rows = shown.table.set_index("Code")
    assert "SECRET" not in rows.index
    assert rows.at["PEOPLE", Q1] == 33 and rows.at["PEOPLE", "Actual to 2021Q2"] == 59
    assert rows.at["RATE", Q1] == 2  # a percentage is never withheld
    assert not shown.any_hidden

    narrow = indicators.iptt(cells_db, settings, AS_OF_Q2, [JI])
    shown = indicators.donor_iptt(narrow, cells, [JI], Q2)
    rows = shown.table.set_index("Code")
    assert rows.at["PEOPLE", Q1] == "<5"
    assert rows.at["PEOPLE", Q2] == "hidden"
    assert rows.at["PEOPLE", "Actual to 2021Q2"] == 11
    numeric = shown.numeric.set_index("Code")
    assert math.isnan(numeric.at["PEOPLE", Q1]) and math.isnan(numeric.at["PEOPLE", Q2])
    # At the end of Q1 Jizzakh's actual is its 3 people: "<5", and so its % and status.
    early = indicators.iptt(cells_db, settings, period_end(Q1), [JI])
    rows = indicators.donor_iptt(early, cells, [JI], Q1).table.set_index("Code")
    assert rows.at["PEOPLE", "Actual to 2021Q1"] == "<5"
    assert rows.at["PEOPLE", "% of target achieved"] == "hidden"
    assert rows.at["PEOPLE", "Status"] == "hidden"


def test_the_region_table_and_the_breakdown_of_a_donor(cells_db, settings, link_cells):
    table = indicators.region_detail(cells_db, settings, AS_OF_Q2, "PEOPLE", Q1, Q2, [JI, NG])
    shown = indicators.donor_region_detail(table, link_cells, "PEOPLE", Q2).table
    assert shown.loc[JI, Q1] == "<5" and shown.loc[NG, Q1] == "hidden"
    assert shown.loc[JI, Q2] == "hidden" and shown.loc[NG, Q2] == "hidden"
    assert shown.loc[JI, "Actual to 2021Q2"] == 11 and shown.loc[NG, "Actual to 2021Q2"] == 26

    parts = indicators.indicator_breakdown(cells_db, "PEOPLE", Q1, Q2, [JI, NG])
    withheld = indicators.donor_breakdown(parts, link_cells, [JI, NG], "PEOPLE")
    by = withheld.table.set_index(["dimension", "category", "period"])["value"]
    assert by[("sex", "male", Q2)] == "<5"
    assert by[("sex", "female", Q2)] == "hidden"
    assert by[("total", "total", Q2)] == 14  # the link's total is shown
    assert withheld.numeric.value.isna().sum() == 2  # the chart leaves both out


def test_a_donors_chart_series_leaves_out_what_is_withheld(cells_db, settings, link_cells):
    series = indicators.indicator_series(cells_db, [Q1, Q2], [JI, NG], "PEOPLE")
    shown = indicators.donor_series(series, link_cells, [JI, NG], "PEOPLE").numeric
    assert shown.value.tolist() == [23, 14]  # the link's totals
    per_region = indicators.region_series(cells_db, settings, [Q1, Q2], "PEOPLE", [JI, NG])
    shown = indicators.donor_series(per_region, link_cells, None, "PEOPLE").numeric
    jizzakh = shown[shown.region_code == JI]
    assert math.isnan(jizzakh.actual_to_date.iat[0])  # 3 people by the end of Q1
    assert jizzakh.actual_to_date.iat[1] == 11


def test_filters_offer_only_what_a_viewer_may_see(cells_db, settings):
    options = indicators.region_options(cells_db, settings, [JI, NG])
    assert options.region_code.tolist() == [JI, NG]
    assert len(indicators.region_options(cells_db, settings)) == 3
    codes = indicators.indicator_codes(cells_db, settings, AS_OF_Q2, ("SECRET",))
    assert "SECRET" not in set(codes.indicator_code) and len(codes) == 3


def features(data):
    return {f["properties"]["region_code"]: f["properties"] for f in data.regions}


def test_a_donors_map_shows_only_the_links_regions_and_protects_them(cells_db, settings):
    data = map_report.build_map(
        cells_db, view_of(cells_db, settings, [JI, NG]), settings, "PEOPLE", Q1, "value"
    )
    props = features(data)
    assert props[JI]["value"] is None and props[JI]["shown_text"] == "<5"
    # The link reads the programme's protection, which keeps Namangan's 20 and withholds
    # the total over the link's regions instead (it would give Jizzakh's 3 away).
    assert props[NG]["shown_text"] == "20" and not props[NG]["hatched"]
    link = view_of(cells_db, settings, [JI, NG])
    assert link.to_date("PEOPLE", None, Q1, 23) == "hidden"
    assert link.to_date("PEOPLE", [NG], Q1, 20) == ""
    assert "hidden to protect the people counted" in props[JI]["tooltip"]
    assert props[TO]["shown_text"] == "not in this view"
    assert props[TO]["tooltip"] == "Tashkent Region (UZ-TO)\nNot in this view."
    assert props[TO]["fill"] == map_report.hex_to_rgba(map_report.CONTEXT_FILL, 200)
    labels = {label["region_code"]: label["text"] for label in data.labels}
    assert set(labels) == {JI, NG} and labels[JI].endswith("<5")
    table = data.region_table.set_index("Code")
    assert set(table.index) == {JI, NG}
    assert table.at[JI, "Value up to 2021Q1"] == "<5"
    assert table.at[JI, "% of target"] == "hidden" and table.at[NG, "% of target"] != "hidden"
    assert "Latest values" not in data.organisation_table.columns
    later = map_report.build_map(
        cells_db, view_of(cells_db, settings, [JI, NG]), settings, "PEOPLE", Q2, "value"
    )
    assert features(later)[JI]["value"] == 11 and features(later)[NG]["value"] == 26
    assert later.scale.edges[-1] >= 26


def test_a_donors_map_knows_no_sensitive_indicator(cells_db, settings):
    with pytest.raises(ValueError, match="There is no indicator"):
        map_report.build_map(
            cells_db, view_of(cells_db, settings, [JI]), settings, "SECRET", Q1, "value"
        )
    assert "SECRET" not in set(map_report.map_indicators(cells_db, ("SECRET",)).indicator_code)
    summary = map_report.region_summary(
        cells_db, view_of(cells_db, settings, [JI, NG]), settings, Q1, JI
    )
    rows = summary.set_index("Indicator")
    assert "SECRET" not in rows.index
    assert rows.at["PEOPLE", "Value up to 2021Q1"] == "<5"
    assert rows.at["PEOPLE", "% of target"] == "hidden"
    assert map_report.region_summary(
        cells_db, view_of(cells_db, settings, [JI, NG]), settings, Q1, TO
    ).empty
    # An account's map is unchanged: every region, every value.
    open_map = map_report.build_map(
        cells_db, view_of(cells_db, settings), settings, "PEOPLE", Q1, "value"
    )
    assert features(open_map)[JI]["value"] == 3 and features(open_map)[TO]["value"] == 10


def test_progress_rows_are_judged_like_the_indicator_pages(cells_db, settings, cells):
    """A page showing actuals as of earlier dates must not undo what the pages hide."""
    progress = overview.indicator_progress(cells_db, settings, period_end(Q1), [JI])
    shown = pc.withhold_progress(progress, cells, [JI], Q1).table.set_index("indicator_code")
    assert shown.at["PEOPLE", "actual"] == "<5"
    assert shown.at["PEOPLE", "progress"] == "hidden" and shown.at["PEOPLE", "status"] == "hidden"
    assert shown.at["RATE", "actual"] == 2  # not a count of people
    later = overview.indicator_progress(cells_db, settings, AS_OF_Q2, [JI])
    shown = pc.withhold_progress(later, cells, [JI], Q2).table.set_index("indicator_code")
    assert shown.at["PEOPLE", "actual"] == 11
