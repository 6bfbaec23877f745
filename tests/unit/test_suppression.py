"""Small counts of people hidden in donor views, and whatever would give them away."""

import itertools

import numpy as np
import pandas as pd
import pytest

from monitoring.access.suppression import (
    COMPLEMENTARY,
    DERIVED,
    HIDDEN_LABEL,
    SMALL,
    donor_protection,
    protect_small_counts,
    suppress_small_counts,
    without_sensitive_indicators,
)
from monitoring.reports import exports
from tests.conftest import insert


def by_sex(female, male, total, **extra):
    return pd.DataFrame(
        {
            "indicator_code": "OC1.2",
            "sex": ["female", "male", "all"],
            "value": [female, male, total],
        }
        | extra
    )


SEX = {"group_columns": ["indicator_code"], "total_marker": {"sex": "all"}}


def test_a_single_small_count_is_shown_as_less_than_five():
    frame = pd.DataFrame({"region_code": ["UZ-JI", "UZ-NG"], "trained": [3, 12]})
    out = suppress_small_counts(frame, ["trained"])
    assert list(out.trained) == ["<5", 12]
    assert list(out.region_code) == ["UZ-JI", "UZ-NG"]


def test_a_second_cell_is_hidden_where_the_total_would_give_the_small_one_away():
    result = protect_small_counts(by_sex(3, 10, 13), ["value"], **SEX)
    assert list(result.table.value) == ["<5", HIDDEN_LABEL, 13]
    assert list(result.reasons.value) == [SMALL, COMPLEMENTARY, ""]


def test_without_complementary_cells_only_small_counts_are_hidden():
    """For counts shown rounded: the disclosure audit hides what rounding does not protect."""
    result = protect_small_counts(by_sex(3, 10, 13), ["value"], **SEX, complementary=False)
    assert list(result.table.value) == ["<5", 10, 13]
    assert list(result.reasons.value) == [SMALL, "", ""]


def test_the_complementary_cell_is_the_smallest_other_non_zero_part():
    frame = pd.DataFrame(
        {
            "indicator_code": "OC1.2",
            "age_group": ["15-29", "30-44", "45-59", "60+", "all"],
            "value": [3, 0, 12, 20, 35],
        }
    )
    out = suppress_small_counts(
        frame, ["value"], group_columns=["indicator_code"], total_marker={"age_group": "all"}
    )
    assert list(out.value) == ["<5", 0, HIDDEN_LABEL, 20, 35]


def test_percentages_computed_from_a_hidden_count_are_hidden():
    frame = by_sex(3, 10, 13, share_of_all=[23.1, 76.9, 100.0], target=[10, 10, 20])
    out = suppress_small_counts(frame, ["value"], percent_columns={"share_of_all": "value"}, **SEX)
    assert list(out.share_of_all) == [HIDDEN_LABEL, HIDDEN_LABEL, 100.0]
    assert list(out.target) == [10, 10, 20]  # not a count of people: untouched


def test_a_percentage_is_hidden_when_its_denominator_is():
    frame = pd.DataFrame(
        {
            "region_code": ["UZ-JI", "UZ-NG"],
            "women": [2, 9],
            "all": [4, 30],
            "pct_women": [50.0, 30.0],
        }
    )
    result = protect_small_counts(
        frame, ["women", "all"], percent_columns={"pct_women": ["women", "all"]}
    )
    assert list(result.table.pct_women) == [HIDDEN_LABEL, 30.0]
    assert result.reasons.pct_women.tolist() == [DERIVED, ""]


@pytest.mark.parametrize("smallest", [5, 6, 50])
def test_nothing_is_hidden_at_or_above_the_threshold(smallest):
    frame = by_sex(smallest, 20, smallest + 20, pct=[1.0, 2.0, 3.0])
    result = protect_small_counts(frame, ["value"], percent_columns={"pct": "value"}, **SEX)
    assert not result.any_hidden
    pd.testing.assert_frame_equal(result.table, frame)


def test_zero_is_shown():
    out = suppress_small_counts(by_sex(0, 12, 12), ["value"], **SEX)
    assert list(out.value) == [0, 12, 12]


def test_a_small_total_is_hidden_with_its_small_parts_and_a_zero_stays():
    out = suppress_small_counts(by_sex(3, 0, 3), ["value"], **SEX)
    assert list(out.value) == ["<5", 0, "<5"]


def test_a_hidden_total_is_not_recovered_by_adding_the_parts():
    # Inconsistent data (parts add to more than the total) must still not reveal it.
    frame = pd.DataFrame(
        {"indicator_code": "X", "sex": ["female", "male", "all"], "value": [6, 7, 4]}
    )
    out = suppress_small_counts(frame, ["value"], **SEX)
    assert out.value.tolist() == [HIDDEN_LABEL, 7, "<5"]


def test_two_small_counts_that_could_only_be_ones_get_a_complement():
    frame = pd.DataFrame(
        {"indicator_code": "X", "sex": ["a", "b", "c", "all"], "value": [1, 1, 10, 12]}
    )
    out = suppress_small_counts(frame, ["value"], **SEX)
    assert out.value.tolist() == ["<5", "<5", HIDDEN_LABEL, 12]


def test_two_small_counts_that_cannot_be_told_apart_need_no_complement():
    frame = pd.DataFrame(
        {"indicator_code": "X", "sex": ["a", "b", "c", "all"], "value": [1, 3, 10, 14]}
    )
    out = suppress_small_counts(frame, ["value"], **SEX)
    assert out.value.tolist() == ["<5", "<5", 10, 14]


def test_the_threshold_is_a_parameter():
    out = suppress_small_counts(by_sex(7, 30, 37), ["value"], threshold=10, **SEX)
    assert list(out.value) == ["<10", HIDDEN_LABEL, 37]


def test_regions_add_up_to_a_total_shown_elsewhere():
    frame = pd.DataFrame(
        {
            "indicator_code": "OC1.2",
            "region_code": ["UZ-JI", "UZ-NG", "UZ-TO"],
            "value": [3, 20, 15],
        }
    )
    out = suppress_small_counts(
        frame, ["value"], group_columns=["indicator_code"], total_marker={"region_code": None}
    )
    assert list(out.value) == ["<5", 20, HIDDEN_LABEL]


def assert_nothing_recoverable(reasons: pd.DataFrame, equations):
    """No equation (parts + total) has exactly one hidden cell."""
    for cells in equations:
        hidden = [c for c in cells if reasons.at[c] != ""]
        assert len(hidden) != 1, f"{hidden} can be worked out from {cells}"


def test_a_table_with_a_total_row_and_a_total_column():
    frame = pd.DataFrame(
        {
            "region": ["UZ-JI", "UZ-NG", "UZ-TO", "all"],
            "female": [2, 8, 7, 17],
            "male": [6, 9, 0, 15],
            "all": [8, 17, 7, 32],
        }
    )
    result = protect_small_counts(
        frame, ["female", "male", "all"], total_marker={"region": "all"}, total_column="all"
    )
    assert result.table.at[0, "female"] == "<5"
    rows = [[(i, "female"), (i, "male"), (i, "all")] for i in range(4)]
    cols = [[(i, c) for i in range(4)] for c in ("female", "male", "all")]
    assert_nothing_recoverable(result.reasons.stack(), rows + cols)
    assert result.table.at[3, "all"] == 32  # the grand total stays


def test_two_dimensions_of_indicator_values():
    sexes, ages = ["female", "male", "all"], ["15-29", "30+", "all"]
    counts = {  # female/male x 15-29/30+, with the totals
        ("female", "15-29"): 2, ("female", "30+"): 9, ("female", "all"): 11,
        ("male", "15-29"): 8, ("male", "30+"): 6, ("male", "all"): 14,
        ("all", "15-29"): 10, ("all", "30+"): 15, ("all", "all"): 25,
    }  # fmt: skip
    frame = pd.DataFrame(
        [
            {"indicator_code": "OC1.2", "period": "2021Q3", "sex": s, "age_group": a, "value": v}
            for (s, a), v in counts.items()
        ]
    )
    result = protect_small_counts(
        frame,
        ["value"],
        group_columns=["indicator_code", "period"],
        total_marker={"sex": "all", "age_group": "all"},
    )
    reasons = result.reasons.value
    position = {(s, a): i for i, (s, a) in enumerate(counts)}
    assert reasons[position[("female", "15-29")]] == SMALL
    equations = [[(position[(s, a)], "value") for s in sexes] for a in ages] + [
        [(position[(s, a)], "value") for a in ages] for s in sexes
    ]
    assert_nothing_recoverable(result.reasons.stack(), equations)
    assert reasons[position[("all", "all")]] == ""


def test_only_rows_that_count_people_are_protected():
    frame = pd.DataFrame({"indicator_code": ["OC1.2", "OC1.3"], "value": [3.0, 3.0]})
    out = suppress_small_counts(frame, ["value"], rows=frame.indicator_code == "OC1.2")
    assert list(out.value) == ["<5", 3.0]


def test_missing_values_stay_missing():
    frame = pd.DataFrame({"sex": ["female", "male", "all"], "value": [np.nan, 3, 3]})
    out = suppress_small_counts(frame, ["value"], total_marker={"sex": "all"})
    assert pd.isna(out.value[0]) and list(out.value[1:]) == ["<5", "<5"]


def test_numbers_for_charts_have_hidden_cells_missing():
    frame = by_sex(3, 10, 13)
    numeric = protect_small_counts(frame, ["value"], **SEX).numeric(frame)
    assert numeric.value.isna().tolist() == [True, True, False]


def test_the_index_of_the_table_is_kept():
    frame = by_sex(3, 10, 13).set_index(pd.Index([10, 20, 30]))
    out = suppress_small_counts(frame, ["value"], **SEX)
    assert out.loc[10, "value"] == "<5" and out.loc[30, "value"] == 13


def test_downloads_of_a_protected_table_hold_no_small_number():
    frame = by_sex(3, 10, 13)
    csv = exports.to_csv_bytes(suppress_small_counts(frame, ["value"], **SEX)).decode("utf-8-sig")
    assert "<5" in csv and HIDDEN_LABEL in csv
    assert ",3" not in csv and ",10" not in csv


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"count_columns": ["people"]}, r"Count column\(s\) not in the table: people"),
        ({"threshold": 0}, "at least 1"),
        ({"total_marker": {"gender": "all"}}, r"Total column\(s\) not in the table: gender"),
        ({"percent_columns": {"pct": "value"}}, r"Percentage column\(s\) not in the table: pct"),
        ({"total_column": "indicator_code"}, "must be one of the count columns"),
        ({"rows": [True]}, "one entry per row"),
    ],
)
def test_wrong_arguments_are_named(kw, message):
    kw = {"count_columns": ["value"]} | kw
    with pytest.raises(ValueError, match=message):
        protect_small_counts(by_sex(3, 10, 13), **kw)


def test_two_total_rows_in_one_group_are_refused():
    frame = pd.concat([by_sex(3, 10, 13), by_sex(3, 10, 13).tail(1)], ignore_index=True)
    with pytest.raises(ValueError, match="Two total rows"):
        protect_small_counts(frame, ["value"], **SEX)


# --- sensitive indicators ------------------------------------------------------------------


def test_sensitive_indicators_are_removed_entirely():
    frame = pd.DataFrame(
        {"indicator_code": ["OC1.2", "OC2.4", "OC2.4", "G1"], "value": [1, 2, 3, 4]}
    )
    out = without_sensitive_indicators(frame, {"OC2.4"})
    assert list(out.indicator_code) == ["OC1.2", "G1"]
    with pytest.raises(ValueError, match="no 'code' column"):
        without_sensitive_indicators(frame, {"OC2.4"}, column="code")


INDICATORS = [
    {"indicator_code": "OC1.2", "level": "outcome", "outcome": 1, "title": "Members trained",
     "unit": "number", "direction": "increase", "aggregation": "sum", "target": 120,
     "disaggregation": "sex", "sensitive": False},
    {"indicator_code": "OC1.3", "level": "outcome", "outcome": 1, "title": "% improved",
     "unit": "percent", "direction": "increase", "aggregation": "mean", "target": 75,
     "sensitive": False},
    {"indicator_code": "OC2.4", "level": "outcome", "outcome": 2, "title": "Returnees reached",
     "unit": "number", "direction": "increase", "aggregation": "sum", "target": 60,
     "disaggregation": "sex", "sensitive": True},
]  # fmt: skip


def test_donor_protection_from_the_database(db, settings):
    insert(db, "indicators", INDICATORS)
    protection = donor_protection(db, settings)
    assert protection.sensitive == {"OC2.4"}
    assert protection.counts_people == {"OC1.2", "OC2.4"}
    assert protection.threshold == settings.privacy.small_count_threshold == 5
    values = pd.DataFrame(
        {
            "indicator_code": ["OC1.2"] * 3 + ["OC1.3"] + ["OC2.4"] * 3,
            "sex": ["female", "male", "all", "all", "female", "male", "all"],
            "value": [4.0, 30.0, 34.0, 2.5, 1.0, 20.0, 21.0],
        }
    )
    result = protection.apply(
        values, ["value"], group_columns=["indicator_code"], total_marker={"sex": "all"}
    )
    table = result.table
    assert "OC2.4" not in set(table.indicator_code)
    assert list(table.value) == ["<5", HIDDEN_LABEL, 34.0, 2.5]


def test_every_combination_of_two_small_parts_stays_hidden():
    # Exhaustive over small tables: no hidden count is ever the only hidden cell of its sum.
    for f, m in itertools.product(range(0, 8), repeat=2):
        result = protect_small_counts(by_sex(f, m, f + m), ["value"], **SEX)
        hidden = result.hidden.value.tolist()
        if 0 < f < 5 or 0 < m < 5:
            assert sum(hidden) >= 2, (f, m, result.table.value.tolist())
        else:
            assert not any(hidden)
