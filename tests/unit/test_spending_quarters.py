"""Spending summed per quarter (migration 0012): spending_to(as_of) gives the same sums as
the transactions up to as_of, for any date, and a late copy of the sums is never read."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tests.conftest import insert

# Summed by the key the spending queries group by: what they read from spending_to.
FROM_SUMS = """
    select to_currency, grant_id, budget_line, kind, period,
        sum(amount_in), sum(spent_in), sum(transactions), sum(without_rate), max(last_on)
    from spending_to(cast($as_of as date))
    group by all order by all
"""
FROM_TRANSACTIONS = """
    select to_currency, grant_id, budget_line, kind, period,
        sum(amount_in), sum(spent_in), count(*), count(*) filter (where missing_rate),
        max(date)
    from transactions_converted_stored
    where date <= cast($as_of as date)
    group by all order by all
"""


def _dates() -> list[dt.date]:
    """Around every quarter's first and last day of the sample and past both its ends."""
    out = [dt.date(2020, 12, 31), dt.date(2021, 1, 24), dt.date(2021, 1, 25)]
    for year in (2021, 2022, 2023):
        for month in (1, 4, 7, 10):
            first = dt.date(year, month, 1)
            out += [first - dt.timedelta(days=1), first, first + dt.timedelta(days=40)]
    return out


def _rows(db, sql: str, as_of: dt.date) -> list[tuple]:
    with db.cursor() as cur:
        rows = cur.execute(sql, {"as_of": as_of}).fetchall()
    # The same numbers whatever type each engine gives a sum of counts.
    return [tuple(int(v) if i in (7, 8) else v for i, v in enumerate(r)) for r in rows]


def test_spending_to_a_date_is_every_transaction_up_to_it(sample_db):
    """Exact for any date: within a quarter, on its first and last day, before any data and
    after all of it, with transactions whose month has no rate among them."""
    insert(
        sample_db,
        "transactions",
        [
            # UZS in months with no rate: amount_in NULL, counted as without a rate
            dict(transaction_id="NR1", grant_id=None, date=dt.date(2023, 2, 10),
                 kind="expenditure", amount=1000, currency="UZS", budget_line="1"),
            dict(transaction_id="NR2", grant_id=None, date=dt.date(2023, 2, 11),
                 kind="refund", amount=5, currency="USD", budget_line="1"),
        ],
    )  # fmt: skip
    compared = 0
    for as_of in _dates():
        expected = _rows(sample_db, FROM_TRANSACTIONS, as_of)
        assert _rows(sample_db, FROM_SUMS, as_of) == expected, as_of
        compared += len(expected)
    assert compared > 1000  # the dates cover the data, not only empty ranges
    late = _rows(sample_db, FROM_SUMS, dt.date(2023, 3, 31))
    assert any(r[8] > 0 for r in late)  # the rows without a rate were among them


def test_a_write_that_skipped_the_refresh_is_counted_all_the_same(file_db, caplog):
    """A write that left the sums out of date (refresh_copies=False, as a write by other
    means): the overview reads spending_to, which reads the sums; they are late, so the
    query reads the transactions instead, and a warning says what to run."""
    db = file_db
    row = dict(grant_id=None, kind="expenditure", currency="USD", budget_line="1")
    first = dict(transaction_id="T1", date=dt.date(2021, 2, 1), amount=100, **row)
    insert(db, "transactions", [first])
    with db.transaction(refresh_copies=False) as cur:
        cur.execute(
            "insert into transactions (transaction_id, grant_id, date, kind, amount, currency, "
            "budget_line) values ('T2', null, date '2021-03-01', 'expenditure', 50, 'USD', '1')"
        )
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        spent = db.query("overview_spending", as_of=dt.date(2021, 12, 31)).iloc[0]
    assert float(spent.spent_to_date) == pytest.approx(150)
    assert any("spending_quarters_stored" in r.getMessage() for r in caplog.records)
