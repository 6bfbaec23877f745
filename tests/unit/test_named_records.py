"""Database.records: a named query's rows as plain Python dicts, the same rows and values as
Database.query's DataFrame, on both engines (an account is looked up so at every page run)."""

import datetime as dt

import pandas as pd

from monitoring.access import accounts

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_records_are_the_rows_of_the_query_as_plain_values(db):
    accounts.add_user(db, "amina", accounts.MANAGER, None, by="admin", now=T0)
    accounts.add_user(db, "bobur", accounts.STAFF, None, by="admin", now=T0 + dt.timedelta(hours=1))
    records = db.records("access_users", user_name=None)
    frame = db.query("access_users", user_name=None)
    assert [r["user_name"] for r in records] == ["amina", "bobur"] == list(frame.user_name)
    assert list(records[0]) == list(frame.columns)
    first = records[0]
    assert isinstance(first["created_at"], dt.datetime) and first["created_at"] == T0
    assert first["created_at"] == pd.Timestamp(frame.created_at.iloc[0]).to_pydatetime()
    assert first["password_changed_at"] is None and first["role"] == accounts.MANAGER
    assert db.records("access_users", user_name="nobody") == []


def test_an_account_looked_up_has_its_times_as_stored(db):
    accounts.add_user(db, "amina", accounts.MANAGER, None, by="admin", now=T0)
    found = accounts.get_user(db, "amina")
    assert found.created_at == T0 and found.created_at.utcoffset() == dt.timedelta(0)
    assert found.last_sign_in_at is None and found.password_changed_at is None
