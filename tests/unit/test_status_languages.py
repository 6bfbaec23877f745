"""Status words and the status rule in Russian and Uzbek (monitoring/reports/status.py):
every page shows them through status_text(), so they are translated there."""

from __future__ import annotations

import pytest

from monitoring import i18n
from monitoring.access.view import WITHHELD
from monitoring.reports.status import STATUSES, status_label, status_rule_text, status_text
from monitoring.settings import StatusRule

WORDS = {
    "ru": {"on_track": "По плану", "at_risk": "Под угрозой", "behind": "Отстаёт",
           "no_data": "Нет данных"},
    "uz": {"on_track": "Reja boʻyicha", "at_risk": "Xavf ostida", "behind": "Orqada",
           "no_data": "Maʼlumot yoʻq"},
}  # fmt: skip


def test_english_is_unchanged():
    with i18n.language("en"):
        assert status_text("at_risk") == "▲ At risk"
        assert STATUSES["on_track"].label == "On track"
        rule = status_rule_text(StatusRule(on_track=0.9, at_risk=0.6))
    assert "**✔ On track**: progress is at least 90% of the expected progress." in rule
    assert "**✖ Behind**: less than 60%." in rule


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_status_words_are_translated(lang):
    with i18n.language(lang):
        for code, words in WORDS[lang].items():
            assert status_label(code) == words
            assert status_text(code) == f"{STATUSES[code].icon} {words}"
            assert STATUSES[code].label == words
        for code in ("no_target", WITHHELD):
            assert status_label(code) != STATUSES[code].english
    assert status_text("on_track") == "✔ On track", "English again outside the block"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_status_rule_is_translated_with_the_language_s_percentages(lang):
    with i18n.language(lang):
        rule = status_rule_text(StatusRule(on_track=0.9, at_risk=0.6))
        on_track = status_text("on_track")
        share = i18n.percent(0.9)
    assert f"**{on_track}**" in rule
    assert share in rule
    assert "Progress is" not in rule and "at least" not in rule
    if lang == "ru":
        assert "90\xa0%" in rule, "Russian writes a space before the percent sign"


def test_each_status_has_a_symbol_unlike_the_others():
    """A status is told by its symbol as well as its colour, so no two symbols may look
    alike: a donor's "Withheld" was ◌ (a dotted circle) beside "No data" ○."""
    symbols = [s.icon for s in STATUSES.values()]
    assert len(set(symbols)) == len(symbols)
    circles = set("○◌◯◦●⚪")
    assert sum(symbol in circles for symbol in symbols) <= 1
