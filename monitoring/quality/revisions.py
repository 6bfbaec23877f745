"""Target revisions (docs/quality.md): a stored target changed by an upload is recorded with
its old and new value, when, by whom and why (the file's `revision_reason`, required when a
target changes). Recorded in the import's transaction; undoing the batch removes the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from monitoring import i18n
from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.i18n import _
from monitoring.periods import period_of
from monitoring.quality.queries import execute_named, run_named

REASON_COLUMN = "revision_reason"


@dataclass(frozen=True)
class MissingReason:
    """A line of an upload that changes a stored target without saying why."""

    line: int
    indicator_code: str
    period: str
    region_code: str
    old_target: float
    new_target: float

    def reason(self) -> str:
        return _(
            "this line changes the stored target of {code}, {period}, {region} from {old} to "
            "{new} but gives no revision_reason"
        ).format(
            code=self.indicator_code,
            period=self.period,
            region=self.region_code,
            old=i18n.number(self.old_target, 2).rstrip("0").rstrip(".,"),
            new=i18n.number(self.new_target, 2).rstrip("0").rstrip(".,"),
        )

    def fix(self) -> str:
        return _(
            "Write why the target changes in the revision_reason column of this line (e.g. "
            "'budget revision agreed with the donor, May 2022'); it is recorded and shown with "
            "the indicator."
        )


def missing_reasons(cur: duckdb.DuckDBPyConnection, columns: list[str]) -> list[MissingReason]:
    """The lines of an upload of indicator_targets staged on `cur` (upload_rows) that change a
    stored target without a revision_reason in the file."""
    found = run_named(cur, "quality_target_changes", reason_given=REASON_COLUMN in columns)
    return [
        MissingReason(
            int(r.line), r.indicator_code, r.period, r.region_code, r.old_target, r.new_target
        )
        for r in found.itertuples()
        if r.reason is None or pd.isna(r.reason)
    ]


def record_revisions(
    cur: duckdb.DuckDBPyConnection, batch_id: int, by: str, at: dt.datetime | None = None
) -> None:
    """Record the targets the upload staged on `cur` changes (before they are written)."""
    execute_named(
        cur,
        "quality_record_revisions",
        batch=batch_id,
        by=by,
        at=at or dt.datetime.now(dt.UTC),
    )


def remove_revisions(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Undoing batch `batch_id`: its revisions were never made."""
    cur.execute("delete from target_revisions where batch_id = $batch", {"batch": batch_id})


def _frame(found: pd.DataFrame, names: bool) -> pd.DataFrame:
    if not names:
        found = found.assign(revised_by=None)
    return found.reset_index(drop=True)


@team_only
def target_revisions(db: Database, as_of: dt.date, indicator: str | None = None) -> pd.DataFrame:
    """Every target revision (of one indicator, or all) of quarters up to `as_of`."""
    return db.query(
        "quality_target_revisions", indicator=indicator, regions=None, period=period_of(as_of)
    )


def revisions_in_view(
    db: Database, view, as_of: dt.date, indicator: str | None = None
) -> pd.DataFrame:
    """Target revisions as `view` may see them: its regions, indicators it may see, quarters up
    to `as_of`; who revised a target only where the view shows uploaders' names."""
    if indicator is not None and not view.shows_indicator(indicator):
        return db.query("quality_target_revisions", indicator="", regions=None, period="")
    found = db.query(
        "quality_target_revisions",
        indicator=indicator,
        regions=list(view.regions) if view.regions is not None else None,
        period=period_of(as_of),
    )
    found = view.visible(found)
    return _frame(found, view.uploader_names)


def history_table(found: pd.DataFrame) -> pd.DataFrame:
    """Revisions as a table to show: quarter, region, old → new, when, why (and who)."""
    columns = {
        "indicator_code": _("Indicator"),
        "period": _("Quarter"),
        "region_code": _("Region"),
        "change": _("Target (old → new)"),
        "revised_at": _("Revised on"),
        "reason": _("Why"),
        "revised_by": _("By"),
    }
    if found.empty:
        return pd.DataFrame(columns=list(columns.values()))
    shown = found.assign(
        change=[
            f"{i18n.number(o, 1).removesuffix(',0').removesuffix('.0')} → "
            f"{i18n.number(n, 1).removesuffix(',0').removesuffix('.0')}"
            for o, n in zip(found.old_target, found.new_target, strict=True)
        ],
        revised_at=[i18n.date(pd.Timestamp(t).date(), "medium") for t in found.revised_at],
    )
    keep = [c for c in columns if c != "revised_by" or shown["revised_by"].notna().any()]
    return shown[keep].rename(columns=columns)
