"""The Data upload page in Russian and Uzbek: no English left, and an upload's problems (line,
column, value, reason, fix) in the uploader's language, with the data contract's names as
they are (docs/translations.md)."""

import shutil

import pytest

from monitoring import i18n
from monitoring.contract import KINDS, TABLES
from monitoring.intake.contract_doc import CONTRACT_TEXTS
from tests.app.conftest import no_exceptions
from tests.i18n_support import data_texts, shown_texts, untranslated

BUDGET = b"budget_line,category,period,amount,currency\n"
# Line 2 is fine, line 3 names a quarter after the programme's end.
BAD_PERIOD = BUDGET + b"1.1,staff,2021Q1,41000,USD\n9.9,other,2030Q1,5,USD\n"

REASON = {
    "ru": "'2030Q1' вне сроков программы (с 2021Q1 по 2022Q2)",
    "uz": "'2030Q1' dastur muddatidan tashqarida (2021Q1 dan 2022Q2 gacha)",
}
FIX = {
    "ru": "Можно сообщать только кварталы с 2021Q1 по 2022Q2.",
    "uz": "Faqat 2021Q1 dan 2022Q2 gacha boʻlgan choraklar boʻyicha hisobot berish mumkin.",
}
HEADERS = {
    "ru": ["строка", "столбец", "значение", "причина", "исправление"],
    "uz": ["qator", "ustun", "qiymat", "sabab", "tuzatish"],
}


def contract_names() -> set[str]:
    """What the contract names and a file must spell as it is: tables, columns, choices,
    example codes (they are never translated)."""
    names = set(TABLES)
    for table in TABLES.values():
        names.update(table.column_names)
        for column in table.columns:
            names.update(column.choices)
            if column.kind != "text":
                names.add(table.example.get(column.name, ""))
    return {n for n in names if n}


@pytest.fixture
def upload_page(app_as, sample_db_path, tmp_path, monkeypatch):
    """A factory: the upload page in `lang` as an admin, over a copy of the sample database."""

    def make(lang):
        path = tmp_path / f"upload-{lang}.duckdb"
        shutil.copy(sample_db_path, path)
        at = app_as("admin")
        monkeypatch.setenv("MONITORING_DB", str(path))
        at.query_params["lang"] = lang
        at.run()
        at.switch_page("views/upload.py")
        at.query_params["lang"] = lang
        at.run()
        no_exceptions(at)
        return at

    return make


def shown(at) -> list[str]:
    """The page's texts, without Streamlit's own column settings of a table (JSON such as
    {"_index": {"hidden": true}}, never shown as text)."""
    return [t for t in shown_texts(at) if not t.startswith('{"')]


def month_names(lang: str) -> set[str]:
    """The language's own month names (Babel's), as dates are written."""
    names = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            names.update(i18n.locale(lang).months[context][width].values())
    return names


def allowed_texts(sample_db_path, lang) -> set[str]:
    names = {"sample data", "test-admin"} | month_names(lang)
    return data_texts(sample_db_path) | contract_names() | names


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_upload_page_shows_no_english(upload_page, sample_db_path, lang):
    at = upload_page(lang)
    assert at.title[0].value != "Data upload"
    allowed = allowed_texts(sample_db_path, lang)
    assert untranslated(shown(at), lang, allowed) == []
    # Babel's numbers: 100 000 rows with a non-breaking space as the group separator.
    assert any("100\xa0000" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_an_uploads_problems_are_in_the_uploaders_language(upload_page, sample_db_path, lang):
    at = upload_page(lang)
    at.get("file_uploader")[0].set_value(("budget.csv", BAD_PERIOD, "text/csv")).run()
    no_exceptions(at)
    errors = at.dataframe[0].value
    assert list(errors.columns) == HEADERS[lang]
    third = errors[errors[HEADERS[lang][0]] == 3]
    line, column, value, reason, fix = third.iloc[0].tolist()
    assert (line, column, value) == (3, "period", "2030Q1")  # the contract's name as it is
    assert reason == REASON[lang]
    assert fix == FIX[lang]
    with i18n.language(lang):
        assert i18n.number(1) in at.error[0].value
    allowed = allowed_texts(sample_db_path, lang) | {"budget.csv"}
    assert untranslated(shown(at), lang, allowed) == []


def test_every_contract_text_shown_on_the_page_is_marked_for_translation():
    """monitoring/contract.py holds no translation calls: its words shown on the upload page
    (kinds, help texts) are marked in monitoring/intake/contract_doc.py, CONTRACT_TEXTS."""
    shown = {t for k in KINDS.values() for t in (k.label, k.canonical, k.accepted)}
    for table in TABLES.values():
        shown.add(table.help)
        shown.update(c.help for c in table.columns)
    missing = sorted(t for t in shown if t and t not in set(CONTRACT_TEXTS))
    assert missing == [], "add them to CONTRACT_TEXTS and translate them"
