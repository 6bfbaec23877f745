"""The fast ways of reading and checking large files answer as the careful ones do."""

import shutil

import pytest

from monitoring.db import Database
from monitoring.intake import batches, upload
from monitoring.intake.upload import read_table
from tests.unit.upload_support import reopen_everything

HEADER = "indicator_code,period,region_code,org_id,sex,age_group,value,comment"


@pytest.fixture
def upload_db(sample_db_path, tmp_path):
    path = tmp_path / "upload.duckdb"
    shutil.copy(sample_db_path, path)
    database = Database(path)
    reopen_everything(database)  # the sample's quarters are approved, so locked
    yield database
    database.close()


def test_line_numbers_follow_a_value_that_spans_lines():
    data = (
        f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"two\nlines"\n\nOC1.1,2021Q2,UZ-JI,,all,all,2,\n'
    )
    raw = read_table(data.encode(), "values.csv")
    assert [line for line, _ in raw.rows] == [2, 5]


def test_line_numbers_of_one_line_records_skip_blank_lines():
    data = (
        f"sep=,\n\n{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,\n,,,,,,,\n"
        "OC1.1,2021Q2,UZ-JI,,all,all,2,\n"
    )
    raw = read_table(data.encode(), "values.csv")
    assert raw.header_line == 3
    assert [line for line, _ in raw.rows] == [4, 6]


def test_the_header_of_a_large_file_is_found():
    rows = "".join(f"OC1.1,2021Q1,UZ-JI,ORG-{i},all,all,{i},\n" for i in range(4000))
    raw = read_table(f"\n\n{HEADER}\n{rows}".encode(), "values.csv")
    assert raw.header_line == 3 and len(raw.rows) == 4000


def test_rows_all_shorter_than_the_header_are_ragged_not_a_crash(upload_db, settings):
    data = f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all\nOC1.1,2021Q2,UZ-JI,,all,all\n"
    check = batches.preview_file(upload_db, data.encode(), "values.csv", settings).check
    assert [e.reason for e in check.errors] == [
        "line 2 has 6 values but the header has 8 columns",
        "line 3 has 6 values but the header has 8 columns",
    ]


def test_a_bad_value_is_reported_on_every_line_that_has_it(upload_db, settings):
    data = (
        f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,x,\nOC1.1,2021Q2,UZ-JI,,all,all,3,\n"
        "OC1.1,2021Q3,UZ-JI,,all,all,x,\n"
    )
    check = batches.preview_file(upload_db, data.encode(), "values.csv", settings).check
    assert [(e.line, e.column) for e in check.errors] == [(2, "value"), (4, "value")]
    assert check.rows.line.tolist() == [3]


# Reading column by column (upload._records_by_columns, Arrow's CSV reader) -----------------
COLUMN_READ = [  # (file, read column by column?)
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\nOC1.1,2021Q2,UZ-JI,,all,all,2,\n", True),
    (f'{HEADER}\r\nOC1.1,2021Q1,UZ-JI,"",all,all,1,"a, b"\r\nOC1.1,2021Q2,UZ-JI,,all,all,2,', True),
    (f"\ufeff{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,Жиззах: отчёт\n", True),
    (f"sep=;\n{HEADER.replace(',', ';')}\nOC1.1;2021Q1;UZ-JI;;all;all;1,5;x\n", True),
    (f"{HEADER.replace(',', chr(9))}\nOC1.1\t2021Q1\tUZ-JI\t\tall\tall\t1\t x \n", True),
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"say ""hi"""\n', False),  # quotes inside
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"x"y\n', False),  # refused by the careful one
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"x" \n', False),
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"open\n', False),  # a quote never closed
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"two\nlines"\n', False),
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\n\nOC1.1,2021Q2,UZ-JI,,all,all,2,\n", False),
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\n,,,,,,,\n", False),  # a row of nothing
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\n , ,\t, , , ,  , \n", False),  # of spaces
    # every column has an empty cell, but no row is empty in every column
    (f"{HEADER}\n,,,,,,,x\nOC1.1,2021Q1,UZ-JI, ,all,all,1, \n", True),
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1\nOC1.1,2021Q2,UZ-JI,,all,all,2,,\n", False),
    (f"{HEADER}\rOC1.1,2021Q1,UZ-JI,,all,all,1,x\r", False),  # lone carriage returns
    (f"\n\n{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\n", True),
    (f"{HEADER},\nOC1.1,2021Q1,UZ-JI,,all,all,1,x,\n", False),  # a column without a name
    (f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,x\n\n", False),
    (f'"indicator_code",{HEADER[15:]}\n"OC1.1",2021Q1,UZ-JI,,all,all,1,"x"', True),
    (f'{HEADER.replace(",", ";")}\r\n"OC1.1";2021Q1;UZ-JI;;all;all;"1,5";"a; b"\r\n', True),
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1, "x"\n', False),  # a space before the quote
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"a"\nOC1.1,2021Q2,UZ-JI,,all,all,2,b"\n', False),
    (f'{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,"Жиз""зах"\n', False),
]


def _read(data: bytes, monkeypatch, careful: bool):
    if careful:
        monkeypatch.setattr(upload, "_records_by_columns", lambda *args: None)
    try:
        raw = read_table(data, "values.csv")
    except upload.UnreadableFile as exc:
        return ("refused", str(exc)), None
    finally:
        monkeypatch.undo()
    return (raw.header, raw.header_line, list(raw.rows), raw.delimiter, raw.encoding), raw


@pytest.mark.parametrize(("text", "by_columns"), COLUMN_READ)
def test_reading_by_columns_agrees_with_the_careful_reader(text, by_columns, monkeypatch):
    data = text.encode()
    fast, raw = _read(data, monkeypatch, careful=False)
    careful, _ = _read(data, monkeypatch, careful=True)
    assert fast == careful
    assert (raw is not None and isinstance(raw.rows, upload.ColumnRows)) == by_columns


def test_windows_1251_is_read_by_the_careful_reader(monkeypatch):
    data = f"{HEADER}\nOC1.1,2021Q1,UZ-JI,,all,all,1,Жиззах\n".encode("cp1251")
    fast, raw = _read(data, monkeypatch, careful=False)
    assert fast == _read(data, monkeypatch, careful=True)[0]
    assert raw.encoding == "Windows-1251" and raw.rows[0][1][7] == "Жиззах"
    assert not isinstance(raw.rows, upload.ColumnRows)


def test_a_preview_read_by_columns_is_the_careful_preview(upload_db, settings, monkeypatch):
    rows = [f"OC1.1,2021Q{q},UZ-JI,,all,all,{v},note {v % 3}" for q, v in ((1, 5), (2, -1))]
    rows += ["OC1.1,2021Q3,UZ-XX,,all,all,7,", "OC1.1,2021Q1,UZ-JI,,all,all,5,again"]
    rows += ["OC1.1,2099Q1,UZ-JI,,all,all,x,"]
    data = "\n".join([HEADER, *rows, ""]).encode()
    previews = []
    for careful in (False, True):
        if careful:
            monkeypatch.setattr(upload, "_records_by_columns", lambda *args: None)
        check = batches.preview_file(upload_db, data, "values.csv", settings).check
        monkeypatch.undo()
        previews.append(
            (
                [(e.line, e.column, e.value, e.reason) for e in check.errors],
                [(w.line, w.column, w.reason) for w in check.warnings],
                check.rows.values.tolist(),
                check.summary(),
            )
        )
    assert previews[0] == previews[1]
    assert previews[0][0]  # the file has errors, each named by line and column
