"""The report files in the reader's language (docs/reports.md): the IPTT workbook and the PDF
report in Russian and Uzbek, the IATI file's Russian and Uzbek narratives beside the English
ones, and the PDF's list of target revisions."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from monitoring import i18n
from monitoring.intake import batches
from monitoring.reports import iati, iptt, report
from monitoring.settings import ROOT
from tests.unit.reports_support import (
    AS_OF,
    overlapping_words,
    pdf_text,
    programme_settings,
    sheet_texts,
    view,
    workbook,
)
from tests.unit.upload_support import copy_of, csv_bytes

SCHEMA = ROOT / "data" / "iati-2.03" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def sample(sample_db_path, tmp_path_factory):
    # A copy: a donor view keeps its disclosure audit in the database it reads, and the
    # session's sample is copied by other tests that expect to run that audit themselves
    # (tests/unit/test_kept_audits.py).
    db = copy_of(sample_db_path, tmp_path_factory.mktemp("reports"), approved=True)
    yield db, programme_settings()
    db.close()


def _made_in(lang, build, db, settings, **kw):
    with i18n.language(lang):
        return build(db, view(db, settings, **kw), settings, AS_OF)


def test_the_iptt_in_russian_has_russian_headers_status_words_and_titles(sample):
    db, settings = sample
    data = _made_in("ru", iptt.iptt_workbook, db, settings)
    book = workbook(data)
    assert book.sheetnames[:2] == ["Титульный лист", "IPTT"]
    table = book["IPTT"]
    headers = [c.value for c in table[2]]
    for word in ("Индикатор", "Исходное значение", "Целевое значение", "Факт", "Статус"):
        assert word in headers, word
    assert table["K1"].value.replace("\u202f", " ") == "2021Q1 (по 31 мар. 2021 г.)"
    texts = " ".join(sheet_texts(data))
    assert "По плану" in texts and "Отстаёт" in texts  # status words
    assert "Женщины" in texts and "Возраст 15–29" in texts
    # Indicator titles in Russian where the data has them (none of the sample's is missing).
    assert "женских ОГО" in texts and " [EN]" not in texts
    cover = {r[0].value: r[1].value for r in book["Титульный лист"].iter_rows(min_row=3, max_col=2)}
    assert cover["Партнёры"] == settings.programme.partners_ru  # "Saferworld и ...", not "and"
    assert cover["Отчётная дата"].replace("\u202f", " ") == "30 июня 2022 г. (квартал 2022Q2)"
    assert cover["Данные на"].endswith("UTC")


def test_the_iptt_in_uzbek(sample):
    db, settings = sample
    data = _made_in("uz", iptt.iptt_workbook, db, settings, donor=True)
    book = workbook(data)
    assert book.sheetnames[0] == "Muqova"
    headers = [c.value for c in book["IPTT"][2]]
    assert "Indikator" in headers and "Holat" in headers
    texts = " ".join(sheet_texts(data))
    assert "Reja boʻyicha" in texts


@pytest.mark.parametrize(
    ("lang", "words", "date"),
    [
        ("ru", ("Отчёт по программе", "Сводка", "Индикаторы", "Расходы", "Ключевые события",
                "Качество данных", "Методика", "Страница 1 из"), "30 июня 2022"),
        ("uz", ("Dastur hisoboti", "Xulosa", "Indikatorlar", "Xarajatlar", "Muhim bosqichlar",
                "Maʼlumotlar sifati", "Uslub", "sahifadan 1-sahifa"), "30-iyun, 2022"),
    ],
)  # fmt: skip
def test_the_pdf_in_russian_and_uzbek(sample, tmp_path, lang, words, date):
    db, settings = sample
    text = " ".join(pdf_text(_made_in(lang, report.pdf_report, db, settings), tmp_path).split())
    for word in words:
        assert word in text, word
    assert date in text
    assert "Data quality" not in text and "Summary" not in text
    assert "\u02bb" in text or lang == "ru"  # oʻ/gʻ printed with U+02BB
    # The programme's name, its donor and partners as the settings give them in the language
    # (the PDF had the English name, and "Saferworld and ..." among Russian words).
    for what in ("name", "donor", "partners"):
        shown = " ".join(settings.programme.shown(what, lang).split())
        assert shown != getattr(settings.programme, what) and shown in text, what
    assert "Saferworld and" not in text and "Women-led CSOs" not in text


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_no_words_of_the_pdf_are_printed_over_each_other(sample, tmp_path, lang):
    """A table's long Russian headers ran into the next column ("ПрисужденоИзрасходовано",
    "бюджета, %" over "Темп расходования"): headers are hyphenated."""
    db, settings = sample
    assert overlapping_words(_made_in(lang, report.pdf_report, db, settings), tmp_path) == []


def test_the_pdf_lists_target_revisions_only_when_there_are_some(sample_db_path, tmp_path):
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    try:
        before = " ".join(pdf_text(report.pdf_report(db, view(db, settings), settings, AS_OF),
                                   tmp_path).split())  # fmt: skip
        assert "No target has been revised by an upload" in before
        assert "targets were changed by uploads" not in before
        change = csv_bytes(
            "indicator_code,period,region_code,target,revision_reason",
            "OC1.1,2021Q4,UZ-JI,7,Mid-term review",
        )
        batches.commit_file(db, change, "t.csv", settings, by="staff")
        after = " ".join(pdf_text(report.pdf_report(db, view(db, settings), settings, AS_OF),
                                  tmp_path).split())  # fmt: skip
        assert "Target revisions" in after
        assert "OC1.1 2021Q4 UZ-JI 6 → 7" in after and "Mid-term review" in after
        day = i18n.date(dt.datetime.now(dt.UTC).date(), "medium")
        assert day in after
        with i18n.language("ru"):
            data = report.pdf_report(db, view(db, settings), settings, AS_OF)
        russian = " ".join(pdf_text(data, tmp_path).split())
        assert "Пересмотры целевых значений" in russian
        assert "6→7" in russian.replace(" ", "")
    finally:
        db.close()


def test_the_iati_file_adds_russian_and_uzbek_narratives_and_stays_valid(sample):
    db, settings = sample
    data = _made_in("ru", iati.iati_activity, db, settings, donor=True)
    tree = etree.fromstring(data)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(tree)
    results = list(tree.iter("result"))
    assert [r.findtext("title/narrative") for r in results][0] == "Goal"  # English first
    titles = results[0].find("title").findall("narrative")
    assert [n.get(XML_LANG) for n in titles] == [None, "ru", "uz"]
    g1 = next(i for i in tree.iter("indicator") if "G1 " in i.findtext("title/narrative"))
    by_lang = {n.get(XML_LANG): n.text for n in g1.find("title").findall("narrative")}
    assert set(by_lang) == {None, "ru", "uz"}
    assert by_lang["ru"].startswith("G1 ") and "безопасности" in by_lang["ru"]
    assert "ʻ" in by_lang["uz"]
    names = [n.text for n in tree.iter("narrative") if n.get(XML_LANG) == "ru"]
    assert "Джизакская область" in names
