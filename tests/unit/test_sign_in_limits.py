"""Slowing down guessing under parallel attempts, per address, and the password checks at once
(monitoring/access/throttle.py), with threads against a real database."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections import Counter

import pytest
from argon2 import PasswordHasher

from monitoring.access import accounts, throttle
from monitoring.access.accounts import STAFF, add_user, sign_in
from monitoring.db import Database

PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class CountingHasher(PasswordHasher):
    """A cheap argon2id whose checks take a while and count how many run at once."""

    def __init__(self, seconds: float = 0.05):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):  # noqa: A002 (argon2's own parameter name)
        with self._lock:
            self.running += 1
            self.checks += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.seconds)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", None)


def in_parallel(n: int, attempt) -> list:
    """Run attempt(i) in n threads started together; their results, in order."""
    results: list = [None] * n
    errors: list = []
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        try:
            results[i] = attempt(i)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def outcomes(db) -> Counter:
    with db.cursor() as cur:
        return Counter(r[0] for r in cur.execute("select outcome from sign_in_attempts").fetchall())


def checks_left(db) -> int:
    with db.cursor() as cur:
        return cur.execute("select count(*) from sign_in_checks").fetchone()[0]


def test_ten_parallel_wrong_attempts_for_one_account_check_only_the_free_ones(db, monkeypatch):
    """Before, all ten were checked: each read the failures before any wrote its own."""
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", hasher)
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    results = in_parallel(10, lambda i: sign_in(db, "maria", WRONG, client="203.0.113.9"))
    assert hasher.checks == throttle.NAME_FREE_FAILURES == 5
    refused = [r for r in results if r.refused_for is not None]
    assert len(refused) == 5
    assert {r.refused_because for r in refused} == {throttle.NAME}
    assert all("for this user name" in r.message for r in refused)
    assert outcomes(db) == {"wrong_password": 5, "refused": 5}
    assert checks_left(db) == 0


def test_parallel_right_attempts_are_all_let_in(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    results = in_parallel(10, lambda i: sign_in(db, "maria", PASSWORD, client="203.0.113.9"))
    assert all(r.ok for r in results)
    assert outcomes(db) == {"success": 10}


def test_at_most_two_password_checks_run_at_once_in_a_process(db, monkeypatch):
    """argon2id takes 64 MiB a check: twenty parallel attempts must not take 1.3 GB."""
    hasher = CountingHasher(seconds=0.1)
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", hasher)
    for i in range(20):
        add_user(db, f"user{i}", STAFF, PASSWORD, by="test")
    results = in_parallel(20, lambda i: sign_in(db, f"user{i}", PASSWORD, client=f"10.0.0.{i}"))
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    assert hasher.checks == 20
    assert hasher.most == throttle.CHECKS_PER_PROCESS == 2


def test_an_attempt_that_finds_no_place_in_time_is_told_to_wait(db, monkeypatch):
    monkeypatch.setattr(throttle, "WAIT_FOR_PLACE", dt.timedelta(seconds=0.2))
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    with contextlib.ExitStack() as held:
        for _ in range(throttle.CHECKS_PER_PROCESS):  # both places busy (hashing, say)
            held.enter_context(throttle.password_work())
        result = sign_in(db, "maria", PASSWORD, client="203.0.113.9")
    assert not result.ok and result.refused_because == throttle.BUSY
    assert result.message == (
        "The dashboard is checking many sign-ins at this moment. Wait 10 seconds, then try again."
    )
    assert outcomes(db) == {"refused": 1}, "a busy refusal is no failure"
    assert sign_in(db, "maria", PASSWORD, client="203.0.113.9").ok


def test_checks_running_in_other_processes_count_towards_the_limit(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")

    def running_elsewhere(started: dt.datetime, n: int) -> None:
        with db.transaction() as cur:
            for i in range(n):
                cur.execute(
                    "insert into sign_in_checks values (?, ?, ?, ?)",
                    [f"other-{started.timestamp()}-{i}", f"someone{i}", "198.51.100.1", started],
                )

    running_elsewhere(T0, throttle.CHECKS_AT_ONCE)
    busy = sign_in(db, "maria", PASSWORD, client="203.0.113.9", now=T0 + dt.timedelta(seconds=1))
    assert busy.refused_because == throttle.BUSY
    # A check older than CHECK_ABANDONED_AFTER belongs to a process that stopped.
    later = T0 + throttle.CHECK_ABANDONED_AFTER + dt.timedelta(seconds=1)
    assert sign_in(db, "maria", PASSWORD, client="203.0.113.9", now=later).ok
    assert checks_left(db) == 0


def test_failures_from_one_address_over_many_names_slow_that_address_down(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    attacker, office = "203.0.113.9", "198.51.100.7"
    for i in range(throttle.CLIENT_FREE_FAILURES):  # one failure per name: no name limit
        at = T0 + dt.timedelta(seconds=i)
        assert not sign_in(db, f"guess{i}", WRONG, client=attacker, now=at).ok
    last = T0 + dt.timedelta(seconds=throttle.CLIENT_FREE_FAILURES - 1)
    refused = sign_in(db, "maria", PASSWORD, client=attacker, now=last + dt.timedelta(seconds=5))
    assert refused.refused_because == throttle.CLIENT
    assert refused.refused_for == throttle.FIRST_DELAY - dt.timedelta(seconds=5)
    assert refused.message == (
        "Too many failed sign-ins from your network address. Wait 25 seconds, then try again."
    )
    assert sign_in(db, "maria", PASSWORD, client=office, now=last + dt.timedelta(seconds=5)).ok
    assert sign_in(db, "maria", PASSWORD, client=attacker, now=last + throttle.FIRST_DELAY).ok


def test_reservations_from_separate_connections_hold_without_the_process_lock(
    tmp_path, monkeypatch
):
    """As from separate processes: ten attempts reserve on their own connections at once, with
    nothing in Python between them; the gate row's conflicts alone let five through."""
    path = tmp_path / "shared.duckdb"
    first = Database(path)
    first.connection()
    add_user(first, "maria", STAFF, PASSWORD, by="test")
    monkeypatch.setattr(throttle, "_reserving", contextlib.nullcontext())
    monkeypatch.setattr(throttle, "_places", threading.BoundedSemaphore(10))
    monkeypatch.setattr(throttle, "CHECKS_AT_ONCE", 10)
    hasher = CountingHasher(seconds=0.05)
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", hasher)
    connections = [first] + [Database(path) for _ in range(9)]  # ten connections, one file
    try:
        results = in_parallel(10, lambda i: sign_in(connections[i], "maria", WRONG, client="x"))
    finally:
        for c in connections[1:]:
            c.close()
    assert hasher.checks == throttle.NAME_FREE_FAILURES
    assert sum(r.refused_for is not None for r in results) == 5
    assert outcomes(first) == {"wrong_password": 5, "refused": 5}
    first.close()


def test_an_error_during_a_check_counts_as_a_failure_and_frees_the_place(db, monkeypatch):
    add_user(db, "maria", STAFF, PASSWORD, by="test")

    def broken(stored, password):
        raise RuntimeError("the hasher broke")

    monkeypatch.setattr(accounts, "verify_password", broken)
    with pytest.raises(RuntimeError):
        sign_in(db, "maria", PASSWORD, client="203.0.113.9")
    assert outcomes(db) == {"wrong_password": 1}
    assert checks_left(db) == 0
    with contextlib.ExitStack() as held:  # both places are free again
        for _ in range(throttle.CHECKS_PER_PROCESS):
            held.enter_context(throttle.password_work())


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        (None, None, "127.0.0.1"),  # st.context.ip_address: None for the local machine
        ("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),  # a local proxy
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote the left one
        ("127.0.0.1", "198.51.100.7, 127.0.0.1", "198.51.100.7"),  # two trusted hops
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # not a trusted proxy: header ignored
        ("127.0.0.1", "not an address", "127.0.0.1"),
        ("10.1.2.3", "198.51.100.7", "198.51.100.7"),  # a trusted network
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address_trusts_x_forwarded_for_only_from_trusted_proxies(
    peer, forwarded, expected
):
    trusted = ("127.0.0.1", "::1", "10.0.0.0/8")
    assert throttle.client_address(peer, forwarded, trusted) == expected
