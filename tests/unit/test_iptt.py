"""The IPTT workbook (monitoring/reports/iptt.py, docs/reports.md), read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.db.versions import current_version
from monitoring.reports import indicators, iptt
from monitoring.reports.documents import NotAllowed
from tests.conftest import ENGINES, sample_database
from tests.unit.reports_support import AS_OF, copy_of, programme_settings, view, workbook


@pytest.fixture(scope="module", params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db, programme_settings()
    db.close()


@pytest.fixture(scope="module")
def team_book(sample):
    db, settings = sample
    return iptt.iptt_workbook(db, view(db, settings), settings, AS_OF)


def rows_by_code(book) -> dict:
    sheet = book["IPTT"]
    header = [c.value for c in sheet[2]]
    out, last = {}, None
    for row in sheet.iter_rows(min_row=3):
        values = [c.value for c in row]
        if values[0] and values[1]:
            last = values[0]
            out[last] = dict(zip(header, row, strict=False)) | {"_cells": row, "_parts": []}
        elif values[1] and last:
            out[last]["_parts"].append(values)
    return out


def test_the_workbook_has_the_columns_donors_know_and_a_cover(team_book, sample):
    db, _ = sample
    book = workbook(team_book)
    assert book.sheetnames == ["Cover", "IPTT"]
    sheet = book["IPTT"]
    header = [c.value for c in sheet[2]]
    assert header[:10] == list(iptt.FIXED_COLUMNS)
    assert header[10:13] == ["Target", "Actual", "% met"]
    assert header[-4:] == list(iptt.LAST_COLUMNS)
    assert sheet["K1"].value == "2021Q1 (to 31 Mar 2021)"
    assert sheet.freeze_panes == "C3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    cover = {r[0]: r[1] for r in book["Cover"].iter_rows(min_row=3, values_only=True) if r[0]}
    version = current_version(db)
    assert cover["Data version"] == f"batch {version.batch}, {version.undone} undone"
    assert cover["Data as of"] == version.time_text  # the data's time, not the time made
    assert cover["Reporting date"] == "30 June 2022 (quarter 2022Q2)"
    assert cover["Scope"] == "the whole programme (Jizzakh, Tashkent Region, Namangan)"
    assert book.properties.modified == version.at.replace(tzinfo=None)


def test_indicator_rows_hold_the_pages_figures(team_book, sample):
    db, settings = sample
    rows = rows_by_code(workbook(team_book))
    groups = [
        r[0].value for r in workbook(team_book)["IPTT"].iter_rows(min_row=3) if not r[1].value
    ]
    assert groups[:4] == ["Goal", "Outcome 1", "Outcome 2", "Outcome 3"]
    oc12 = rows["OC1.2"]
    assert oc12["Indicator"].value.startswith("Number of CSO members trained")
    assert (oc12["Unit of measure"].value, oc12["# / %"].value) == ("Count", "#")
    assert oc12["Direction of change"].value == "Increase (+)"
    assert oc12["Cumulative or not"].value == "Cumulative"
    assert (oc12["LoP target"].value, oc12["LoP actual"].value) == (120, 128)
    assert oc12["LoP % met"].value == pytest.approx(1.07)
    assert oc12["LoP % met"].number_format == "0%"
    assert oc12["Baseline"].value is None  # no baseline: empty, never 0
    # The tracking table of the page says the same.
    page = indicators.tracking_table(db, view(db, settings), settings, AS_OF).table
    row = page[page.Code == "OC1.2"].iloc[0]
    assert row["Actual to 2022Q2"] == 128 and row["% of target achieved"] == 107
    # Quarter by quarter: the running total against the quarter's target.
    cells = oc12["_cells"]
    quarter = {c.value: i for i, c in enumerate(workbook(team_book)["IPTT"][1]) if c.value}
    q4 = quarter["2021Q4 (to 31 Dec 2021)"]
    assert [cells[q4].value, cells[q4 + 1].value] == [70, 86]
    assert cells[q4 + 2].value == pytest.approx(86 / 70)
    assert cells[quarter["2021Q1 (to 31 Mar 2021)"] + 1].value == "–"  # not reported: never 0
    # Disaggregation rows under the indicator: by sex, then age group.
    assert [p[1] for p in oc12["_parts"]] == ["Female", "Male", "Age 15–29", "Age 30+"]
    assert rows["OC2.3"]["Direction of change"].value == "Decrease (−)"
    assert rows["G1"]["Cumulative or not"].value == "Not cumulative (latest value)"


def test_the_narrative_check_flags_deviations_without_a_narrative(sample_db_path, tmp_path):
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    before = iptt.iptt_table(db, view(db, settings), settings, AS_OF)
    assert "OC2.2" in before.flagged  # 56% met against 100% expected
    assert "OC1.2" not in before.flagged  # on track
    with db.transaction() as cur:
        cur.execute(
            "update indicator_values set deviation_narrative = 'Two initiatives were postponed "
            "until the khokimiyat approves the budget.' where indicator_code = 'OC2.2' and "
            "period = '2022Q2' and region_code = 'UZ-JI' and sex = 'all' and age_group = 'all'"
        )
    after = iptt.iptt_table(db, view(db, settings), settings, AS_OF)
    assert "OC2.2" not in after.flagged
    line = next(x for x in after.lines if x.fixed.get("No.") == "OC2.2")
    assert line.last["Deviation narrative"] == (
        "2022Q2: Jizzakh: Two initiatives were postponed until the khokimiyat approves the budget."
    )
    assert line.last["Narrative check"].startswith("Explained")
    db.close()


def test_formula_looking_text_is_neutralised(sample_db_path, tmp_path):
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    with db.transaction() as cur:
        cur.execute(
            'update indicators set title = \'=HYPERLINK("http://x.example","click")\' '
            "where indicator_code = 'OC1.1'"
        )
    data = iptt.iptt_workbook(db, view(db, settings), settings, AS_OF)
    cell = rows_by_code(workbook(data))["OC1.1"]["Indicator"]
    assert cell.value == '\'=HYPERLINK("http://x.example","click")' and cell.data_type == "s"
    db.close()


def test_the_same_data_date_and_scope_give_the_same_bytes(team_book, sample):
    db, settings = sample
    again = iptt.iptt_workbook(db, view(db, settings), settings, AS_OF)
    assert again == team_book
    earlier = iptt.iptt_workbook(db, view(db, settings), settings, dt.date(2021, 12, 31))
    assert earlier != team_book


def test_a_link_without_reports_gets_no_workbook(sample):
    db, settings = sample
    no_reports = view(db, settings, donor=True, downloads=("tables",))
    with pytest.raises(NotAllowed, match="Reports cannot be downloaded through this link"):
        iptt.iptt_workbook(db, no_reports, settings, AS_OF)
