"""Shared fixtures: real databases (DuckDB files in tmp_path; PostgreSQL databases on a
throwaway server of the test session), fixed settings, time zone and locale."""

from __future__ import annotations

import itertools
import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from monitoring.access import accounts
from monitoring.contract import TABLES
from monitoring.db import Database, close_all
from monitoring.db.pgserver import TemporaryServer
from monitoring.intake.sample import load_sample
from monitoring.settings import load_settings

os.environ["TZ"] = "UTC"

SETTINGS_TOML = """
[programme]
name = "Test programme"
short_name = "Test"
donor = "Test donor"
partners = "Test partners"
start = 2021-01-01
end = 2022-06-30
regions = ["UZ-JI", "UZ-TO", "UZ-NG"]

[status]
on_track = 0.9
at_risk = 0.6
"""


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "programme.toml"
    path.write_text(textwrap.dedent(SETTINGS_TOML), encoding="utf-8")
    return load_settings(path)


ENGINES = ("duckdb", "postgresql")
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """One PostgreSQL server for the test session (Debian's, started by initdb/pg_ctl in a
    temporary folder on the loopback); stopped at the end."""
    server = TemporaryServer(tmp_path_factory.mktemp("postgres"))
    server.start()
    yield server
    close_all()
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    """A database with the schema, copied by CREATE DATABASE ... TEMPLATE for each test."""
    url = postgres_server.create_database("schema_template")
    database = Database(url)
    database.connection()
    database.close()  # a template may have no connections
    return "schema_template"


def new_postgres_database(server: TemporaryServer, template: str | None = None) -> str:
    """A new database on `server` (a copy of `template` when given); its URL."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server.url(), autocommit=True) as con:
        # Names made here, not input.
        suffix = f' template "{template}"' if template else ""
        con.execute(f'create database "{name}"{suffix}')
    return server.url(name)


def drop_postgres_database(server: TemporaryServer, url: str) -> None:
    """Drop the database of `url` from `server` once a test is done with it (its pools
    closed first). Each copy of the template holds about 11 MB: a suite leaving a thousand
    of them filled the disk by gigabytes and made the server's stop take a minute."""
    from urllib.parse import urlsplit

    import psycopg

    close_all()
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server.url(), autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')  # a name made here


def close_test_database(request, database: Database) -> None:
    """Close a test's own database; on PostgreSQL, drop it too."""
    database.close()
    if database.is_postgres:
        drop_postgres_database(request.getfixturevalue("postgres_server"), database.path)


def engine_database(request, engine: str, tmp_path: Path) -> Database:
    """An empty database with the schema on `engine`: a file in tmp_path, or a new
    PostgreSQL database of the session's server."""
    if engine == "duckdb":
        return Database(tmp_path / "test.duckdb")
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    return Database(new_postgres_database(server, template))


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(params=ENGINES)
def db(request, tmp_path):
    """An empty database with the schema, on each engine in turn: a DuckDB file in
    tmp_path, then a new database on the session's PostgreSQL server."""
    database = engine_database(request, request.param, tmp_path)
    database.connection()
    yield database
    close_test_database(request, database)


@pytest.fixture
def file_db(tmp_path):
    """An empty DuckDB database file in tmp_path, for what only a file has (its lock, its
    size, copying it)."""
    database = Database(tmp_path / "test.duckdb")
    database.connection()
    yield database
    database.close()


def insert(db: Database, table: str, rows: list[dict]) -> None:
    """Insert fixture rows (missing optional columns take their defaults)."""
    spec = TABLES[table]
    frame = pd.DataFrame(rows)
    for col in spec.columns:
        if col.name not in frame:
            frame[col.name] = None
        if col.default is not None:
            frame[col.name] = (
                frame[col.name].astype(object).where(frame[col.name].notna(), col.default)
            )
    frame = frame[spec.column_names]  # noqa: F841 - read by the database below
    columns = ", ".join(spec.column_names)
    # Typed by the contract: a column left empty has no type of its own in the frame.
    values = ", ".join(f"cast({c.name} as {c.sql_type})" for c in spec.columns)
    with db.transaction() as cur:
        cur.register("fixture_rows", frame)
        # The table and column names come from the contract, not from input.
        statement = f"insert into {table} ({columns}) select {values} from fixture_rows"  # noqa: S608
        cur.execute(statement)
        cur.unregister("fixture_rows")


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    """A database holding the committed sample tables, built once per test session."""
    path = tmp_path_factory.mktemp("sample") / "monitoring.duckdb"
    database = Database(path)
    load_sample(database)
    add_test_accounts(database)
    database.close()
    return path


@pytest.fixture(scope="session")
def postgres_sample(postgres_server, sample_db_path) -> str:
    """The test sample (sample_db_path) copied into a PostgreSQL database by migrate-store:
    the name of a template database for tests to copy."""
    copy_to_postgres(sample_db_path, postgres_server.create_database("sample_template"))
    return "sample_template"


def copy_to_postgres(path: Path, url: str) -> str:
    """The DuckDB file `path` copied into the empty PostgreSQL database `url` by
    migrate-store, every row checked; the URL."""
    from monitoring.db.transfer import migrate_store

    report = migrate_store(path, url)
    assert report.ok, [t for t in report.tables if not t.equal]
    return url


def sample_database(request, engine: str, *, read_only: bool = False) -> Database:
    """The test sample on `engine`: the session's DuckDB file, or a new PostgreSQL database
    copied from the sample template. For module-scoped fixtures parametrised by ENGINES."""
    if engine == "duckdb":
        return Database(request.getfixturevalue("sample_db_path"), read_only=read_only)
    template = request.getfixturevalue("postgres_sample")
    server = request.getfixturevalue("postgres_server")
    return Database(new_postgres_database(server, template))


@pytest.fixture
def sample_db(request, engine, sample_db_path, tmp_path) -> Database:
    """A database holding the test sample, its own copy, on each engine in turn."""
    import shutil

    if engine == "duckdb":
        path = tmp_path / "sample.duckdb"
        shutil.copy(sample_db_path, path)
        database = Database(path)
    else:
        template = request.getfixturevalue("postgres_sample")
        server = request.getfixturevalue("postgres_server")
        database = Database(new_postgres_database(server, template))
    database.connection()
    yield database
    close_test_database(request, database)


def indicator_row(code: str, **kw) -> dict:
    """A row of the indicators table: a count of people, summed, target 100 (kw override)."""
    row = dict(
        indicator_code=code,
        level="outcome",
        outcome=1,
        title=f"Indicator {code}",
        unit="number",
        direction="increase",
        aggregation="sum",
        baseline=0,
        target=100,
    )
    row.update(kw)
    return row


def value_row(code: str, period: str, region: str, amount, **kw) -> dict:
    """A row of the indicator_values table."""
    return dict(indicator_code=code, period=period, region_code=region, value=amount, **kw)


def same_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values, columns and order. The dtype of a text column may differ: a column all
    NULL (one region's, one indicator's row) comes back as object instead of text, None for
    a missing value where the text column has NaN."""

    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
                values = out[column].astype(object)
                out[column] = values.where(values.notna(), None)
        return out

    pd.testing.assert_frame_equal(plain(got), plain(expected), check_dtype=False)


def tampered(token: str) -> str:
    """`token` with one character of its payload changed: its signature no longer matches.
    (Changing the last character may only touch base64 padding bits, which decode alike.)"""
    return token[:3] + ("B" if token[3] != "B" else "C") + token[4:]


TEST_PASSWORD = "the password of every test account"


def add_test_accounts(database: Database) -> None:
    """An account of every role, all with TEST_PASSWORD (AppTests sign in via the session)."""
    for role in accounts.ACCOUNT_ROLES:
        accounts.add_user(database, account_name(role), role, TEST_PASSWORD, by="tests")


def account_name(role: str) -> str:
    """The account of `role` that the sample database of the tests holds (no password)."""
    return f"test-{role}"


@pytest.fixture(autouse=True)
def _close_shared_databases():
    yield
    # The data quality checks an upload started preparing (monitoring/quality/prepared.py)
    # finish on the test's database before it is closed.
    from monitoring.quality import prepared

    assert prepared.wait(timeout=120), "the data quality checks were still being prepared"
    close_all()


def view_of(db, settings, regions=None, donor: bool | None = None):
    """The protected view of an account (no `regions`) or of a donor's share link limited to
    `regions` (donor=True with no regions: a link for the whole programme)."""
    from monitoring.access import accounts
    from monitoring.access.view import TEAM, Audience, protected_view

    if donor is None:
        donor = regions is not None
    if not donor:
        return protected_view(db, settings, TEAM)
    link = None if regions is None else tuple(regions)
    return protected_view(db, settings, Audience(accounts.DONOR, link))


def run_coroutine(coro):
    """`asyncio.run(coro)` in a thread of its own: under pytest-xdist a worker may have run
    the browser tests first, and Playwright's event loop then runs in its main thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def issue_db(db):
    """The disclosure audit's example (docs/access.md), one indicator in three regions:

    PEOPLE    Q1  Q2  to date
         JI       1   1    2     all "<5"
         TO       1   0    1     Q1 and to date "<5", Q2 a shown 0
         NG       6   6   12     to date shown
         all      8   7   15     all shown
    Each rule looks fine on its own sum (JI + TO = 3 is neither 2 nor 8), but together:
    JI + TO = 15 - 12 = 3, JI >= 1 + 1 and TO >= 1, so every "<5" is 1."""
    regions = ("UZ-JI", "UZ-TO", "UZ-NG")
    insert(db, "regions", [dict(region_code=r, name_en=r) for r in regions])
    insert(db, "indicators", [indicator_row("PEOPLE")])
    counts = dict(zip(regions, ((1, 1), (1, 0), (6, 6)), strict=True))
    insert(
        db,
        "indicator_values",
        [
            value_row("PEOPLE", period, region, count)
            for region, pair in counts.items()
            for period, count in zip(("2021Q1", "2021Q2"), pair, strict=True)
        ],
    )
    return db
