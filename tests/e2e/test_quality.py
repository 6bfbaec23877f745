"""The Data quality page in headless Chromium: a manager's approval locks a quarter, and an
upload that would change one of its values is refused with an error naming the line, the
column, the quarter and who approved it (docs/quality.md)."""

import subprocess
import sys

import pytest

from monitoring.settings import ROOT
from tests.e2e.conftest import exceptions_shown, screenshot, signed_in, wait_until_rendered

pytestmark = pytest.mark.e2e

VALUES = (
    "indicator_code,period,region_code,org_id,sex,age_group,value\nOC1.1,2022Q2,UZ-TO,,all,all,99\n"
)


def test_approving_a_quarter_locks_it_against_an_upload(writable_server, page, tmp_path):
    url, path = writable_server
    # The sample approves every quarter: reopen 2022Q2 from the command line, which the
    # running dashboard takes as a job (docs/architecture.md).
    reopened = subprocess.run(
        [sys.executable, "-m", "monitoring", "reopen", "2022Q2", "--reason", "test", "--db",
         str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert reopened.returncode == 0, reopened.stderr
    assert "2022Q2 reopened for the whole programme" in reopened.stdout

    page.goto(signed_in(f"{url}/quality", "admin"))
    wait_until_rendered(page)
    page.get_by_role("heading", name="Data quality").wait_for(timeout=60_000)
    assert exceptions_shown(page) == []
    # The approve form's defaults: the reporting quarter (2022Q2), the whole programme.
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("2022Q2 approved for the whole programme by test-admin").wait_for(
        timeout=60_000
    )
    wait_until_rendered(page)
    screenshot(page, "quality-approved")

    file = tmp_path / "values.csv"
    file.write_text(VALUES, encoding="utf-8")
    page.goto(f"{url}/upload")
    wait_until_rendered(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    page.get_by_text("Rows in the file").wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "1 error(s)" in text
    screenshot(page, "quality-locked-upload")
    # The error table is drawn on a canvas: its cells are read from the downloadable CSV.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    errors = open(download.value.path(), encoding="utf-8-sig").read()
    assert "2,value,2022Q2" in errors
    assert "approved by test-admin" in errors


BREAKS_TWO_RULES = (
    "indicator_code,period,region_code,org_id,sex,age_group,value,source\n"
    "OC1.2,2021Q2,UZ-JI,,female,all,15,Training attendance sheets\n"
    "OC1.2,2021Q2,UZ-JI,,all,30+,12,Training attendance sheets\n"
)


def test_the_rule_violations_download_in_the_readers_language(writable_server, page, tmp_path):
    """Every violation of the validation rules is written out only when a download is asked
    for, by Streamlit outside the page's run: still in the reader's language."""
    url, path = writable_server
    file = tmp_path / "values.csv"
    file.write_text(BREAKS_TWO_RULES, encoding="utf-8")
    for command in (["reopen", "2021Q2", "--reason", "test"], ["import", str(file), "--by", "T"]):
        done = subprocess.run(
            [sys.executable, "-m", "monitoring", *command, "--db", str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    main = _tab(page, f"{url}/quality?lang=ru", "Правила проверки")
    main.get_by_text("женщины + мужчины = все").first.wait_for(timeout=60_000)
    screenshot(page, "quality-rules-ru")
    table = _downloaded(page, main.get_by_role("button", name="Скачать CSV"))
    assert table[0].startswith("Правило,")  # the columns' names
    assert len(table) == 5  # every violation: two of each rule
    assert sum("женщины 15 + мужчины 4 = 19" in line for line in table) == 1


def test_the_outliers_tab_lists_the_flagged_values_and_downloads_them_in_uzbek(server, page):
    """The Outliers tab draws the flagged values with why each is flagged, in the reader's
    language; its download holds every one (built when the button is clicked)."""
    main = _tab(page, f"{server}/quality?lang=uz", "Keskin chetlanishlar")
    main.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)  # the flagged values
    flagged = main.get_by_test_id("stMetric").filter(has_text="Belgilangan qiymatlar")
    assert flagged.get_by_test_id("stMetricValue").inner_text() == "2"
    screenshot(page, "quality-outliers-uz")
    table = _downloaded(page, main.get_by_role("button", name="CSV yuklab olish"))
    assert table[0].startswith("Indikator,") and "Nega belgilangan" in table[0]
    assert len(table) == 3  # the sample's two flagged values
    assert "OC2.4" in {line.split(",")[0] for line in table[1:]}


def _tab(page, url: str, name: str):
    """The page at `url` signed in as a manager, its tab `name` opened: its main part."""
    page.goto(signed_in(url, "manager"))
    wait_until_rendered(page)
    page.get_by_role("tab", name=name).click()
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    return page.get_by_test_id("stMain")


def _downloaded(page, button) -> list[str]:
    """The lines of the file a click on `button` downloads."""
    with page.expect_download() as download:
        button.click()
    return open(download.value.path(), encoding="utf-8-sig").read().splitlines()
