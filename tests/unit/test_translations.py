"""The languages: catalogues complete and consistent, the language chosen as the address,
the link or the browser says, numbers and dates written each language's way."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest

from monitoring import i18n
from monitoring.settings import ROOT
from tests.i18n_support import untranslated

_spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translations)


def test_every_catalogue_is_complete_and_its_placeholders_match():
    """No message untranslated, fuzzy, missing from its catalogue (code changed without
    `make messages`), with other placeholders than the English, or the wrong plural forms."""
    assert translations.problems() == []


def test_the_check_finds_an_untranslated_fuzzy_or_mismatched_message(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog

    monkeypatch.setattr(translations, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(translations, "AREAS", {"frame": ["ui/language.py"]})
    catalog = Catalog(locale="ru")
    catalog.add("Language", "")  # untranslated
    catalog.add("Other {n}", "Другое {m}")  # placeholders differ
    catalog.add("Fuzzy", "Нечёткое", flags=["fuzzy"])
    catalog.add("% of target achieved", "достижение цели, %")  # a label's capital lost
    catalog.add("% of target", "% от цели")
    translations.write(tmp_path / "ru/LC_MESSAGES/frame.po", catalog)
    found = "\n".join(translations.problems(["ru"]))
    assert "'Language': untranslated" in found
    assert "'Other {n}': placeholders ['m'] differ from ['n']" in found
    assert "'Fuzzy': fuzzy" in found
    assert "'% of target achieved': a label, written with a capital letter first" in found
    assert "'% of target':" not in found


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        (("ru",), "ru"),
        (("uz-Latn-UZ",), "uz"),
        (("RU_ru.UTF-8",), "ru"),
        ((None, "ru-RU"), "ru"),  # no ?lang=: the browser's language
        (("fr", "uz"), "uz"),  # a language the dashboard does not speak is passed over
        (("de-DE",), "en"),
        ((None, None), "en"),
    ],
)
def test_the_language_is_the_first_one_asked_for_that_the_dashboard_speaks(asked, chosen):
    assert i18n.choose(*asked) == chosen


def test_the_command_line_follows_lang_then_the_environment(monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert i18n.from_environment() == "ru"
    assert i18n.from_environment("uz") == "uz"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.from_environment() == "en"


def test_numbers_dates_and_money_are_written_the_languages_way():
    day = dt.date(2022, 6, 30)
    with i18n.language("en"):
        assert i18n.number(1234.5, 1) == "1,234.5"
        assert i18n.date(day) == "30 June 2022"
        assert i18n.money(525000) == "525,000 USD"
        assert i18n.percent(0.456) == "46%"
        assert i18n.separators() == ".,"
    with i18n.language("ru"):
        assert i18n.number(1234.5, 1) == "1\xa0234,5"
        assert i18n.date(day) == "30 июня 2022\u202fг."
        assert i18n.percent(0.456) == "46\xa0%"
        assert i18n.separators() == ", "
    with i18n.language("uz"):
        assert i18n.date(day) == "30-iyun, 2022"
        assert i18n.month(day) == "Iyun 2022"
        assert i18n.number(None) == "–"


def test_plural_forms_follow_each_language():
    """Russian has three forms (1 / 2-4 / 5+), Uzbek and English two."""
    forms = {}
    for lang in ("ru", "uz", "en"):
        with i18n.language(lang):
            forms[lang] = i18n.translations(lang).plural  # the catalogue's rule
    assert [forms["ru"](n) for n in (1, 2, 5, 11, 21, 22)] == [0, 1, 2, 2, 0, 1]
    assert [forms["uz"](n) for n in (1, 2, 5)] == [0, 1, 1]


def test_a_language_is_spoken_inside_its_block_only():
    with i18n.language("ru"):
        assert i18n.current() == "ru"
        with i18n.language("uz"):
            assert i18n.current() == "uz"
        assert i18n.current() == "ru"
    assert i18n.current() == "en"


def test_the_untranslated_check_flags_english_words_not_data_or_codes():
    texts = ["Programme overview", "Обзор программы", "OC1.1 · USD", "Jizzakh", "SMALL"]
    found = untranslated(texts, "ru", allowed={"Jizzakh"})
    assert found == ["'Programme overview': Programme, overview"]
    assert untranslated(texts, "en") == []


def test_no_russian_sentence_puts_a_full_stop_after_a_date():
    """A Russian date ends with "г." (long and medium forms), so a sentence that ends with
    {date} ends there: "{date}." read "на 30 июня 2022 г.." on the grants page."""
    from babel.messages.pofile import read_po

    day = dt.date(2022, 6, 30)
    with i18n.language("ru"):
        assert all(i18n.date(day, form).endswith("г.") for form in ("long", "medium"))
    doubled = []
    for path in sorted((translations.LOCALE_DIR / "ru" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                doubled += [s for s in strings if s and "{date}." in s]
    assert doubled == []


def test_a_message_reads_the_same_in_every_area_of_a_language():
    """The same English words (kept in several areas' catalogues) are translated the same
    way everywhere: Uzbek read "yashirin" for a withheld figure on some pages and
    "yashirilgan" on others."""
    from babel.messages.pofile import read_po

    for lang in ("ru", "uz"):
        seen: dict[str, dict[str, str]] = {}
        for path in sorted((translations.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as f:
                for message in read_po(f):
                    if message.id and isinstance(message.id, str) and message.string:
                        seen.setdefault(message.id, {})[path.stem] = message.string
        differing = {
            m: areas
            for m, areas in seen.items()
            if len(set(areas.values())) > 1 and (lang, m) not in MEANT_APART
        }
        assert differing == {}, lang


# The same English words meaning other things in two places, so translated apart: a share
# link use's outcome ("Итог") and the logframe's ("Результат"); the whole programme as the
# link's regions (nominative) and as what a quarter is approved for (genitive).
MEANT_APART = {("ru", "Outcome"), ("ru", "the whole programme")}
