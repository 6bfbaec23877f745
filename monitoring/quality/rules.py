"""Validation rules (docs/quality.md), written as data: the `[[quality.rules]]` of the
settings (monitoring/settings.py RULE_KINDS). Each kind is one query,
queries/quality_rule_<kind>.sql, returning the violations with the figures on both sides."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring import i18n
from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.periods import period_of
from monitoring.settings import Rule, Settings

TITLES = {
    "sex_adds_up": N_("female + male = all"),
    "age_groups_add_up": N_("age groups add up to all ages"),
    "not_above": N_("numerator not above denominator"),
    "achieved_milestone_has_date": N_("an achieved milestone has its date"),
    "disbursed_within_award": N_("disbursed not above awarded"),
}
COLUMNS = ["rule", "subject", "period", "region_code", "org_id", "left", "right", "detail"]


def _n(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = i18n.number(float(value), 2)
    return text.rstrip("0").rstrip(".,") if any(c in text for c in ".,") else text


def _detail(rule: Rule, r) -> tuple[str, str, str]:
    """The two sides in words, and the whole finding."""
    kind = rule.kind
    if kind == "sex_adds_up":
        left = _("female {f} + male {m} = {sum}").format(
            f=_n(r.female), m=_n(r.male), sum=_n(r.left_value)
        )
        right = _("all {all}").format(all=_n(r.right_value))
    elif kind == "age_groups_add_up":
        left = _("age groups {parts} = {sum}").format(parts=r.parts, sum=_n(r.left_value))
        right = _("all ages {all}").format(all=_n(r.right_value))
    elif kind == "not_above":
        left = _("{code} {value}").format(code=rule.numerator, value=_n(r.left_value))
        right = _("{code} {value}").format(code=rule.denominator, value=_n(r.right_value))
    elif kind == "achieved_milestone_has_date":
        left = _("status achieved")
        right = _("no achieved_on date")
    else:
        left = _("disbursed {amount} {currency}").format(
            amount=_n(r.left_value), currency=r.currency
        )
        right = _("awarded {amount} {currency}").format(
            amount=_n(r.right_value), currency=r.currency
        )
    return left, right, _("{left} but {right}").format(left=left, right=right)


def run_rule(db: Database, rule: Rule, as_of: dt.date) -> pd.DataFrame:
    """The violations of one rule as of `as_of`, as COLUMNS."""
    params = {
        "period": period_of(as_of),
        "as_of": as_of,
        "indicators": list(rule.indicators) or None,
        "tolerance": rule.tolerance,
        "numerator": rule.numerator,
        "denominator": rule.denominator,
    }
    from monitoring.db import query_parameters

    name = f"quality_rule_{rule.kind}"
    found = db.query(name, **{k: v for k, v in params.items() if k in query_parameters(name)})
    rows = []
    for r in found.itertuples():
        left, right, detail = _detail(rule, r)
        rows.append(
            [
                _(TITLES[rule.kind]),
                r.subject,
                r.period,
                r.region_code,
                r.org_id,
                left,
                right,
                detail,
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


@team_only
def violations(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every violation of every rule of the settings as of `as_of`."""
    frames = [run_rule(db, rule, as_of) for rule in settings.quality.rules]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)


def rule_titles(settings: Settings) -> list[str]:
    """The rules checked, in words."""
    out = []
    for rule in settings.quality.rules:
        title = _(TITLES[rule.kind])
        if rule.kind == "not_above":
            title += f" ({rule.numerator} ≤ {rule.denominator})"
        out.append(title)
    return out
