"""Moving a programme's database between the engines (docs/scale.md).

`python -m monitoring migrate-store --from FILE --to postgresql://...` (`migrate_store`): a
DuckDB database copied into an empty PostgreSQL database, then checked row by row.
`postgres_to_file`: the other way, for `backup` of a PostgreSQL database, whose backups are
DuckDB files like every other backup (monitoring/db/backup.py), restorable on either engine.

migrate-store:

1. The target gets the schema by the migrations (translated, monitoring/db/dialect.py), at
   the source's version, which must be this program's latest (`migrate` the file first).
2. In one transaction on the target, every table's rows are copied with COPY, and every
   sequence is set where the source's stands. The stored copies are then rebuilt from
   their views on PostgreSQL, so that they too are PostgreSQL's own results.
3. Every table is read back from both databases, each row reduced to a digest of its
   values (normalised: 1.50 = 1.5, times in UTC, floats to 12 significant digits), and the
   two sets of rows compared, tables and stored copies alike. Any difference is listed with
   an example row, and the command fails.

The source is opened read-only and never changed; the target must hold no rows (a
refused target is left as it was). A failed copy rolls back: the target is empty again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
from psycopg import sql as pgsql

from monitoring.db import stored
from monitoring.db.database import Database, database_path, is_postgres, reading
from monitoring.db.errors import DatabaseError
from monitoring.db.migrations import VERSION_TABLE, base_tables, load_migrations
from monitoring.i18n import _

CHUNK = 20_000
# Kept by each database itself: its migrations' record (the target has applied them) and
# the bookkeeping of stored copies (rebuilt on the target).
OWN_TABLES = frozenset({VERSION_TABLE, "stored_copies"})
# Results computed from the data, kept for one engine (their fingerprint names it,
# monitoring/db/results.py): not copied, the target computes its own.
DERIVED = frozenset({"kept_results"})
COPIES = frozenset(c.table for c in stored.STORED_COPIES)


@dataclass
class TableCheck:
    name: str
    source_rows: int
    target_rows: int
    missing: list[tuple] = field(default_factory=list)  # rows of the source not in the target
    extra: list[tuple] = field(default_factory=list)  # rows of the target not in the source

    @property
    def equal(self) -> bool:
        return self.source_rows == self.target_rows and not self.missing and not self.extra


@dataclass
class Report:
    source: Path
    target: str
    tables: list[TableCheck]
    sequences: dict[str, int | None]
    copy_seconds: float
    check_seconds: float

    @property
    def ok(self) -> bool:
        return all(t.equal for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables if t.name not in COPIES)


@cache
def seeded_tables() -> frozenset[str]:
    """Tables the migrations themselves put rows in (e.g. sign_in_gate's one row): a new
    database holds those rows, and a copy replaces them with the source's."""
    con = duckdb.connect()
    try:
        for migration in load_migrations():
            if migration.runs_on("duckdb"):  # not PostgreSQL's own (its index syntax)
                con.execute(migration.sql())
        return frozenset(
            name
            for name in base_tables(con)
            if con.execute(f'select count(*) from "{name}"').fetchone()[0]  # noqa: S608
        )
    finally:
        con.close()


def _columns(con, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where "
            "table_catalog = current_database() and table_schema = current_schema() "
            "and table_name = $t order by ordinal_position",
            {"t": table},
        ).fetchall()
    ]


def _normal(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, Decimal):
        return float(f"{float(value):.12g}") if value != value.to_integral() else int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    return value


def _digest(row: tuple) -> bytes:
    return hashlib.blake2b(repr(tuple(_normal(v) for v in row)).encode(), digest_size=16).digest()


def _rows(cur, table: str, columns: list[str]):
    listed = ", ".join(f'"{c}"' for c in columns)
    cur.execute(f'select {listed} from "{table}"')  # noqa: S608 - names from the catalog
    while True:
        chunk = cur.fetchmany(CHUNK)
        if not chunk:
            return
        yield from chunk


def _tally(cur, table: str, columns: list[str]) -> tuple[Counter, dict[bytes, tuple]]:
    """How many times each row's digest occurs in `table`, and one row of each digest."""
    counts: Counter = Counter()
    examples: dict[bytes, tuple] = {}
    for row in _rows(cur, table, columns):
        key = _digest(row)
        counts[key] += 1
        examples.setdefault(key, row)
    return counts, examples


def _compare(source, target, table: str, columns: list[str]) -> TableCheck:
    left, left_rows = _tally(source, table, columns)
    right, right_rows = _tally(target, table, columns)
    missing = [left_rows[k] for k in (left - right)][:5]
    extra = [right_rows[k] for k in (right - left)][:5]
    return TableCheck(table, sum(left.values()), sum(right.values()), missing, extra)


def migrate_store(
    source: str | Path,
    target: str,
    *,
    progress: Callable[[str], None] = lambda _message: None,
) -> Report:
    """Copy the DuckDB database `source` into the empty PostgreSQL database `target`, then
    check every row. DatabaseError, with the target left as it was, when it may not."""
    source_path = database_path(source)
    target_url = database_path(target)
    if is_postgres(source_path) or not Path(source_path).exists():
        raise DatabaseError(
            _("--from must name an existing DuckDB database file; {path} is not one.").format(
                path=source_path
            )
        )
    if not is_postgres(target_url):
        raise DatabaseError(
            _(
                "--to must be a PostgreSQL URL (postgresql://user@host:port/database), not {path}."
            ).format(path=target_url)
        )
    latest = load_migrations()[-1].version
    with reading(source_path) as src:
        version = src.execute(f"select max(version) from {VERSION_TABLE}").fetchone()[0]  # noqa: S608
        if version != latest:
            raise DatabaseError(
                _(
                    "{path} is at schema version {version}; this program's is {latest}. Upgrade it "
                    "first: python -m monitoring migrate --db {path}"
                ).format(path=source_path, version=version, latest=latest)
            )
        db = Database(target_url)
        db.connection()  # the schema, by the migrations
        started = time.perf_counter()
        tables = [t for t in base_tables(src) if t not in OWN_TABLES | COPIES | DERIVED]
        sequences = {
            name: (None if last is None else int(last))
            for name, last in src.execute(
                "select sequence_name, last_value from duckdb_sequences() "
                "where database_name = current_database() order by sequence_name"
            ).fetchall()
        }
        with db.transaction() as cur:
            target_tables = set(base_tables(cur))
            for table in tables:
                if table not in target_tables:
                    raise DatabaseError(
                        _(
                            "The target has no table {table}: it is not at this program's schema."
                        ).format(table=table)
                    )
                if table in seeded_tables():
                    continue
                if cur.execute(f'select count(*) from "{table}"').fetchone()[0]:  # noqa: S608
                    raise DatabaseError(
                        _(
                            "The target {url} already holds rows (table {table}): migrate-store "
                            "copies into an empty database only. Nothing was changed."
                        ).format(url=target_url, table=table)
                    )
            raw = cur.raw
            for table in tables:
                if table in seeded_tables():
                    cur.execute(f'delete from "{table}"')  # noqa: S608 - a name from the catalog
                columns = _columns(src, table)
                progress(_("Copying {table} ...").format(table=table))
                statement = pgsql.SQL("copy {} ({}) from stdin").format(
                    pgsql.Identifier(table),
                    pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
                )
                reader = src.cursor()
                try:
                    with raw.copy(statement) as out:
                        for row in _rows(reader, table, columns):
                            out.write_row(row)
                finally:
                    reader.close()
                cur.written.add(table)  # the stored copies of its views are rebuilt below
            for name, last in sequences.items():
                if last is not None:
                    raw.execute_translated(f"select setval('{name}', {int(last)}, true)")
            # Statistics now, not when autovacuum comes by: the stored copies rebuilt at the
            # commit (analysed as they are made) and the first pages plan with them.
            for table in tables:
                raw.analyze(table)
        # Copied rows are new to PostgreSQL's visibility map until a VACUUM: without it an
        # index-only scan (the map's organisations, migration 0011) still reads every row
        # from the table. VACUUM runs outside a transaction; autovacuum would come later.
        progress(_("Preparing the copied tables for reading ..."))
        with db.cursor() as cur:
            for table in tables:
                cur.raw.vacuum(table)
        copy_seconds = time.perf_counter() - started
        progress(_("Checking every row ..."))
        started = time.perf_counter()
        checks = []
        with db.cursor() as cur:
            for table in [*tables, *sorted(COPIES)]:
                reader = src.cursor()
                try:
                    checks.append(_compare(reader, cur.raw, table, _columns(src, table)))
                finally:
                    reader.close()
        db.close()
    return Report(
        Path(source_path),
        str(target_url),
        checks,
        sequences,
        copy_seconds,
        time.perf_counter() - started,
    )


def postgres_to_file(url: str, data: Path) -> None:
    """Copy the PostgreSQL database `url` into the new DuckDB file `data` (schema by the
    migrations, then every table's rows and every sequence, read in one snapshot), with its
    stored copies rebuilt by DuckDB."""
    source = Database(database_path(url))
    source.connection()  # at this program's schema (opening upgrades it)
    target = Database(data)
    target.connection()
    try:
        with source.cursor() as cur:
            raw = cur.raw
            # One snapshot for every table: writes committed meanwhile are not in it.
            raw.execute_translated("begin transaction isolation level repeatable read")
            try:
                tables = [t for t in base_tables(raw) if t not in OWN_TABLES | COPIES | DERIVED]
                sequences = raw.execute_translated(
                    "select sequencename, last_value from pg_sequences "
                    "where schemaname = current_schema()"
                ).fetchall()
                with target.transaction() as out:
                    for table in tables:
                        if table in seeded_tables():
                            out.execute(f'delete from "{table}"')  # noqa: S608 - catalog name
                        columns = _columns(raw, table)
                        listed = ", ".join(f'"{c}"' for c in columns)
                        rows = raw.execute(f'select {listed} from "{table}"').arrow()  # noqa: S608
                        out.raw.register("copied_rows", rows)
                        out.execute(
                            f'insert into "{table}" ({listed}) select {listed} from copied_rows'  # noqa: S608
                        )
                        out.raw.unregister("copied_rows")
                    for name, last in sequences:
                        if last:
                            # DuckDB has no setval: draw the sequence up to the same value.
                            out.execute(f"select max(nextval('{name}')) from range({int(last)})")  # noqa: S608
            finally:
                raw.execute_translated("rollback")
    finally:
        target.close()
