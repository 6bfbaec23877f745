"""`python -m monitoring approve | reopen | quality` (docs/quality.md).

    approve 2022Q1 [--region UZ-JI] [--note TEXT]   approve a quarter (locks its values)
    reopen 2022Q1 [--region UZ-JI] --reason TEXT    reopen it, with a reason
    quality [--as-of 2022Q2]                        completeness and rule violations

Exit codes as every command: 0 done; 1 refused (nothing written); 2 wrong arguments; 3 the
database cannot be used now. approve and reopen write: while the dashboard serves the
database, they are sent to it and run there (monitoring/cli/remote.py), like `import`.
"""

from __future__ import annotations

import argparse
import datetime as dt

from monitoring import i18n
from monitoring.cli.access import _operator, existing_database, finish_command
from monitoring.i18n import _
from monitoring.periods import period_end, period_of
from monitoring.quality import approvals, completeness, outliers, rules, timeliness
from monitoring.settings import load_settings

OK, REFUSED = 0, 1


def cmd_approve(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = existing_database(args.db)
    try:
        event = approvals.approve(
            db, settings, args.period, region=args.region, by=_operator(args), note=args.note
        )
    except approvals.ApprovalError as exc:
        print(_("Not approved: {why}").format(why=exc))
        return REFUSED
    print(event.describe())
    print(_("Its values are locked: uploads and undo that would change them are refused."))
    return OK


def cmd_reopen(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = existing_database(args.db)
    try:
        events = approvals.reopen(
            db, settings, args.period, region=args.region, by=_operator(args), reason=args.reason
        )
    except approvals.ApprovalError as exc:
        print(_("Not reopened: {why}").format(why=exc))
        return REFUSED
    for event in events:
        print(event.describe())
    return OK


def _as_of(settings, text: str | None, db) -> dt.date:
    if not text:
        latest = db.scalar("access_latest_period")
        period = latest if isinstance(latest, str) else period_of(settings.programme.start)
    else:
        try:
            period = approvals.check_period(settings, text)
        except approvals.ApprovalError as exc:
            raise ValueError(str(exc)) from None
    return min(period_end(period), settings.programme.end)


def cmd_quality(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = existing_database(args.db)
    as_of = _as_of(settings, args.as_of, db)
    found = completeness.completeness(db, settings, as_of)
    print(
        _("Data quality as of {date} ({period})").format(
            date=i18n.date(as_of), period=period_of(as_of)
        )
    )
    print()
    print(
        _("Completeness: {reported} of {expected} expected values reported ({share}).").format(
            reported=found.reported, expected=found.expected, share=i18n.percent(found.share)
        )
    )
    for column, label in (("region_code", _("region")), ("period", _("quarter"))):
        for r in found.by(column).itertuples():
            print(
                "  "
                + _("{label} {name}: {reported} of {expected} ({share})").format(
                    label=label,
                    name=getattr(r, column),
                    reported=r.reported,
                    expected=r.expected,
                    share=i18n.percent(r.share),
                )
            )
    missing = found.missing()
    if len(missing):
        print(_("Missing ({count}):").format(count=len(missing)))
        for r in missing.itertuples():
            print(f"  {r.period} {r.indicator_code} {r.region_code}")
    print()
    times = timeliness.summary(timeliness.timeliness(db, settings, as_of, listed=()))
    print(_("Timeliness: ") + ", ".join(f"{_(status)} {count}" for status, count in times.items()))
    flagged = outliers.worded(
        outliers.outliers(db, settings, as_of), settings.quality.outlier_threshold
    )
    print(_("Outliers and values out of bounds: {count}").format(count=len(flagged)))
    for r in flagged.itertuples():
        print(f"  {r.period} {r.indicator_code} {r.region_code} {r.value:g}: {r.why}")
    print()
    broken = rules.violations(db, settings, as_of)
    print(_("Rule violations: {count}").format(count=len(broken)))
    for r in broken.itertuples():
        where = " ".join(p for p in (r.period, r.region_code, r.org_id) if p)
        print(f"  [{r.rule}] {r.subject} {where}: {r.detail}")
    approved = approvals.approvals(db)
    print()
    if approved.empty:
        print(_("No quarter is approved."))
    else:
        print(_("Approved quarters:"))
        for r in approved.itertuples():
            scope = _("whole programme") if not r.region_code else r.region_code
            print(f"  {r.period} {scope}: {r.approved_by}")
    return OK


def add_quality_commands(sub) -> None:
    """Add `approve`, `reopen` and `quality` to the parser of `python -m monitoring`."""
    approve = sub.add_parser(
        "approve",
        help=_("approve a quarter (for one region or the whole programme): its values are locked"),
    )
    approve.add_argument("period", metavar="QUARTER", help=_("e.g. 2022Q1"))
    approve.add_argument(
        "--region", metavar="CODE", help=_("one region, e.g. UZ-JI (default: all)")
    )
    approve.add_argument("--note", metavar="TEXT", help=_("a note recorded with the approval"))
    finish_command(approve, cmd_approve, by=_("who approves"))

    reopen = sub.add_parser("reopen", help=_("reopen an approved quarter, with a reason"))
    reopen.add_argument("period", metavar="QUARTER", help=_("e.g. 2022Q1"))
    reopen.add_argument(
        "--region", metavar="CODE", help=_("one region (default: the whole programme)")
    )
    reopen.add_argument("--reason", required=True, metavar="TEXT", help=_("why it is reopened"))
    finish_command(reopen, cmd_reopen, by=_("who reopens"))

    quality = sub.add_parser(
        "quality", help=_("print completeness, timeliness, outliers and rule violations")
    )
    quality.add_argument(
        "--as-of", metavar="QUARTER", help=_("reporting quarter (default: the latest with data)")
    )
    finish_command(quality, cmd_quality)
