"""PostgreSQL behind the same connection and cursor the rest of the code uses for DuckDB.

`MONITORING_DB=postgresql://user@host:port/db` (or `--db` with such a URL) runs the dashboard
and every command on PostgreSQL (docs/scale.md). The code above this module keeps writing
DuckDB's SQL and calling a DuckDB-like cursor (`execute`, `fetchone`, `fetchall`, `df`,
`register`, ...); here each statement is translated once (monitoring/db/dialect.py) and run
through psycopg 3 on a connection of a pool shared by the process:

- `PostgresConnection.cursor()` takes a connection from the pool for the cursor's life
  (a transaction, or one query) and gives it back on `close()`. Connections are in
  autocommit mode, so `begin transaction` / `commit` / `rollback` statements work as on
  DuckDB: each statement commits at once unless a transaction was begun. A transaction is
  REPEATABLE READ: a snapshot, like DuckDB's, so two transactions writing the same row
  conflict (WRITE_CONFLICTS) instead of the later silently overwriting the earlier.
- Parameters are bound by psycopg on the client (`ClientCursor`): PostgreSQL cannot infer
  the type of a NULL parameter (`$regions is null`), and lists become arrays.
- `df()` builds the pandas frame from an Arrow table of the rows, typed from PostgreSQL's
  column types, with the dtypes DuckDB gives (converted by pandas where they are the same,
  else by DuckDB itself), so a page gets the same dtypes on either engine.
- `register(name, frame)` makes a temporary table of a pandas frame, filled with COPY.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import threading
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql as pgsql
from psycopg_pool import ConnectionPool

from monitoring import collector
from monitoring.db import dialect

SCHEMES = ("postgresql://", "postgres://")
LOCK_TIMEOUT = "3s"  # how long a write waits for a row another transaction is writing


def is_url(text: object) -> bool:
    return isinstance(text, str) and text.startswith(SCHEMES)


class PostgresURL(str):
    """A PostgreSQL connection URL. str() keeps the password out (messages and logs show
    it); `.secret` is the URL to connect with."""

    def __new__(cls, url: str):
        parts = urlsplit(url)
        shown = parts
        if parts.password is not None:
            host = parts.hostname or ""
            if parts.port:
                host += f":{parts.port}"
            user = parts.username or ""
            shown = parts._replace(netloc=f"{user}:***@{host}")
        obj = super().__new__(cls, urlunsplit(shown))
        obj.secret = url
        return obj

    def exists(self) -> bool:
        return True  # a server's database is made by its administrator, not by us


# PostgreSQL type OIDs -> Arrow types for df(); others are left to Arrow's inference.
_ARROW = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    19: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1009: pa.list_(pa.string()),
    1015: pa.list_(pa.string()),
    1007: pa.list_(pa.int32()),
    1016: pa.list_(pa.int64()),
    1022: pa.list_(pa.float64()),
    1005: pa.list_(pa.int16()),
    1000: pa.list_(pa.bool_()),
    1182: pa.list_(pa.date32()),
}
_NUMERIC = 1700
_INTERVAL = 1186

# pandas dtypes -> PostgreSQL types of a registered frame's temporary table.
_PG_TYPE = {
    "b": "boolean",
    "i": "bigint",
    "u": "bigint",
    "f": "double precision",
    "M": "timestamp",
}


def _arrow_column(values: list, oid: int, precision: int | None, scale: int | None):
    if oid == _NUMERIC:
        if precision and scale is not None and precision <= 38:
            return pa.array(values, type=pa.decimal128(precision, scale))
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if oid == _INTERVAL:
        return pa.array(values, type=pa.duration("us"))
    wanted = _ARROW.get(oid)
    if wanted is not None:
        return pa.array(values, type=wanted)
    return pa.array(values)


# Settings of the dashboard's own sessions (docs/scale.md), whatever the server's defaults:
# - TimeZone UTC: timestamps are stored and compared in UTC, as on DuckDB;
# - jit off: the pages' queries are short, and compiling them cost more than it saved
#   (milestones_by_quarter at 1,000,000 values spent 397 of its 766 ms compiling);
# - work_mem 64MB: the quality checks' sorts and hashes of a million values in memory, not
#   on disk (quality_timeliness 1.6 to 1.3 s). Per sort or hash of a running query.
# - temp_buffers 32MB: an upload's staged rows (temporary tables, 12 MB each at 100,000
#   rows) kept in the session's memory, where the default 8MB wrote them out and read them
#   back for each statement (the preview of a 100,000-row import, three fresh copies each
#   way: 0.75-0.88 s to 0.70-0.75 s). Taken as needed, and kept by a session that used it
#   until it closes.
SESSION_OPTIONS = "-c TimeZone=UTC -c jit=off -c work_mem=64MB -c temp_buffers=32MB"

# A frame registered as a temporary table is analysed from this many rows on (a few ms).
ANALYZED_FRAME_ROWS = 1000
# The statistics target of an upload's temporary tables (PostgreSQL's default is 100, a
# sample of 30,000 rows): at 100,000 rows ANALYZE took 0.16 s with 100 and 0.017 s with 10,
# four times an import, and found the same numbers of distinct values within 2%.
TEMPORARY_STATISTICS_TARGET = 10

# CREATE [OR REPLACE] [TEMP] TABLE name AS ... (after comments): fills a new table.
_MADE_FROM_QUERY = re.compile(
    r"(?:\s*--[^\n]*\n)*\s*create\s+(?:or\s+replace\s+)?"
    r"(?P<temporary>temp(?:orary)?\s+)?table\s+"
    r"(?:if\s+not\s+exists\s+)?\"?(?P<name>\w+)\"?\s+as\b",
    re.IGNORECASE,
)

# CREATE [OR REPLACE] TEMP VIEW name (stored.read_views_instead): gone with the cursor.
_TEMPORARY_VIEW = re.compile(
    r"(?:\s*--[^\n]*\n)*\s*create\s+(?:or\s+replace\s+)?temp(?:orary)?\s+view\s+"
    r"\"?(?P<name>\w+)\"?",
    re.IGNORECASE,
)


class PostgresCursor:
    """One pooled connection, used like a DuckDB cursor (see the module docstring)."""

    def __init__(self, pool: ConnectionPool, owner: PostgresConnection):
        self._pool = pool
        self._owner = owner
        self._con: psycopg.Connection | None = pool.getconn()
        self._cur = psycopg.ClientCursor(self._con)
        # Temporary tables and views made here ("table"/"view", name; registered frames
        # too, until unregistered): dropped at close, as DuckDB's go with its cursor (a
        # cursor of Database.one_connection closes at its end). Kept in the pooled
        # connection, a view standing for an out-of-date stored copy
        # (stored.read_views_instead) hid the copy's table from every later cursor given
        # that connection (its refresh failed: "... is not a table"), and an upload's
        # staged rows held the server's temporary space (120 MB for 1,000,000 rows).
        self._temporary: list[tuple[str, str]] = []
        self._counted = False

    # -- running statements --------------------------------------------------------------
    def execute(self, query: str, parameters=None):
        self._counted = False
        word = query.strip().rstrip(";").strip().lower()
        if word in ("begin", "begin transaction"):
            # Snapshot isolation, as DuckDB's: a transaction that writes a row another
            # committed after it began fails (a write conflict) instead of overwriting it.
            # A row another transaction is still writing: DuckDB fails at once; here the
            # write waits up to LOCK_TIMEOUT for it to end, then fails the same way.
            self._cur.execute("begin isolation level repeatable read")
            self._cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
            return self
        if word == "checkpoint":
            return self  # DuckDB writes its log into the file; PostgreSQL needs nothing
        translated = dialect.to_postgres(query)
        if parameters is None or (not parameters and not isinstance(parameters, dict)):
            self.execute_translated(translated)
        else:
            self._cur.execute(translated, _params(parameters))
        viewed = _TEMPORARY_VIEW.match(query)
        if viewed:
            self._made_temporary("view", viewed["name"])
        made = _MADE_FROM_QUERY.match(query)
        if made and made["temporary"]:
            self._made_temporary("table", made["name"])
        if made:
            # A table made from a query has no statistics until autovacuum visits it (a
            # temporary one: never), and the planner guesses without them: the stored copy
            # rebuilt by an upload, read by the next page, or an upload's staged rows,
            # joined by its checks (at 100,000 rows: 2.1 s to 0.5 s, docs/scale.md).
            self.analyze(made["name"], temporary=bool(made["temporary"]))
        return self

    def analyze(self, table: str, *, temporary: bool = False) -> None:
        """Gather the planner's statistics of `table` now (ANALYZE; allowed in a
        transaction). A `temporary` table (an upload's rows, read by the statements of one
        preview or import) is sampled at TEMPORARY_STATISTICS_TARGET: its row count and the
        number of distinct values are what the planner needs of it, and the default sample
        took 0.6 s of a 100,000-row import (four such tables)."""
        analyze = pgsql.SQL("analyze {}").format(pgsql.Identifier(table))
        if not temporary:
            self._cur.execute(analyze)
            return
        with self._settings({"default_statistics_target": TEMPORARY_STATISTICS_TARGET}):
            self._cur.execute(analyze)

    @contextlib.contextmanager
    def hash_joins(self):
        """The statements run inside join by hashing: neither nested loops nor merge joins.

        For an upload's staged rows joined to the stored rows of their quarters
        (monitoring/intake/validation.py stage_sql), the planner's estimates favour probing
        the primary key once per row (100,000 probes: 0.26-0.3 s) or sorting both sides by
        the six text columns of the key in the database's collation (0.25 s); a hash of the
        staged rows, probed by the stored rows of those quarters, takes 0.13 s."""
        with self._settings({"enable_nestloop": "off", "enable_mergejoin": "off"}):
            yield self

    @contextlib.contextmanager
    def _settings(self, values: dict[str, object]):
        """Planner settings for the statements run inside, reset afterwards. `values` are
        the module's constants, never values from outside (SET takes no bound parameters)."""
        for name, value in values.items():
            self._cur.execute(f"set {name} = {value}")
        try:
            yield
        finally:
            # (In a transaction that failed, the SETs are undone with it.)
            if self._con.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
                for name in values:
                    self._cur.execute(f"reset {name}")

    def vacuum(self, table: str) -> None:
        """VACUUM `table` now: marks its rows visible to every transaction in the
        visibility map, which an index-only scan reads instead of the table (not allowed in
        a transaction: the pool's connections commit each statement)."""
        self._cur.execute(pgsql.SQL("vacuum {}").format(pgsql.Identifier(table)))

    def execute_translated(self, statement: str):
        """A statement already in PostgreSQL's words (a migration's), without parameters:
        the `%%` the translation wrote for psycopg's parameters is a plain `%` again."""
        self._cur.execute(statement.replace("%%", "%"))
        return self

    def executemany(self, query: str, parameters):
        translated = dialect.to_postgres(query)
        self._cur.executemany(translated, [_params(p) for p in parameters])
        return self

    def copy(self, statement):
        """psycopg's COPY (`with cur.copy(...) as out: out.write_row(row)`)."""
        return self._cur.copy(statement)

    def _count_only(self) -> list[tuple] | None:
        """DuckDB answers an insert, update or delete with one row: the rows it changed.
        PostgreSQL answers with a status; this gives the same row once."""
        if self._cur.description is not None:
            return None
        status = (self._cur.statusmessage or "").split()
        if status and status[0] in ("INSERT", "UPDATE", "DELETE", "MERGE") and not self._counted:
            self._counted = True
            return [(max(self._cur.rowcount, 0),)]
        return []

    def fetchone(self):
        counted = self._count_only()
        if counted is not None:
            return counted[0] if counted else None
        return self._cur.fetchone()

    def fetchall(self):
        counted = self._count_only()
        if counted is not None:
            return counted
        return self._cur.fetchall()

    def fetchmany(self, size: int = 1):
        counted = self._count_only()
        if counted is not None:
            return counted[:size]
        return self._cur.fetchmany(size)

    @property
    def description(self):
        return self._cur.description

    def arrow(self) -> pa.Table:
        """The result's rows as an Arrow table typed from PostgreSQL's column types."""
        described = self._cur.description or []
        # The rows are Python tuples of Python values until Arrow holds them (the Completeness
        # tab's cells at 1,000,000 values: 33,000 rows, 170,000 objects), freed as soon as the
        # table is made: the collector's passes over them cost 10-40 ms in half such reads.
        with collector.paused():
            rows = self._cur.fetchall()
            columns = list(zip(*rows, strict=True)) if rows else [() for _ in described]
            del rows
            arrays, names = [], []
            for column, values in zip(described, columns, strict=True):
                arrays.append(
                    _arrow_column(list(values), column.type_code, column.precision, column.scale)
                )
                names.append(column.name)
            del columns
        return pa.table(arrays, names=_unique(names))

    def df(self) -> pd.DataFrame:
        """The result as DuckDB would give it (same dtypes)."""
        table = self.arrow()
        if _plain_columns(table):
            # Texts, floats, and whole numbers and booleans without NULLs: pandas from
            # Arrow gives DuckDB's dtypes, in a tenth of DuckDB's time (33,000 rows: 1.5 ms
            # against 14).
            return table.to_pandas()
        # This thread's in-memory DuckDB: opening one per result would cost 12 ms each.
        return _parser().from_arrow(table).df()

    def extract_statements(self, sql: str):
        return _parser().extract_statements(sql)

    # -- frames as tables ------------------------------------------------------------------
    def register(self, name: str, frame: pd.DataFrame):
        """A temporary table `name` holding `frame`'s rows (until unregister or close):
        typed from the frame's Arrow types and filled by COPY of Arrow's CSV (a frame
        Arrow cannot type is copied row by row)."""
        table = _arrow_of(frame)
        if table is None:
            return self._register_rows(name, frame)
        self._temp_table(name, [(f.name, _pg_type(f.type)) for f in table.schema])
        self._copy_csv(name, table)
        self._analyze_if_large(name, len(frame))
        return self

    def _made_temporary(self, kind: str, name: str) -> None:
        if (kind, name) not in self._temporary:
            self._temporary.append((kind, name))

    def load(self, name: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
        """A new temporary table `name` of `frame`'s columns, each of its type in `types`
        (in the queries' words, as `create table` takes them), filled with `frame`'s rows
        by COPY: PostgreSQL reads each text into its column's type as a cast would. The
        statistics are gathered, as for a table made from a query. Where DuckDB stages an
        upload's checked rows by a query over the registered frame, this writes them once
        instead of twice (a 100,000-row import: 0.27 s -> 0.1 s)."""
        table = _arrow_of(frame)
        if table is None:
            raise TypeError(f"{name}: a frame Arrow cannot type")
        listed = ", ".join(f'"{column}" {types[column]}' for column in table.column_names)
        self._cur.execute(pgsql.SQL("drop table if exists {}").format(pgsql.Identifier(name)))
        self.execute_translated(dialect.to_postgres(f'create temp table "{name}" ({listed})'))
        self._made_temporary("table", name)
        self._copy_csv(name, table)
        self.analyze(name, temporary=True)

    def _copy_csv(self, name: str, table: pa.Table) -> None:
        data = io.BytesIO()
        # Empty and unquoted is NULL in PostgreSQL's CSV; Arrow quotes every text, "" too.
        pacsv.write_csv(table, data, pacsv.WriteOptions(include_header=False))
        columns = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in table.column_names)
        copy = pgsql.SQL("copy {} ({}) from stdin with (format csv)").format(
            pgsql.Identifier(name), columns
        )
        with self._cur.copy(copy) as out:
            out.write(data.getbuffer())

    def _register_rows(self, name: str, frame: pd.DataFrame):
        self._temp_table(
            name,
            [
                (
                    str(column),
                    _PG_TYPE.get(getattr(dtype, "kind", "O")) or _object_type(frame[column]),
                )
                for column, dtype in frame.dtypes.items()
            ],
        )
        copy = pgsql.SQL("copy {} from stdin").format(pgsql.Identifier(name))
        with self._cur.copy(copy) as out:
            for row in frame.itertuples(index=False, name=None):
                out.write_row([_plain(v) for v in row])
        self._analyze_if_large(name, len(frame))
        return self

    def _analyze_if_large(self, name: str, rows: int) -> None:
        """Statistics for a large registered frame (autovacuum never visits temporary
        tables): an upload's rows, joined to the stored ones by its checks."""
        if rows >= ANALYZED_FRAME_ROWS:
            self.analyze(name, temporary=True)

    def _temp_table(self, name: str, columns: list[tuple[str, str]]) -> None:
        """A new, empty temporary table `name` of (column, PostgreSQL type), dropped with
        the cursor (or by unregister)."""
        self._cur.execute(pgsql.SQL("drop table if exists {}").format(pgsql.Identifier(name)))
        listed = pgsql.SQL(", ").join(
            pgsql.SQL("{} {}").format(pgsql.Identifier(column), pgsql.SQL(kind))
            for column, kind in columns
        )
        self._cur.execute(
            pgsql.SQL("create temp table {} ({})").format(pgsql.Identifier(name), listed)
        )
        self._made_temporary("table", name)

    def unregister(self, name: str):
        self._cur.execute(pgsql.SQL("drop table if exists {}").format(pgsql.Identifier(name)))
        if ("table", name) in self._temporary:
            self._temporary.remove(("table", name))
        return self

    # -- life -------------------------------------------------------------------------------
    def close(self) -> None:
        con, self._con = self._con, None
        if con is None:
            return
        try:
            self._cur.close()
            if con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                con.rollback()
            for kind, name in reversed(self._temporary):  # a view before what it reads
                con.execute(
                    pgsql.SQL("drop {} if exists pg_temp.{}").format(
                        pgsql.SQL(kind), pgsql.Identifier(name)
                    )
                )
        except psycopg.Error:
            pass
        finally:
            self._temporary = []
            self._pool.putconn(con)

    def cursor(self) -> PostgresCursor:
        return self._owner.cursor()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_con", None) is not None:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - at interpreter exit
                pass


class PostgresConnection:
    """The process's pool of connections to one PostgreSQL database; `cursor()` as DuckDB's."""

    def __init__(self, url: PostgresURL, *, max_size: int = 20):
        self.url = url
        # Fails at once, with the server's reason, where the pool would retry in silence.
        psycopg.connect(url.secret, connect_timeout=10).close()
        self.pool = ConnectionPool(
            url.secret,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "options": SESSION_OPTIONS},
            open=True,
            name="monitoring",
        )
        self.pool.wait(timeout=30)

    def cursor(self) -> PostgresCursor:
        return PostgresCursor(self.pool, self)

    def execute(self, query: str, parameters=None) -> PostgresCursor:
        """A statement on a cursor of its own (closed when its rows are read or dropped)."""
        return self.cursor().execute(query, parameters)

    def close(self) -> None:
        self.pool.close()


_parsers = threading.local()
_parsing_database: duckdb.DuckDBPyConnection | None = None
_parsing_lock = threading.Lock()


def on_postgres(cur) -> bool:
    """Whether `cur` (a cursor, or a TrackedCursor around one) runs on PostgreSQL."""
    return isinstance(getattr(cur, "raw", cur), PostgresCursor)


def hash_joins(cur) -> contextlib.AbstractContextManager:
    """PostgresCursor.hash_joins for a cursor on PostgreSQL; nothing on DuckDB, whose
    planner joins by hashing anyway."""
    raw = getattr(cur, "raw", cur)
    return raw.hash_joins() if isinstance(raw, PostgresCursor) else contextlib.nullcontext()


def _plain_columns(table: pa.Table) -> bool:
    """Whether pandas makes of every column of `table` the dtype DuckDB's df() makes:
    texts and floats (NULL: NaN either way), whole numbers and booleans without NULLs
    (with them DuckDB gives pandas' nullable Int64 and boolean, Arrow float64 and object).
    Dates, times, decimals and lists are DuckDB's to convert."""
    for column in table.columns:
        kind = column.type
        if pa.types.is_string(kind) or pa.types.is_floating(kind):
            continue
        if (pa.types.is_integer(kind) or pa.types.is_boolean(kind)) and not column.null_count:
            continue
        return False
    return True


def _parser() -> duckdb.DuckDBPyConnection:
    """This thread's connection to an in-memory DuckDB (no data of its own): for parsing
    statements and for turning results into pandas frames as DuckDB does. One database for
    the process, a cursor per thread: Streamlit runs every rerun in a new thread, and a new
    database costs 12-30 ms, a cursor of an open one under 1 ms."""
    global _parsing_database
    con = getattr(_parsers, "con", None)
    if con is None:
        with _parsing_lock:
            if _parsing_database is None:
                _parsing_database = duckdb.connect()
            con = _parsers.con = _parsing_database.cursor()
    return con


def _params(parameters):
    if isinstance(parameters, dict):
        return {k: _value(v) for k, v in parameters.items()}
    return [_value(v) for v in parameters]


def _value(value):
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _plain(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _arrow_of(frame) -> pa.Table | None:
    """`frame` as an Arrow table whose every column PostgreSQL's CSV reads back as it was;
    None when Arrow cannot type it (mixed Python objects) or a type has no plain CSV."""
    try:
        table = (
            frame
            if isinstance(frame, pa.Table)
            else pa.Table.from_pandas(frame, preserve_index=False)
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    arrays, names = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = kind.value_type
        if _pg_type(kind) is None:
            return None
        arrays.append(column)
        names.append(str(field.name))
    return pa.table(arrays, names=names)


def _pg_type(kind: pa.DataType) -> str | None:
    """The PostgreSQL type of an Arrow column in a registered frame; None: not handled."""
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "bigint"
    if pa.types.is_floating(kind):
        return "double precision"
    if pa.types.is_decimal(kind):
        return "numeric"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return "text"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_timestamp(kind):
        return "timestamptz" if kind.tz else "timestamp"
    return None


def _object_type(series: pd.Series) -> str:
    sample = next((v for v in series if v is not None and v == v), None)
    if isinstance(sample, bool):
        return "boolean"
    if isinstance(sample, int):
        return "bigint"
    if isinstance(sample, float):
        return "double precision"
    if isinstance(sample, Decimal):
        return "numeric"
    if isinstance(sample, dt.datetime):
        return "timestamp"
    if isinstance(sample, dt.date):
        return "date"
    return "text"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}_{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out
