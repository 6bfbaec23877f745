"""The arithmetic of the indicator tracking table and the indicator detail."""

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.periods import period_end, programme_periods
from monitoring.reports import indicators, overview
from monitoring.reports.exports import to_csv_bytes
from tests.conftest import indicator_row as indicator
from tests.conftest import insert, same_frame
from tests.conftest import value_row as value

Q1, Q2, Q3, Q4 = "2021Q1", "2021Q2", "2021Q3", "2021Q4"
AS_OF_Q4 = dt.date(2021, 12, 31)


@pytest.fixture
def logframe(db):
    insert(
        db,
        "regions",
        [
            dict(region_code="UZ-JI", name_en="Jizzakh"),
            dict(region_code="UZ-TO", name_en="Tashkent Region"),
            dict(region_code="UZ-NG", name_en="Namangan"),
        ],
    )
    insert(
        db,
        "organisations",
        [
            dict(org_id="CSO-1", name="First CSO", kind="cso", region_code="UZ-JI"),
            dict(org_id="CSO-2", name="Second CSO", kind="cso", region_code="UZ-JI"),
        ],
    )
    insert(
        db,
        "indicators",
        [
            indicator("SUM", disaggregation="sex;age_group"),
            indicator("LATEST", aggregation="latest", target=10),
            indicator("MEAN", unit="percent", aggregation="mean", baseline=20, target=80),
            indicator(
                "DEC",
                level="goal",
                outcome=None,
                unit="percent",
                direction="decrease",
                aggregation="latest",
                baseline=40,
                target=20,
            ),
            indicator(
                "DECNB", direction="decrease", aggregation="latest", baseline=None, target=10
            ),
            indicator("INCNB", baseline=None, target=50, outcome=2),
            indicator("ORG", outcome=2, disaggregation="sex;age_group"),
            indicator("EMPTY", outcome=3),
        ],
    )
    insert(
        db,
        "indicator_values",
        [
            value("SUM", Q1, "UZ-JI", 10, comment="First training", source="Attendance"),
            # parts of the total above: never added to it
            value("SUM", Q1, "UZ-JI", 6, sex="female", source="Attendance"),
            value("SUM", Q1, "UZ-JI", 4, sex="male", source="Attendance"),
            value("SUM", Q1, "UZ-JI", 7, age_group="15-29", source="Attendance"),
            value("SUM", Q1, "UZ-JI", 3, age_group="30+", source="Attendance"),
            value("SUM", Q1, "UZ-JI", 5, sex="female", age_group="15-29", source="Attendance"),
            value("SUM", Q2, "UZ-JI", 20, source="Attendance"),
            value("SUM", Q2, "UZ-NG", 30, source="Sign-in sheets"),
            value("SUM", Q2, "UZ-NG", 25, sex="female", source="Sign-in sheets"),
            value("SUM", Q2, "UZ-NG", 5, sex="male", source="Sign-in sheets"),
            # nothing at all in 2021Q3
            value("SUM", Q4, "UZ-NG", 5),
            value("LATEST", Q1, "UZ-JI", 5),
            value("LATEST", Q1, "UZ-NG", 3),
            value("LATEST", Q2, "UZ-JI", 6),  # Namangan keeps its 2021Q1 value
            value("LATEST", Q4, "UZ-NG", 4),
            value("MEAN", Q1, "UZ-JI", 40),
            value("MEAN", Q1, "UZ-NG", 60),
            value("MEAN", Q2, "UZ-JI", 50),
            value("DEC", Q2, "UZ-JI", 30),
            value("DECNB", Q2, "UZ-JI", 20),
            value("INCNB", Q2, "UZ-JI", 25),
            value("ORG", Q1, "UZ-JI", 2, org_id="CSO-1"),
            value("ORG", Q1, "UZ-JI", 3, org_id="CSO-2"),
            value("ORG", Q1, "UZ-JI", 2, org_id="CSO-1", sex="female"),
            value("ORG", Q1, "UZ-JI", 1, org_id="CSO-1", age_group="15-29"),
            value("ORG", Q1, "UZ-JI", 1, org_id="CSO-1", sex="female", age_group="15-29"),
            value("ORG", Q1, "UZ-JI", 1, org_id="CSO-2", sex="female"),
            value("ORG", Q1, "UZ-JI", 2, org_id="CSO-2", sex="male"),
            value("ORG", Q1, "UZ-JI", 3, org_id="CSO-2", age_group="30+"),
            value("ORG", Q4, "UZ-JI", 4, org_id="CSO-1"),  # CSO-2 has not reported since Q1
        ],
    )
    return db


def iptt_rows(db, settings, as_of=AS_OF_Q4, **kw):
    return indicators.iptt(db, settings, as_of, **kw).set_index("Code")


def test_the_table_has_a_column_per_quarter_and_a_row_per_indicator(logframe, settings):
    table = indicators.iptt(logframe, settings, AS_OF_Q4)
    assert indicators.iptt_quarter_columns(table) == [Q1, Q2, Q3, Q4]
    assert table["Code"].tolist()[0] == "DEC"  # the goal comes first
    assert set(table["Goal / outcome"]) == {"Goal", "Outcome 1", "Outcome 2", "Outcome 3"}
    assert list(table.columns[:9]) == [
        "Goal / outcome",
        "Code",
        "Indicator",
        "Unit",
        "Status",
        "% of target achieved",
        "Actual to 2021Q4",
        "Target",
        "Baseline",
    ]
    assert table.columns[-1] == "Regions reporting in 2021Q4"


@pytest.mark.parametrize(
    ("code", "actual"),
    [
        ("SUM", 10 + 20 + 30 + 5),  # sum: every quarter and region added up
        ("LATEST", 6 + 4),  # latest: Jizzakh's 2021Q2 value plus Namangan's 2021Q4 value
        ("MEAN", (40 + 60 + 50) / 3),  # mean: every region-quarter value averaged
        ("ORG", 2 + 3 + 4),  # organisations' rows make the region's value
    ],
)
def test_actual_to_date_follows_the_aggregation(logframe, settings, code, actual):
    assert iptt_rows(logframe, settings).loc[code, "Actual to 2021Q4"] == pytest.approx(
        actual, 0.01
    )


@pytest.mark.parametrize(
    ("code", "quarters"),
    [
        ("SUM", [10, 50, None, 5]),
        # a stock: Namangan keeps its 2021Q1 value in 2021Q2; no report at all in 2021Q3
        ("LATEST", [8, 9, None, 10]),
        ("MEAN", [50, 50, None, None]),
    ],
)
def test_quarter_values_and_missing_quarters_are_empty_never_zero(
    logframe, settings, code, quarters
):
    row = iptt_rows(logframe, settings).loc[code, [Q1, Q2, Q3, Q4]]
    assert [None if pd.isna(v) else v for v in row] == quarters


def test_the_download_keeps_a_missing_quarter_empty(logframe, settings):
    table = indicators.iptt(logframe, settings, AS_OF_Q4)
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(table).decode("utf-8-sig"))))
    summed = next(r for r in rows if r["Code"] == "SUM")
    assert summed[Q3] == ""
    assert float(summed[Q2]) == 50


def test_breakdown_rows_are_never_added_to_the_total(logframe, settings):
    table = iptt_rows(logframe, settings, as_of=dt.date(2021, 3, 31))
    assert table.loc["SUM", Q1] == 10
    parts = indicators.indicator_breakdown(logframe, "SUM", Q1, Q4).set_index(
        ["dimension", "category", "period"]
    )
    assert parts.loc[("sex", "female", Q1), "value"] == 6
    assert parts.loc[("sex", "male", Q1), "value"] == 4
    assert parts.loc[("age_group", "15-29", Q1), "value"] == 7  # not 7 + the 5 women aged 15-29
    assert parts.loc[("total", "total", Q1), "value"] == 10
    assert parts.loc[("sex", "female", Q2), "value"] == 25  # Namangan's only
    assert set(parts.reset_index().dimension) == {"sex", "age_group", "total"}


def test_organisations_breakdowns_add_up_without_the_cross_cells(logframe, settings):
    assert iptt_rows(logframe, settings).loc["ORG", Q1] == 5
    parts = indicators.indicator_breakdown(logframe, "ORG", Q1, Q1).set_index(
        ["dimension", "category"]
    )
    assert parts.loc[("sex", "female"), "value"] == 3  # 2 + 1: both organisations
    assert parts.loc[("sex", "male"), "value"] == 2
    assert parts.loc[("age_group", "15-29"), "value"] == 1  # not + the woman aged 15-29
    assert parts.loc[("total", "total"), "value"] == 5


@pytest.mark.parametrize(
    ("code", "achieved"),
    [
        ("SUM", 65),  # (65 - 0) / (100 - 0)
        ("DEC", 50),  # decrease with a baseline: (30 - 40) / (20 - 40)
        ("DECNB", 50),  # decrease without a baseline: target / actual = 10 / 20
        ("INCNB", 50),  # increase without a baseline: actual / target = 25 / 50
        ("MEAN", (50 - 20) / (80 - 20) * 100),
    ],
)
def test_percent_of_target_achieved_counts_the_right_way_round(logframe, settings, code, achieved):
    table = iptt_rows(logframe, settings)
    assert table.loc[code, "% of target achieved"] == round(achieved)


def test_a_decrease_that_went_up_is_negative_progress(logframe, settings):
    insert(logframe, "indicator_values", [value("DEC", Q4, "UZ-JI", 44)])
    assert iptt_rows(logframe, settings).loc["DEC", "% of target achieved"] == -20


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (95, "✔ On track"),
        (90, "✔ On track"),  # exactly 0.9 of the expected progress
        (89, "▲ At risk"),
        (60, "▲ At risk"),  # exactly 0.6
        (59, "✖ Behind"),
        (None, "○ No data"),
    ],
)
def test_status_compares_progress_with_the_period_target(db, settings, actual, status):
    insert(db, "indicators", [indicator("X")])
    # the period target for the reporting quarter: 100% of the way is expected by then
    insert(
        db,
        "indicator_targets",
        [dict(indicator_code="X", period=Q4, region_code="UZ-JI", target=100)],
    )
    if actual is not None:
        insert(db, "indicator_values", [value("X", Q4, "UZ-JI", actual)])
    row = indicators.iptt(db, settings, AS_OF_Q4).iloc[0]
    assert row["Status"] == status


def test_status_without_a_period_target_follows_time_elapsed(logframe, settings):
    # 2021Q4: 365 of 546 days elapsed, so 0.67 of the way is expected
    table = iptt_rows(logframe, settings)
    assert table.loc["SUM", "Status"] == "✔ On track"  # 0.65 >= 0.9 x 0.67 = 0.60
    assert table.loc["INCNB", "Status"] == "▲ At risk"  # 0.50 >= 0.6 x 0.67 = 0.40
    assert table.loc["ORG", "Status"] == "✖ Behind"  # 0.09
    assert table.loc["EMPTY", "Status"] == "○ No data"


def test_the_table_agrees_with_the_overview(logframe, settings):
    table = iptt_rows(logframe, settings)
    progress = overview.indicator_progress(logframe, settings, AS_OF_Q4).set_index("indicator_code")
    assert (table["Actual to 2021Q4"].fillna(-1) == progress.actual.round(1).fillna(-1)).all()
    assert table.loc["SUM", "Status"].endswith("On track") and progress.loc["SUM", "status"] == (
        "on_track"
    )


@pytest.mark.parametrize("regions", [None, ["UZ-JI"], ["UZ-JI", "UZ-NG"]])
def test_one_indicators_detail_is_its_row_of_the_whole_table(logframe, settings, regions):
    """An indicator's detail reads that indicator's values only (indicator=...), and says
    what the whole table says about it, for the programme and for a selection of regions."""
    every = overview.indicator_progress(logframe, settings, AS_OF_Q4, regions)
    for code in every.indicator_code:
        alone = overview.indicator_progress(logframe, settings, AS_OF_Q4, regions, indicator=code)
        assert alone.indicator_code.tolist() == [code]
        same_frame(alone, every[every.indicator_code == code].reset_index(drop=True))
    info = indicators.indicator_summary(logframe, settings, AS_OF_Q4, "LATEST", regions)
    assert info["actual"] == every.set_index("indicator_code").loc["LATEST", "actual"]


def test_regions_reporting_in_the_reporting_quarter(logframe, settings):
    table = iptt_rows(logframe, settings)
    assert table.loc["SUM", "Regions reporting in 2021Q4"] == "1 of 3"
    assert table.loc["DEC", "Regions reporting in 2021Q4"] == "0 of 3"
    regional = iptt_rows(logframe, settings, regions=("UZ-JI", "UZ-NG"))
    assert regional.loc["LATEST", "Regions reporting in 2021Q4"] == "1 of 2"


def test_outcome_filter_keeps_one_group(logframe, settings):
    table = indicators.iptt(logframe, settings, AS_OF_Q4, outcome="Outcome 2")
    assert table["Code"].tolist() == ["INCNB", "ORG"]


def test_the_quarter_range_limits_the_columns_not_the_actual(logframe, settings):
    table = iptt_rows(logframe, settings, first=Q2, last=Q3)
    assert indicators.iptt_quarter_columns(table.reset_index()) == [Q2, Q3]
    assert table.loc["SUM", "Actual to 2021Q4"] == 65  # still everything up to 2021Q4


def test_period_targets_get_a_column_where_any_are_set(logframe, settings):
    insert(
        logframe,
        "indicator_targets",
        [
            dict(indicator_code="SUM", period=Q2, region_code="UZ-JI", target=20),
            dict(indicator_code="SUM", period=Q2, region_code="UZ-NG", target=15),
        ],
    )
    table = iptt_rows(logframe, settings)
    assert "Target by 2021Q2" in table.columns
    assert table.loc["SUM", "Target by 2021Q2"] == 35
    assert pd.isna(table.loc["LATEST", "Target by 2021Q2"])


class TestRegionalView:
    @pytest.fixture
    def with_targets(self, logframe):
        last = "2022Q2"
        insert(
            logframe,
            "indicator_targets",
            [
                dict(indicator_code="SUM", period=last, region_code="UZ-JI", target=40),
                dict(indicator_code="SUM", period=last, region_code="UZ-NG", target=60),
                dict(indicator_code="MEAN", period=last, region_code="UZ-JI", target=70),
            ],
        )
        return logframe

    def test_a_count_is_measured_against_the_regions_own_targets(self, with_targets, settings):
        table = iptt_rows(with_targets, settings, regions=("UZ-JI",))
        assert table.loc["SUM", "Target"] == 40
        assert table.loc["SUM", "Actual to 2021Q4"] == 30
        assert table.loc["SUM", "% of target achieved"] == 75
        both = iptt_rows(with_targets, settings, regions=("UZ-JI", "UZ-NG"))
        assert both.loc["SUM", "Target"] == 100

    def test_a_count_without_regional_targets_has_no_target_for_the_selection(
        self, with_targets, settings
    ):
        table = iptt_rows(with_targets, settings, regions=("UZ-JI",))
        assert pd.isna(table.loc["LATEST", "Target"])
        assert pd.isna(table.loc["LATEST", "% of target achieved"])
        assert table.loc["LATEST", "Status"] == "◇ No target for these regions"

    def test_a_percentage_keeps_the_programme_target_or_takes_the_regions(
        self, with_targets, settings
    ):
        jizzakh = iptt_rows(with_targets, settings, regions=("UZ-JI",))
        assert jizzakh.loc["MEAN", "Target"] == 70
        assert jizzakh.loc["DEC", "Target"] == 20  # no regional target: the programme's
        namangan = iptt_rows(with_targets, settings, regions=("UZ-NG",))
        assert namangan.loc["MEAN", "Target"] == 80

    def test_all_programme_regions_picked_is_the_programme_view(self, with_targets, settings):
        table = iptt_rows(with_targets, settings, regions=("UZ-JI", "UZ-TO", "UZ-NG"))
        assert table.loc["SUM", "Target"] == 100
        assert table.loc["LATEST", "Status"] != "◇ No target for these regions"

    def test_each_region_is_judged_by_the_same_rule(self, with_targets, settings):
        by_region = indicators.region_progress(
            with_targets, settings, AS_OF_Q4, "SUM", ["UZ-JI", "UZ-NG"]
        ).set_index("region_code")
        assert by_region.loc["UZ-JI", "actual"] == 30
        assert by_region.loc["UZ-NG", "actual"] == 35
        assert by_region.loc["UZ-NG", "target"] == 60
        assert by_region.loc["UZ-NG", "region_name"] == "Namangan"


def test_series_gives_the_actual_to_date_at_each_quarter(logframe):
    series = indicators.indicator_series(logframe, [Q1, Q2, Q3, Q4], None, "LATEST")
    assert series.actual_to_date.tolist() == [8, 9, 9, 10]
    assert [None if pd.isna(v) else v for v in series.reported_value] == [8, 6, None, 4]
    assert series.regions_reporting.tolist() == [2, 1, 0, 1]


def test_series_over_later_quarters_still_counts_the_earlier_ones(logframe):
    """The actual to date at a quarter adds up every quarter of data before it, also those
    before the first quarter asked for (a table of 2021Q3-Q4 still counts Q1 and Q2)."""
    whole = indicators.indicator_series(logframe, [Q1, Q2, Q3, Q4], None)
    later = indicators.indicator_series(logframe, [Q3, Q4], None)
    expected = whole[whole.period.isin([Q3, Q4])].reset_index(drop=True)
    assert later.actual_to_date.notna().any()
    pd.testing.assert_frame_equal(later.reset_index(drop=True), expected)


def test_missing_reports_name_regions_and_organisations(logframe, settings):
    missing = indicators.missing_reports(logframe, settings, "LATEST", Q4)
    assert missing[missing.kind == "region"].code.tolist() == ["UZ-JI", "UZ-TO"]
    assert missing.set_index("code").loc["UZ-JI", "last_reported"] == Q2
    assert pd.isna(missing.set_index("code").loc["UZ-TO", "last_reported"])
    orgs = indicators.missing_reports(logframe, settings, "ORG", Q4)
    assert orgs[orgs.kind == "organisation"].name.tolist() == ["Second CSO"]
    only_ng = indicators.missing_reports(logframe, settings, "LATEST", Q4, ("UZ-NG",))
    assert only_ng.empty


def test_comments_and_sources_come_with_the_values(logframe):
    comments = indicators.indicator_comments(logframe, "SUM", Q1, Q4)
    assert comments.comment.tolist() == ["First training"]
    assert comments.region_name.tolist() == ["Jizzakh"]
    sources = indicators.indicator_sources(logframe, "SUM", Q1, Q4).set_index("source")
    assert sources.loc["Attendance", "quarters"] == "2021Q1, 2021Q2"
    assert sources.loc["", "values_recorded"] == 1  # the 2021Q4 value has no source


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2021Q1", "2021Q1"),
        ("2021-q2", "2021Q2"),
        ("2021 Q3", "2021Q3"),
        ("Q4 2021", "2021Q4"),
        ("q1-2022", "2022Q1"),
        ("2021Q5", None),
        ("<b>", None),
    ],
)
def test_parse_period(text, period):
    assert indicators.parse_period(text) == period


def test_parse_regions_takes_codes_names_and_commas():
    options = pd.DataFrame(
        {"region_code": ["UZ-JI", "UZ-NG"], "region_name": ["Jizzakh", "Namangan"]}
    )
    assert indicators.parse_regions(["uz-ji,NAMANGAN", "Jizzakh", "Mars"], options) == (
        ["UZ-JI", "UZ-NG"],
        ["Mars"],
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [("2", "Outcome 2"), ("outcome 2", "Outcome 2"), ("goal", "Goal"), ("7", None)],
)
def test_parse_outcome(text, label):
    assert indicators.parse_outcome(text, ["Goal", "Outcome 1", "Outcome 2"]) == label


@pytest.mark.parametrize(
    ("first", "last", "expected", "notices"),
    [
        (None, None, ("2021Q1", "2021Q4"), 0),  # default: up to the reporting quarter
        ("2021Q3", "2021Q2", ("2021Q2", "2021Q3"), 1),  # swapped
        ("2021Q2", "2022Q2", ("2021Q2", "2021Q4"), 1),  # never past the reporting quarter
        ("2020Q1", None, ("2021Q1", "2021Q4"), 0),  # outside the programme: its first
    ],
)
def test_quarter_range(settings, first, last, expected, notices):
    span = indicators.quarter_range(settings, AS_OF_Q4, first, last)
    assert (span.first, span.last) == expected
    assert len(span.notices) == notices


def test_series_agrees_with_indicator_progress_on_the_sample(sample_db_path, settings):
    db = Database(sample_db_path, read_only=True)
    try:
        periods = programme_periods(settings.programme)
        for regions in (None, ["UZ-JI"], ["UZ-TO", "UZ-NG"]):
            series = indicators.indicator_series(db, periods, regions)
            for period in periods:
                progress = overview.indicator_progress(db, settings, period_end(period), regions)
                at = series[series.period == period].set_index("indicator_code")
                expected = progress.set_index("indicator_code").actual.astype("float64")
                got = at.actual_to_date.reindex(expected.index).astype("float64")
                pd.testing.assert_series_equal(got, expected, check_names=False)
    finally:
        db.close()
