"""Follow-ups (docs/quality.md): a manager marks a stored value for follow-up with a note; it
stays listed until a later upload changes the value or a manager closes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.i18n import _
from monitoring.quality.approvals import check_person

KEY = ("indicator_code", "period", "region_code", "org_id", "sex", "age_group")


class FollowUpError(ValueError):
    """A follow-up that cannot be marked or closed; the message says why and what to do."""


@dataclass(frozen=True)
class ValueKey:
    """Which stored value (a row of indicator_values)."""

    indicator_code: str
    period: str
    region_code: str
    org_id: str = ""
    sex: str = "all"
    age_group: str = "all"

    def params(self) -> dict:
        return {k: getattr(self, k) for k in KEY}

    def describe(self) -> str:
        parts = [self.indicator_code, self.period, self.region_code]
        parts += [p for p in (self.org_id, self.sex, self.age_group) if p and p != "all"]
        return " · ".join(parts)


def _note(note: str | None, what: str) -> str:
    text = " ".join((note or "").split())
    if not text:
        raise FollowUpError(what)
    return text[:2000]


@team_only
def mark(db: Database, key: ValueKey, note: str, *, by: str, now: dt.datetime | None = None) -> int:
    """Mark a stored value for follow-up; returns the follow-up's number."""
    by = check_person(by)
    note = _note(note, _("Write a note: what should be checked, and by whom."))
    where = " and ".join(f"{k} = ${k}" for k in KEY)
    with db.transaction() as cur:
        row = cur.execute(
            f"select value from indicator_values where {where}",  # noqa: S608 - names from KEY
            key.params(),
        ).fetchone()
        if row is None:
            raise FollowUpError(
                _("There is no stored value {key}: pick a value listed on the page.").format(
                    key=key.describe()
                )
            )
        open_already = cur.execute(
            f"select follow_up_id from follow_ups where {where} "  # noqa: S608 - names from KEY
            "and closed_at is null and value is not distinct from $value",
            {**key.params(), "value": row[0]},
        ).fetchone()
        if open_already is not None:
            raise FollowUpError(
                _("{key} is already marked for follow-up (number {number}).").format(
                    key=key.describe(), number=open_already[0]
                )
            )
        new_id = cur.execute(
            "insert into follow_ups (indicator_code, period, region_code, org_id, sex, "
            "age_group, value, note, marked_by, marked_at) values ($indicator_code, $period, "
            "$region_code, $org_id, $sex, $age_group, $value, $note, $by, $at) "
            "returning follow_up_id",
            {
                **key.params(),
                "value": row[0],
                "note": note,
                "by": by,
                "at": now or dt.datetime.now(dt.UTC),
            },
        ).fetchone()[0]
    return int(new_id)


@team_only
def close(
    db: Database,
    follow_up_id: int,
    *,
    by: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Close an open follow-up (the value was checked)."""
    by = check_person(by)
    with db.transaction() as cur:
        found = cur.execute(
            "select closed_at, closed_by from follow_ups where follow_up_id = $id",
            {"id": int(follow_up_id)},
        ).fetchone()
        if found is None:
            raise FollowUpError(
                _("There is no follow-up number {number}.").format(number=follow_up_id)
            )
        if found[0] is not None:
            raise FollowUpError(
                _("Follow-up {number} was already closed by {who}.").format(
                    number=follow_up_id, who=found[1]
                )
            )
        cur.execute(
            "update follow_ups set closed_by = $by, closed_at = $at, close_note = $note "
            "where follow_up_id = $id",
            {
                "by": by,
                "at": now or dt.datetime.now(dt.UTC),
                "note": " ".join((note or "").split())[:2000] or None,
                "id": int(follow_up_id),
            },
        )


@team_only
def follow_ups(db: Database, *, open_only: bool = True) -> pd.DataFrame:
    """The follow-ups (open ones only by default), newest first, with the value now."""
    return db.query("quality_follow_ups", open_only=open_only)
