"""`python -m monitoring migrate-store --from FILE --to postgresql://...`: move a programme's
database from its DuckDB file to PostgreSQL, checked row by row (monitoring/db/transfer.py,
docs/scale.md)."""

from __future__ import annotations

import argparse
import sys

from monitoring import i18n
from monitoring.db import DatabaseError
from monitoring.db.transfer import migrate_store
from monitoring.i18n import _

OK, DIFFERENT, REFUSED = 0, 1, 2


def cmd_migrate_store(args: argparse.Namespace) -> int:
    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        report = migrate_store(args.source, args.target, progress=progress)
    except DatabaseError as exc:
        print(_("error: {error}").format(error=exc), file=sys.stderr)
        return REFUSED
    for check in report.tables:
        mark = "ok" if check.equal else _("DIFFERENT")
        print(
            "  "
            + _("{table}: {rows} row(s), {mark}").format(
                table=check.name, rows=i18n.number(check.source_rows), mark=mark
            )
        )
        if not check.equal:
            print(
                "    "
                + _("{source} row(s) in the file, {target} in PostgreSQL").format(
                    source=i18n.number(check.source_rows), target=i18n.number(check.target_rows)
                )
            )
            for row in check.missing:
                print("    " + _("only in the file: {row}").format(row=row))
            for row in check.extra:
                print("    " + _("only in PostgreSQL: {row}").format(row=row))
    if not report.ok:
        print(
            _(
                "error: the copy in {target} differs from {source} (above). Do not switch to it; "
                "drop that database and report the rows shown."
            ).format(target=report.target, source=report.source),
            file=sys.stderr,
        )
        return DIFFERENT
    print(
        _(
            "Copied {rows} row(s) of {tables} table(s) from {source} to {target} in {copy} s and "
            "checked every row in {check} s: identical. Switch with "
            "MONITORING_DB={target}."
        ).format(
            rows=i18n.number(report.rows),
            tables=len([t for t in report.tables]),
            source=report.source,
            target=report.target,
            copy=i18n.number(report.copy_seconds, 1),
            check=i18n.number(report.check_seconds, 1),
        )
    )
    return OK


def add_store_commands(sub: argparse._SubParsersAction) -> None:
    """Add `migrate-store` to the parser of `python -m monitoring`."""
    move = sub.add_parser(
        "migrate-store",
        help=_("copy the database from its DuckDB file to PostgreSQL, checked row by row"),
        description=_(
            "Create the schema in an empty PostgreSQL database, copy every table and sequence "
            "of the DuckDB file into it in one transaction, rebuild the stored copies there, "
            "then compare every row of both. The file is only read. Exit codes: 0 copied and "
            "identical; 1 the copy differs (listed); 2 refused (the target is not empty, the "
            "file is not at the latest schema, the arguments are wrong). See {doc}."
        ).format(doc="docs/scale.md"),
    )
    move.add_argument(
        "--from", dest="source", required=True, metavar="FILE", help=_("the DuckDB database file")
    )
    move.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help=_("the empty PostgreSQL database: postgresql://user@host:port/database"),
    )
    move.set_defaults(func=cmd_migrate_store)
