"""The overview and grant spending pages in Russian and Uzbek, for a team member and for a
donor: no English word left on the page (tests/i18n_support.py) but data, codes and currency
names, and numbers, dates and month names written the language's way (Babel)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from monitoring import i18n
from monitoring.reports.status import status_text
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.i18n_support import data_texts, shown_texts, untranslated, vega_charts
from ui import vega

OVERVIEW = "views/overview.py"
GRANTS = "views/grants.py"
NBSP = "\xa0"  # Russian and Uzbek group digits with it
# Not words a person reads: a table's column settings; the label of the test's share link.
NOT_WORDS = {'{"_index": {"hidden": true}}', "Test donor link"}
LAST_QUARTER = dt.date(2022, 6, 30)  # the sample data's latest quarter end


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


def shown_as_written(data: set[str], lang: str) -> set[str]:
    """The data, the programme's names and the language's month names."""
    return data | babel_words(lang)


def open_page(at, page: str, lang: str, **params):
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != OVERVIEW:
        at.switch_page(page).run()
    no_exceptions(at)
    return at


def page_texts(at) -> list[str]:
    """shown_texts, with a table's column settings (JSON) read for what a person sees of
    them (the columns' labels and help texts), and no link addresses."""
    texts = []
    for text in shown_texts(at):
        if text.startswith(("/", "http://", "https://")) and " " not in text:
            continue  # a link's address (its cell shows "Open ›", in the language)
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


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def in_language(lang: str, message: str) -> str:
    with i18n.language(lang):
        return i18n._(message)


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_overview_for_the_team(app, data, lang):
    allowed = shown_as_written(data, lang)
    at = open_page(app, OVERVIEW, lang)
    found = untranslated(page_texts(at), lang, allowed)
    assert found == [], "\n".join(found)
    assert at.title[0].value == in_language(lang, "Programme overview") != "Programme overview"
    charts = vega_charts(at)
    assert len(charts) == 2 and not figures(at)  # the overview's charts are Vega-Lite
    (bars_spec, _), (_, pace) = charts
    with i18n.language(lang):  # the numbers drawn written the language's way; its words
        assert pace[0]["text"] == i18n.percent(1.0)
        assert bars_spec["layer"][0]["encoding"]["color"]["scale"]["domain"][0] == status_text(
            "on_track"
        )
    for spec, _ in charts:  # whole (wrapped to its chart in the browser: tests/e2e)
        assert vega.title_of(spec).strip()
    label = in_language(lang, "Spent ({currency})").format(currency="USD")
    spent = next(m for m in at.metric if m.label == label)
    assert NBSP in spent.value and "," not in spent.value  # 454 975, not 454,975
    burn = next(m for m in at.metric if m.label == in_language(lang, "Burn rate"))
    assert "," in burn.value and "." not in burn.value  # 0,93, not 0.93
    months = next(m for m in at.metric if m.label == in_language(lang, "Months elapsed"))
    assert len(months.value) <= len("30 tadan 26"), months.value  # a card shows no more
    # Milestones: of those due, as in English ("26 of 29 due"; it read "26 из 29").
    achieved = next(m for m in at.metric if m.label == in_language(lang, "Milestones achieved"))
    assert (
        achieved.value == {"ru": "26 из 29 наступивших", "uz": "muddati kelgan 29 tadan 26"}[lang]
    )
    with i18n.language(lang):  # the caption under the pace bars: Babel's date
        day = i18n.date(LAST_QUARTER, "medium")
    assert any(day in c.value for c in at.caption), day


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_overview_for_a_donor(donor_app, data, lang):
    allowed = shown_as_written(data, lang)
    at = open_page(donor_app(regions=["UZ-JI"]), OVERVIEW, lang)
    found = untranslated(page_texts(at), lang, allowed)
    assert found == [], "\n".join(found)
    label = in_language(lang, "Spent on small grants ({currency})").format(currency="USD")
    spent = next(m for m in at.metric if m.label == label)
    assert NBSP in spent.value
    with i18n.language(lang):  # the notice of a link limited to some regions
        shared = i18n._(
            "**This shared view covers {regions}.** Indicators are measured over the "
            "values of these regions, against their regional targets where the programme set "
            "them. Money is that of the small grants in these regions, the programme's only "
            "money tied to a region: its budget and its other spending are not split by region. "
            "Milestones are those of these regions and the national and international ones."
        ).split("{")[0]
    assert shared != "**This shared view covers "
    assert any(shared in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_grant_spending_for_the_team(app, data, lang):
    allowed = shown_as_written(data, lang)
    at = open_page(app, GRANTS, lang)
    found = untranslated(page_texts(at), lang, allowed)
    assert found == [], "\n".join(found)
    assert at.title[0].value == in_language(lang, "Grant spending")
    charts = vega_charts(at)
    assert len(charts) == 3 and not figures(at)  # the grants page's charts are Vega-Lite
    for spec, _ in charts:  # axes' numbers with the language's marks: 1 234,5
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["number"]["thousands"] == NBSP
    (s_curve, _), (categories, _), _ = charts
    months = s_curve["config"]["locale"]["time"]["shortMonths"]
    with i18n.language(lang):  # the S-curve's months, in the language's words
        december = i18n.short_month(dt.date(2021, 12, 31))
        reporting = i18n._("Reporting date {date}").format(date=i18n.date(LAST_QUARTER, "medium"))
    assert f"{months[11]} 2021" == december
    if lang == "ru":
        assert december == "дек. 2021"
    assert "Dec" not in months and "Jun" not in months
    marks = [
        v["text"] for layer in s_curve["layer"] for v in layer.get("data", {}).get("values", [])
    ]
    assert reporting in marks
    # The categories' chart: its title (a third longer than the English one) in the
    # language, whole (wrapped to the chart's width in the browser: tests/e2e).
    title = vega.title_of(categories)
    assert title == in_language(lang, "Budget planned to date and spent, by category (%)")
    # Table headers in the language, money with the language's digit grouping.
    headers = {c for d in at.dataframe for c in d.value.columns}
    assert in_language(lang, "Spent ({currency})").format(currency="USD") in headers
    assert "Spent (USD)" not in headers
    label = in_language(lang, "Budget ({unit})").format(unit="USD")
    budget = next(m for m in at.metric if m.label == label)
    assert NBSP in budget.value


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_grant_spending_for_a_donor(donor_app, data, lang):
    allowed = shown_as_written(data, lang)
    at = open_page(donor_app(regions=["UZ-JI"]), GRANTS, lang)
    found = untranslated(page_texts(at), lang, allowed)
    assert found == [], "\n".join(found)
    headers = {c for d in at.dataframe for c in d.value.columns}
    assert in_language(lang, "Grantee") in headers and "Grantee" not in headers
    awarded = in_language(lang, "Awarded ({unit})").format(unit="USD")
    assert NBSP in next(m for m in at.metric if m.label == awarded).value


def test_grant_spending_in_uzs_speaks_russian(app, data):
    allowed = shown_as_written(data, "ru")
    """Millions of sum and the amounts without a rate, in Russian."""
    at = open_page(app, GRANTS, "ru", currency="UZS")
    found = untranslated(page_texts(at), "ru", allowed)
    assert found == [], "\n".join(found)
    assert any("млн UZS" in m.label for m in at.metric)
