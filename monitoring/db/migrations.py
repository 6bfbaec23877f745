"""Versioned schema migrations: queries/migrations/NNNN_name.sql, each applied once, in order.

The database records the migrations applied to it in `schema_migrations` (version, name,
applied_at); its schema version is the highest. Opening a database (docs/database.md):

- a new, empty file gets every migration, in one transaction;
- a database of ours at an older version gets the missing ones, in one transaction, after a
  copy of the file as it was is made next to it (`<name>.before-v<N>.duckdb`);
- a database made before versions were recorded (release e5b0ac9: no schema_migrations, but
  every table of 0001_initial.sql) is version 1, and is upgraded the same way;
- refused, and left untouched: a database that needs upgrading opened read-only, one of a
  newer version than this code knows, one whose recorded migrations are not ours, and a
  non-empty database that is not ours.

A migration that fails rolls the whole upgrade back: the file is as it was.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from monitoring.db import stored
from monitoring.db.errors import ENGINE_ERRORS, DatabaseError, UnusableDatabase
from monitoring.i18n import _
from monitoring.settings import ROOT

MIGRATIONS = ROOT / "queries" / "migrations"
VERSION_TABLE = "schema_migrations"
_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")

CREATE_VERSION_TABLE = """
create table if not exists schema_migrations (
    version    integer primary key,
    name       varchar not null,
    applied_at timestamptz not null default current_timestamp
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str  # the file name without .sql, e.g. 0002_stored_copies
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def engines(self) -> frozenset[str] | None:
        """The engines whose databases run this migration, from a first line
        `-- engines: postgresql` (None: every engine). On another engine it is recorded as
        applied and runs nothing, so that both engines count the same versions: such a
        migration may change only how data is found (indexes), never what is stored."""
        first = self.sql().lstrip().splitlines()[:1]
        match = re.fullmatch(r"--\s*engines:\s*([a-z, ]+)", first[0].strip()) if first else None
        if not match:
            return None
        return frozenset(e.strip() for e in match.group(1).split(",") if e.strip())

    def runs_on(self, engine: str) -> bool:
        """Whether a database of `engine` ("duckdb", "postgresql") runs its statements."""
        return self.engines is None or engine in self.engines


def load_migrations(folder: Path | None = None) -> tuple[Migration, ...]:
    """The migrations of `folder` (default queries/migrations), numbered 1, 2, 3 ... in order."""
    folder = Path(folder or MIGRATIONS)
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if not match:
            raise DatabaseError(
                f"{path} is not named like a migration (NNNN_what_it_does.sql, lower case)."
            )
        found.append(Migration(int(match.group(1)), path.stem, path))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        listed = ", ".join(m.path.name for m in found) or "none"
        raise DatabaseError(
            f"The migrations in {folder} must be numbered 0001, 0002 ... without gaps or "
            f"repeats; found: {listed}."
        )
    return tuple(found)


@cache
def _tables_made_by(sql: str) -> frozenset[str]:
    """The tables a migration makes in an empty database (run in memory)."""
    con = duckdb.connect()
    try:
        con.execute(sql)
        return frozenset(
            r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()
        )
    finally:
        con.close()


# The database's own tables and views, on either engine (information_schema is standard):
# not the catalog's, not temporary ones (DuckDB: catalog "temp"; PostgreSQL: pg_temp_N).
_OURS = "table_catalog = current_database() and table_schema = current_schema()"


def _is_postgres(con) -> bool:
    return not isinstance(con, duckdb.DuckDBPyConnection)


def _apply(con, migration: Migration, macros: dict) -> None:
    """Run one migration's statements: as written on DuckDB; translated on PostgreSQL, where
    its macros are not created but kept in `macros` for the statements that use them."""
    engine = "postgresql" if _is_postgres(con) else "duckdb"
    if not migration.runs_on(engine):
        return
    if engine == "duckdb":
        con.execute(migration.sql())
        return
    from monitoring.db import dialect

    for statement in dialect.migration_to_postgres(migration.sql(), macros):
        con.execute_translated(statement)


def _macros_before(folder: Path | None, version: int) -> dict:
    from monitoring.db import dialect

    macros: dict = {}
    for migration in load_migrations(folder):
        if migration.version <= version:
            macros.update(dialect.macros_of(migration.sql()))
    return macros


@dataclass(frozen=True)
class State:
    """What a database holds: its schema version (0: empty) and whether it records it."""

    version: int
    recorded: bool
    applied: tuple[tuple[int, str], ...] = ()


def base_tables(con) -> list[str]:
    """The database's own tables on `con`, either engine, by name."""
    return [
        r[0]
        for r in con.execute(
            f"select table_name from information_schema.tables where {_OURS} "  # noqa: S608 - a constant
            "and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
    ]


def inspect(con: duckdb.DuckDBPyConnection, path: Path, migrations: tuple[Migration, ...]) -> State:
    """The state of the database on `con`; DatabaseError when it is not one of ours."""
    tables = set(base_tables(con))
    views = con.execute(
        f"select count(*) from information_schema.tables where {_OURS} and table_type = 'VIEW'"  # noqa: S608
    ).fetchone()[0]
    if VERSION_TABLE in tables:
        applied = tuple(
            (int(v), n)
            for v, n in con.execute(
                f"select version, name from {VERSION_TABLE} order by version"  # noqa: S608
            ).fetchall()
        )
        ours = {m.version: m.name for m in migrations}
        for version, name in applied:
            if version in ours and ours[version] != name:
                raise UnusableDatabase(
                    _(
                        "{path} records migration {version} as {name}, but this program's "
                        "migration {version} is {ours}: the file was made by another line of "
                        "this program. It was left untouched."
                    ).format(path=path, version=version, name=repr(name), ours=repr(ours[version]))
                )
        return State(max((v for v, _ in applied), default=0), True, applied)
    if not tables and not views:
        return State(0, False)
    first = _tables_made_by(migrations[0].sql()) if migrations else frozenset()
    if first and first <= tables:
        return State(1, False)  # made by release e5b0ac9, before versions were recorded
    listed = ", ".join(sorted(tables)[:8]) + (" ..." if len(tables) > 8 else "")
    raise UnusableDatabase(
        _(
            "{path} is not a monitoring database: it holds {n} table(s) ({listed}) but neither "
            "a {versions} table nor the tables of a database made by this program. It was left "
            "untouched. Name another file (--db or MONITORING_DB)."
        ).format(path=path, n=len(tables), listed=listed, versions=VERSION_TABLE)
    )


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of `path` made before upgrading it to `version` goes: next to it,
    <name>.before-v<version>.duckdb (-2, -3 ... when taken)."""
    candidate = path.with_name(f"{path.stem}.before-v{version}.duckdb")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.before-v{version}-{n}.duckdb")
        n += 1
    return candidate


@dataclass(frozen=True)
class Upgrade:
    """What opening a database does (or, for a dry run, would do) to its schema."""

    path: Path
    found: int  # the version the database was at (0: empty or new)
    latest: int  # the version of this code
    pending: tuple[Migration, ...]
    legacy: bool = False  # version 1 recognised by its tables (made by e5b0ac9)
    backup: Path | None = None  # the copy made (or that would be made) before upgrading
    seconds: float | None = None  # how long the upgrade took; None: not applied
    exists: bool = True

    @property
    def applied(self) -> tuple[Migration, ...]:
        return self.pending if self.seconds is not None else ()

    def _found(self) -> str:
        """Where the file stands, a clause beginning with its path."""
        if not self.exists:
            return _("{path} does not exist").format(path=self.path)
        if self.found == 0:
            return _("{path} is empty").format(path=self.path)
        if self.legacy:
            return _(
                "{path} is at schema version {version} (made before versions were recorded)"
            ).format(path=self.path, version=self.found)
        return _("{path} is at schema version {version}").format(path=self.path, version=self.found)

    def describe(self, dry_run: bool = False) -> str:
        names = "\n".join(f"  {m.name}" for m in self.pending)
        if not self.exists:
            return _(
                "{path} does not exist; {command} creates it at schema version {latest}."
            ).format(
                path=self.path,
                command=f"`python -m monitoring init --db {self.path}`",
                latest=self.latest,
            )
        if not self.pending:
            return _("{path} is at schema version {version}, the latest: nothing to do.").format(
                path=self.path, version=self.found
            )
        if dry_run:
            text = (
                _(
                    "{state}; this program's is {latest}. Migrating would back it up to "
                    "{backup}, then apply in one transaction:"
                )
                if self.backup
                else _(
                    "{state}; this program's is {latest}. Migrating would create the schema: "
                    "apply in one transaction:"
                )
            )
            state = self._found()
            return text.format(state=state, latest=self.latest, backup=self.backup) + f"\n{names}"
        if self.seconds is None:
            return (
                _("{state}; it needs version {latest}:").format(
                    state=self._found(), latest=self.latest
                )
                + f"\n{names}"
            )
        if self.found == 0:
            return _(
                "Created the schema of {path} (version {latest}, {n} migration(s)) in {seconds} s."
            ).format(
                path=self.path,
                latest=self.latest,
                n=len(self.applied),
                seconds=f"{self.seconds:.2f}",
            )
        return (
            _(
                "Upgraded {path} from schema version {found} to {latest} in {seconds} s, applying:"
            ).format(
                path=self.path, found=self.found, latest=self.latest, seconds=f"{self.seconds:.2f}"
            )
            + f"\n{names}"
            + (
                "\n"
                + _(
                    "The file as it was is kept at {backup} (delete it when no longer needed)."
                ).format(backup=self.backup)
                if self.backup
                else ""
            )
        )


def plan(con: duckdb.DuckDBPyConnection, path: Path, folder: Path | None = None) -> Upgrade:
    """What opening the database on `con` would do. Reads only."""
    migrations = load_migrations(folder)
    state = inspect(con, path, migrations)
    latest = migrations[-1].version if migrations else 0
    if state.version > latest:
        raise UnusableDatabase(
            _(
                "{path} has schema version {version}, made by a newer release of this program "
                "(this one knows versions up to {latest}). It was left untouched: use the newer "
                "release."
            ).format(path=path, version=state.version, latest=latest)
        )
    pending = tuple(m for m in migrations if m.version > state.version)
    legacy = state.version > 0 and not state.recorded
    backup = (
        backup_path(path, latest)
        if pending and state.version > 0 and isinstance(path, Path)
        else None
    )
    return Upgrade(path, state.version, latest, pending, legacy=legacy, backup=backup)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            f"select count(*) from information_schema.tables where {_OURS} "  # noqa: S608 - a constant
            "and table_type = 'BASE TABLE' and table_name = $name",
            {"name": name},
        ).fetchone()[0]
    )


def _declare_new_copies(con: duckdb.DuckDBPyConnection) -> None:
    """Make the stored copies declared since the database was last upgraded (a new entry
    of stored.STORED_COPIES), in one transaction."""
    if not _has_table(con, "stored_copies"):
        return
    known = {r[0] for r in con.execute("select stored_table from stored_copies").fetchall()}
    new = [c for c in stored.STORED_COPIES if c.table not in known]
    if not new:
        return
    con.execute("begin transaction")
    try:
        stored.rebuild(con, new)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def upgrade(
    con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool, folder: Path | None = None
) -> Upgrade:
    """Bring the database on `con` to the latest schema version (see the module docstring).
    Returns what was done; raises DatabaseError, with the file untouched, when it may not."""
    todo = plan(con, path, folder)
    if not todo.pending:
        if not read_only:
            _declare_new_copies(con)
        return todo
    if read_only:
        if todo.found == 0:
            raise DatabaseError(
                _(
                    "{path} has no schema yet, and a read-only connection cannot create it. "
                    "Create it first: {command}"
                ).format(path=path, command=f"python -m monitoring init --db {path}")
            )
        raise DatabaseError(
            _(
                "{state}; this program needs version {latest}. A read-only connection cannot "
                "upgrade it: run {command} (it keeps a copy of the file as it was), then open "
                "it again."
            ).format(
                state=todo._found(),
                latest=todo.latest,
                command=f"`python -m monitoring migrate --db {path}`",
            )
        )
    backup = None
    if todo.found > 0 and not _is_postgres(con):
        con.execute("checkpoint")  # everything in the file itself, none in the WAL
        backup = todo.backup
        shutil.copy2(path, backup)
    macros = _macros_before(folder, todo.found) if _is_postgres(con) else {}
    started = time.perf_counter()
    con.execute("begin transaction")
    try:
        con.execute(CREATE_VERSION_TABLE)
        if todo.legacy:
            con.execute(
                f"insert into {VERSION_TABLE} (version, name) values (1, $name)",  # noqa: S608
                {"name": load_migrations(folder)[0].name},
            )
        for migration in todo.pending:
            try:
                _apply(con, migration, macros)
            except ENGINE_ERRORS as exc:
                text = _(
                    "Migration {name} failed, so the upgrade of {path} was rolled back: the "
                    "file is as it was (schema version {version})."
                ).format(name=migration.name, path=path, version=todo.found)
                if backup:
                    text += " " + _("A copy made before the attempt is at {path}.").format(
                        path=backup
                    )
                engine = "PostgreSQL" if _is_postgres(con) else "DuckDB"
                text += " " + _("{engine} said: {error}").format(engine=engine, error=exc)
                raise DatabaseError(text) from None
            con.execute(
                f"insert into {VERSION_TABLE} (version, name) values ($v, $n)",  # noqa: S608
                {"v": migration.version, "n": migration.name},
            )
        if _has_table(con, "stored_copies"):
            stored.rebuild(con)  # the views or what they read may have changed
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return dataclasses.replace(todo, backup=backup, seconds=time.perf_counter() - started)
