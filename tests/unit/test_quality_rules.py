"""Each check of the Data quality page on small fixtures (docs/quality.md): completeness,
timeliness, outliers, the validation rules written as data, follow-ups."""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import pytest

from monitoring import quality
from monitoring.quality import completeness, followups, outliers, rules, timeliness
from monitoring.settings import Rule, SettingsError, load_settings
from tests.conftest import SETTINGS_TOML, indicator_row, insert, value_row

END = dt.date(2022, 6, 30)


@pytest.fixture
def base(db):
    insert(db, "regions", [
        {"region_code": c, "name_en": n} for c, n in
        (("UZ-JI", "Jizzakh"), ("UZ-TO", "Tashkent region"), ("UZ-NG", "Namangan"))
    ])  # fmt: skip
    insert(
        db,
        "organisations",
        [{"org_id": "CSO-1", "name": "Women of Jizzakh", "kind": "cso", "region_code": "UZ-JI"}],
    )
    insert(
        db,
        "indicators",
        [indicator_row("A"), indicator_row("B"), indicator_row("P", unit="percent")],
    )
    return db


def test_completeness_expects_an_indicator_from_its_first_report_or_target(base, settings):
    insert(base, "indicator_values", [
        value_row("A", "2021Q2", "UZ-JI", 1), value_row("A", "2021Q4", "UZ-JI", 2),
    ])  # fmt: skip
    insert(
        base,
        "indicator_targets",
        [{"indicator_code": "B", "period": "2021Q3", "region_code": "UZ-TO", "target": 5}],
    )
    found = completeness.completeness(base, settings, dt.date(2021, 12, 31))
    cells = {
        (r.indicator_code, r.region_code, r.period): r.reported for r in found.cells.itertuples()
    }
    assert cells == {
        ("A", "UZ-JI", "2021Q2"): True,
        ("A", "UZ-JI", "2021Q3"): False,
        ("A", "UZ-JI", "2021Q4"): True,
        ("B", "UZ-TO", "2021Q3"): False,
        ("B", "UZ-TO", "2021Q4"): False,
    }
    assert (found.expected, found.reported) == (5, 2)
    by_region = found.by("region_code").set_index("region_code")
    assert by_region.loc["UZ-JI", "share"] == pytest.approx(2 / 3)
    heat = found.heat_table().set_index(["indicator_code", "region_code"])
    assert heat.loc[("A", "UZ-JI"), "2021Q3"] == "✗"
    assert heat.loc[("B", "UZ-TO"), "2021Q2"] == "·"  # not expected before its target


def test_completeness_per_organisation_counts_from_its_first_report(base, settings):
    insert(base, "indicator_values", [
        value_row("A", "2021Q2", "UZ-JI", 1, org_id="CSO-1"),
        value_row("A", "2021Q4", "UZ-JI", 1, org_id="CSO-1"),
    ])  # fmt: skip
    orgs = completeness.by_organisation(base, settings, dt.date(2021, 12, 31))
    row = orgs.set_index("org_id").loc["CSO-1"]
    assert (row.expected, row.reported) == (3, 2)


def test_timeliness_judges_from_the_upload_history(base, settings):
    insert(base, "indicator_values", [value_row("A", "2021Q1", "UZ-JI", 1)])
    with base.transaction() as cur:
        cur.execute(
            "insert into upload_batches (batch_id, table_name, file_name, sha256, uploaded_by, "
            "uploaded_at) values (1, 'indicator_values', 'v.csv', 'x', 'staff', "
            "timestamptz '2021-05-20 10:00:00+00')"
        )
        cur.execute(
            "insert into upload_changes (batch_id, table_name, row_key, action, new_row) values "
            '(1, \'indicator_values\', \'["A","2021Q1","UZ-JI","","all","all"]\', '
            "'insert', '{}')"
        )
    found = timeliness.timeliness(base, settings, dt.date(2021, 6, 30), today=dt.date(2021, 8, 15))
    status = {(r.period): (r.status, r.days_late) for r in found.itertuples()}
    # Deadline of 2021Q1: 31 March + 30 days = 30 April; uploaded 20 May: 20 days late.
    assert status["2021Q1"] == (timeliness.LATE, 20)
    # 2021Q2 not reported; its deadline (30 July) has passed by 15 August: 16 days missing.
    assert status["2021Q2"] == (timeliness.MISSING, 16)
    early = timeliness.timeliness(base, settings, dt.date(2021, 6, 30), today=dt.date(2021, 7, 5))
    assert early.set_index("period").loc["2021Q2", "status"] == timeliness.NOT_DUE


def test_modified_z_score_by_median_and_mad():
    scores = outliers.modified_z([10, 11, 12, 13, 14, 100])
    # median 12.5, MAD 1.5: 0.6745 * (100 - 12.5) / 1.5
    assert scores[-1] == pytest.approx(0.6745 * 87.5 / 1.5)
    assert all(abs(z) < 3.5 for z in scores[:-1])
    assert outliers.modified_z([1, 2, 3]) == [None, None, None]  # too few to judge


def test_outliers_and_bounds_are_flagged(base, settings):
    insert(base, "indicators", [indicator_row("C", max_value=50)])
    rows = [value_row("A", p, r, v) for p, r, v in (
        ("2021Q1", "UZ-JI", 10), ("2021Q2", "UZ-JI", 11), ("2021Q3", "UZ-JI", 12),
        ("2021Q4", "UZ-JI", 13), ("2022Q1", "UZ-JI", 14), ("2022Q2", "UZ-JI", 100),
    )] + [value_row("C", "2021Q1", "UZ-TO", 60)]  # fmt: skip
    insert(base, "indicator_values", rows)
    found = outliers.worded(
        outliers.outliers(base, settings, END), settings.quality.outlier_threshold
    )
    flagged = {(r.indicator_code, r.period): r.why for r in found.itertuples()}
    assert set(flagged) == {("A", "2022Q2"), ("C", "2021Q1")}
    assert "modified z-score" in flagged[("A", "2022Q2")]
    assert "maximum 50" in flagged[("C", "2021Q1")]
    # As of an earlier quarter, the later value is not judged (nor part of the series).
    assert outliers.outliers(base, settings, dt.date(2022, 3, 31)).indicator_code.tolist() == ["C"]


def _outlier_rows(code: str, region: str, spike: float) -> list[dict]:
    """Six quarters of one indicator in one region, the last far from the others."""
    values = (10, 11, 12, 13, 14, spike)
    periods = ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
    return [value_row(code, p, region, v) for p, v in zip(periods, values, strict=True)]


def _ten_outliers(base, settings) -> pd.DataFrame:
    """Outliers in five indicators (in code order A, B, D, E, F; C has none), two regions
    each: the whole result, queried (not kept: the Follow-up tab's rows are read from what
    the Outliers tab keeps)."""
    insert(base, "indicators", [indicator_row(c) for c in "CDEF"])
    rows = []
    for code in "ABDEF":
        rows += _outlier_rows(code, "UZ-JI", 100) + _outlier_rows(code, "UZ-TO", -50)
    rows += _outlier_rows("C", "UZ-JI", 15)
    insert(base, "indicator_values", rows)
    return base.query(
        "quality_outliers",
        period="2022Q2",
        threshold=settings.quality.outlier_threshold,
        indicators=None,
        first_rows=None,
    )


def test_the_first_outliers_are_the_first_rows_of_all_of_them(base, settings):
    # The Follow-up tab's first rows, found a few indicators at a time, are the whole list's.
    whole = _ten_outliers(base, settings)
    assert len(whole) == 10 and (whole.cells == 1).all()
    assert whole.indicator_code.tolist()[:6] == ["A", "A", "B", "B", "D", "D"]
    nothing = outliers.first_outliers(base, settings, END, 0)
    assert nothing.empty and list(nothing.columns) == list(whole.columns)
    for count in (1, 2, 3, 4, 5, 9, 10, 50):
        pd.testing.assert_frame_equal(
            outliers.first_outliers(base, settings, END, count), whole.head(count), obj=count
        )
    # Where the whole result is kept (a download of the Outliers tab), its first rows are read.
    kept = outliers.outliers(base, settings, END)
    pd.testing.assert_frame_equal(kept, whole)
    with base.transaction() as cur:
        cur.execute("update indicator_values set value = 12 where indicator_code = 'A'")
    # (a write: a new data version, so the kept result no longer counts)
    assert outliers.first_outliers(base, settings, END, 3).indicator_code.tolist() == [
        "B",
        "B",
        "D",
    ]


def test_the_outliers_tab_lists_the_first_rows_and_counts_them_all(base, settings, monkeypatch):
    # The tab's result (outliers.shown) lists the first
    # FIRST_SHOWN of the ten and counts the others in one row; both are the whole result's.
    whole = _ten_outliers(base, settings)
    assert len(whole) == 10
    for first in (1, 3, 4, 9, 10, 11, 1_000):
        monkeypatch.setattr(quality, "FIRST_SHOWN", first)
        shown = outliers.shown(base, settings, END)
        listed = outliers.listed_rows(shown)
        # (the count row makes its integer columns nullable)
        pd.testing.assert_frame_equal(listed, whole.head(first), obj=first, check_dtype=False)
        assert outliers.flagged_count(shown) == 10
        assert len(shown) == len(listed) + (first < 10)  # the count of the others: one row
        # The Follow-up tab's first rows are read from it where it lists as many.
        assert outliers.first_outliers(base, settings, END, first).equals(listed)
    monkeypatch.setattr(quality, "FIRST_SHOWN", 0)
    shown = outliers.shown(base, settings, END)
    assert outliers.listed_rows(shown).empty and outliers.flagged_count(shown) == 10
    # Nothing flagged: no row, and a count of 0.
    with base.transaction() as cur:
        cur.execute("delete from indicator_values where indicator_code <> 'C'")
    monkeypatch.setattr(quality, "FIRST_SHOWN", 3)
    shown = outliers.shown(base, settings, END)
    assert shown.empty and outliers.flagged_count(shown) == 0


def _violations(db, settings, rule: Rule):
    return rules.run_rule(db, rule, END)


def test_female_and_male_add_up_to_all(base, settings):
    insert(base, "indicator_values", [
        value_row("A", "2021Q1", "UZ-JI", 10, sex="all"),
        value_row("A", "2021Q1", "UZ-JI", 4, sex="female"),
        value_row("A", "2021Q1", "UZ-JI", 5, sex="male"),
        value_row("A", "2021Q2", "UZ-JI", 9, sex="all"),
        value_row("A", "2021Q2", "UZ-JI", 4, sex="female"),
        value_row("A", "2021Q2", "UZ-JI", 5, sex="male"),
        value_row("A", "2021Q3", "UZ-JI", 9, sex="all"),
        value_row("A", "2021Q3", "UZ-JI", 4, sex="female"),  # male not reported: no rule
        value_row("P", "2021Q1", "UZ-JI", 50, sex="all"),  # percentages never add up
        value_row("P", "2021Q1", "UZ-JI", 40, sex="female"),
        value_row("P", "2021Q1", "UZ-JI", 60, sex="male"),
    ])  # fmt: skip
    found = _violations(base, settings, Rule("sex_adds_up"))
    assert found[["subject", "period"]].values.tolist() == [["A", "2021Q1"]]
    assert found.detail[0] == "female 4 + male 5 = 9 but all 10"
    assert _violations(base, settings, Rule("sex_adds_up", tolerance=1)).empty


def test_age_groups_add_up_to_all_ages(base, settings):
    insert(base, "indicator_values", [
        value_row("A", "2021Q1", "UZ-JI", 10),
        value_row("A", "2021Q1", "UZ-JI", 3, age_group="15-29"),
        value_row("A", "2021Q1", "UZ-JI", 6, age_group="30+"),
        value_row("B", "2021Q1", "UZ-JI", 10),
        value_row("B", "2021Q1", "UZ-JI", 4, age_group="15-29"),
        value_row("B", "2021Q1", "UZ-JI", 6, age_group="30+"),
    ])  # fmt: skip
    found = _violations(base, settings, Rule("age_groups_add_up"))
    assert found.subject.tolist() == ["A"]
    assert "= 9" in found.left[0] and "10" in found.right[0]
    assert _violations(base, settings, Rule("age_groups_add_up", indicators=("B",))).empty


def test_a_numerator_is_not_above_its_denominator(base, settings):
    insert(base, "indicator_values", [
        value_row("A", "2021Q1", "UZ-JI", 12), value_row("B", "2021Q1", "UZ-JI", 10),
        value_row("A", "2021Q2", "UZ-JI", 8), value_row("B", "2021Q2", "UZ-JI", 10),
    ])  # fmt: skip
    found = _violations(base, settings, Rule("not_above", numerator="A", denominator="B"))
    assert found[["period", "left", "right"]].values.tolist() == [["2021Q1", "A 12", "B 10"]]


def test_an_achieved_milestone_has_a_date(base, settings):
    common = dict(title="t", stage=1, level="national", planned_on="2021-03-01")
    insert(base, "milestones", [
        dict(milestone_id="M-1", status="achieved", **common),
        dict(milestone_id="M-2", status="achieved", achieved_on="2021-03-02", **common),
        dict(milestone_id="M-3", status="planned", **common),
    ])  # fmt: skip
    found = _violations(base, settings, Rule("achieved_milestone_has_date"))
    assert found.subject.tolist() == ["M-1"]


def test_disbursed_is_not_above_awarded(base, settings):
    insert(base, "grants", [
        dict(grant_id="G-1", org_id="CSO-1", title="t", awarded_on="2021-02-01", amount=1000,
             currency="USD"),
        dict(grant_id="G-2", org_id="CSO-1", title="t", awarded_on="2021-02-01", amount=1000,
             currency="USD"),
    ])  # fmt: skip
    tx = dict(kind="disbursement", currency="USD", budget_line="4.1")
    insert(base, "transactions", [
        dict(transaction_id="T1", grant_id="G-1", date="2021-03-01", amount=800, **tx),
        dict(transaction_id="T2", grant_id="G-1", date="2021-04-01", amount=300, **tx),
        dict(transaction_id="T3", grant_id="G-2", date="2021-04-01", amount=1000, **tx),
    ])  # fmt: skip
    found = _violations(base, settings, Rule("disbursed_within_award"))
    assert found.subject.tolist() == ["G-1"]
    assert found.detail[0] == "disbursed 1,100 USD but awarded 1,000 USD"
    assert rules.run_rule(base, Rule("disbursed_within_award"), dt.date(2021, 3, 31)).empty


def test_rules_are_read_from_the_settings(tmp_path):
    path = tmp_path / "programme.toml"
    path.write_text(
        textwrap.dedent(SETTINGS_TOML)
        + '\n[quality]\ntimeliness_days = 45\n\n[[quality.rules]]\nkind = "not_above"\n'
        'numerator = "A"\ndenominator = "B"\n',
        encoding="utf-8",
    )
    quality = load_settings(path).quality
    assert quality.timeliness_days == 45 and quality.outlier_threshold == 3.5
    assert quality.rules == (Rule("not_above", "A", "B"),)
    path.write_text(
        textwrap.dedent(SETTINGS_TOML) + '\n[[quality.rules]]\nkind = "sum_of_everything"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="kind must be one of"):
        load_settings(path)
    assert quality.prepare_after_upload  # by default
    path.write_text(
        textwrap.dedent(SETTINGS_TOML) + "\n[quality]\nprepare_after_upload = false\n",
        encoding="utf-8",
    )
    assert load_settings(path).quality.prepare_after_upload is False
    path.write_text(
        textwrap.dedent(SETTINGS_TOML) + '\n[quality]\nprepare_after_upload = "no"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="prepare_after_upload must be true or false"):
        load_settings(path)


def test_a_follow_up_stays_until_the_value_changes_or_it_is_closed(base, settings):
    insert(base, "indicator_values", [value_row("A", "2021Q1", "UZ-JI", 10)])
    key = followups.ValueKey("A", "2021Q1", "UZ-JI")
    number = followups.mark(base, key, "Check the attendance sheets", by="manager")
    listed = followups.follow_ups(base)
    assert (
        listed.follow_up_id.tolist() == [number] and listed.note[0] == "Check the attendance sheets"
    )
    with pytest.raises(followups.FollowUpError, match="already marked"):
        followups.mark(base, key, "again", by="manager")
    with base.transaction() as cur:  # a later upload changes the value
        cur.execute("update indicator_values set value = 11")
    assert followups.follow_ups(base).empty
    assert followups.follow_ups(base, open_only=False).state.tolist() == ["changed"]
    second = followups.mark(base, key, "Check again", by="manager")
    followups.close(base, second, by="manager", note="confirmed")
    assert followups.follow_ups(base).empty
    with pytest.raises(followups.FollowUpError, match="already closed"):
        followups.close(base, second, by="manager")
    with pytest.raises(followups.FollowUpError, match="no stored value"):
        followups.mark(base, followups.ValueKey("B", "2021Q1", "UZ-JI"), "x", by="manager")
