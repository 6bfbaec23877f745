"""The advocacy milestones page in Russian and Uzbek, for a team member and for a donor: no
English word left on the page (tests/i18n_support.py) but data, codes and currency names,
and dates, month names and numbers written the language's way (Babel)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from monitoring import i18n
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.i18n_support import data_texts, shown_texts, untranslated, vega_charts
from ui import vega
from ui.milestones import KIND

MILESTONES = "views/milestones.py"
AS_OF = dt.date(2022, 6, 30)  # the sample data's latest quarter end
# Not words a person reads: a table's column settings; the label of the test's share link.
NOT_WORDS = {'{"_index": {"hidden": true}}', "Test donor link"}


def babel_words(lang: str) -> set[str]:
    """Month names as Babel writes them in `lang` (dates are the language's own)."""
    locale = i18n.locale(lang)
    names: set[str] = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            names.update(locale.months[context][width].values())
    return names | {n.capitalize() for n in names}


@pytest.fixture(scope="module")
def data(sample_db_path) -> set[str]:
    """Texts shown as written in every language: the data, and the programme's settings."""
    programme = load_settings().programme
    settings = {
        programme.name, programme.short_name, programme.donor, programme.partners,
        *(programme.shown(what, lang) for what in ("name", "short_name", "donor", "partners")
          for lang in ("ru", "uz")),
    }  # fmt: skip
    return data_texts(sample_db_path) | {s for s in settings if s} | NOT_WORDS


def page_texts(at) -> list[str]:
    """shown_texts, with a table's column settings (JSON) read for what a person sees of
    them (the columns' labels and help texts), and no link addresses."""
    texts = []
    for text in shown_texts(at):
        if text.startswith(("/", "http://", "https://")) and " " not in text:
            continue  # a link's address: its cell shows the indicator's code or the site
        if text.startswith("{") and text.endswith("}"):
            try:
                settings = json.loads(text)
            except ValueError:
                settings = None
            if isinstance(settings, dict):
                texts += [
                    str(column[key])
                    for column in settings.values()
                    if isinstance(column, dict)
                    for key in ("label", "help")
                    if column.get(key)
                ]
                continue
        texts.append(text)
    return texts


def open_page(at, lang: str, **params):
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(MILESTONES).run()
    no_exceptions(at)
    return at


def check_language(at, data: set[str], lang: str) -> None:
    found = untranslated(page_texts(at), lang, data | babel_words(lang))
    assert found == [], "\n".join(found)


def title(spec: dict) -> str:
    return vega.title_of(spec)


def headers(at) -> set[str]:
    return {c for d in at.dataframe for c in d.value.columns}


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_milestones_page_for_the_team(app, data, lang):
    at = open_page(app, lang)
    check_language(at, data, lang)
    with i18n.language(lang):
        assert at.title[0].value == i18n._("Advocacy milestones") != "Advocacy milestones"
        day = i18n.date(AS_OF, "medium")
        months = {i18n.short_month(dt.date(2021, m, 1)) for m in (1, 4, 7, 10)}
        wanted = {i18n._("Stage"), i18n._("Level"), i18n._("Indicator status")}
        achieved = i18n._("Achieved")
    assert wanted <= headers(at) and "Stage" not in headers(at)
    (timeline, rows), (per_quarter, quarter_rows) = vega_charts(at)
    # The axes' numbers with the language's marks (config.locale).
    assert all(c["config"]["locale"]["number"]["decimal"] == "," for c in (timeline, per_quarter))
    # Dates in the language: the title's reporting date, the month names of the axis (Vega
    # writes "%b %Y" with the language's month names, as Babel writes them).
    assert day in title(timeline) and day in title(per_quarter)
    names = timeline["config"]["locale"]["time"]["shortMonths"]
    x = next(layer for layer in timeline["layer"] if "shape" in layer["encoding"])["encoding"]["x"]
    assert x["axis"]["format"] == "%b %Y"
    ticks = {f"{names[v['month'] - 1]} {v['year']}" for v in x["axis"]["values"]}
    assert months <= ticks
    overdue = {r["text"] for r in rows if r["kind"] == KIND["overdue"]}
    if lang == "ru":
        assert "ПРОСРОЧЕНО 149 ДНЕЙ" in overdue
        assert "окт. 2021" in ticks
        assert "30 июн. 2022\u202fг." in title(timeline)
    else:
        assert "149 KUN KECHIKMOQDA" in overdue
        assert "30-iyn, 2022" in title(timeline)
    # Tooltips are written in Python, in the language, with Babel's dates, their lines named
    # in the language.
    m23 = next(r for r in rows if r["kind"] == KIND["planned"] and r["title"].startswith("M-23 "))
    tooltip = next(layer for layer in timeline["layer"] if "shape" in layer["encoding"])
    with i18n.language(lang):
        assert m23["planned"] == i18n.date(dt.date(2022, 2, 1), "medium")  # M-23's
        assert m23["status"].startswith("▶ ") and "149" in m23["status"]
        assert [t["title"] for t in tooltip["encoding"]["tooltip"]][1:] == [
            i18n._(word)
            for word in (
                "Status", "Level", "Region", "Audience", "Planned", "Achieved", "Indicator",
            )
        ]  # fmt: skip
    assert any(m.label == achieved for m in at.metric)


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_milestones_page_for_a_donor(donor_app, data, lang):
    at = open_page(donor_app(regions=["UZ-NG"]), lang)
    check_language(at, data, lang)
    with i18n.language(lang):
        assert i18n._("Outcome (the change it led to)") in headers(at)
        assert i18n._("Evidence") not in headers(at)  # free text stays with the team


def test_filters_in_russian_are_kept_in_the_address(app, data):
    """A filter's choices are shown, and kept in the address, in the language."""
    at = open_page(app, "ru", level="Национальный")
    check_language(at, data, "ru")
    assert at.multiselect(key="level").value == ["national"]
    assert at.multiselect(key="level").options[:2] == ["Сообщество", "Региональный"]
    by_level = next(d.value for d in at.dataframe if d.value.columns[0] == "Уровень")
    assert by_level["Уровень"].tolist() == ["Национальный"]
