"""Command line: `python -m monitoring audit-disclosure` (docs/access.md, "The disclosure audit").

Audits donor views as a reader with a solver would read them: every figure their pages
could show of each count of people, and how far each withheld one can be narrowed down
(monitoring/access/audit.py). Without --share: the whole programme, whose protected cells
every share link over its regions reads (restricted to the link's regions); with --share ID:
the cells that link reads (the programme's, and any region of the link outside it). Exit
code 0 when every view passes, 1 when a withheld figure can be narrowed below what "<5"
says (its true value is printed only with --show-values) or the audit could not bound every
one, 2 on wrong arguments or an unknown link, 3 when the database is busy.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from monitoring.access import audit, sharing
from monitoring.access.cells import indicator_cells
from monitoring.access.view import protection_regions
from monitoring.cli.access import DB_HELP, existing_database
from monitoring.i18n import _
from monitoring.settings import load_settings

PASSED, WEAK = 0, 1
PROGRESS_EVERY = 5.0  # seconds between two lines saying how far the audit is


def progress_lines(name: str) -> Callable[[int, int], None]:
    """How far the audit of view `name` is, on stderr: a line as indicators are done, at
    most one every PROGRESS_EVERY seconds, and one at the end; none for an audit done within
    the first PROGRESS_EVERY seconds (minutes at 1,000,000 values and 14 regions; a fraction
    of a second for the sample)."""
    started = time.monotonic()
    last = [started]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - started < PROGRESS_EVERY or (done < total and now - last[0] < PROGRESS_EVERY):
            return
        last[0] = now
        print(
            _("{name}: {done} of {total} indicators audited ({seconds} s)").format(
                name=name, done=done, total=total, seconds=round(now - started)
            ),
            file=sys.stderr,
            flush=True,
        )

    return progress


def scopes(db, settings, share: int | None) -> list[tuple[str, list[str]]]:
    """(name, regions) of the views to audit."""
    if share is None:
        return [(_("Whole programme"), list(protection_regions(settings, None)))]
    link = sharing.get_share_link(db, share)
    regions = link.get("regions")
    regions = None if regions is None or len(regions) == 0 else list(regions)
    name = _("Share link {id} ({label}, {status})").format(
        id=share, label=link["label"], status=link["status"]
    )
    return [(name, list(protection_regions(settings, regions)))]


def cmd_audit_disclosure(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = existing_database(args.db)
    failed = 0
    for number, (name, regions) in enumerate(scopes(db, settings, args.share)):
        cells = indicator_cells(
            db, settings, regions, secondary=not args.rules_only, progress=progress_lines(name)
        )
        if cells.audit is None or not cells.audit.passed:
            # explain it in full: what pins each weak figure, and whether rounding would do
            result = audit.audit(cells, suggest_rounding=True)
        else:
            result = cells.audit
        if number:
            print()
        print(result.report(name, cells, show_values=args.show_values))
        failed += not result.passed
    print()
    if failed:
        print(
            _(
                "{n} view(s) do not pass: a donor could narrow a withheld count down, or "
                "the audit could not bound every one (INCOMPLETE)."
            ).format(n=failed)
        )
        return WEAK
    print(_("Every view passes: no withheld count of people can be worked out."))
    return PASSED


def add_audit_command(sub) -> None:
    """`audit-disclosure` on the CLI's subparsers."""
    cmd = sub.add_parser(
        "audit-disclosure",
        help=_("prove donors cannot work out a withheld count of people (exit 1 if one can)"),
        description=_(
            "Audit donor views: every figure their pages could show of each count "
            "of people, as equations a reader could solve, and the narrowest range each withheld "
            "figure can be pinned to. Without --share: the whole programme, whose protected "
            "cells every share link over its regions reads."
        ),
    )
    cmd.add_argument("--db", help=_(DB_HELP))
    cmd.add_argument(
        "--share", type=int, metavar="ID", help=_("audit the cells this share link reads")
    )
    cmd.add_argument(
        "--show-values",
        action="store_true",
        help=_("also print the true value of each weak figure (admins only)"),
    )
    cmd.add_argument(
        "--rules-only",
        action="store_true",
        help=_(
            "audit the cells as the small-count rules alone protect them, without the "
            "secondary suppression the dashboard adds: what it has to fix"
        ),
    )
    cmd.set_defaults(func=cmd_audit_disclosure)
