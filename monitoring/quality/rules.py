"""Validation rules (docs/quality.md), written as data: the `[[quality.rules]]` of the
settings (monitoring/settings.py RULE_KINDS). Each kind is one query,
queries/quality_rule_<kind>.sql, returning the violations with the figures on both sides, the
first ones only if asked, and how many there are in all.

The two rules over every count (sex_adds_up, age_groups_add_up) read the values whose parts
do not add up from stored copies that every write keeps (migration 0015,
monitoring/db/stored.py), so a rule is checked for any reporting date without grouping the
programme's values: nothing is kept per data version (monitoring/db/results.py), as there is
nothing slow to keep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring import i18n
from monitoring.access.markers import team_only
from monitoring.db import Database, query_parameters
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
    """A figure of a rule, to two decimals without trailing zeros ("1,100", "4.5")."""
    return _ns([value])[0]


def _ns(values) -> list[str]:
    """Many figures at once, as `_n` writes each."""
    values = list(values)
    out = []
    for text in i18n.numbers(values, 2):
        if text != "–" and any(c in text for c in ".,"):
            text = text.rstrip("0").rstrip(".,")
        out.append(text)
    return out


def _parts(groups: pd.Series, values: pd.Series) -> list[str]:
    """The age groups of each violation with their values, "15-24 3 + 25-34 4" (every value of
    every violation written in one go). `groups`: each one's groups, "15-24|25-34"; `values`:
    their values, flat (see `_compact`)."""
    texts = _ns(values)
    out, at = [], 0
    for row in groups:
        names = row.split("|")
        out.append(
            " + ".join(f"{g} {t}" for g, t in zip(names, texts[at : at + len(names)], strict=True))
        )
        at += len(names)
    return out


def _compact(found: pd.DataFrame) -> pd.DataFrame:
    """A rule's violations as kept in the cache: lists of values (the age groups' parts) make
    pickling seconds slow at 100,000 violations; their values are kept flat, in `attrs`."""
    if "part_values" not in found:
        return found
    flat = [v for row in found.part_values for v in row]
    found = found.drop(columns="part_values")
    found.attrs["part_values"] = np.asarray(flat, dtype="float64")
    return found


def _part_values(found: pd.DataFrame, rows: int) -> np.ndarray:
    """The flat part values of the first `rows` violations."""
    sizes = [g.count("|") + 1 for g in found.part_groups.head(rows)]
    return found.attrs["part_values"][: sum(sizes)]


def _sides(rule: Rule, found: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Both sides of each violation in words (templates translated once, numbers written
    together: a rule can be broken by tens of thousands of values)."""
    kind, n = rule.kind, len(found)
    if kind == "sex_adds_up":
        template = _("female {f} + male {m} = {sum}")
        left = [
            template.format(f=f, m=m, sum=s)
            for f, m, s in zip(
                _ns(found.female), _ns(found.male), _ns(found.left_value), strict=True
            )
        ]
        template = _("all {all}")
        right = [template.format(all=a) for a in _ns(found.right_value)]
    elif kind == "age_groups_add_up":
        template = _("age groups {parts} = {sum}")
        parts = _parts(found.part_groups, _part_values(found, len(found)))
        left = [
            template.format(parts=p, sum=s)
            for p, s in zip(parts, _ns(found.left_value), strict=True)
        ]
        template = _("all ages {all}")
        right = [template.format(all=a) for a in _ns(found.right_value)]
    elif kind == "not_above":
        template = _("{code} {value}")
        left = [template.format(code=rule.numerator, value=v) for v in _ns(found.left_value)]
        right = [template.format(code=rule.denominator, value=v) for v in _ns(found.right_value)]
    elif kind == "achieved_milestone_has_date":
        left, right = [_("status achieved")] * n, [_("no achieved_on date")] * n
    else:
        template = _("disbursed {amount} {currency}")
        left = [
            template.format(amount=a, currency=c)
            for a, c in zip(_ns(found.left_value), found.currency, strict=True)
        ]
        template = _("awarded {amount} {currency}")
        right = [
            template.format(amount=a, currency=c)
            for a, c in zip(_ns(found.right_value), found.currency, strict=True)
        ]
    return left, right


def _found(
    db: Database, rule: Rule, as_of: dt.date, limit: int | None = None
) -> tuple[pd.DataFrame, int]:
    """The violations of one rule as of `as_of` as its query returns them (figures): all, or
    the first `limit`; and how many there are in all."""
    params = {
        "period": period_of(as_of),
        "as_of": as_of,
        "indicators": list(rule.indicators) or None,
        "tolerance": rule.tolerance,
        "numerator": rule.numerator,
        "denominator": rule.denominator,
        "limit": limit,
    }
    name = f"quality_rule_{rule.kind}"
    found = db.query(name, **{k: v for k, v in params.items() if k in query_parameters(name)})
    total = int(found.violations.iloc[0]) if len(found) else 0
    return found.drop(columns="violations"), total


def _table(rule: Rule, found: pd.DataFrame) -> pd.DataFrame:
    """Violations of `rule` as COLUMNS, both sides in words."""
    left, right = _sides(rule, found)
    template = _("{left} but {right}")
    return pd.DataFrame(
        {
            "rule": [_(TITLES[rule.kind])] * len(found),
            "subject": found.subject.to_numpy(),
            "period": found.period.to_numpy(),
            "region_code": found.region_code.to_numpy(),
            "org_id": found.org_id.to_numpy(),
            "left": left,
            "right": right,
            "detail": [template.format(left=a, right=b) for a, b in zip(left, right, strict=True)],
        },
        columns=COLUMNS,
    )


def run_rule(db: Database, rule: Rule, as_of: dt.date) -> pd.DataFrame:
    """The violations of one rule as of `as_of`, as COLUMNS."""
    return _table(rule, _compact(_found(db, rule, as_of)[0]))


@dataclass(frozen=True)
class Checked:
    """The violations of every rule of the settings, as figures; in words on demand (a rule
    can be broken tens of thousands of times: the page writes out the rows it shows)."""

    rules: tuple[Rule, ...]
    found: tuple[pd.DataFrame, ...]  # one per rule, as its query returns them: all, or the first
    totals: tuple[int, ...]  # one per rule: how many violations it has in all

    @property
    def count(self) -> int:
        return sum(self.totals)

    def counts(self) -> list[tuple[str, int]]:
        """Each rule's title and how many violations it has."""
        return [(_(TITLES[r.kind]), n) for r, n in zip(self.rules, self.totals, strict=True)]

    def table(self, limit: int | None = None) -> pd.DataFrame:
        """The violations found as COLUMNS, rule after rule: all, or the first `limit`."""
        frames, left = [], limit
        for rule, found in zip(self.rules, self.found, strict=True):
            if left is not None:
                found, left = found.head(left), left - min(left, len(found))
            if len(found):
                frames.append(_table(rule, found))
        if not frames:
            return pd.DataFrame(columns=COLUMNS)
        return pd.concat(frames, ignore_index=True)


@team_only
def checked(db: Database, settings: Settings, as_of: dt.date, limit: int | None = None) -> Checked:
    """Every rule of the settings checked as of `as_of`: every violation, or each rule's
    first `limit` (the page lists the first rows and counts them all; a download asks for
    every one)."""
    rules = tuple(settings.quality.rules)
    found = [_found(db, rule, as_of, limit) for rule in rules]
    return Checked(rules, tuple(_compact(f) for f, _n in found), tuple(n for _f, n in found))


@team_only
def violations(db: Database, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every violation of every rule of the settings as of `as_of`, in words."""
    return checked(db, settings, as_of).table()


def rule_titles(settings: Settings) -> list[str]:
    """The rules checked, in words."""
    out = []
    for rule in settings.quality.rules:
        title = _(TITLES[rule.kind])
        if rule.kind == "not_above":
            title += f" ({rule.numerator} ≤ {rule.denominator})"
        out.append(title)
    return out
