"""The stored series an upload of indicator values is compared with, summarised while the
file is checked (monitoring/quality/outliers.py SeriesAhead), on both engines: the preview
warns about the same outliers as when it summarises them itself, a kept summary is read
instead, and the summary ahead is used only for the indicators it covers."""

from __future__ import annotations

import pytest

from monitoring.db import Database
from monitoring.intake.batches import preview_file
from monitoring.intake.upload import raw_values, read_table
from monitoring.intake.validation import Check
from monitoring.quality import outliers
from monitoring.quality.queries import run_named
from tests.conftest import ENGINES, indicator_row, insert
from tests.unit.upload_support import VALUES_HEADER, csv_bytes, sample_copy

# OC2.3's stored values lie between 12 and 19: 90 is far outside its series.
FILE = csv_bytes(
    VALUES_HEADER,
    "OC2.3,2022Q2,UZ-JI,,all,all,90,,Survey",
    "OC2.3,2022Q2,UZ-TO,,all,all,15,,Survey",
    "OC2.1,2022Q2,UZ-JI,,all,all,1,,Survey",
)


@pytest.fixture(params=ENGINES)
def sample(request, tmp_path):
    database = sample_copy(request, request.param, tmp_path)
    yield database
    database.close()


class Inline:
    """In place of SeriesAhead: nothing begun, so the preview summarises the series itself."""

    def __init__(self, db, indicators):
        pass

    def __call__(self, indicators):
        return None

    def settle(self) -> None:
        pass


def outlier_warnings(check: Check) -> list[tuple[int | None, str]]:
    return [(w.line, w.reason) for w in check.warnings if "modified z-score" in w.reason]


def test_the_preview_warns_as_when_it_summarises_the_series_itself(sample, settings, monkeypatch):
    assert outliers.prepared_series(sample) is None  # nothing kept: the summary runs ahead
    ahead = preview_file(sample, FILE, "values.csv", settings).check
    found = outlier_warnings(ahead)
    assert [line for line, _ in found] == [2]
    assert "far outside the earlier values of OC2.3 (12 to 19" in found[0][1]
    assert "median of 12 values 15.0" in found[0][1]
    # The same file previewed as before: nothing ahead, the series summarised in compare.
    monkeypatch.setattr(outliers, "SeriesAhead", Inline)
    inline = preview_file(sample, FILE, "values.csv", settings).check
    assert ahead.warnings == inline.warnings and ahead.errors == inline.errors


def test_the_summary_ahead_is_the_summary_of_the_files_indicators(sample):
    ahead = outliers.SeriesAhead(sample, ["OC1.1", "OC2.1"])
    summary = ahead(["OC1.1"])
    with sample.cursor() as cur:
        expected = run_named(cur, "series_summary", indicators=["OC1.1", "OC2.1"])
    key = ["indicator_code", "sex", "age_group"]
    assert set(summary.indicator_code) == {"OC1.1", "OC2.1"}
    assert (
        summary.sort_values(key)
        .reset_index(drop=True)
        .equals(expected.sort_values(key).reset_index(drop=True))
    )
    # Checked rows of an indicator the file did not name as written (not covered): None, and
    # the preview summarises them itself.
    assert ahead(["OC1.1", "OC3.1"]) is None


def test_a_kept_summary_is_read_and_nothing_runs_ahead(sample):
    kept = outliers.series_summary(sample)  # kept for this data version, as after a write
    ahead = outliers.SeriesAhead(sample, ["OC1.1"])
    assert ahead._future is None
    assert ahead(["OC1.1", "OC3.1"]).equals(kept)  # every series, whatever the file names


def test_a_file_without_the_column_begins_nothing(sample):
    ahead = outliers.SeriesAhead(sample, set())
    assert ahead._future is None and ahead(["OC1.1"]) is None


@pytest.mark.parametrize("careful", [False, True])
def test_the_codes_a_file_names_are_read_before_any_check(careful):
    # A quoted value with a comma inside sends the file to the careful reader (a list of
    # cells per row); without it, Arrow's reader reads it column by column.
    comment = '"a, b"' if careful else "ab"
    raw = read_table(
        csv_bytes(
            " Indicator_Code ,period,region_code,org_id,sex,age_group,value,comment,source",
            f" OC1.1 ,2022Q1,UZ-JI,CSO-01,all,all,4,{comment},S",
            "OC2.1,2022Q1,UZ-JI,CSO-01,all,all,3,,S",
            "OC1.1,2022Q2,UZ-JI,CSO-01,all,all,,,S",
        ),
        "values.csv",
    )
    assert raw_values(raw, "indicator_code") == {"OC1.1", "OC2.1"}
    assert raw_values(raw, "grant_id") == set()


def test_a_file_refused_at_its_header_leaves_no_summary_running(tmp_path, settings):
    """The summary begins before the header is checked; a preview that then never reads it
    waits for it, so that the database can be closed at once (DuckDB refuses to close a
    connection while another call runs on it)."""
    db = Database(tmp_path / "many.duckdb")
    insert(db, "indicators", [indicator_row("N1")])
    with db.transaction() as cur:  # enough stored values for the summary to take a while
        cur.execute(
            "insert into indicator_values (indicator_code, period, region_code, org_id, sex, "
            "age_group, value) select 'N1', '2021Q1', 'UZ-JI', 'ORG-' || i, 'all', 'all', i % 97 "
            "from range(400000) as t(i)"
        )
    no_value = csv_bytes(
        "indicator_code,period,region_code,org_id,sex,age_group,comment",
        "N1,2021Q2,UZ-JI,,all,all,",
    )
    check = preview_file(db, no_value, "values.csv", settings).check
    assert check.file_errors  # the header lacks `value`: nothing compared, no summary read
    db.close()  # raised "connection is busy with another call" while the summary still ran
