"""Shared fixtures: real DuckDB databases in tmp_path, fixed settings, time zone and locale."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from monitoring.access import accounts
from monitoring.contract import TABLES
from monitoring.db import Database, close_all
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


@pytest.fixture
def db(tmp_path):
    """An empty database with the schema, in tmp_path."""
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
    frame = frame[spec.column_names]  # noqa: F841 - read by DuckDB below
    with db.transaction() as cur:
        cur.register("fixture_rows", frame)
        # The table name comes from the contract, not from input.
        statement = "insert into " + table + " by name select * from fixture_rows"  # noqa: S608
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
