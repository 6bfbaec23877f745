"""Reading uploaded files: encodings, separators, workbooks, and files that are not tables."""

import datetime as dt
import io
import random

import pytest

from monitoring.intake.upload import MAX_ROWS, UnreadableFile, read_table, recognise_table
from tests.unit.upload_support import VALUES_HEADER, csv_bytes, xlsx_bytes

ROW = "OC1.1,2021Q2,UZ-JI,,all,all,3,Жиззах: отчёт,Quarterly report"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_bytes(VALUES_HEADER, ROW), "UTF-8"),
        (b"\xef\xbb\xbf" + csv_bytes(VALUES_HEADER, ROW), "UTF-8 with BOM"),
        (csv_bytes(VALUES_HEADER, ROW, encoding="utf-16"), "UTF-16"),
        (csv_bytes(VALUES_HEADER, ROW, encoding="utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
        (csv_bytes(VALUES_HEADER, ROW, encoding="cp1251"), "Windows-1251"),
        (csv_bytes(VALUES_HEADER, ROW, newline="\r\n"), "UTF-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp1251", "crlf"],
)
def test_every_accepted_encoding_reads_the_cyrillic_text(data, encoding):
    raw = read_table(data, "values.csv")
    assert raw.encoding == encoding
    assert raw.table.name == "indicator_values"
    assert raw.rows == [(2, ROW.split(","))]
    assert raw.rows[0][1][7] == "Жиззах: отчёт"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_every_accepted_separator(delimiter):
    lines = [VALUES_HEADER.replace(",", delimiter), ROW.replace(",", delimiter)]
    raw = read_table(csv_bytes(*lines), "values.csv")
    assert raw.delimiter == delimiter
    assert raw.header == VALUES_HEADER.split(",")
    assert raw.rows[0][1][6] == "3"


def test_a_sep_line_written_by_excel_sets_the_separator():
    raw = read_table(csv_bytes("sep=;", "currency;month;per_usd", "UZS;2021-03;10470,5"), "x.csv")
    assert raw.delimiter == ";"
    assert raw.rows == [(3, ["UZS", "2021-03", "10470,5"])]
    assert raw.comma_is_decimal


def test_quoted_values_may_hold_separators_and_line_breaks_and_lines_are_counted():
    data = csv_bytes(
        "transaction_id,grant_id,date,kind,amount,currency,budget_line,description",
        'T-1,,2021-02-01,expenditure,"1,234.50",USD,1.1,"Salaries, January"',
        'T-2,,2021-02-02,expenditure,10,USD,1.1,"two',
        'lines"',
        "T-3,,2021-02-03,expenditure,10,USD,1.1,after",
    )
    raw = read_table(data, "t.csv")
    assert [line for line, _ in raw.rows] == [2, 3, 5]
    assert raw.rows[0][1][4] == "1,234.50"
    assert raw.rows[1][1][7] == "two\nlines"


def test_blank_lines_are_skipped_but_counted():
    raw = read_table(csv_bytes("currency,month,per_usd", "", "UZS,2021-03,10470", ""), "r.csv")
    assert raw.rows == [(3, ["UZS", "2021-03", "10470"])]


@pytest.mark.parametrize(
    ("header", "table"),
    [
        ("region_code,name_en", "regions"),
        ("indicator_code,period,region_code,target", "indicator_targets"),
        ("indicator_code,period,region_code,value", "indicator_values"),
        (" Indicator_Code , PERIOD,region_code,value ", "indicator_values"),
        ("currency,month,per_usd", "exchange_rates"),
        ("budget_line,category,period,amount,currency", "budget"),
        ("transaction_id,date,kind,amount,currency,budget_line", "transactions"),
    ],
)
def test_the_table_is_recognised_from_the_header(header, table):
    assert recognise_table(header.split(",")).name == table


def test_the_table_can_be_chosen_explicitly():
    raw = read_table(csv_bytes("a,b", "1,2"), "x.csv", table="Budget")
    assert raw.table.name == "budget"


def test_an_unknown_table_name_is_refused():
    with pytest.raises(UnreadableFile, match="no table called 'budgets'"):
        read_table(csv_bytes("a,b", "1,2"), "x.csv", table="budgets")


# Workbooks --------------------------------------------------------------------------------------
def test_a_workbook_is_read_with_typed_cells_as_text():
    data = xlsx_bytes(
        [
            ["transaction_id", "grant_id", "date", "kind", "amount", "currency", "budget_line"],
            ["T-1", None, dt.datetime(2021, 2, 1), "expenditure", 1234.5, "USD", "1.1"],
            ["T-2", None, dt.date(2021, 2, 2), "expenditure", 10, "USD", 1.1],
            [None, None, None, None, None, None, None],
            ["T-3", "", "03.02.2021", "refund", True, "usd"],
        ]
    )
    raw = read_table(data, "t.xlsx")
    assert raw.format == "XLSX" and raw.table.name == "transactions"
    assert raw.rows[0] == (2, ["T-1", "", "2021-02-01", "expenditure", "1234.5", "USD", "1.1"])
    assert raw.rows[1][1][2] == "2021-02-02" and raw.rows[1][1][4] == "10"
    assert raw.rows[2][0] == 5, "row numbers of the sheet, blank rows counted"
    assert raw.rows[2][1][4] == "true" and raw.rows[2][1][6] == "", "short rows padded"


def test_a_workbook_sheet_named_after_the_table_is_preferred():
    data = xlsx_bytes(
        [["currency", "month", "per_usd"], ["UZS", "2021-03", 10470]],
        sheet="exchange_rates",
        extra_sheets=("Read me",),
    )
    raw = read_table(data, "rates.xlsx")
    assert raw.sheet == "exchange_rates"
    assert raw.rows == [(2, ["UZS", "2021-03", "10470"])]


def test_formulas_in_a_workbook_are_read_as_their_text_never_calculated():
    data = xlsx_bytes([["currency", "month", "per_usd"], ["UZS", "2021-03", "=10000+470"]])
    raw = read_table(data, "rates.xlsx")
    assert raw.rows[0][1][2] == "=10000+470"


# Files that are not tables ----------------------------------------------------------------------
PNG = (
    bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 40
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty"),
        (b"\n\n  \r\n", "The file is empty"),
        (b"\xef\xbb\xbf", "The file is empty"),
        (PNG, "a PNG image"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "a JPEG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel 97-2003"),
        (b"PK\x03\x04" + b"\0" * 100, "not an Excel workbook"),
        (random.Random(7).randbytes(4096), "binary data"),
        (
            b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>",
            "web page",
        ),
        (b"  <html lang='en'><head><title>Export</title></head></html>", "web page"),
        (b"<?xml version='1.0'?><Workbook/>", "XML document"),
        (b"colour,size\nred,3\n", "Cannot tell which table"),
        (b"region_code,name_en\nUZ-JI,\x01\x02 Jizzakh\n", "control characters"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "bom-only",
        "png",
        "jpeg",
        "pdf",
        "xls",
        "zip",
        "noise",
        "html",
        "html-lower",
        "xml",
        "unknown-header",
        "control-chars",
    ],
)
def test_files_that_are_not_tables_are_named_for_what_they_are(data, reason):
    with pytest.raises(UnreadableFile, match=reason) as caught:
        read_table(data, "upload.csv")
    assert caught.value.fix


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251"])
def test_a_control_character_is_found_on_its_line_in_every_encoding(encoding):
    text = "region_code,name_en,name_ru\nUZ-JI,Jizzakh,Джизак\nUZ-NG,Nam\x0bangan,Наманган\n"
    with pytest.raises(UnreadableFile, match="Line 3 holds control characters"):
        read_table(text.encode(encoding), "regions.csv")
    clean = text.replace("\x0b", "")
    assert len(read_table(clean.encode(encoding), "regions.csv").rows) == 2


def test_mixed_encodings_are_refused_with_the_lines_that_differ():
    data = (
        (VALUES_HEADER + "\n").encode()
        + "OC1.1,2021Q2,UZ-JI,,all,all,3,Жиззах отчёт,report\n".encode()
        + "OC1.1,2021Q3,UZ-JI,,all,all,4,Жиззах отчёт,report\n".encode("cp1251")
    )
    with pytest.raises(UnreadableFile, match="mixes text encodings: line 2 is UTF-8 but line 3"):
        read_table(data, "mixed.csv")


def test_a_bom_file_with_a_windows_1251_line_is_mixed():
    data = b"\xef\xbb\xbf" + csv_bytes(VALUES_HEADER) + "a,Жиззах\n".encode("cp1251")
    with pytest.raises(UnreadableFile, match="mixes text encodings"):
        read_table(data, "mixed.csv")


def test_fifty_megabytes_of_noise_are_refused_by_size_before_reading():
    noise = random.Random(50).randbytes(50 * 1024 * 1024)
    with pytest.raises(UnreadableFile, match=r"The file is 50.0 MB; files up to 20 MB"):
        read_table(noise, "noise.csv")


def test_too_many_rows_are_refused():
    data = csv_bytes("currency,month,per_usd", *(["UZS,2021-03,1"] * (MAX_ROWS + 1)))
    with pytest.raises(UnreadableFile, match="more than 100,000 rows"):
        read_table(data, "big.csv")


def test_an_unclosed_quote_names_its_line():
    data = csv_bytes("currency,month,per_usd", "UZS,2021-03,1", 'UZS,"2021-04,1', "UZS,2021-05,1")
    with pytest.raises(UnreadableFile, match="Line 3 cannot be read as CSV"):
        read_table(data, "q.csv")


def test_a_value_longer_than_any_cell_is_refused():
    data = csv_bytes("currency,month,per_usd", "UZS,2021-03," + "9" * 200_000)
    with pytest.raises(UnreadableFile, match="Line 2 holds a value longer than"):
        read_table(data, "long.csv")


def test_a_percentage_cell_is_read_as_the_percentage_shown():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["indicator_code", "period", "region_code", "value"])
    sheet.append(["G1", "2021Q2", "UZ-JI", 0.452])
    sheet["D2"].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    raw = read_table(buffer.getvalue(), "values.xlsx")
    assert raw.rows[0][1][3] == "45.2%"
