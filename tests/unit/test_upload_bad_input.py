"""Whatever arrives, a bad file gets a clear answer and leaves the database byte-for-byte
unchanged: a checksum of every table (contract tables and upload history) is compared."""

import random

import pytest

from monitoring.intake.batches import Refused, commit_file, preview_file
from monitoring.intake.upload import UnreadableFile
from tests.conftest import ENGINES
from tests.unit.upload_support import (
    VALUES_HEADER,
    checksums,
    csv_bytes,
    sample_copy,
    xlsx_bytes,
)

GOOD = "OC1.1,2021Q2,UZ-JI,,all,all,3,,report"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(
    200
)


def bad_files() -> dict[str, bytes]:
    """One file per kind of bad input, made here."""
    rng = random.Random(2021)
    return {
        "empty": b"",
        "header-only": csv_bytes(VALUES_HEADER),
        "binary": rng.randbytes(8192),
        "image-renamed-csv": PNG,
        "html-page": b"<!doctype html><html><head><title>Values</title></head><body>"
        b"<table><tr><td>OC1.1</td></tr></table></body></html>",
        "ragged-rows": csv_bytes(VALUES_HEADER, GOOD, "OC1.1,2021Q3,UZ-JI,,all"),
        "unknown-column": csv_bytes(VALUES_HEADER + ",colour", GOOD + ",red"),
        "duplicated-column": csv_bytes(VALUES_HEADER + ",value", GOOD + ",4"),
        "duplicate-keys": csv_bytes(VALUES_HEADER, GOOD, GOOD.replace(",3,", ",4,")),
        "unknown-code": csv_bytes(VALUES_HEADER, GOOD.replace("OC1.1", "ZZ9.9")),
        "percentage-140": csv_bytes(
            VALUES_HEADER, GOOD.replace("OC1.1", "G1").replace(",3,", ",140,")
        ),
        "negative-count": csv_bytes(VALUES_HEADER, GOOD.replace(",3,", ",-3,")),
        "date-outside-project": csv_bytes(
            "transaction_id,grant_id,date,kind,amount,currency,budget_line",
            "T-9001,,2023-01-05,expenditure,10,USD,1.1",
        ),
        "period-outside-project": csv_bytes(VALUES_HEADER, GOOD.replace("2021Q2", "2020Q4")),
        "mixed-encodings": csv_bytes(VALUES_HEADER)
        + "OC1.1,2021Q2,UZ-JI,,all,all,3,Жиззах отчёт,r\n".encode()
        + "OC1.1,2021Q3,UZ-JI,,all,all,3,Жиззах отчёт,r\n".encode("cp1251"),
        "50MB-of-noise": rng.randbytes(50 * 1024 * 1024),
        "formula-in-csv": csv_bytes(VALUES_HEADER, GOOD.replace(",,report", ',"=1+2",report')),
        "formula-cell-in-xlsx": xlsx_bytes(
            [VALUES_HEADER.split(","), ["OC1.1", "2021Q2", "UZ-JI", "", "all", "all", "=1+2"]]
        ),
        "script-tag": csv_bytes(VALUES_HEADER, GOOD.replace(",,report", ",<script>x()</script>,r")),
        "damaged-xlsx": b"PK\x03\x04" + rng.randbytes(3000),
        "one-good-one-bad": csv_bytes(
            VALUES_HEADER, GOOD, GOOD.replace("2021Q2", "2021Q3").replace(",3,", ",x,")
        ),
    }


BAD = bad_files()
# What the answer says, for each kind of bad input.
EXPECTED = {
    "empty": "The file is empty",
    "header-only": "header but no rows",
    "binary": "binary data",
    "image-renamed-csv": "a PNG image",
    "html-page": "web page (HTML)",
    "ragged-rows": "line 3 has 5 values but the header has 9 columns",
    "unknown-column": "indicator_values has no column 'colour'",
    "duplicated-column": "the column value appears twice",
    "duplicate-keys": "is already on line 2",
    "unknown-code": "'ZZ9.9' is not a known indicator",
    "percentage-140": "140 is not a percentage",
    "negative-count": "-3 is negative",
    "date-outside-project": "'2023-01-05' is outside the programme",
    "period-outside-project": "'2020Q4' is outside the programme",
    "mixed-encodings": "mixes text encodings: line 2 is UTF-8 but line 3 is not",
    "50MB-of-noise": "The file is 50.0 MB",
    "formula-in-csv": "spreadsheet formula",
    "formula-cell-in-xlsx": "spreadsheet formula",
    "script-tag": "holds HTML or script code",
    "damaged-xlsx": "not an Excel workbook",
    "one-good-one-bad": "'x' is not a number",
}


@pytest.fixture(scope="module", params=ENGINES)
def bad_db(request, tmp_path_factory):
    database = sample_copy(request, request.param, tmp_path_factory.mktemp("bad"))
    yield database
    database.close()


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_file_gets_a_clear_answer_and_changes_nothing(bad_db, settings, kind):
    before = checksums(bad_db)
    data = BAD[kind]
    name = f"{kind}.{'xlsx' if 'xlsx' in kind else 'csv'}"
    try:
        preview = preview_file(bad_db, data, name, settings)
    except UnreadableFile as unreadable:
        assert EXPECTED[kind] in unreadable.reason
        assert unreadable.fix
        with pytest.raises(UnreadableFile):
            commit_file(bad_db, data, name, settings, by="tester")
    else:
        check = preview.check
        assert any(EXPECTED[kind] in p.reason for p in check.errors), check.errors
        for problem in check.errors:
            assert problem.reason and problem.fix
            assert problem.line is None or problem.line >= 1
        assert not preview.can_commit
        with pytest.raises(Refused, match="Nothing was written"):
            commit_file(bad_db, data, name, settings, by="tester")
    assert checksums(bad_db) == before


def test_valid_rows_only_imports_the_good_row_and_records_the_bad_one(bad_db, settings):
    data = BAD["one-good-one-bad"]
    result = commit_file(bad_db, data, "mixed.csv", settings, by="tester", valid_only=True)
    assert (result.inserted, result.rejected) == (1, 1)
    stored = bad_db.query("upload_history", limit=1).iloc[0]
    assert (stored.rows_inserted, stored.rows_rejected, stored.uploaded_by) == (1, 1, "tester")


@pytest.mark.parametrize("kind", ["unknown-column", "duplicated-column", "header-only"])
def test_valid_rows_only_never_imports_a_file_whose_header_is_wrong(bad_db, settings, kind):
    before = checksums(bad_db)
    with pytest.raises(Refused):
        commit_file(bad_db, BAD[kind], f"{kind}.csv", settings, by="tester", valid_only=True)
    assert checksums(bad_db) == before
