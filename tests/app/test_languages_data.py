"""Data in three languages on every page (docs/translations.md, "Data in three languages"):
region names, indicator, grant and milestone titles and budget categories in the reader's
language, the English text marked " [EN]" where a translation is missing, and nothing a
donor may not see coming back through a translation."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from monitoring.db import close_all
from tests.app.conftest import no_exceptions
from tests.i18n_support import shown_texts

PAGES = {
    "overview": "views/overview.py",
    "indicators": "views/indicators.py",
    "map": "views/map.py",
    "grants": "views/grants.py",
    "milestones": "views/milestones.py",
}
# What each page shows of the data, in Russian and in Uzbek (from data/sample/*.csv).
SHOWN = {
    "overview": {
        "ru": ["Число инициатив планов действий, реализованных CSWG"],
        "uz": ["CSWGlar amalga oshirgan harakat rejasi tashabbuslari soni"],
    },
    "indicators": {
        "ru": ["жителей целевых сообществ, которые чувствуют себя в безопасности",
               "Джизакская область"],
        "uz": ["Maqsadli jamoalarda oʻzini xavfsiz his qiladigan aholi ulushi",
               "Jizzax viloyati"],
    },
    "map": {
        "ru": ["Наманганская область", "Ташкентская область"],
        "uz": ["Namangan viloyati", "Toshkent viloyati"],
    },
    "grants": {
        "ru": ["Уличное освещение и безопасная дорога в школу", "Джизакская область", "персонал"],
        "uz": ["Koʻcha yoritilishi va maktabga xavfsiz yoʻl", "Jizzax viloyati", "xodimlar"],
    },
    "milestones": {
        "ru": ["Создана CSWG в Намангане", "Наманганская область"],
        "uz": ["Namanganda CSWG tashkil etildi", "Namangan viloyati"],
    },
}  # fmt: skip
# ... and the English texts they replace, never shown as they are in Russian or Uzbek.
ENGLISH = {
    "overview": ["Number of action plan initiatives implemented by CSWGs"],
    "indicators": ["% of community members in target communities who feel safe"],
    "map": ["Namangan"],
    "grants": ["Street lighting and safe routes to school", "Jizzakh"],
    "milestones": ["Namangan CSWG established"],
}


def open_page(at, page: str, lang: str):
    at.query_params["lang"] = lang
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page])
        at.query_params["lang"] = lang
        at.run()
    no_exceptions(at)
    texts = shown_texts(at)
    for frame in at.dataframe:  # every cell too, whatever Arrow type the table was sent as
        value = frame.value
        texts += [str(c) for c in value.columns]
        for column in value.columns:
            texts += [v for v in value[column].tolist() if isinstance(v, str)]
    return texts


def has(texts: list[str], wanted: str) -> bool:
    return any(wanted in t for t in texts)


@pytest.mark.parametrize("lang", ["ru", "uz"])
@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_shows_the_data_in_the_chosen_language(app, page, lang):
    texts = open_page(app, page, lang)
    for wanted in SHOWN[page][lang]:
        assert has(texts, wanted), f"{page} in {lang} does not show {wanted!r}"
    for english in ENGLISH[page]:
        assert english not in texts, f"{page} in {lang} shows {english!r} in English"
    assert not has(texts, " [EN]"), "the sample has every translation"


def test_the_programme_is_named_in_the_chosen_language(app):
    texts = open_page(app, "overview", "uz")
    assert has(texts, "Oʻzbekistonda tinchlik va xavfsizlik uchun")  # programme.name_uz
    assert has(texts, "Jamoat xavfsizligi, Oʻzbekiston")  # short_name_uz, in the sidebar


def test_english_pages_show_the_english_data(app):
    texts = open_page(app, "grants", "en")
    assert has(texts, "Street lighting and safe routes to school")
    assert not has(texts, "Уличное освещение")


@pytest.fixture
def partly_translated(app_as, sample_db_path, tmp_path, monkeypatch):
    """The sample with some Russian texts missing: a grant, an indicator and a milestone
    title, a region name and a budget category."""
    path = tmp_path / "partly.duckdb"
    close_all()
    shutil.copy(sample_db_path, path)
    con = duckdb.connect(str(path))
    con.execute("update grants set title_ru = null where grant_id = 'G-01'")
    con.execute("update indicators set title_ru = '' where indicator_code = 'OC2.2'")
    con.execute("update milestones set title_ru = null where milestone_id = 'M-09'")
    con.execute("update regions set name_ru = null where region_code = 'UZ-NG'")
    con.execute("update budget set category_ru = null where category = 'staff'")
    con.close()
    monkeypatch.setenv("MONITORING_DB", str(path))
    return app_as


@pytest.mark.parametrize(
    ("page", "marked"),
    [
        ("overview", "Number of action plan initiatives implemented by CSWGs [EN]"),
        ("indicators", "Namangan [EN]"),
        ("map", "Namangan [EN]"),
        ("grants", "Street lighting and safe routes to school [EN]"),
        ("grants", "staff [EN]"),
        ("milestones", "Namangan CSWG established [EN]"),
    ],
)  # fmt: skip
def test_a_missing_translation_shows_the_english_text_marked(partly_translated, page, marked):
    at = partly_translated("admin")
    texts = open_page(at, page, "ru")
    assert has(texts, marked), f"{page} does not show {marked!r}"
    other = "Число рекомендаций ОГО" if page == "overview" else "Джизакская область"
    assert has(texts, other), "the other texts are translated"


def test_a_donor_never_reads_a_withheld_title_through_its_translation(donor_app):
    """Grant titles of community groups are withheld from donors (docs/access.md): their
    Russian titles must not appear either."""
    at = donor_app()
    texts = open_page(at, "grants", "ru")
    assert has(texts, "Уличное освещение и безопасная дорога в школу")  # a CSWG's grant
    for withheld in ("Сессии медиации семейных конфликтов", "Школьный патруль безопасности"):
        assert not has(texts, withheld)
