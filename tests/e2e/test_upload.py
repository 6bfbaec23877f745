"""Uploading a file through headless Chromium: preview, import, and the data shows at once."""

import io

import openpyxl
import pytest

from tests.conftest import TEST_PASSWORD, account_name
from tests.e2e.conftest import exceptions_shown, screenshot, signed_in, wait_until_rendered

pytestmark = pytest.mark.e2e

BUDGET = (
    "budget_line,category,period,amount,currency\n"
    "1.1,staff,2021Q1,41000,USD\n"
    "9.9,other,2022Q1,5,USD\n"
    "9.8,other,2030Q1,-5,USD\n"
)


def test_a_file_uploaded_in_the_browser_is_previewed_then_imported(writable_server, page, tmp_path):
    url, _ = writable_server
    file = tmp_path / "budget.csv"
    file.write_text(BUDGET, encoding="utf-8")

    # A staff member opens the upload page's address and signs in with the form.
    page.goto(f"{url}/upload")
    wait_until_rendered(page)
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    page.get_by_role("textbox", name="User name").fill(account_name("staff"))
    page.get_by_role("textbox", name="Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Data upload").wait_for(timeout=60_000)
    wait_until_rendered(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    page.get_by_text("Rows in the file").wait_for(timeout=60_000)
    wait_until_rendered(page)
    main = page.locator("[data-testid=stMain]")
    text = main.inner_text()
    assert exceptions_shown(page) == []
    assert "2 error(s)" in text
    # Tables are drawn on a canvas: their cells are checked in the AppTest; here the counts.
    metrics = page.get_by_test_id("stMetric").all_inner_texts()
    assert [m.split("\n")[-1] for m in metrics] == ["3", "1", "1", "0", "1"]
    assert "Changes to stored rows (1)" in text
    page.set_viewport_size({"width": 1400, "height": 2400})  # the whole preview in one shot
    wait_until_rendered(page)
    screenshot(page, "upload-preview")

    page.get_by_test_id("stCheckbox").filter(has_text="Import the valid rows only").click()
    page.get_by_role("button", name="Import 1 new and 1 changed row(s) into budget").wait_for()
    page.get_by_role("button", name="Import 1 new and 1 changed row(s) into budget").click()
    page.get_by_text("Imported into budget as batch").wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "by test-staff" in main.inner_text(), "the header shows the new data at once"
    page.get_by_role("tab", name="Upload history").click()
    # Built when opened (the tab's click reruns the page): wait for its content.
    page.get_by_text("Every import, newest first.").wait_for(timeout=60_000)
    wait_until_rendered(page)
    screenshot(page, "upload-history")
    assert exceptions_shown(page) == []
    page.get_by_role("tab", name="Format and templates").click()
    page.get_by_role("button", name="Excel template").wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert page.get_by_role("button", name="Excel template").count() == 1
    screenshot(page, "upload-format")


_FILE_BOX_WORDS = """box => [...box.querySelectorAll('*')].flatMap(el => {
    const own = el.checkVisibility({visibilityProperty: true}) && el.childElementCount === 0
        && getComputedStyle(el).fontFamily.indexOf('Material') < 0 ? [el.textContent] : [];
    const after = getComputedStyle(el, '::after').content;
    return after && after !== 'none' ? [...own, JSON.parse(after)] : own;
}).filter(t => t.trim())"""


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", ["Faylni tanlash", "yoki shu yerga tashlang · 20 MB gacha"]),
        ("ru", ["Выбрать файл", "или перетащите его сюда · до 20 МБ"]),
    ],
)
def test_the_file_box_speaks_the_readers_language(server, page, lang, words):
    """Streamlit draws the box's button and size line in English; the page puts its words in
    their place, for the eye and for a screen reader (the button's name)."""
    page.goto(signed_in(f"{server}/upload?lang={lang}", "staff"))
    wait_until_rendered(page)
    box = page.get_by_test_id("stFileUploaderDropzone")
    assert box.evaluate(_FILE_BOX_WORDS) == words
    button = box.get_by_role("button", name=words[0], exact=True)
    assert button.count() == 1
    assert box.get_by_role("button", name="Upload", exact=True).count() == 0
    with page.expect_file_chooser() as chooser:
        button.click()
    assert chooser.value.element.get_attribute("type") == "file"
    screenshot(page, f"upload-file-box-{lang}")


def test_the_excel_template_is_made_in_the_readers_language(server, page):
    """A template is made when its button is clicked, by Streamlit outside the page's run:
    its guide sheet is still in the reader's language."""
    page.goto(signed_in(f"{server}/upload?lang=ru", "staff"))
    wait_until_rendered(page)
    page.get_by_role("tab", name="Формат и шаблоны").click()
    page.get_by_role("button", name="Шаблон Excel").wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Шаблон Excel").click()
    # (the saved file has no extension, by which openpyxl would judge a path)
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert "Как заполнить" in book.sheetnames
    guide = next(book["Как заполнить"].iter_rows(max_row=1, values_only=True))
    assert guide[:2] == ("столбец", "обязательный")
