"""Every report file a donor can get holds only what the donor's protected view shows: no
sensitive indicator, no withheld count, no organisation of a kind never named."""

from __future__ import annotations

import pytest

from monitoring.reports import indicators, iptt, report
from tests.conftest import ENGINES, sample_database
from tests.unit.reports_support import (
    AS_OF,
    SENSITIVE,
    pdf_text,
    programme_settings,
    rows_texts,
    unnamed_names,
    view,
    workbook,
)

SCOPES = [None, ("UZ-JI",), ("UZ-TO", "UZ-NG")]


@pytest.fixture(scope="module", params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db, programme_settings()
    db.close()


@pytest.mark.parametrize("regions", SCOPES, ids=["programme", "jizzakh", "two-regions"])
def test_no_donor_file_holds_what_the_donor_may_not_see(sample, regions, tmp_path):
    db, settings = sample
    donor = view(db, settings, regions, donor=True)
    book = iptt.iptt_workbook(db, donor, settings, AS_OF, label="Donor")
    pdf = report.pdf_report(db, donor, settings, AS_OF, label="Donor")
    texts = {"workbook": "\n".join(rows_texts(book)), "pdf": pdf_text(pdf, tmp_path)}
    forbidden = [*SENSITIVE, *unnamed_names(db)]
    for name, text in texts.items():
        for word in forbidden:
            assert word not in text, (name, word)
    # Every count the indicator page withholds is withheld in the workbook too, quarter by
    # quarter and to date: the same cells, never a number.
    page = indicators.tracking_table(db, donor, settings, AS_OF).table
    sheet = workbook(book)["IPTT"]
    quarters = {c.value[:6]: c.column - 1 for c in sheet[1] if c.value and c.column > 10}
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=3) if r[0].value and r[1].value}
    withheld = 0
    for _, line in page.iterrows():
        cells = rows[line["Code"]]
        assert cells[8].value == line["Actual to 2022Q2"] or (
            cells[8].value is None and line["Actual to 2022Q2"] != line["Actual to 2022Q2"]
        )
        for period, column in quarters.items():
            if line["Combined as"] != "cumulative total" and isinstance(line[period], str):
                assert cells[column + 1].value == line[period], (line["Code"], period)
                withheld += 1
    assert withheld or regions is not None
    assert "<5" in texts["workbook"] and "<5" in texts["pdf"]


def test_the_team_sees_what_donors_do_not(sample, tmp_path):
    db, settings = sample
    team = view(db, settings)
    text = "\n".join(rows_texts(iptt.iptt_workbook(db, team, settings, AS_OF)))
    assert SENSITIVE[0] in text and "<5" not in text
