"""The status of an indicator: names, icons and colours shared by every page."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.access.view import WITHHELD
from monitoring.settings import StatusRule


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    icon: str  # a plain symbol that every font has (emoji are missing on some machines)
    colour: str  # Okabe-Ito palette: safe for colour-blind readers; never used alone
    rank: int  # attention order: lower comes first


STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        Status("behind", "Behind", "✖", "#D55E00", 0),
        Status("at_risk", "At risk", "▲", "#E69F00", 1),
        Status("no_data", "No data", "○", "#999999", 2),
        Status("on_track", "On track", "✔", "#009E73", 3),
        # Only in a regional view: a count whose target is for the whole programme.
        Status("no_target", "No target for these regions", "◇", "#BBBBBB", 4),
        # Only in a donor's view: the actual is a count of people withheld to protect them,
        # and so is everything computed from it (monitoring/access/view.py).
        Status(WITHHELD, "Withheld to protect the people counted", "◌", "#DDDDDD", 5),
    )
}
STATUS_ORDER = ["on_track", "at_risk", "behind", "no_data"]


def status_text(code: str) -> str:
    """Icon and words for a status, e.g. '▲ At risk'."""
    status = STATUSES[code]
    return f"{status.icon} {status.label}"


def status_rule_text(rule: StatusRule) -> str:
    """The status rule in words, with the configured thresholds."""
    return (
        "Progress is the share of the way from baseline to target covered so far "
        "(for an indicator that should decrease, a fall counts as progress). "
        "Expected progress is the indicator's target for the reporting quarter where one is "
        "set, otherwise the share of the programme's time elapsed. "
        f"**{status_text('on_track')}**: progress is at least {rule.on_track:.0%} of the "
        f"expected progress. **{status_text('at_risk')}**: at least {rule.at_risk:.0%}. "
        f"**{status_text('behind')}**: less than {rule.at_risk:.0%}. "
        f"**{status_text('no_data')}**: no value reported up to the reporting date. "
        f"**{status_text(WITHHELD)}** (in a shared view only): the actual is a small count "
        "of people, or one that would give a small count away, so it is withheld, and so "
        "are its progress and its status."
    )
