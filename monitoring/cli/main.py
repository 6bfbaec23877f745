"""Command line: `python -m monitoring COMMAND ...` (see `--help`).

Exit codes: 0 done; 1 the file has errors or an undo was refused (nothing written);
2 the file cannot be read or the arguments are wrong; 3 the database cannot be used right
now (another command holds it, or the dashboard holding it stopped during the job).

While the dashboard serves the database, a command is sent to it and run there, with the
same output and exit code (monitoring/cli/remote.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitoring import i18n
from monitoring.cli import remote
from monitoring.cli.access import (
    add_access_commands,
    existing_database,
    finish_command,
    local_user,
)
from monitoring.cli.audit import add_audit_command
from monitoring.cli.backup import add_backup_commands
from monitoring.cli.quality import add_quality_commands
from monitoring.cli.reports import add_report_commands
from monitoring.cli.store import add_store_commands
from monitoring.contract import TABLES
from monitoring.db import DatabaseError, DatabaseInUse, open_database, plan_migrations
from monitoring.i18n import _
from monitoring.intake import batches
from monitoring.intake.sample import load_sample
from monitoring.intake.upload import MAX_FILE_BYTES, MAX_FILE_MB, UnreadableFile
from monitoring.intake.validation import Check, Problem
from monitoring.settings import SettingsError, load_settings

OK, HAS_ERRORS, UNREADABLE, DATABASE_BUSY = 0, 1, 2, 3


class UsageError(ValueError):
    """The arguments are wrong (exit 2)."""


def _default_user() -> str:
    return local_user() or "command line"


def _problem_line(problem: Problem) -> str:
    if problem.line and problem.column:
        where = _("line {line}, column {column}").format(line=problem.line, column=problem.column)
    elif problem.line:
        where = _("line {line}").format(line=problem.line)
    elif problem.column:
        where = _("file, column {column}").format(column=problem.column)
    else:
        where = _("file")
    value = f" {problem.value!r}:" if problem.value else ":"
    return "  " + _("{where}{value} {reason}. Fix: {fix}").format(
        where=where, value=value, reason=problem.reason, fix=problem.fix
    )


def print_check(check: Check, out=None) -> None:
    """The same summary and errors the upload page shows, as text."""
    out = out or sys.stdout
    raw = check.raw
    print(
        _("{file}: table {table} ({how})").format(
            file=raw.file_name, table=check.table.name, how=raw.describe()
        ),
        file=out,
    )
    print(check.summary(), file=out)
    if check.errors:
        print(_("Errors (the header is line 1):"), file=out)
        for problem in check.errors:
            print(_problem_line(problem), file=out)
    if check.warnings:
        print(_("Warnings (they do not stop the import):"), file=out)
        for problem in check.warnings:
            print(_problem_line(problem), file=out)


def cmd_init(args: argparse.Namespace) -> int:
    db = open_database(args.db)
    db.connection()  # creates the file and the schema
    print(_("Database ready: {path}").format(path=db.path))
    if args.sample:
        try:
            counts = load_sample(db)
        except batches.Refused as refused:
            print_check(refused.check)
            print(_("The sample tables do not pass the checks: {reason}").format(reason=refused))
            return HAS_ERRORS
        loaded = {k: v for k, v in counts.items() if v}
        if loaded:
            rows = ", ".join(f"{k} {v}" for k, v in loaded.items())
            print(_("Loaded illustrative sample data: {rows}.").format(rows=rows))
        else:
            print(_("Sample data was already loaded; nothing changed."))
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(_("There is no file {path}.").format(path=path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UnreadableFile(
            _("The file is {size} MB; files up to {limit} MB are accepted.").format(
                size=i18n.number(path.stat().st_size / 1024 / 1024, 1), limit=MAX_FILE_MB
            ),
            _("Split it into smaller files."),
        )
    if args.table and args.table.strip().lower() not in TABLES:
        raise UsageError(
            _("There is no table {name}. Tables: {tables}.").format(
                name=repr(args.table), tables=", ".join(TABLES)
            )
        )
    data = path.read_bytes()
    settings = load_settings()
    db = existing_database(args.db)
    if args.dry_run:
        preview = batches.preview_file(db, data, path.name, settings, table=args.table)
        print_check(preview.check)
        if preview.previous:
            print(preview.previous.describe())
        ok = preview.check.ok or (args.valid_only and preview.check.importable_rows)
        print(
            _("Dry run: nothing was written.")
            if ok
            else _("Dry run: nothing was written. The file would be refused.")
        )
        return OK if ok else HAS_ERRORS
    try:
        result = batches.commit_file(
            db,
            data,
            path.name,
            settings,
            by=args.by or _default_user(),
            table=args.table,
            valid_only=args.valid_only,
            source="cli",
        )
    except batches.Refused as refused:
        print_check(refused.check)
        print(_("{reason} Correct the file and run the import again.").format(reason=refused))
        return HAS_ERRORS
    if result.check is not None:
        print_check(result.check)
    print(result.describe())
    _prepare_checks_when_serving(db, settings)
    return OK


def _prepare_checks_when_serving(db, settings=None) -> None:
    """In a job the dashboard runs for a command (monitoring/cli/remote.py): the data
    quality checks of the new data prepared in the dashboard's background, as after an
    upload on its page (monitoring/quality/prepared.py), with the command's settings (read
    here when it has none). A command that runs on its own does not wait for them: the first
    viewer computes them."""
    if not remote.in_job():
        return
    from monitoring.quality import prepared
    from monitoring.reports import overview

    if settings is None:
        try:
            settings = load_settings()
        except SettingsError:
            return  # the command's work is done; the first viewer computes the checks
    prepared.prepare_in_background(db, settings, overview.default_as_of)


def cmd_history(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    frame = batches.history(db, limit=args.limit)
    if frame.empty:
        print(_("No batches yet."))
        return OK
    shown = frame.assign(
        uploaded_at=frame.uploaded_at.dt.strftime("%Y-%m-%d %H:%M"),
        undone=frame.undone_at.dt.strftime("%Y-%m-%d %H:%M").fillna("")
        + " "
        + frame.undone_by.fillna(""),
    )[
        [
            "batch_id",
            "table_name",
            "file_name",
            "source",
            "uploaded_by",
            "uploaded_at",
            "rows_inserted",
            "rows_updated",
            "rows_unchanged",
            "rows_rejected",
            "status",
            "undone",
        ]
    ]
    print(shown.to_string(index=False))
    return OK


def cmd_undo(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    try:
        result = batches.undo_batch(db, args.batch, by=args.by or _default_user())
    except batches.UndoRefused as refused:
        print(_("Not undone: {reason}").format(reason=refused))
        return HAS_ERRORS
    print(result.describe())
    _prepare_checks_when_serving(db)
    return OK


def cmd_migrate(args: argparse.Namespace) -> int:
    if args.dry_run:
        print(plan_migrations(args.db).describe(dry_run=True))
        print(_("Dry run: nothing was written."))
        return OK
    db = existing_database(args.db)  # opening it applies the missing migrations
    print(db.upgrade.describe())
    return OK


def cmd_refresh(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    rows = db.refresh_copies()
    print(_("Rebuilt the stored copies of {path} from their views:").format(path=db.path))
    for table, count in rows.items():
        print("  " + _("{table}: {n} row(s)").format(table=table, n=count))
    return OK


def cmd_contract_doc(args: argparse.Namespace) -> int:
    from monitoring.intake.contract_doc import DOC_PATH, contract_markdown

    text = contract_markdown()
    if args.write:
        DOC_PATH.write_text(text, encoding="utf-8")
        print(_("Wrote {path}").format(path=DOC_PATH))
    else:
        sys.stdout.write(text)
    return OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m monitoring",
        description=_("Manage the programme monitoring database."),
        epilog=_(
            "Exit codes: 0 done; 1 the file has errors or the undo was refused (nothing "
            "written); 2 the file cannot be read or the arguments are wrong; 3 the database is "
            "in use (by another command: try again later). While the dashboard serves the "
            "database, commands are run by it, with the same output and exit codes."
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_(
            "the language of the messages: en, ru or uz (default: from LC_ALL, LC_MESSAGES "
            "or LANG, else English)"
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help=_("create the database (and load the sample tables)"))
    init.add_argument(
        "--sample", action="store_true", help=_("load the illustrative sample tables")
    )
    finish_command(init, cmd_init)

    imp = sub.add_parser(
        "import",
        help=_("check a CSV or XLSX file and import it as one batch"),
        description=_(
            "Check FILE against the data contract and import it as one batch. "
            "By default a file with any error changes nothing."
        ),
    )
    imp.add_argument("file", metavar="FILE", help=_("a CSV (, ; or tab) or XLSX file"))
    imp.add_argument("--table", metavar="NAME", help=_("the table (default: from the header)"))
    imp.add_argument("--dry-run", action="store_true", help=_("check and compare, write nothing"))
    imp.add_argument(
        "--valid-only",
        action="store_true",
        help=_("import the valid rows, leave out the others"),
    )
    finish_command(imp, cmd_import, by=_("who imports"))

    hist = sub.add_parser("history", help=_("list the upload batches, newest first"))
    hist.add_argument("--limit", type=int, default=50, help=_("how many batches (default 50)"))
    finish_command(hist, cmd_history)

    undo = sub.add_parser("undo", help=_("undo a batch: restore what was there before it"))
    undo.add_argument(
        "batch",
        metavar="BATCH",
        type=int,
        help=_("the batch number (see {command})").format(command="history"),
    )
    finish_command(undo, cmd_undo, by=_("who undoes"))

    migrate = sub.add_parser(
        "migrate",
        help=_("upgrade the database's schema (a copy of the file is kept first)"),
        description=_(
            "Apply the migrations the database has not had, in one transaction, after "
            "copying the file to {copy} beside it ({doc})."
        ).format(copy="<name>.before-v<N>.duckdb", doc="docs/database.md"),
    )
    migrate.add_argument("--dry-run", action="store_true", help=_("list them, write nothing"))
    finish_command(migrate, cmd_migrate)

    refresh = sub.add_parser(
        "refresh",
        help=_(
            "rebuild the stored copies of views (after changes made other than by this program)"
        ),
    )
    finish_command(refresh, cmd_refresh)

    doc = sub.add_parser("contract-doc", help=_("print docs/data-contract.md from the contract"))
    doc.add_argument("--write", action="store_true", help=_("write the file instead of printing"))
    doc.set_defaults(func=cmd_contract_doc)

    add_access_commands(sub)  # user, share (docs/access.md)
    add_audit_command(sub)  # audit-disclosure (docs/access.md)
    add_report_commands(sub)  # report, export (docs/reports.md)
    add_backup_commands(sub)  # backup, restore (docs/database.md)
    add_quality_commands(sub)  # approve, reopen, quality (docs/quality.md)
    add_store_commands(sub)  # migrate-store (docs/scale.md)
    return parser


LANGUAGES = tuple(i18n.LANGUAGES)  # --lang: en, ru, uz


def asked_language(argv: list[str]) -> str | None:
    """The --lang of a command line, read before the parser is built (its help texts are
    written in that language); None when not given or not one of LANGUAGES."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(argv)
    return known.lang if known.lang in LANGUAGES else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # The language of every message: --lang, else LC_ALL, LC_MESSAGES or LANG, else English.
    # (argparse's own words, "usage:" or "invalid choice", stay as argparse writes them.)
    i18n.use(i18n.from_environment(asked_language(argv)))
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on wrong arguments
    return run(args, argv)


def run(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """Run a parsed command; with `argv` (the command line's side), sent to the dashboard
    when it holds the database (monitoring/cli/remote.py), which runs it here without."""
    try:
        sent = remote.send(argv, args) if argv is not None else None
        if sent is not None:
            return sent
        try:
            return args.func(args)
        except DatabaseInUse:
            # The dashboard may have opened the file a moment ago: send the job after all.
            sent = remote.send(argv, args, wait=2.0) if argv is not None else None
            if sent is None:
                raise
            return sent
    except UnreadableFile as exc:
        print(
            _("error: the file cannot be read. {reason} {fix}").format(
                reason=exc.reason, fix=exc.fix
            ),
            file=sys.stderr,
        )
        return UNREADABLE
    except (UsageError, SettingsError, FileNotFoundError, ValueError, PermissionError) as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return UNREADABLE
    except DatabaseError as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return DATABASE_BUSY
