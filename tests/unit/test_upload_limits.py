"""Files small outside and huge inside are refused at once, with the limit named.

Each file is built here, in tmp_path or in memory. A refusal made before the file is parsed
is a TooBigInside (from the sizes a workbook's directory declares, or a count of lines); the
others stop at the first row that breaks a limit, so what is read never exceeds the limits.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import openpyxl
import pytest

from monitoring.intake.upload import (
    MAX_COLUMNS,
    MAX_LINES,
    MAX_XLSX_PARTS,
    MAX_XLSX_RATIO,
    MAX_XLSX_UNCOMPRESSED_MB,
    TooBigInside,
    UnreadableFile,
    read_table,
)
from monitoring.settings import ROOT
from tests.unit.upload_support import csv_bytes, xlsx_bytes

HEADER = ["budget_line", "category", "period", "amount", "currency"]
ROW = ["1.1", "staff", "2021Q1", 100, "USD"]


def workbook_with(replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None):
    """A real workbook of the budget table, some of its parts replaced or added (written
    deflated, as Excel writes them)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, ROW], sheet="budget")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def sheet_xml(body: bytes, dimension: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dimension
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def test_a_workbook_whose_sheet_unpacks_a_thousand_times_larger_is_refused_unread():
    # 600 MB of one repeated cell would be the tester's file; 200 MB makes the same point.
    row = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        + b"A" * (200 * 2**20)
        + b"</t></is></c></row>"
    )
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet_xml(row)})
    assert len(data) < 2 * 2**20  # small outside
    with pytest.raises(TooBigInside) as refused:
        read_table(data, "bomb.xlsx")
    message = str(refused.value)
    assert "unpacks to 200 MB" in message
    assert f"up to {MAX_XLSX_UNCOMPRESSED_MB} MB" in message


def test_one_part_packed_far_tighter_than_any_sheet_is_refused_unread():
    row = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"B" * (20 * 2**20) + b"</t></is></c></row>"
    )
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet_xml(row)})
    with pytest.raises(TooBigInside) as refused:
        read_table(data, "tight.xlsx")
    message = str(refused.value)
    assert "'xl/worksheets/sheet1.xml' unpacks" in message
    assert f"at most {MAX_XLSX_RATIO} times" in message


def test_a_workbook_of_thousands_of_parts_is_refused_unread():
    extra = {f"xl/media/image{i}.bin": b"x" for i in range(MAX_XLSX_PARTS)}
    with pytest.raises(TooBigInside, match=f"at most {MAX_XLSX_PARTS:,} are accepted"):
        read_table(workbook_with(extra=extra), "parts.xlsx")


def test_a_zip_of_a_huge_csv_is_refused_unread_too():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("values.csv", b"indicator_code,period\n" + b"OC1.1,2021Q1\n" * 2_000_000)
    with pytest.raises(TooBigInside, match="unpacks"):
        read_table(out.getvalue(), "values.zip")


def test_gzip_is_not_accepted_and_never_unpacked():
    data = gzip.compress(b"budget_line,category\n" + b"1.1,staff\n" * 1_000_000)
    with pytest.raises(UnreadableFile, match=r"compressed \(gzip\) file, not a table"):
        read_table(data, "budget.csv.gz")


def test_a_sheet_declaring_the_whole_grid_is_refused_before_its_rows_are_read():
    body = b'<row r="1"><c r="A1" t="inlineStr"><is><t>budget_line</t></is></c></row>'
    dimension = b'<dimension ref="A1:XFD1048576"/>'
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet_xml(body, dimension)})
    with pytest.raises(UnreadableFile, match="declares 1,048,576 rows and 16,384 columns"):
        read_table(data, "grid.xlsx")


def test_a_value_in_column_xfd_is_refused_at_its_row_without_padding_rows_to_it():
    # No declared size (some programs write none): openpyxl's iter_rows would make 16,384
    # cells of every such row, 800 million here, from a file of a few hundred kilobytes.
    header = b"".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
        for col, name in zip("ABCDE", HEADER, strict=True)
    )
    rows = b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>1.1</t></is></c>'
        f'<c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        for r in range(2, 50_002)
    )
    sheet = sheet_xml(b'<row r="1">' + header + b"</row>" + rows)
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "far.xlsx")
    assert "Row 2 has a value in column XFD (column 16,384)" in str(refused.value)
    assert f"at most {MAX_COLUMNS} columns" in str(refused.value)


def test_a_workbook_declaring_its_true_size_beyond_the_columns_is_refused_unread():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "budget"
    sheet.append(HEADER)
    sheet.cell(row=2, column=16_384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UnreadableFile, match="declares 2 rows and 16,384 columns"):
        read_table(buffer.getvalue(), "far.xlsx")


def test_a_row_number_beyond_excels_last_row_is_a_damaged_sheet():
    body = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>budget_line</t></is></c></row>'
        b'<row r="99999999"><c r="A99999999" t="inlineStr"><is><t>1.1</t></is></c></row>'
    )
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet_xml(body)})
    with pytest.raises(UnreadableFile, match="beyond Excel's last row"):
        read_table(data, "far-down.xlsx")


def test_a_sheet_declaring_too_small_a_size_is_read_whole():
    # Read-only openpyxl trusts the declared size and would cut every row to column A.
    body = b"".join(
        f'<row r="{row}">'.encode()
        + "".join(
            f'<c r="{col}{row}" t="inlineStr"><is><t>{value}</t></is></c>'
            for col, value in zip("ABCDE", values, strict=True)
        ).encode()
        + b"</row>"
        for row, values in ((1, HEADER), (2, ROW))
    )
    data = workbook_with({"xl/worksheets/sheet1.xml": sheet_xml(body, b'<dimension ref="A1"/>')})
    raw = read_table(data, "small-dimension.xlsx")
    assert raw.header == HEADER
    assert raw.rows == [(2, ["1.1", "staff", "2021Q1", "100", "USD"])]


def test_a_csv_of_millions_of_tiny_lines_is_refused_unread():
    data = b"currency,month,per_usd\n" + b"\n" * (MAX_LINES + 1)
    with pytest.raises(TooBigInside, match=f"at most {MAX_LINES:,} lines"):
        read_table(data, "blank.csv")


def test_a_csv_line_of_a_million_characters_is_refused_before_it_is_split():
    data = csv_bytes("currency,month,per_usd", "UZS," * 300_000 + "1")
    with pytest.raises(UnreadableFile, match="Line 2 is longer than 1,000,000 characters"):
        read_table(data, "wide.csv")


def test_a_csv_row_of_thousands_of_values_is_refused_at_that_row():
    data = csv_bytes("currency,month,per_usd", "UZS,2021-03,1", ",".join(["7"] * 5_000))
    with pytest.raises(
        UnreadableFile, match=f"Line 3 has 5,000 values; a table has at most {MAX_COLUMNS}"
    ):
        read_table(data, "values.csv")


def test_a_header_of_thousands_of_columns_is_refused_at_once():
    data = csv_bytes(",".join(f"c{i}" for i in range(5_000)), "1")
    with pytest.raises(UnreadableFile, match="The first line has 5,000 columns"):
        read_table(data, "wide.csv")


def test_trailing_empty_values_of_a_wide_export_are_not_columns():
    # Excel's CSV of a sheet with formatted empty columns far to the right.
    padding = "," * 100
    data = csv_bytes("currency,month,per_usd" + padding, "UZS,2021-03,10470" + padding)
    raw = read_table(data, "exchange_rates.csv")  # not refused for its 103 "columns"
    assert raw.header[:3] == ["currency", "month", "per_usd"]
    assert not "".join(raw.header[3:]) and len(raw.header) == MAX_COLUMNS
    assert raw.rows[0][1][:3] == ["UZS", "2021-03", "10470"]


def test_a_value_spanning_lines_inside_quotes_still_reads():
    data = csv_bytes(
        "indicator_code,period,region_code,value,comment",
        'OC1.1,2021Q2,UZ-JI,3,"two\nlines"',
        "OC1.1,2021Q3,UZ-JI,4,",
    )
    raw = read_table(data, "values.csv")
    assert [line for line, _ in raw.rows] == [2, 4]
    assert raw.rows[0][1][4] == "two\nlines"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_kind_of_line_break_reads_alike(newline):
    data = csv_bytes("currency,month,per_usd", "UZS,2021-03,1", "UZS,2021-04,2", newline=newline)
    raw = read_table(data, "rates.csv")
    assert raw.rows == [(2, ["UZS", "2021-03", "1"]), (3, ["UZS", "2021-04", "2"])]


def test_the_limits_are_the_ones_docs_upload_md_names():
    doc = (ROOT / "docs" / "upload.md").read_text(encoding="utf-8")
    for name in (
        "MAX_LINES",
        "MAX_LINE_CHARS",
        "MAX_XLSX_PARTS",
        "MAX_XLSX_UNCOMPRESSED_MB",
        "MAX_XLSX_RATIO",
    ):
        assert name in doc, name
