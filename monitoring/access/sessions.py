"""Sign-in sessions: what a browser holds after a password or one-time-link sign-in.

A sign-in starts a session (a row of `sign_in_sessions`) and gives the page a one-time
**ticket**. The browser exchanges the ticket, within `TICKET_LIFETIME`, at the dashboard's
address for it (ui/session_cookie.py) for a **cookie**: the session's id and a random secret,
signed with the links' secret (itsdangerous), set HttpOnly and SameSite=Strict by the
server. Only SHA-256 hashes of the ticket and the secret are stored.

Every run of the dashboard checks the cookie the browser sent (`check`): a Streamlit session
id alone signs nobody in, and the sign-in lasts across reloads and tabs. A session ends when
its account signs out, changes password or role, or is removed (`accounts.end_sessions`),
after `idle` without use and `maximum` after the sign-in (the `[access]` settings). Sessions
live in the database, so every process serving the dashboard shares them. docs/access.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd
from itsdangerous import BadSignature, URLSafeSerializer

from monitoring.access import accounts, sharing
from monitoring.access.markers import decides_who_is_looking
from monitoring.db import Database
from monitoring.db.errors import WRITE_CONFLICTS
from monitoring.i18n import _, ngettext

PASSWORD, LINK = "password", "link"  # how the session was signed in
TICKET_LIFETIME = dt.timedelta(minutes=2)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often
RETENTION = dt.timedelta(days=90)  # sessions ended (or started) longer ago are deleted
MAX_COOKIE_LENGTH = 512
_SALT = "monitoring.session-cookie"

# Why a session ended (sign_in_sessions.ended_because).
SIGNED_OUT = "signed_out"
REPLACED = "replaced"  # the browser signed in again
PASSWORD_CHANGED = "password_changed"
ROLE_CHANGED = "role_changed"
REMOVED = "removed"
IDLE = "idle"
TOO_LONG = "too_long"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _serializer(secret: str | None) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret or sharing.share_secret(),
        salt=_SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _datetime(value) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


@dataclass(frozen=True)
class Started:
    """A new session, and the ticket its browser exchanges for the cookie."""

    session_id: str
    ticket: str


@decides_who_is_looking
def start(
    db: Database,
    user_name: str,
    method: str,
    *,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> Started:
    """Start a session for an account that has just signed in (password or link)."""
    if method not in (PASSWORD, LINK):
        raise ValueError(f"Unknown sign-in method {method!r}.")
    at = now or accounts.now_utc()
    session_id, ticket = secrets.token_urlsafe(18), secrets.token_urlsafe(32)
    with db.transaction() as cur:
        cur.execute(
            "insert into sign_in_sessions (session_id, user_name, method, client, created_at, "
            "ticket_hash, last_seen_at) values (?, ?, ?, ?, ?, ?, ?)",
            [session_id, user_name, method, client, at, _hash(ticket), at],
        )
    _write_quietly(
        db,
        lambda cur: cur.execute(
            "delete from sign_in_sessions where coalesce(ended_at, last_seen_at) < ?",
            [at - RETENTION],
        ),
    )
    return Started(session_id, ticket)


def _read_cookie(cookie: str | None, secret: str | None) -> tuple[str, str] | None:
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return None
    try:
        payload = _serializer(secret).loads(cookie)
    except BadSignature:
        return None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(p, str) and p for p in payload)
    ):
        return None
    return payload[0], payload[1]


@decides_who_is_looking
def claim(
    db: Database,
    ticket: str,
    *,
    replacing: str | None = None,
    now: dt.datetime | None = None,
    secret: str | None = None,
) -> str | None:
    """The cookie for a ticket: once, within TICKET_LIFETIME, for a session not ended.
    `replacing`: the cookie the browser held before, whose session ends (it signed in again).
    None when the ticket opens nothing."""
    at = now or accounts.now_utc()
    if not ticket or len(ticket) > MAX_COOKIE_LENGTH:
        return None
    key = secret or sharing.share_secret()
    token = secrets.token_urlsafe(32)
    try:
        with db.transaction() as cur:
            row = cur.execute(
                "select session_id, created_at from sign_in_sessions where ticket_hash = ? "
                "and claimed_at is null and ended_at is null",
                [_hash(ticket)],
            ).fetchone()
            if row is None or at >= _datetime(row[1]) + TICKET_LIFETIME:
                return None
            session_id = row[0]
            cur.execute(
                "update sign_in_sessions set ticket_hash = null, secret_hash = ?, "
                "claimed_at = ?, last_seen_at = ? where session_id = ?",
                [_hash(token), at, at, session_id],
            )
            old = _read_cookie(replacing, key)
            if old is not None and old[0] != session_id:
                cur.execute(
                    "update sign_in_sessions set ended_at = ?, ended_because = ? "
                    "where session_id = ? and ended_at is null",
                    [at, REPLACED, old[0]],
                )
    except WRITE_CONFLICTS:
        return None  # the same ticket claimed at the same moment: the other claim won
    return _serializer(key).dumps([session_id, token])


@dataclass(frozen=True)
class SessionCheck:
    """What a browser's cookie signs in: an account, or why nobody (a notice, or none)."""

    account: accounts.Account | None
    session_id: str | None = None
    user_name: str | None = None
    ended_because: str | None = None  # set when the cookie's session has ended
    idle: dt.timedelta | None = None
    maximum: dt.timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.account is not None

    @property
    def notice(self) -> str | None:
        """Why the browser's sign-in ended, for the sign-in form; None: nothing to say."""
        why, name = self.ended_because, self.user_name
        if why == PASSWORD_CHANGED:
            return _(
                "You were signed out: the password of {name} was changed. Sign in again."
            ).format(name=name)
        if why == ROLE_CHANGED:
            return _("You were signed out: the role of {name} was changed. Sign in again.").format(
                name=name
            )
        if why == REMOVED:
            return _("The account {name} no longer exists or was renamed; sign in again.").format(
                name=name
            )
        if why == IDLE:
            minutes = int(self.idle.total_seconds() // 60) if self.idle else 0
            return ngettext(
                "You were signed out after {n} minute without using the dashboard. Sign in again.",
                "You were signed out after {n} minutes without using the dashboard. Sign in again.",
                minutes,
            ).format(n=minutes)
        if why == TOO_LONG:
            hours = int(self.maximum.total_seconds() // 3600) if self.maximum else 0
            return ngettext(
                "You were signed out: a sign-in lasts at most {n} hour. Sign in again.",
                "You were signed out: a sign-in lasts at most {n} hours. Sign in again.",
                hours,
            ).format(n=hours)
        return None


def _end(cur, session_id: str, because: str, at: dt.datetime) -> None:
    cur.execute(
        "update sign_in_sessions set ended_at = ?, ended_because = ? "
        "where session_id = ? and ended_at is null",
        [at, because, session_id],
    )


@decides_who_is_looking
def check(
    db: Database,
    cookie: str | None,
    *,
    idle: dt.timedelta,
    maximum: dt.timedelta,
    now: dt.datetime | None = None,
    secret: str | None = None,
) -> SessionCheck:
    """The account a browser's cookie signs in now, or why none. Ends a session found idle
    or too long; notes its use (at most every TOUCH_EVERY)."""
    at = now or accounts.now_utc()
    read = _read_cookie(cookie, secret)
    if read is None:
        return SessionCheck(None)
    session_id, token = read
    with db.cursor() as cur:
        row = cur.execute(
            "select user_name, secret_hash, created_at, last_seen_at, ended_because "
            "from sign_in_sessions where session_id = ?",
            [session_id],
        ).fetchone()
    if row is None or row[1] is None or not secrets.compare_digest(row[1], _hash(token)):
        return SessionCheck(None)
    user_name, _role, created_at, last_seen_at, ended_because = row
    created_at, last_seen_at = _datetime(created_at), _datetime(last_seen_at)

    def ended(because: str) -> SessionCheck:
        return SessionCheck(None, session_id, user_name, because, idle, maximum)

    if ended_because is not None:
        return ended(ended_because)
    because = TOO_LONG if at >= created_at + maximum else IDLE if at > last_seen_at + idle else None
    account = accounts.get_user(db, user_name)
    if account is None:
        because = REMOVED
    if because is not None:
        _write_quietly(db, lambda cur: _end(cur, session_id, because, at))
        return ended(because)
    if at >= last_seen_at + TOUCH_EVERY:
        _write_quietly(
            db,
            lambda cur: cur.execute(
                "update sign_in_sessions set last_seen_at = ? where session_id = ? "
                "and ended_at is null",
                [at, session_id],
            ),
        )
    return SessionCheck(account, session_id, user_name, None, idle, maximum)


def _write_quietly(db: Database, write) -> None:
    """A small write another run of the same session may be making at the same moment: the
    loser of such a conflict leaves it to the winner."""
    try:
        with db.transaction() as cur:
            write(cur)
    except WRITE_CONFLICTS:
        pass


@decides_who_is_looking
def end(
    db: Database, cookie: str | None, because: str = SIGNED_OUT, *, now=None, secret=None
) -> None:
    """End the session of a browser's cookie (signing out)."""
    read = _read_cookie(cookie, secret)
    if read is None:
        return
    at = now or accounts.now_utc()
    _write_quietly(db, lambda cur: _end(cur, read[0], because, at))


def open_sessions(db: Database) -> pd.DataFrame:
    """Sessions whose browser holds its cookie and that have not ended, newest first."""
    with db.cursor() as cur:
        return cur.execute(
            "select session_id, user_name, method, client, created_at, last_seen_at "
            "from sign_in_sessions where ended_at is null and claimed_at is not null "
            "order by created_at desc"
        ).df()
