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
from tests.i18n_support import data_texts, shown_texts, untranslated

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


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


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
    timeline, per_quarter = figures(at)
    assert all(f["layout"]["separators"] == ", " for f in (timeline, per_quarter))
    # Dates in the language: the title's reporting date, the month names of the axis.
    assert day in timeline["layout"]["title"]["text"]
    assert months <= set(timeline["layout"]["xaxis"]["ticktext"])
    assert day in per_quarter["layout"]["title"]["text"]
    overdue = next(t for t in timeline["data"] if t.get("name", "").startswith("▶"))
    if lang == "ru":
        assert "<b>ПРОСРОЧЕНО 149 ДНЕЙ</b>" in overdue["text"]
        assert "окт. 2021" in timeline["layout"]["xaxis"]["ticktext"]
        assert "30 июн. 2022\u202fг." in timeline["layout"]["title"]["text"]
    else:
        assert "<b>149 KUN KECHIKMOQDA</b>" in overdue["text"]
        assert "30-iyn, 2022" in timeline["layout"]["title"]["text"]
    # The longest "OVERDUE n days" (drawn past the plot, a third longer than the English
    # one) has room in the right margin: at 130 pixels it was cut off in Chromium.
    longest = max(len(t.removeprefix("<b>").removesuffix("</b>")) for t in overdue["text"])
    assert timeline["layout"]["margin"]["r"] >= 20 + 9 * longest > 130
    # Hover texts are made in Python, in the language, with Babel's dates.
    hover = json.dumps([t.get("customdata") for t in timeline["data"]], ensure_ascii=False)
    assert "Planned " not in hover and "Achieved " not in hover
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
