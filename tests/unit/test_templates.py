"""The templates of every table open, name every column, and their example row passes."""

import io

import openpyxl
import pytest

from monitoring.contract import TABLES
from monitoring.intake.batches import preview_file
from monitoring.intake.templates import template_csv, template_xlsx
from monitoring.intake.upload import read_table
from tests.unit.upload_support import copy_of


@pytest.fixture(scope="module")
def template_db(sample_db_path, tmp_path_factory):
    database = copy_of(sample_db_path, tmp_path_factory.mktemp("templates"))
    yield database
    database.close()


@pytest.mark.parametrize("name", list(TABLES))
def test_the_csv_template_is_recognised_and_its_example_row_is_valid(template_db, settings, name):
    data = template_csv(TABLES[name])
    assert data.startswith(b"\xef\xbb\xbf")
    raw = read_table(data, f"{name}.csv")
    assert raw.table.name == name
    assert raw.header == TABLES[name].column_names
    check = preview_file(template_db, data, f"{name}.csv", settings).check
    assert check.ok, check.errors
    assert len(check.rows) == 1


@pytest.mark.parametrize("name", list(TABLES))
def test_the_xlsx_template_has_the_table_sheet_first_and_a_guide(template_db, settings, name):
    data = template_xlsx(TABLES[name])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [name, "How to fill in"]
    guide = [row[0] for row in workbook["How to fill in"].iter_rows(min_row=2, values_only=True)]
    assert set(TABLES[name].column_names) <= set(guide)
    check = preview_file(template_db, data, f"{name}.xlsx", settings).check
    assert check.ok, check.errors
    assert check.raw.sheet == name
