"""The outcome indicators and regional map pages in Russian and Uzbek, for a team member and
for a donor: no English word left on the page (tests/i18n_support.py) but data, codes and
currency names, with an indicator's detail open and a region picked on the map, and numbers
written the language's way (Babel)."""

from __future__ import annotations

import json

import pytest
from babel.dates import get_month_names

from monitoring import i18n
from monitoring.access.sharing import SHARE_PARAM
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import DETAIL_TAB, DETAIL_TABS, open_tab
from tests.i18n_support import data_texts, shown_texts, untranslated, vega_charts
from ui import vega

INDICATORS = "views/indicators.py"
MAP = "views/map.py"
NBSP = "\xa0"  # Russian and Uzbek group digits (and Russian sets "%" apart) with it


@pytest.fixture(scope="module")
def allowed(sample_db_path) -> set[str]:
    """Texts shown as written in every language: the data, and the programme's settings."""
    programme = load_settings().programme
    settings = {
        programme.name, programme.short_name, programme.donor, programme.partners,
        *(programme.shown(what, lang) for what in ("name", "short_name", "donor", "partners")
          for lang in ("ru", "uz")),
    }  # fmt: skip
    # Babel's month names (the page header's date): the language's own words.
    months = {
        name
        for lang in ("ru", "uz")
        for width in ("wide", "abbreviated")
        for context in ("format", "stand-alone")
        for name in get_month_names(width, context, i18n.LOCALES[lang]).values()
    }
    months |= {m.capitalize() for m in months}
    link = {"Test donor link"}  # the share link's label, typed by whoever made it
    return data_texts(sample_db_path) | {s for s in settings if s} | months | link


def _words_of(config, out: list[str]) -> None:
    if isinstance(config, dict):
        for key, value in config.items():
            if key in ("help", "label", "title") and isinstance(value, str):
                out.append(value)
            else:
                _words_of(value, out)
    elif isinstance(config, list):
        for value in config:
            _words_of(value, out)


def page_texts(at) -> list[str]:
    """shown_texts, with the JSON settings it picks up (a table's column settings, the
    map's tooltip style) reduced to the words they show: help texts, labels, titles."""
    texts = []
    for text in shown_texts(at):
        try:
            config = json.loads(text) if text.lstrip().startswith("{") else None
        except ValueError:
            config = None
        if config is None:
            texts.append(text)
        else:
            _words_of(config, texts)
    return texts


def open_page(at, page: str, lang: str, **params):
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    no_exceptions(at)
    return at


def in_every_detail_tab(at, lang: str, read):
    """read(at) with each tab of the indicator's detail open in turn (the first left open
    again), as a reader clicks them: what each gave, in the tabs' order."""
    with i18n.language(lang):
        labels = [i18n._(label) for label in DETAIL_TABS]
    found = [read(at)]
    for label in labels[1:]:
        found.append(read(open_tab(at, DETAIL_TAB, label, shown_in=lang)))
    open_tab(at, DETAIL_TAB, labels[0], shown_in=lang)
    return found


def link_token(at) -> set[str]:
    """The share link's token (random letters: now and then it spells an English word)."""
    token = at.query_params.get(SHARE_PARAM)
    return set(token) if isinstance(token, list) else {token} if token else set()


def deck_tooltips(at) -> list[str]:
    """The map's tooltips and labels (pydeck's JSON, which shown_texts leaves out)."""
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    texts = []
    for layer in deck["layers"]:
        data = layer.get("data")
        rows = data.get("features", []) if isinstance(data, dict) else data or []
        for row in rows:
            props = row.get("properties", row)
            texts += [props[k] for k in ("tooltip", "text", "shown_text") if k in props]
    return texts


def everything(at) -> str:
    return "\n".join(
        page_texts(at) + deck_tooltips(at) if at.get("deck_gl_json_chart") else page_texts(at)
    )


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_indicators_page_for_the_team(app, allowed, lang):
    at = open_page(app, INDICATORS, lang, indicator="OC1.2")
    shown = in_every_detail_tab(at, lang, lambda at: (page_texts(at), vega_charts(at)))
    for texts, _charts in shown:
        assert untranslated(texts, lang, allowed) == []
    # The detail's charts (over time, by region; by sex, by age group in their tab), drawn
    # with Vega-Lite (the page loads no plotly).
    charts = shown[0][1] + shown[2][1]
    assert len(charts) == 4 and not at.get("plotly_chart")
    with i18n.language(lang):
        titles = [
            i18n._("{code}: actual against target by quarter ({unit})"),
            i18n._("{code} by region: cumulative total by quarter ({unit})"),
            i18n._("{code} by sex, by quarter: parts stacked to the total ({unit})"),
            i18n._("{code} by age group, by quarter: parts stacked to the total ({unit})"),
        ]
        number = i18n._("number")
        of = i18n._("{n} of {total}").format(n=3, total=3)
        total = i18n._("Total reported")
        tip = i18n._("{measure} at {period}: {value}").format(
            measure=i18n._("Cumulative total"), period="2021Q3", value="56"
        )
    assert number != "number" and total != "Total reported"
    for (spec, _rows), title in zip(charts, titles, strict=True):
        # Each title in the language, whole (wrapped to its chart in the browser: tests/e2e).
        assert vega.title_of(spec) == title.format(code="OC1.2", unit=number)
        # The axes' numbers with the language's marks: 1 234,5.
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["number"]["thousands"] == NBSP
    (time, time_rows), _, (sex, _), _ = charts
    # The quarters' second line, the hover texts and the legend, in the language.
    quarters = time["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert quarters[-1] == f"2022Q2\n{of}"
    assert tip in [r["tip"] for r in time_rows]
    assert total in sex["layer"][0]["encoding"]["fill"]["scale"]["domain"]
    title = "Индикаторы результатов" if lang == "ru" else "Natija indikatorlari"
    assert at.title[0].value == title
    # Babel: the share of target achieved, written the language's way.
    achieved = at.metric[2].value
    assert achieved.endswith(NBSP + "%" if lang == "ru" else "%") and "." not in achieved


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_indicators_page_for_a_donor(donor_app, allowed, lang):
    at = donor_app(regions=["UZ-JI"])
    at = open_page(at, INDICATORS, lang, indicator="OC1.2")
    for texts in in_every_detail_tab(at, lang, page_texts):
        assert untranslated(texts, lang, allowed | link_token(at)) == []
    hidden = "скрыто" if lang == "ru" else "yashirilgan"
    assert hidden in everything(at)  # small counts are withheld, in the language's words


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_map_page_for_the_team_with_a_region_picked(app, allowed, lang):
    at = open_page(app, MAP, lang, indicator="OC1.2", region="UZ-NG")
    texts = page_texts(at)
    assert untranslated(texts + deck_tooltips(at), lang, allowed) == []
    assert len(at.dataframe) == 4  # the region's indicators and organisations, two tables below
    # Babel: grant money with the language's digit grouping (a no-break space).
    assert any(NBSP in t and "USD" in t for t in texts)
    assert any("USD" in t and NBSP in t for t in deck_tooltips(at))


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_map_page_for_a_donor_with_a_region_picked(donor_app, allowed, lang):
    at = donor_app()
    at = open_page(at, MAP, lang, indicator="OC1.2", region="UZ-JI", measure="% of target")
    texts = page_texts(at)
    assert untranslated(texts + deck_tooltips(at), lang, allowed | link_token(at)) == []
    # A link written in English still colours by % of target, now named in the language.
    assert at.radio[0].value == ("% от целевого значения" if lang == "ru" else at.radio[0].value)
    assert at.radio[0].index == 1
    # Organisations never named are described in the language.
    withheld = "название скрыто" if lang == "ru" else "nomi yashirilgan"
    assert withheld in everything(at)
