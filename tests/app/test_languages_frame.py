"""The dashboard's frame in Russian and Uzbek (docs/translations.md): the sign-in page, the
sidebar of every page (navigation, reporting quarter, who is looking, language picker), the
administration page, a donor link's notices and refusals; the language picker, and links
between pages that keep the language chosen."""

from __future__ import annotations

import shutil
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest

from monitoring import i18n
from monitoring.access import sharing, signin_links
from monitoring.access.suppression import hidden_label, suppression_note
from monitoring.db import close_all
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import ADMIN_TAB, open_tab
from tests.conftest import tampered
from tests.i18n_support import data_texts, shown_texts, untranslated
from ui.language import LANG_PARAM, spinner_shows_time

LANGS = ["ru", "uz"]
# The quarter end the sample data's sidebar shows, in each language (Babel's long date).
LAST_QUARTER_WORDS = {"ru": "г.", "uz": "-"}
NAV = {
    "ru": ["Обзор", "Индикаторы результатов", "Карта регионов"],
    "uz": ["Umumiy koʻrinish", "Natija indikatorlari", "Viloyatlar xaritasi"],
}


# Not words a person reads: browser autocomplete hints, a table's column settings; and
# commands, shown as code.
NOT_WORDS = {
    "username",
    "current-password",
    "new-password",
    '{"_index": {"hidden": true}}',
    signin_links.NEW_LINK_COMMAND,
    "make run",
}


def babel_words(lang: str) -> set[str]:
    """Month names as Babel writes them in `lang` (dates are the language's own)."""
    locale = i18n.locale(lang)
    names: set[str] = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            names.update(locale.months[context][width].values())
    return names | {n.capitalize() for n in names}


def programme_texts() -> set[str]:
    """The programme's names and donor from the settings, in every language."""
    programme = load_settings().programme
    texts = {programme.name, programme.short_name, programme.donor}
    if hasattr(programme, "shown"):
        for lang in i18n.LANGUAGES:
            texts |= {programme.shown(w, lang) for w in ("name", "short_name", "donor")}
    return texts


@pytest.fixture(scope="module")
def data(sample_db_path) -> set[str]:
    return data_texts(sample_db_path) | programme_texts() | NOT_WORDS


def allowed_in(data: set[str], lang: str, *more: str) -> set[str]:
    """Texts shown as written: the data, the programme's names, the language's month names."""
    return data | babel_words(lang) | set(more)


def sidebar_texts(at) -> list[str]:
    return shown_texts(SimpleNamespace(main=at.sidebar, sidebar=SimpleNamespace()))


def nav(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def open_in(at, lang: str, page: str | None = None):
    at.query_params[LANG_PARAM] = lang
    at.run()
    if page is not None:
        at.switch_page(page)
        at.query_params[LANG_PARAM] = lang
        at.run()
    no_exceptions(at)
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_the_sign_in_page_speaks_the_language(app_as, data, lang):
    allowed = allowed_in(data, lang)
    at = open_in(app_as(None), lang)
    assert untranslated(shown_texts(at), lang, allowed) == []
    with i18n.language(lang):
        assert [t.label for t in at.text_input] == [i18n._("User name"), i18n._("Password")]
        short_name = load_settings().programme.shown("short_name", lang)
        title = i18n._("Sign in to the {programme} dashboard").format(programme=short_name)
        assert at.title[0].value == title
    assert at.text_input[0].label != "User name"
    assert at.selectbox[0].value == lang, "the sign-in page has the language picker too"


@pytest.mark.parametrize("lang", LANGS)
def test_the_sidebar_speaks_the_language(app, data, lang):
    allowed = allowed_in(data, lang)
    at = open_in(app, lang)
    texts = sidebar_texts(at)
    assert untranslated(texts, lang, allowed) == []
    assert nav(at)[:3] == NAV[lang]
    with i18n.language(lang):
        quarter = i18n._("Reporting quarter")
        as_of = i18n._("Figures as of {date}.").split("{")[0]
    assert any(s.label == quarter for s in at.selectbox)
    picker = next(s for s in at.selectbox if s.label == quarter)
    assert all(len(o) == 6 and o[4] == "Q" for o in picker.options), "quarters stay codes"
    figures = next(c.value for c in at.sidebar.caption if c.value.startswith(as_of))
    assert LAST_QUARTER_WORDS[lang] in figures, figures  # Babel's long date of the language
    if lang == "ru":
        assert any(m in figures for m in ("марта", "июня", "сентября", "декабря")), figures


@pytest.mark.parametrize("lang", LANGS)
def test_the_administration_page_speaks_the_language(app, data, lang):
    allowed = allowed_in(data, lang)
    at = open_in(app, lang, "views/admin.py")
    assert untranslated(shown_texts(at), lang, allowed) == []
    with i18n.language(lang):
        assert at.title[0].value == i18n._("Administration")
        headers = list(at.dataframe[0].value.columns)
        assert headers[0] == i18n._("User name") != "User name"
        assert "Sign out" not in [b.label for b in at.button]
        for tab in (i18n._("Share link use"), i18n._("Share links")):  # built when opened
            open_tab(at, ADMIN_TAB, tab, shown_in=lang)
            assert untranslated(shown_texts(at), lang, allowed) == [], tab
        assert i18n._("Language for the donor") in [s.label for s in at.selectbox]


def test_a_share_link_made_on_the_page_opens_in_the_language_chosen(
    app_as, sample_db_path, data, tmp_path, monkeypatch
):
    path = tmp_path / "links.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = app_as("admin")
    close_all()
    at.run()
    at.switch_page("views/admin.py").run()
    open_tab(at, ADMIN_TAB, "Share links")
    next(t for t in at.text_input if t.label == "Label").input("Ministry review")
    next(s for s in at.selectbox if s.label == "Language for the donor").set_value("ru")
    next(b for b in at.button if b.label == "Create link").click().run()
    no_exceptions(at)
    url = at.code[0].value
    query = parse_qs(url.split("?", 1)[1])
    assert query[LANG_PARAM] == ["ru"] and query[sharing.SHARE_PARAM]

    # The links table, its statuses and the forms around it, in Russian. The tab's label
    # changes with the language, so the page opens on its first tab again: the reader clicks
    # the tab's Russian label.
    at.query_params[LANG_PARAM] = "ru"
    with i18n.language(i18n.DEFAULT):  # the page shown before was English (open_tab)
        at.run()
    no_exceptions(at)
    with i18n.language("ru"):
        links_tab = i18n._("Share links")
    open_tab(at, ADMIN_TAB, links_tab, shown_in="ru")
    links = next(d.value for d in at.dataframe if "Метка" in d.value.columns)
    row = links.iloc[0]
    assert (row["Метка"], row["Статус"], row["Регионы"], row["Скачивание"]) == (
        "Ministry review",
        "✔ действует",
        "все",
        "таблицы и отчёты",
    )
    addresses = [c.value for c in at.code]  # the links' addresses, shown as they are
    allowed = allowed_in(data, "ru", "Ministry review", *addresses)
    assert untranslated(shown_texts(at), "ru", allowed) == []


def test_the_language_picker_changes_the_language_and_links_keep_it(app):
    at = app.run()
    no_exceptions(at)
    assert nav(at)[0] == "Overview"
    assert LANG_PARAM not in at.query_params
    picker = next(s for s in at.selectbox if s.label == "Language")
    picker.set_value("uz").run()
    no_exceptions(at)
    assert at.query_params[LANG_PARAM] == ["uz"] or at.query_params[LANG_PARAM] == "uz"
    assert nav(at)[:3] == NAV["uz"]
    for link in at.get("page_link"):
        assert parse_qs(link.proto.query_string).get(LANG_PARAM) == ["uz"], link.proto.label
    # ... and on the next page, opened through such a link, still Uzbek.
    at.switch_page("views/indicators.py")
    at.query_params[LANG_PARAM] = "uz"
    at.run()
    no_exceptions(at)
    assert nav(at)[:3] == NAV["uz"]
    assert next(s for s in at.selectbox if s.key == "_language_picker").value == "uz"


def test_a_donor_link_s_notices_and_refusals_are_in_russian(donor_app, data):
    allowed = allowed_in(data, "ru", "Donor in Russian")
    at = donor_app(regions=["UZ-NG"], label="Donor in Russian")
    open_in(at, "ru")
    texts = sidebar_texts(at)
    assert untranslated(texts, "ru", allowed) == []
    assert "Открытое по ссылке представление, только для просмотра:" in texts
    regions = next(t for t in texts if t.startswith("Регионы: Наманганская область"))
    assert "ссылка действует до" in regions
    with i18n.language("ru"):
        assert suppression_note(5).startswith("Чтобы защитить")
        assert hidden_label() == "скрыто"
    # A page the link does not open: refused in Russian.
    at.switch_page("views/admin.py")
    at.query_params[LANG_PARAM] = "ru"
    at.run()
    no_exceptions(at)
    assert at.title[0].value == "Эта страница вам недоступна"
    assert untranslated(shown_texts(at), "ru", allowed) == []

    # A link that was changed opens nothing, and says so in Russian.
    bad = donor_app()
    bad.query_params[sharing.SHARE_PARAM] = tampered(bad.query_params[sharing.SHARE_PARAM])
    open_in(bad, "ru")
    assert bad.title[0].value == "Эта ссылка ничего не открывает"
    assert bad.error[0].value.startswith("Эта ссылка недействительна")


def test_a_spinner_shows_how_long_it_runs_only_in_english():
    # Streamlit writes the elapsed time ("(1.8 seconds)") in English only.
    with i18n.language("en"):
        assert spinner_shows_time()
    for code in ("ru", "uz"):
        with i18n.language(code):
            assert not spinner_shows_time()
