"""The fast ways of reading and checking large files answer as the careful ones do."""

import shutil

import pytest

from monitoring.db import Database
from monitoring.intake import batches
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
