import io

import openpyxl
import pandas as pd

from monitoring.reports.exports import to_csv_bytes, to_xlsx_bytes

AWKWARD = pd.DataFrame(
    {
        "name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Жиззах", None],
        "value": [1.5, -3.0, 0.0, None, 2.25, 7.0],
    }
)


def test_csv_cells_that_start_a_formula_are_neutralised():
    text = to_csv_bytes(AWKWARD).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "name,value"
    assert lines[1].startswith("\"'=HYPERLINK(")
    assert lines[2] == "'+1,-3.0"  # a negative number stays a number
    assert lines[3] == "'-2,0.0"
    assert lines[4] == "'@SUM(A1),"
    assert lines[5] == "Жиззах,2.25"


def test_xlsx_holds_neutralised_text_and_real_numbers():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(AWKWARD, sheet="attention")))
    sheet = book["attention"]
    assert sheet["A2"].value.startswith("'=")
    assert sheet["A2"].data_type == "s"
    assert sheet["B3"].value == -3.0


def test_xlsx_writes_times_with_a_zone_as_utc():
    frame = pd.DataFrame(
        {"When (UTC)": pd.to_datetime(["2022-03-01 09:30+05:00"]).tz_convert("Asia/Tashkent")}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert str(sheet["A2"].value) == "2022-03-01 04:30:00"
