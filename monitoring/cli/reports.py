"""Command line for report files (docs/reports.md):

    python -m monitoring report iptt|pdf --as-of 2022Q2 --out FILE [--share ID] [--data-version N]
    python -m monitoring export iati --out FILE [--as-of 2022Q2] [--data-version N]

`--share ID` makes the file that share link's donor would get (its regions, protection and
label); without it, the file of the programme team. `--data-version N` makes it from the data
as they stood after upload batch N (replayed in a temporary copy of the database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from monitoring import i18n
from monitoring.access import accounts, sharing
from monitoring.access.view import TEAM, Audience, NoQuarterApproved, protected_view
from monitoring.cli.access import existing_database, finish_command
from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.intake.replay import database_after_batch
from monitoring.periods import period_end
from monitoring.reports import iati, iptt, overview, report
from monitoring.reports.documents import NotAllowed
from monitoring.reports.indicators import parse_period
from monitoring.settings import Settings, load_settings

HAS_ERRORS = 1
KINDS = {"iptt": N_("IPTT workbook"), "pdf": N_("PDF report")}


def reporting_date(db: Database, settings: Settings, text: str | None) -> dt.date:
    """The end of the quarter written in `text` (2022Q2, Q2 2022 ...), else of the latest
    quarter with data; never past the programme's end."""
    if text is None:
        return overview.default_as_of(db, settings)
    period = parse_period(text)
    if period is None:
        raise ValueError(
            _("{value} is not a quarter: write it like 2022Q2.").format(value=repr(text))
        )
    return min(period_end(period), settings.programme.end)


def audience_of(db: Database, share: int | None) -> tuple[Audience, str | None]:
    """Who the file is for: a share link's donor (refused for a link that is not active or
    does not allow reports), else the programme team."""
    if share is None:
        return TEAM, None
    link = sharing.get_share_link(db, share)
    if link["status"] != "active":
        raise NotAllowed(
            _("Share link {id} is {status}: its donor gets nothing.").format(
                id=share, status=link["status"]
            )
        )

    def listed(value):
        return None if value is None or not hasattr(value, "__len__") else tuple(value)

    downloads = listed(link["downloads"]) or ()
    audience = Audience(accounts.DONOR, listed(link["regions"]), listed(link["pages"]), downloads)
    return audience, str(link["label"])


def _build(args: argparse.Namespace, make) -> int:
    settings = load_settings()
    db = existing_database(args.db)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="monitoring-replay-") as folder:
        version = None
        source = db
        if args.data_version is not None:
            source, version = database_after_batch(db, args.data_version, Path(folder))
        try:
            as_of = reporting_date(source, settings, args.as_of)
            audience, label = audience_of(source, getattr(args, "share", None))
            view = protected_view(source, settings, audience)
            as_of = view.clamp(as_of) or as_of  # a donor's link: approved quarters only
            try:
                data = make(source, view, settings, as_of, label, version)
            except (iati.IatiInvalid, NoQuarterApproved) as invalid:
                print(_("error: {reason}").format(reason=invalid), file=sys.stderr)
                return HAS_ERRORS
        finally:
            if source is not db:
                source.close()
    out = Path(args.out)
    out.write_bytes(data)
    took = time.perf_counter() - started
    print(
        _("Wrote {path} ({size} bytes, as of {as_of}) in {seconds} s.").format(
            path=out,
            size=i18n.number(len(data)),
            as_of=i18n.date(as_of, "medium"),
            seconds=i18n.number(took, 1),
        )
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    def make(db, view, settings, as_of, label, version):
        build = iptt.iptt_workbook if args.kind == "iptt" else report.pdf_report
        return build(db, view, settings, as_of, label=label, version=version)

    return _build(args, make)


def cmd_export(args: argparse.Namespace) -> int:
    def make(db, view, settings, as_of, label, version):
        return iati.iati_activity(db, view, settings, as_of, version=version)

    return _build(args, make)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help=_("the file to write"))
    parser.add_argument(
        "--as-of",
        metavar="QUARTER",
        help=_("the reporting quarter, e.g. 2022Q2 (default: the latest quarter with data)"),
    )
    parser.add_argument(
        "--data-version",
        type=int,
        metavar="N",
        help=_("the data as they stood after upload batch N (see {command})").format(
            command="history"
        ),
    )
    # --lang after the command too (the file's words, as the messages': read before parsing)
    parser.add_argument(
        "--lang",
        dest="file_lang",
        choices=tuple(i18n.LANGUAGES),
        default=argparse.SUPPRESS,
        help=_(
            "the language of the messages: en, ru or uz (default: from LC_ALL, LC_MESSAGES "
            "or LANG, else English)"
        ),
    )


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    """Add `report` and `export` to the parser of `python -m monitoring`."""
    rep = sub.add_parser(
        "report",
        help=_("write the IPTT workbook or the PDF report"),
        description=_(
            "Write the indicator performance tracking table (iptt, XLSX) or the PDF "
            "report (pdf) as of a reporting quarter. The same data version, quarter and scope "
            "always give the same bytes."
        ),
    )
    rep.add_argument("kind", choices=sorted(KINDS), help=_("iptt (XLSX) or pdf"))
    _common(rep)
    rep.add_argument(
        "--share",
        type=int,
        metavar="ID",
        help=_("the file that share link's donor would get (see {command})").format(
            command="share list"
        ),
    )
    finish_command(rep, cmd_report)

    exp = sub.add_parser(
        "export",
        help=_("write the IATI 2.03 activity file"),
        description=_(
            "Write the programme as an IATI 2.03 activity (public: sensitive "
            "indicators left out, small counts protected), validated against the schema first."
        ),
    )
    exp.add_argument("kind", choices=["iati"], help=_("iati (XML)"))
    _common(exp)
    finish_command(exp, cmd_export)
