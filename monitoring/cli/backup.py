"""`python -m monitoring backup --out DIR` and `python -m monitoring restore DIR --db PATH`.

The backup is made while the dashboard serves (it runs the command: monitoring/cli/remote.py)
or, without it, on a read-only connection of the command's own; restoring needs the file to
itself. The format and the checks: monitoring/db/backup.py; how to use them: docs/database.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from monitoring import i18n
from monitoring.cli.access import DB_HELP
from monitoring.db import DatabaseInUse, database_path, is_postgres
from monitoring.db import backup as backups
from monitoring.db.channel import serving
from monitoring.db.database import reading
from monitoring.db.migrations import load_migrations
from monitoring.i18n import _

OK, REFUSED, USAGE = 0, 1, 2


def _size(n: int) -> str:
    return _("{size} MB").format(size=i18n.number(n / 1024 / 1024, 1))


def cmd_backup(args: argparse.Namespace) -> int:
    source = database_path(args.db)
    if not source.exists():
        raise ValueError(
            _("The database {path} does not exist: there is nothing to back up.").format(
                path=source
            )
        )
    started = time.perf_counter()
    try:
        with reading(source) as con:
            manifest = backups.make_backup(con, source, Path(args.out))
    except backups.TargetExists as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return USAGE
    except backups.BackupError as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return REFUSED
    out = Path(args.out).absolute()
    print(
        _(
            "Backed up {source} (schema version {version}, {tables} tables, {rows} rows) to "
            "{out} in {seconds} s:"
        ).format(
            source=source,
            version=manifest.schema_version,
            tables=len(manifest.tables),
            rows=i18n.number(manifest.rows),
            out=out,
            seconds=i18n.number(time.perf_counter() - started, 2),
        )
    )
    print(f"  {out / backups.DATA_FILE} ({_size(manifest.file_bytes)})")
    print(
        "  "
        + _("{path} (row counts and content digests, checked on restore)").format(
            path=out / backups.MANIFEST
        )
    )
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    target = database_path(args.db)
    if not is_postgres(target) and serving(target):
        raise DatabaseInUse(
            _(
                "The running dashboard holds {path}: stop it, restore, then start it again "
                "(a running dashboard would go on using the file it has open)."
            ).format(path=target)
        )
    latest = max((m.version for m in load_migrations()), default=0)
    started = time.perf_counter()
    try:
        manifest = backups.restore_backup(Path(args.dir), target, force=args.force, latest=latest)
    except backups.TargetExists as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return USAGE
    except backups.BackupError as exc:
        print(_("Not restored: {reason}").format(reason=exc), file=sys.stderr)
        return REFUSED
    print(
        _(
            "Restored {target} from {folder} (made {made} from {source}): schema version "
            "{version}, {tables} tables, {rows} rows, every table checked against the "
            "manifest, in {seconds} s."
        ).format(
            target=target,
            folder=Path(args.dir).absolute(),
            made=manifest.created_at,
            source=manifest.source,
            version=manifest.schema_version,
            tables=len(manifest.tables),
            rows=i18n.number(manifest.rows),
            seconds=i18n.number(time.perf_counter() - started, 2),
        )
    )
    return OK


def add_backup_commands(sub: argparse._SubParsersAction) -> None:
    """Add `backup` and `restore` to the parser of `python -m monitoring`."""
    backup = sub.add_parser(
        "backup",
        help=_("copy the database, consistently, into a new folder (also while it serves)"),
        description=_(
            "Copy every table, view, macro and sequence of the database as of one "
            "moment into DIR (a new or empty folder): monitoring.duckdb and manifest.json (schema "
            "version, every table's row count and content digest). While the dashboard serves, "
            "it makes the copy; the folder must be writable by its user."
        ),
    )
    backup.add_argument("--out", required=True, metavar="DIR", help=_("the new backup folder"))
    backup.add_argument("--db", help=_(DB_HELP))
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore",
        help=_("check a backup against its manifest and restore it as the database file"),
        description=_(
            "Check the backup in DIR (the file's SHA-256, then every table's rows "
            "against the manifest) and write it as the database file. Refuses to replace an "
            "existing database without --force, and a database the dashboard holds (stop it "
            "first). The file is written beside the target and renamed over it: never half "
            "restored. Exit codes: 0 restored; 1 the backup does not match its manifest; 2 the "
            "arguments are wrong or the target exists; 3 the database is in use."
        ),
    )
    restore.add_argument(
        "dir", metavar="DIR", help=_("a folder made by {command}").format(command="`backup`")
    )
    restore.add_argument("--force", action="store_true", help=_("replace an existing database"))
    restore.add_argument("--db", help=_(DB_HELP))
    restore.set_defaults(func=cmd_restore)
