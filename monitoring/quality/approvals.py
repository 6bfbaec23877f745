"""Approval and locking of quarters (docs/quality.md).

A manager approves a quarter for one region or for the whole programme; an administrator can
reopen it, with a reason. Every approval and reopening is an event in `quarter_approvals`
(never changed or deleted): a scope (quarter, region; region '' = the whole programme) is
approved while its latest event is an approval (macro `approved_scopes`).

An approved quarter is locked: an upload that would change one of its rows is refused
(`locks_in_upload`, called by monitoring/intake/batches.py in the preview and again inside
the import's transaction), and so is the undo of a batch that wrote one (`locks_in_batch`).
Which rows are in a quarter: indicator values and targets by their period and region;
transactions and milestones by the quarter of their date and their region (a transaction's
grant's region); a row without a region is locked only by an approval of the whole programme.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from monitoring import i18n
from monitoring.access.markers import free_of_people_data, team_only
from monitoring.db import Database
from monitoring.i18n import _
from monitoring.periods import programme_periods
from monitoring.quality.queries import run_named
from monitoring.settings import Settings

WHOLE_PROGRAMME = ""  # the region_code of an approval of the whole programme
APPROVE, REOPEN = "approve", "reopen"
LOCKED_TABLES = ("indicator_values", "indicator_targets", "transactions", "milestones")
SAMPLE_APPROVER = "sample data (illustrative approval)"

_PERIOD = re.compile(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", re.IGNORECASE)
_PERIOD_FIRST = re.compile(r"\s*Q([1-4])\s*-?\s*(\d{4})\s*", re.IGNORECASE)
_NAME = re.compile(r"[\w .@'’()\-]{1,100}")


class ApprovalError(ValueError):
    """An approval or reopening that cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Lock:
    """One row an upload (or an undo) would change in an approved quarter."""

    line: int | None
    columns: tuple[str, ...]
    period: str
    region_code: str  # the row's region ('' when it has none)
    approved_scope: str  # '' when the whole programme's quarter is approved
    approved_by: str
    approved_at: dt.datetime
    row_key: str = ""

    @property
    def column(self) -> str:
        return ", ".join(self.columns)

    def scope_words(self) -> str:
        if self.approved_scope == WHOLE_PROGRAMME:
            return _("{period} for the whole programme").format(period=self.period)
        return _("{period} for {region}").format(period=self.period, region=self.approved_scope)

    def reason(self) -> str:
        return _(
            "this row is in quarter {scope}, approved by {who} on {when}: an approved quarter "
            "is locked"
        ).format(
            scope=self.scope_words(), who=self.approved_by, when=i18n.datetime(self.approved_at)
        )

    def fix(self) -> str:
        return _(
            "Leave this row out of the file, or ask an administrator to reopen {period} (with a "
            "reason) on the Data quality page; then upload the file again."
        ).format(period=self.period)


@dataclass(frozen=True)
class Event:
    """An approval or reopening as recorded."""

    period: str
    region_code: str
    action: str
    acted_by: str
    acted_at: dt.datetime
    reason: str | None

    def describe(self) -> str:
        scope = (
            _("the whole programme")
            if self.region_code == WHOLE_PROGRAMME
            else _("region {region}").format(region=self.region_code)
        )
        if self.action == APPROVE:
            return _("{period} approved for {scope} by {who} on {when}.").format(
                period=self.period,
                scope=scope,
                who=self.acted_by,
                when=i18n.datetime(self.acted_at),
            )
        return _("{period} reopened for {scope} by {who} on {when}: {reason}").format(
            period=self.period,
            scope=scope,
            who=self.acted_by,
            when=i18n.datetime(self.acted_at),
            reason=self.reason,
        )


# Checking what is asked --------------------------------------------------------------------
def check_period(settings: Settings, text: str) -> str:
    """A quarter of the programme, canonical (2022Q1), from `2022Q1`, `2022-Q1` or `Q1 2022`."""
    text = (text or "").strip()
    found = _PERIOD.fullmatch(text)
    if found:
        period = f"{found.group(1)}Q{found.group(2)}"
    else:
        first = _PERIOD_FIRST.fullmatch(text)
        period = f"{first.group(2)}Q{first.group(1)}" if first else ""
    quarters = list(programme_periods(settings.programme))
    if period not in quarters:
        raise ApprovalError(
            _(
                "{text} is not a quarter of the programme. Name one from {first} to {last}, "
                "written like {first}."
            ).format(text=text or "''", first=quarters[0], last=quarters[-1])
        )
    return period


def check_region(settings: Settings, region: str | None) -> str:
    """A programme region's code, or '' (the whole programme) for None or empty."""
    code = (region or "").strip().upper()
    if not code:
        return WHOLE_PROGRAMME
    if code not in settings.programme.regions:
        raise ApprovalError(
            _(
                "{region} is not one of the programme's regions ({regions}). Name one of them, "
                "or none for the whole programme."
            ).format(region=code, regions=", ".join(settings.programme.regions))
        )
    return code


def check_person(by: str | None) -> str:
    name = " ".join((by or "").split())
    if not name or not _NAME.fullmatch(name):
        raise ApprovalError(
            _(
                "Say who approves or reopens, in plain letters (at most 100 characters): it is "
                "recorded and shown with the quarter."
            )
        )
    return name


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _approved(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run_named(cur, "quality_approvals")


def _scope_row(frame: pd.DataFrame, period: str, region: str):
    rows = frame[(frame.period == period) & (frame.region_code == region)]
    return None if rows.empty else rows.iloc[0]


# Approving and reopening -------------------------------------------------------------------
@team_only
def approve(
    db: Database,
    settings: Settings,
    period: str,
    *,
    region: str | None = None,
    by: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Approve `period` for `region` (None: the whole programme). One transaction."""
    period = check_period(settings, period)
    region = check_region(settings, region)
    by = check_person(by)
    at = _now(now)
    with db.transaction() as cur:
        approved = _approved(cur)
        whole = _scope_row(approved, period, WHOLE_PROGRAMME)
        same = _scope_row(approved, period, region)
        if same is not None or whole is not None:
            row = same if same is not None else whole
            raise ApprovalError(
                _(
                    "{period} is already approved ({scope}) by {who} on {when}; nothing changed."
                ).format(
                    period=period,
                    scope=_("the whole programme")
                    if row.region_code == WHOLE_PROGRAMME
                    else row.region_code,
                    who=row.approved_by,
                    when=i18n.datetime(pd.Timestamp(row.approved_at).to_pydatetime()),
                )
            )
        cur.execute(
            "insert into quarter_approvals (period, region_code, action, acted_by, acted_at, "
            "reason) values ($period, $region, 'approve', $by, $at, $note)",
            {"period": period, "region": region, "by": by, "at": at, "note": _clean(note)},
        )
    return Event(period, region, APPROVE, by, at, _clean(note))


@team_only
def reopen(
    db: Database,
    settings: Settings,
    period: str,
    *,
    region: str | None = None,
    by: str,
    reason: str,
    now: dt.datetime | None = None,
) -> list[Event]:
    """Reopen `period` for `region` (None: the whole programme, and every region's approval of
    it), with a reason. One transaction. Returns the reopenings recorded."""
    period = check_period(settings, period)
    region = check_region(settings, region)
    by = check_person(by)
    reason = _clean(reason)
    if not reason:
        raise ApprovalError(
            _(
                "Give the reason for reopening {period}: it is recorded and shown with the quarter."
            ).format(period=period)
        )
    at = _now(now)
    with db.transaction() as cur:
        approved = _approved(cur)
        in_period = approved[approved.period == period]
        if region == WHOLE_PROGRAMME:
            scopes = list(in_period.region_code)
        elif _scope_row(approved, period, region) is not None:
            scopes = [region]
        elif _scope_row(approved, period, WHOLE_PROGRAMME) is not None:
            raise ApprovalError(
                _(
                    "{period} is approved for the whole programme, not region by region: reopen "
                    "it for the whole programme (then approve the regions that stay approved)."
                ).format(period=period)
            )
        else:
            scopes = []
        if not scopes:
            raise ApprovalError(
                _("{period} is not approved{where}; there is nothing to reopen.").format(
                    period=period,
                    where=""
                    if region == WHOLE_PROGRAMME
                    else _(" for {region}").format(region=region),
                )
            )
        for scope in scopes:
            cur.execute(
                "insert into quarter_approvals (period, region_code, action, acted_by, "
                "acted_at, reason) values ($period, $region, 'reopen', $by, $at, $reason)",
                {"period": period, "region": scope, "by": by, "at": at, "reason": reason},
            )
    return [Event(period, scope, REOPEN, by, at, reason) for scope in scopes]


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text[:1000] or None


@team_only
def approve_sample(db: Database, settings: Settings) -> int:
    """Approve, for the whole programme, every quarter of the sample data (from the start to
    the latest quarter with values), by an approver named as illustrative: what `init --sample`
    records, once. Returns the quarters approved (0 when the database has approvals already)."""
    with db.transaction() as cur:
        if cur.execute("select count(*) from quarter_approvals").fetchone()[0]:
            return 0
        latest = cur.execute("select max(period) from indicator_values").fetchone()[0]
        if latest is None:
            return 0
        quarters = [q for q in programme_periods(settings.programme) if q <= latest]
        at = _now(None)
        for period in quarters:
            cur.execute(
                "insert into quarter_approvals (period, region_code, action, acted_by, acted_at, "
                "reason) values ($period, '', 'approve', $by, $at, $note)",
                {
                    "period": period,
                    "by": SAMPLE_APPROVER,
                    "at": at,
                    "note": "Illustrative: sample data approved so that share links show it.",
                },
            )
    return len(quarters)


# Reading -----------------------------------------------------------------------------------
@team_only
def approvals(db: Database) -> pd.DataFrame:
    """The scopes approved now: period, region_code ('' whole programme), region_name,
    approved_by, approved_at."""
    return db.query("quality_approvals")


@team_only
def approval_history(db: Database, limit: int = 500) -> pd.DataFrame:
    """Every approval and reopening, newest first."""
    return db.query("quality_approval_history", limit=limit)


def approval_grid(
    approved: pd.DataFrame, settings: Settings, up_to: str | None = None
) -> pd.DataFrame:
    """One row per quarter (up to `up_to`), one column per programme region: who approved
    each scope, '' where it is not approved. Works on what approvals() returned."""
    periods = [p for p in programme_periods(settings.programme) if not up_to or p <= up_to]
    regions = list(settings.programme.regions)
    scopes = approved.drop_duplicates(["period", "region_code"])
    whole = scopes[scopes.region_code == WHOLE_PROGRAMME].set_index("period").approved_by
    whole = whole.astype(object).reindex(periods)
    own = scopes[scopes.region_code != WHOLE_PROGRAMME].pivot(
        index="period", columns="region_code", values="approved_by"
    )
    grid = pd.DataFrame({"period": periods})
    for region in regions:
        mine = own[region].astype(object).reindex(periods) if region in own else whole
        by = mine.where(mine.notna(), whole)
        grid[region] = [str(who) if isinstance(who, str) else "" for who in by]
    return grid[["period", *regions]]


@free_of_people_data
def page_version(db: Database) -> tuple[int, ...]:
    """The key of cached page results and of the protected view, in one query: it changes
    whenever an upload is committed or undone (the batch and undo count of
    `Database.data_version()`), a quarter is approved or reopened, or a follow-up is marked
    or closed."""
    with db.cursor() as cur:
        row = cur.execute(
            "select (select coalesce(max(batch_id), 0) from upload_batches), "
            "(select count(undone_at) from upload_batches), "
            "(select count(*) from quarter_approvals), (select count(*) from follow_ups), "
            "(select count(closed_at) from follow_ups)"
        ).fetchone()
    return tuple(int(x) for x in row)


def uploads_part(version: tuple[int, ...]) -> tuple[int, ...]:
    """The part of a `page_version` that only uploads and undos change (what
    `Database.data_version()` returns): the key of what approvals and follow-ups leave alone."""
    return tuple(version[:2])


# Locks -------------------------------------------------------------------------------------
def _locks(frame: pd.DataFrame) -> list[Lock]:
    out = []
    for r in frame.itertuples():
        columns = getattr(r, "columns", None)
        out.append(
            Lock(
                line=None if pd.isna(r.line) else int(r.line),
                columns=tuple(columns) if columns is not None and len(columns) else (),
                period=str(r.period),
                region_code=str(r.region_code or ""),
                approved_scope=str(r.approved_scope or ""),
                approved_by=str(r.approved_by),
                approved_at=pd.Timestamp(r.approved_at).to_pydatetime(),
                row_key=str(getattr(r, "row_key", "") or ""),
            )
        )
    return out


def locks_in_upload(cur: duckdb.DuckDBPyConnection, table_name: str) -> list[Lock]:
    """The rows of an upload staged on `cur` (temp table upload_rows) that would change a row
    of an approved quarter; empty for tables no approval locks (e.g. budget)."""
    if table_name not in LOCKED_TABLES:
        return []
    return _locks(run_named(cur, f"quality_locked_{table_name}"))


def locks_in_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> list[Lock]:
    """The rows batch `batch_id` wrote that lie in an approved quarter (its undo is refused)."""
    return _locks(run_named(cur, "quality_locked_batch", batch=batch_id))


def undo_refusal(batch_id: int, locks: list[Lock]) -> str:
    """Why the undo of a batch touching approved quarters is refused, and what to do."""
    first = locks[0]
    periods = sorted({lock.period for lock in locks})
    return _(
        "Batch {batch} cannot be undone: it wrote {count} row(s) in approved quarters "
        "({periods}); line {line} is in quarter {scope}, approved by {who} on {when}. An "
        "approved quarter is locked: ask an administrator to reopen it (with a reason) on the "
        "Data quality page, then undo the batch."
    ).format(
        batch=batch_id,
        count=len(locks),
        periods=", ".join(periods),
        line=first.line if first.line is not None else "?",
        scope=first.scope_words(),
        who=first.approved_by,
        when=i18n.datetime(first.approved_at),
    )
