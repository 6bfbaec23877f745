"""Backups of the database: a consistent copy with a manifest, checked when restored.

A backup is a folder of two files:
- `monitoring.duckdb`, a DuckDB database made by `COPY FROM DATABASE` in one transaction:
  every table, view, macro and sequence, as of one moment (a snapshot: transactions that
  commit meanwhile are not in it, and are not held up by it, so the dashboard can make
  one while it serves);
- `manifest.json`: the schema version, every table's row count and content digest, the
  sequences' last values, and the SHA-256 and size of the database file.

The content digest of a table is the SHA-256 of the sorted MD5s of its rows (each row as
DuckDB's JSON of it): it depends on the rows, not on their order or on how the file stores
them. The manifest is computed from the copy, on a connection of its own with one thread
(while the dashboard serves, it leaves the other cores to the pages); a backup is checked
against it before it is restored: the file's SHA-256 first, then every table.

Restoring writes a temporary file beside the target, checks it, then renames it over the
target: the target is the old database or the restored one, never half of either. The
folder is written the same way (a temporary folder renamed into place, the manifest last).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from monitoring import i18n
from monitoring.db.database import connect, is_postgres
from monitoring.db.errors import DatabaseError, DatabaseInUse
from monitoring.i18n import _

FORMAT = 1
DATA_FILE = "monitoring.duckdb"
MANIFEST = "manifest.json"


class BackupError(DatabaseError):
    """A backup cannot be made, or a backup is refused; the message says why."""


class TargetExists(BackupError):
    """The backup folder named exists (and is not empty), or restoring would overwrite a
    database and --force was not given."""


@dataclass(frozen=True)
class Manifest:
    schema_version: int
    tables: dict[str, dict]  # name -> {"rows": n, "digest": hex}
    sequences: dict[str, int | None]
    file_sha256: str = ""
    file_bytes: int = 0
    source: str = ""
    created_at: str = ""
    format: int = FORMAT
    data_file: str = DATA_FILE
    extra: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except FileNotFoundError:
            raise BackupError(
                _("{folder} holds no {manifest}: it is not a backup, or an unfinished one.").format(
                    folder=folder, manifest=MANIFEST
                )
            ) from None
        except (ValueError, TypeError) as exc:
            raise BackupError(
                _("{path} cannot be read as a backup's manifest: {error}").format(
                    path=path, error=exc
                )
            ) from None
        if manifest.format != FORMAT or manifest.data_file != DATA_FILE:
            raise BackupError(
                _(
                    "{path} describes a backup of format {found}; this program reads format {ours}."
                ).format(path=path, found=repr(manifest.format), ours=FORMAT)
            )
        return manifest


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' and not temporary and not internal order by table_name"
        ).fetchall()
    ]


def table_digests(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Every table of the connection's database: its rows and content digest."""
    con.execute("set timezone = 'UTC'")  # timestamps with time zone are written as UTC
    out = {}
    for name in _tables(con):
        rows, digest = con.execute(
            "select count(*), sha256(coalesce(string_agg(h, '' order by h), '')) "  # noqa: S608
            f"from (select md5(cast(to_json(t) as varchar)) as h from {_ident(name)} as t)"
        ).fetchone()
        out[name] = {"rows": int(rows), "digest": digest}
    return out


def _sequences(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    return {
        name: (None if last is None else int(last))
        for name, last in con.execute(
            "select sequence_name, last_value from duckdb_sequences() "
            "where database_name = current_database() order by sequence_name"
        ).fetchall()
    }


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    try:
        found = con.execute("select coalesce(max(version), 0) from schema_migrations").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(found[0])


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _opened(path: Path, threads: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    config = {"threads": threads} if threads else {}
    con = duckdb.connect(str(path), read_only=True, config=config)
    try:
        yield con
    finally:
        con.close()


def _differences(expected: Manifest, found: Manifest) -> list[str]:
    out = []
    if found.schema_version != expected.schema_version:
        out.append(
            _("schema version {found}, not {expected}").format(
                found=found.schema_version, expected=expected.schema_version
            )
        )
    for name in sorted(set(expected.tables) | set(found.tables)):
        want, got = expected.tables.get(name), found.tables.get(name)
        if want is None:
            out.append(_("table {name} is not in the manifest").format(name=name))
        elif got is None:
            out.append(_("table {name} is missing").format(name=name))
        elif want["rows"] != got["rows"]:
            out.append(
                _("table {name} has {found} row(s), not {expected}").format(
                    name=name, found=i18n.number(got["rows"]), expected=i18n.number(want["rows"])
                )
            )
        elif want["digest"] != got["digest"]:
            out.append(_("table {name} holds other rows than were backed up").format(name=name))
    if found.sequences != expected.sequences:
        out.append(_("the sequences stand at other values"))
    return out


def _contents(con: duckdb.DuckDBPyConnection) -> Manifest:
    return Manifest(_schema_version(con), table_digests(con), _sequences(con))


def make_backup(con: duckdb.DuckDBPyConnection, source: Path, out: Path) -> Manifest:
    """Copy the database on `con` (a cursor of its own) into the new folder `out`.

    `out` must not exist, or be an empty folder. The copy is made in one transaction (a
    snapshot); the manifest describes the copy."""
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TargetExists(
            _("{folder} already exists and is not an empty folder: name a new one.").format(
                folder=out
            )
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        data = staging / DATA_FILE
        if is_postgres(source):
            # A PostgreSQL database is backed up into the same kind of file (docs/scale.md).
            from monitoring.db.transfer import postgres_to_file

            postgres_to_file(source, data)
        else:
            _copy_file_database(con, data)
        with _opened(data, threads=1) as copy:
            written = _contents(copy)
        manifest = Manifest(
            written.schema_version,
            written.tables,
            written.sequences,
            file_sha256=_sha256_file(data),
            file_bytes=data.stat().st_size,
            source=str(source),
            created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        for path in (data, staging / MANIFEST, staging):
            _fsync(path)
        os.rename(staging, out)  # an empty folder at `out` is replaced
        _fsync(out.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _copy_file_database(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    source_name = con.execute("select current_database()").fetchone()[0]
    alias = f"backup_{secrets.token_hex(6)}"
    con.execute(f"attach {_literal(str(data))} as {_ident(alias)} (read_only false)")
    try:
        con.execute("begin transaction")
        try:
            con.execute(f"copy from database {_ident(source_name)} to {_ident(alias)}")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"detach {_ident(alias)}")


def check_backup(folder: Path) -> Manifest:
    """The manifest of the backup in `folder`, once its database file is the one it
    describes (size and SHA-256); BackupError otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(_("There is no backup folder {folder}.").format(folder=folder))
    manifest = Manifest.read(folder)
    data = folder / DATA_FILE
    if not data.is_file():
        raise BackupError(
            _("{folder} holds no {file}: the backup is incomplete.").format(
                folder=folder, file=DATA_FILE
            )
        )
    if data.stat().st_size != manifest.file_bytes or _sha256_file(data) != manifest.file_sha256:
        raise BackupError(
            _(
                "{file} is not the file that was backed up (its SHA-256 differs from the "
                "manifest's): it was changed or damaged since. Nothing was restored."
            ).format(file=data)
        )
    return manifest


def restore_backup(folder: Path, target: Path, *, force: bool, latest: int) -> Manifest:
    """Restore the backup in `folder` as the database file `target`.

    Refused (BackupError, nothing written) when the backup does not match its manifest,
    when it is of a schema version newer than `latest` (this program's), and, with
    TargetExists, when `target` exists and `force` is not set. DatabaseInUse when another
    process holds `target`. Written to a temporary file beside `target`, checked table by
    table, then renamed over it."""
    manifest = check_backup(folder)
    if manifest.schema_version > latest:
        raise BackupError(
            _(
                "The backup is of schema version {version}, made by a newer release of this "
                "program (this one knows versions up to {latest}). Use the newer release to "
                "restore it."
            ).format(version=manifest.schema_version, latest=latest)
        )
    if is_postgres(target):
        return _restore_into_postgres(folder, manifest, target, force=force)
    target = Path(target).absolute()
    wal = target.with_name(target.name + ".wal")
    exists = target.exists() or wal.exists()
    if exists and not force:
        raise TargetExists(
            _(
                "{target} exists. Restoring replaces it with the backup: add {option} to do so "
                "(make a backup of it first if it may be needed), or name another file."
            ).format(target=target, option="--force")
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restore-{os.getpid()}.tmp")
    try:
        shutil.copyfile(folder / DATA_FILE, temporary)
        _fsync(temporary)
        with _opened(temporary) as con:
            found = _contents(con)
        wrong = _differences(manifest, found)
        if wrong:
            raise BackupError(
                _(
                    "The backup in {folder} does not hold what its manifest says: {wrong}. "
                    "Nothing was restored."
                ).format(folder=folder, wrong="; ".join(wrong))
            )
        if exists:
            _release(target)
            wal.unlink(missing_ok=True)
        os.replace(temporary, target)
        _fsync(target.parent)
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()
    return manifest


def _restore_into_postgres(folder: Path, manifest: Manifest, target, *, force: bool) -> Manifest:
    """Restore into an empty PostgreSQL database: migrate-store from the backup's file,
    which checks every row (monitoring/db/transfer.py). A database holding rows is refused,
    --force or not: make a new database and restore into it."""
    from monitoring.db.transfer import migrate_store

    try:
        report = migrate_store(Path(folder) / DATA_FILE, target)
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None
    if not report.ok:
        wrong = ", ".join(t.name for t in report.tables if not t.equal)
        raise BackupError(
            _("The restored rows differ from the backup's in {tables}.").format(tables=wrong)
        )
    return manifest


def _release(target: Path) -> None:
    """Make sure no process holds `target` (DatabaseInUse otherwise) and that its
    write-ahead log is written into it, so that no log of the old file is left beside the
    restored one."""
    if not target.exists():
        return
    try:
        con = connect(target, read_only=False)
    except DatabaseInUse:
        raise
    except (DatabaseError, duckdb.Error):
        return  # not a database DuckDB can open: nothing holds it, it is simply replaced
    try:
        con.execute("checkpoint")
    finally:
        con.close()
