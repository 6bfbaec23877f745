"""Slowing down password guessing, and bounding the memory password checks take.

Every password check (argon2id, about 64 MiB and a tenth of a second) goes through a `Turn`:

1. **A place in this process.** At most `CHECKS_PER_PROCESS` checks run at once in a process
   (a semaphore), so their memory is bounded; an attempt waits up to `WAIT_FOR_PLACE` for
   one, else it is refused as busy.
2. **A reservation, atomic across processes.** In one transaction that first updates the
   row of `sign_in_gate` (so that concurrent reservations conflict and are made one after
   another, the loser retrying), the failures of the user name and of the client address are
   counted, with the checks in progress counted as failures, and the check is recorded in
   `sign_in_checks`. Ten parallel attempts for one name are therefore let through one by
   one, and once the free failures are used up the others are refused, never checked. At
   most `CHECKS_AT_ONCE` checks run at once over every process sharing the database.
3. **The outcome** replaces the check by a row of `sign_in_attempts` in one transaction.

Refused attempts never check a password and do not lengthen any delay. The rules and the
messages: docs/access.md, "Slowing down guessing".
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

from monitoring.db import Database, query_text
from monitoring.db.errors import ENGINE_ERRORS, WRITE_CONFLICTS

# Per user name (known or not): after NAME_FREE_FAILURES failures within WINDOW (and since
# the name's last success), the next attempt is refused until FIRST_DELAY has passed since
# the last failure; each further failure doubles the delay, up to MAX_DELAY.
NAME_FREE_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
# Per client address, over every user name it tries (a success does not reset it: one
# address guessing many names is the pattern this stops). An office behind one address
# makes far fewer than this many mistakes in a quarter of an hour.
CLIENT_FREE_FAILURES = 20
# At once: password checks running in this process (the memory bound: 2 x 64 MiB), and in
# every process sharing the database.
CHECKS_PER_PROCESS = 2
CHECKS_AT_ONCE = 4
WAIT_FOR_PLACE = dt.timedelta(seconds=5)  # how long an attempt waits for a place
BUSY_RETRY = dt.timedelta(seconds=10)  # what a refused-as-busy attempt is told to wait
CHECK_ABANDONED_AFTER = dt.timedelta(minutes=2)  # a check this old: its process stopped
ATTEMPT_RETENTION = dt.timedelta(days=90)  # older attempts are deleted

NAME, CLIENT, BUSY = "name", "client", "busy"  # why an attempt was refused

_places = threading.BoundedSemaphore(CHECKS_PER_PROCESS)
_reserving = threading.Lock()  # reservations of this process, one at a time (no conflicts)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def slowdown_delay(failures: int, free: int = NAME_FREE_FAILURES) -> dt.timedelta:
    """How long to wait after the latest failure, given the failures counted so far."""
    if failures < free:
        return dt.timedelta(0)
    doublings = min(failures - free, 32)
    return min(FIRST_DELAY * 2**doublings, MAX_DELAY)


@contextmanager
def password_work() -> Iterator[None]:
    """Hold one of this process's places for password work outside sign-in (hashing a new
    password): it waits for a place, so that memory stays bounded."""
    _places.acquire()
    try:
        yield
    finally:
        _places.release()


# --- the client's address ---------------------------------------------------------------


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Collection[str]
) -> str:
    """The address a request came from: its peer's, or, when the peer is a trusted proxy, the
    nearest address in X-Forwarded-For that is not one (read from the right: what a client
    writes itself stands on the left and is never trusted). No peer: the local machine."""
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address) -> bool:
        return any(address.version == n.version and address in n for n in networks)

    current = _address(peer) or ipaddress.ip_address("127.0.0.1")
    if trusted(current) and forwarded_for:
        for hop in reversed(forwarded_for.split(",")):
            address = _address(hop)
            if address is None:
                break  # not an address: trust nothing further left
            current = address
            if not trusted(address):
                break
    return str(current)


# --- limits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused, and for how long."""

    reason: str  # NAME, CLIENT or BUSY
    wait: dt.timedelta


def _timestamp(value) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def _read_limits(cur, name: str, client: str | None, at: dt.datetime) -> dict:
    params = {
        "user_name": name,
        "client": client,
        "since": at - WINDOW,
        "abandoned_before": at - CHECK_ABANDONED_AFTER,
    }
    row = cur.execute(query_text("access_sign_in_failures"), params).fetchone()
    keys = (
        "name_failures",
        "name_last_failure_at",
        "client_failures",
        "client_last_failure_at",
        "checks_in_progress",
    )
    return dict(zip(keys, row, strict=True))


def refusal(limits: dict, at: dt.datetime, *, count_checks: bool = True) -> Refusal | None:
    """The refusal the counts call for at `at`, or None: the attempt may be checked."""
    waits = []
    for reason, free in ((NAME, NAME_FREE_FAILURES), (CLIENT, CLIENT_FREE_FAILURES)):
        failures = int(limits[f"{reason}_failures"] or 0)
        last = _timestamp(limits[f"{reason}_last_failure_at"])
        if failures >= free and last is not None:
            wait = last + slowdown_delay(failures, free) - at
            if wait > dt.timedelta(0):
                waits.append(Refusal(reason, wait))
    if waits:
        return max(waits, key=lambda r: r.wait)
    if count_checks and int(limits["checks_in_progress"] or 0) >= CHECKS_AT_ONCE:
        return Refusal(BUSY, BUSY_RETRY)
    return None


def current_refusal(
    db: Database, user_name: str, client: str | None = None, *, now: dt.datetime | None = None
) -> Refusal | None:
    """Whether an attempt for this name from this address would be refused now (no write)."""
    at = now or now_utc()
    with db.cursor() as cur:
        return refusal(_read_limits(cur.raw, user_name, client, at), at, count_checks=False)


def record_attempt(
    cur, name: str, at: dt.datetime, outcome: str, client: str | None = None
) -> None:
    """One row of sign_in_attempts, in the caller's transaction."""
    cur.execute(
        "insert into sign_in_attempts (user_name, attempted_at, outcome, client) "
        "values (?, ?, ?, ?)",
        [name, at, outcome, client],
    )


def _conflict(exc: Exception) -> bool:
    return isinstance(exc, WRITE_CONFLICTS) or "conflict" in str(exc).lower()


def _reserve(db: Database, name: str, client: str | None, at: dt.datetime) -> Refusal | str:
    """Count and reserve in one transaction: the check's id, or the refusal."""
    deadline = time.monotonic() + 10
    delay = 0.002
    while True:
        try:
            with _reserving, db.transaction() as cur:
                cur.execute(
                    "insert into sign_in_gate (gate, taken_at) values ('sign-in', ?) "
                    "on conflict (gate) do update set taken_at = excluded.taken_at",
                    [at],
                )
                # Deletions only here, where reservations take turns: two transactions
                # deleting the same rows would conflict.
                cur.execute(
                    "delete from sign_in_checks where started_at <= ?",
                    [at - CHECK_ABANDONED_AFTER],
                )
                cur.execute(
                    "delete from sign_in_attempts where attempted_at < ?",
                    [at - ATTEMPT_RETENTION],
                )
                refused = refusal(_read_limits(cur.raw, name, client, at), at)
                if refused is not None:
                    record_attempt(cur, name, at, "refused", client)
                    return refused
                check_id = secrets.token_hex(16)
                cur.execute(
                    "insert into sign_in_checks (check_id, user_name, client, started_at) "
                    "values (?, ?, ?, ?)",
                    [check_id, name, client, at],
                )
                return check_id
        except ENGINE_ERRORS as exc:
            # Another process reserved at the same moment: try again after it.
            if not _conflict(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


class Turn:
    """The right to check one password (`ok`), or why not (`refused`). Use it as a context
    manager and call `finish` with the outcome; a check left unfinished (an error) is
    recorded as a failure, and the place in this process is given back."""

    def __init__(self, db: Database, name: str, client: str | None, at: dt.datetime):
        self.db, self.name, self.client, self.at = db, name, client, at
        self.refused: Refusal | None = None
        self._check_id: str | None = None
        self._holds_place = False

    @property
    def ok(self) -> bool:
        return self.refused is None

    def __enter__(self) -> Turn:
        # Refusals that need no place are answered at once, without waiting for one.
        self.refused = current_refusal(self.db, self.name, self.client, now=self.at)
        if self.refused is None and not _places.acquire(timeout=WAIT_FOR_PLACE.total_seconds()):
            self.refused = Refusal(BUSY, BUSY_RETRY)
        if self.refused is not None:
            with self.db.transaction() as cur:
                record_attempt(cur, self.name, self.at, "refused", self.client)
            return self
        self._holds_place = True
        try:
            reserved = _reserve(self.db, self.name, self.client, self.at)
        except BaseException:
            self._release()
            raise
        if isinstance(reserved, Refusal):  # recorded in the reservation's transaction
            self.refused = reserved
            self._release()
        else:
            self._check_id = reserved
        return self

    def finish(self, outcome: str) -> None:
        """Record the outcome ('success', 'wrong_password', 'unknown_user') of the check."""
        if self._check_id is None:
            raise RuntimeError("No password check to finish: refused, or finished already.")
        with self.db.transaction() as cur:
            cur.execute("delete from sign_in_checks where check_id = ?", [self._check_id])
            record_attempt(cur, self.name, self.at, outcome, self.client)
        self._check_id = None

    def _release(self) -> None:
        if self._holds_place:
            self._holds_place = False
            _places.release()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._check_id is not None:
                self.finish("wrong_password")
        finally:
            self._release()
