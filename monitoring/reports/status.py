"""The status of an indicator: names, icons and colours shared by every page."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring import i18n
from monitoring.access.view import WITHHELD
from monitoring.i18n import N_, _
from monitoring.settings import StatusRule


@dataclass(frozen=True)
class Status:
    code: str
    english: str  # the status's words in English: the message translated by `label`
    icon: str  # a plain symbol that every font has (emoji are missing on some machines)
    colour: str  # Okabe-Ito palette: safe for colour-blind readers; never used alone
    rank: int  # attention order: lower comes first

    @property
    def label(self) -> str:
        """The status's words in the current language."""
        return _(self.english)


STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        Status("behind", N_("Behind"), "✖", "#D55E00", 0),
        Status("at_risk", N_("At risk"), "▲", "#E69F00", 1),
        Status("no_data", N_("No data"), "○", "#999999", 2),
        Status("on_track", N_("On track"), "✔", "#009E73", 3),
        # Only in a regional view: a count whose target is for the whole programme.
        Status("no_target", N_("No target for these regions"), "◇", "#BBBBBB", 4),
        # Only in a donor's view: the actual is a count of people withheld to protect them,
        # and so is everything computed from it (monitoring/access/view.py).
        Status(WITHHELD, N_("Withheld to protect the people counted"), "⊘", "#DDDDDD", 5),
    )
}
STATUS_ORDER = ["on_track", "at_risk", "behind", "no_data"]


def status_label(code: str) -> str:
    """The words for a status in the current language, e.g. 'At risk'."""
    return STATUSES[code].label


def status_text(code: str) -> str:
    """Icon and words for a status in the current language, e.g. '▲ At risk'."""
    status = STATUSES[code]
    return f"{status.icon} {status.label}"


def status_rule_text(rule: StatusRule) -> str:
    """The status rule in words, with the configured thresholds."""
    return _(
        "Progress is the share of the way from baseline to target covered so far "
        "(for an indicator that should decrease, a fall counts as progress). "
        "Expected progress is the indicator's target for the reporting quarter where one is "
        "set, otherwise the share of the programme's time elapsed. "
        "**{on_track}**: progress is at least {on_track_share} of the expected progress. "
        "**{at_risk}**: at least {at_risk_share}. "
        "**{behind}**: less than {at_risk_share}. "
        "**{no_data}**: no value reported up to the reporting date. "
        "**{withheld}** (in a shared view only): the actual is a small count of people, or "
        "one that would give a small count away, so it is withheld, and so are its progress "
        "and its status."
    ).format(
        on_track=status_text("on_track"),
        at_risk=status_text("at_risk"),
        behind=status_text("behind"),
        no_data=status_text("no_data"),
        withheld=status_text(WITHHELD),
        on_track_share=i18n.percent(rule.on_track),
        at_risk_share=i18n.percent(rule.at_risk),
    )
