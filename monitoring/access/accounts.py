"""Who may do what: roles and their permissions, accounts, passwords and sign-in.

Accounts live in the database (`users`); passwords are stored as argon2id hashes only.
Donors have no account: they reach the dashboard through a share link
(monitoring/access/sharing.py).
Every sign-in attempt is recorded per user name and client address, and repeated failures
are slowed down atomically, with a bound on the password checks running at once
(monitoring/access/throttle.py, docs/access.md). Changing an account ends its sign-in
sessions (monitoring/access/sessions.py).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from monitoring.access import throttle
from monitoring.access.markers import decides_who_is_looking, team_only
from monitoring.db import Database
from monitoring.db.errors import WRITE_CONFLICTS
from monitoring.i18n import N_, _, ngettext

# Roles, from the narrowest to the widest.
DONOR = "donor"
MANAGER = "manager"
STAFF = "staff"
ADMIN = "admin"
ROLES = (DONOR, MANAGER, STAFF, ADMIN)
ACCOUNT_ROLES = (MANAGER, STAFF, ADMIN)  # donors have share links, not accounts
# A role as a person reads it (the role's code stays the one to type on the command line).
ROLE_NAMES: dict[str, str] = {
    DONOR: N_("donor"),
    MANAGER: N_("manager"),
    STAFF: N_("staff"),
    ADMIN: N_("admin"),
}


def role_name(role: str | None) -> str:
    """A role's name in the current language (an unknown role as it is written)."""
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else str(role or "")


# Actions a role may be allowed.
VIEW = "view"  # open the dashboard pages (read-only)
DOWNLOAD = "download"  # download the tables shown (protected ones for donors)
SEE_PROTECTED = "see_protected"  # sensitive indicators and small counts, unprotected
UPLOAD = "upload"  # upload tables
UNDO = "undo"  # undo an upload batch
MANAGE_ACCOUNTS = "manage_accounts"  # add, remove, change accounts
MANAGE_SHARE_LINKS = "manage_share_links"  # create, list, revoke links; see their use
REVIEW = "review"  # open the Data quality page (docs/quality.md)
APPROVE = "approve"  # approve a quarter; mark values for follow-up and close follow-ups
REOPEN = "reopen"  # reopen an approved quarter, with a reason
ACTIONS = (
    VIEW,
    DOWNLOAD,
    SEE_PROTECTED,
    UPLOAD,
    UNDO,
    MANAGE_ACCOUNTS,
    MANAGE_SHARE_LINKS,
    REVIEW,
    APPROVE,
    REOPEN,
)

_MANAGER = frozenset({VIEW, DOWNLOAD, SEE_PROTECTED})
_STAFF = _MANAGER | {UPLOAD}
PERMISSIONS: dict[str, frozenset[str]] = {
    DONOR: frozenset({VIEW, DOWNLOAD}),
    MANAGER: _MANAGER | {REVIEW, APPROVE},
    STAFF: _STAFF | {REVIEW},
    ADMIN: _STAFF | {UNDO, MANAGE_ACCOUNTS, MANAGE_SHARE_LINKS, REVIEW, APPROVE, REOPEN},
}


class Page(NamedTuple):
    url_path: str  # the page's address, /url_path; its script is views/URL_PATH.py
    title: str  # in English: show it with page_title() (or _(title))


# The dashboard's pages, in navigation order (the first is the home page). ui/navigation.py
# gives each its script and icon; share links and the command line check page names here.
PAGES: tuple[Page, ...] = (
    Page("overview", N_("Overview")),
    Page("indicators", N_("Outcome indicators")),
    Page("map", N_("Regional map")),
    Page("grants", N_("Grant spending")),
    Page("milestones", N_("Advocacy milestones")),
    Page("quality", N_("Data quality")),
    Page("upload", N_("Data upload")),
    Page("admin", N_("Administration")),
)
PAGE_PATHS: tuple[str, ...] = tuple(p.url_path for p in PAGES)


def page_title(url_path: str) -> str:
    """A page's title in the current language (an unknown page: its address)."""
    return next((_(p.title) for p in PAGES if p.url_path == url_path), url_path)


# The action each page needs, by url_path. A page missing here is refused to every role,
# and a unit test fails until it is listed: who may open a new page is always a decision,
# never a default.
PAGE_ACTIONS: dict[str, str] = {
    "overview": VIEW,
    "indicators": VIEW,
    "map": VIEW,
    "grants": VIEW,
    "milestones": VIEW,
    "quality": REVIEW,
    "upload": UPLOAD,
    "admin": MANAGE_ACCOUNTS,
}

# Passwords. 15 characters is NIST SP 800-63B-4's minimum for a password that is the only
# factor; the maximum only keeps a hash request from becoming a denial of service.
MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")

# Slowing down repeated failed sign-ins, per user name and per client address, and the
# password checks at once: monitoring/access/throttle.py (the names below are its own).
SLOWDOWN_FREE_FAILURES = throttle.NAME_FREE_FAILURES
SLOWDOWN_WINDOW = throttle.WINDOW
SLOWDOWN_FIRST_DELAY = throttle.FIRST_DELAY
SLOWDOWN_MAX_DELAY = throttle.MAX_DELAY
ATTEMPT_RETENTION = throttle.ATTEMPT_RETENTION

# argon2id with the library's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4).
# A hash made with other parameters is replaced by a fresh one at the next sign-in.
PASSWORD_HASHER = PasswordHasher()


class AccountError(ValueError):
    """An account change that cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    user_name: str
    role: str
    created_by: str
    created_at: dt.datetime
    password_changed_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    has_password: bool  # False: signs in only through the organisation's identity provider

    def can(self, action: str) -> bool:
        return can(self.role, action)


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in attempt: the account, or why not and when to try again."""

    account: Account | None
    refused_for: dt.timedelta | None = None  # set when slowed down
    refused_because: str | None = None  # throttle.NAME, CLIENT or BUSY

    @property
    def ok(self) -> bool:
        return self.account is not None

    @property
    def message(self) -> str:
        if self.account is not None:
            return _("Signed in as {name} ({role}).").format(
                name=self.account.user_name, role=role_name(self.account.role)
            )
        if self.refused_for is not None:
            seconds = max(1, int(self.refused_for.total_seconds() + 0.999))
            wait = _duration_words(seconds)
            if self.refused_because == throttle.BUSY:
                return _(
                    "The dashboard is checking many sign-ins at this moment. Wait {wait}, "
                    "then try again."
                ).format(wait=wait)
            if self.refused_because == throttle.CLIENT:
                return _(
                    "Too many failed sign-ins from your network address. Wait {wait}, then "
                    "try again."
                ).format(wait=wait)
            return _(
                "Too many failed sign-ins for this user name. Wait {wait}, then try again."
            ).format(wait=wait)
        return _("That user name and password do not match an account. Check both and try again.")


def _duration_words(seconds: int) -> str:
    if seconds < 120:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    minutes = (seconds + 59) // 60
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- permissions ------------------------------------------------------------------------


def check_role(role: str, allowed: Collection[str] = ROLES) -> str:
    """`role` if it is one of `allowed`, else an AccountError naming the choices."""
    if role not in allowed:
        raise AccountError(
            _("There is no role {role}. Choose one of: {roles}.").format(
                role=repr(role), roles=", ".join(allowed)
            )
        )
    return role


def can(role: str | None, action: str) -> bool:
    """Whether `role` may do `action` (no role: nothing)."""
    return action in PERMISSIONS.get(role or "", frozenset())


def page_action(url_path: str) -> str | None:
    """The action a page needs, or None for a page nobody has been allowed to open."""
    return PAGE_ACTIONS.get(url_path)


def can_open_page(
    role: str | None, url_path: str, allowed_pages: Collection[str] | None = None
) -> bool:
    """Whether `role` may open the page; `allowed_pages` narrows it (a share link's pages)."""
    action = page_action(url_path)
    if action is None or not can(role, action):
        return False
    if role == DONOR and action != VIEW:
        return False
    return allowed_pages is None or url_path in allowed_pages


def visible_pages(
    role: str | None, url_paths: Iterable[str], allowed_pages: Collection[str] | None = None
) -> list[str]:
    """The pages of `url_paths` (in their order) that `role` may open: its navigation."""
    return [p for p in url_paths if can_open_page(role, p, allowed_pages)]


def donor_pages(url_paths: Iterable[str]) -> list[str]:
    """The pages of `url_paths` that a share link may open: read-only dashboard pages."""
    return visible_pages(DONOR, url_paths)


# --- passwords ----------------------------------------------------------------------------


def check_user_name(user_name: str) -> str:
    """The user name in its stored form (trimmed, lower case), or an AccountError."""
    name = (user_name or "").strip().lower()
    if not USER_NAME.fullmatch(name):
        raise AccountError(
            _(
                "{name} cannot be a user name. Use 1 to 64 letters a-z, digits and "
                ". _ @ - (for example {first} or {second}), starting with a letter or digit."
            ).format(name=repr(user_name), first="maria.k", second="m.karimova@example.org")
        )
    return name


def check_password(password: str, user_name: str = "") -> str:
    """`password` if it is acceptable as a new password, else an AccountError saying why."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "The password has {n} character; it needs at least {minimum}. A few "
                "unrelated words make a long password that is easy to type.",
                "The password has {n} characters; it needs at least {minimum}. A few "
                "unrelated words make a long password that is easy to type.",
                len(password),
            ).format(n=len(password), minimum=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            _("The password is longer than {maximum} characters.").format(
                maximum=MAX_PASSWORD_LENGTH
            )
        )
    if password.strip() != password:
        raise AccountError(_("The password starts or ends with a space; remove it."))
    if user_name and user_name.lower() in password.lower():
        raise AccountError(_("The password contains the user name; choose another."))
    return password


def hash_password(password: str) -> str:
    with throttle.password_work():  # one of the process's places: bounded memory
        return PASSWORD_HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Whether `password` matches, and a fresh hash to store when the old one is outdated."""
    try:
        PASSWORD_HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if PASSWORD_HASHER.check_needs_rehash(stored_hash):
        return True, PASSWORD_HASHER.hash(password)
    return True, None


_dummy_hash: str | None = None


def _spend_verify_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown name takes as long as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = PASSWORD_HASHER.hash("not the password of anyone at all")
    verify_password(_dummy_hash, password)


# --- accounts -------------------------------------------------------------------------------


def _account(row) -> Account:
    return Account(
        user_name=row.user_name,
        role=row.role,
        created_by=row.created_by,
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
        last_sign_in_at=row.last_sign_in_at,
        has_password=row.password_hash is not None,
    )


def _plain(value):
    """A value from a query result as plain Python: NaN/NaT as None, datetimes as datetime."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _rows(db: Database, user_name: str | None) -> list:
    return [
        SimpleNamespace(**{k: _plain(v) for k, v in row.items()})
        for row in db.records("access_users", user_name=user_name)
    ]


def list_users(db: Database) -> list[Account]:
    """Every account, oldest first."""
    return [_account(r) for r in _rows(db, None)]


@decides_who_is_looking
def get_user(db: Database, user_name: str) -> Account | None:
    """The account, or None (also for a name that cannot be a user name)."""
    try:
        name = check_user_name(user_name)
    except AccountError:
        return None
    rows = _rows(db, name)
    return _account(rows[0]) if rows else None


@team_only
def add_user(
    db: Database,
    user_name: str,
    role: str,
    password: str | None,
    *,
    by: str,
    now: dt.datetime | None = None,
) -> Account:
    """Create an account. `password` None: it signs in only through the identity provider."""
    name = check_user_name(user_name)
    check_account_role(role)
    password_hash = None if password is None else hash_password(check_password(password, name))
    at = now or now_utc()
    with db.transaction() as cur:
        exists = cur.execute("select 1 from users where user_name = ?", [name]).fetchone()
        if exists:
            raise AccountError(
                _(
                    "There is already an account {name}. Choose another name, or remove that "
                    "account first."
                ).format(name=repr(name))
            )
        cur.execute(
            "insert into users (user_name, role, password_hash, created_by, created_at, "
            "password_changed_at) values (?, ?, ?, ?, ?, ?)",
            [name, role, password_hash, by, at, at if password_hash else None],
        )
    return get_user(db, name)


def check_account_role(role: str) -> str:
    """`role` if an account may have it; donors get a share link instead."""
    if role == DONOR:
        raise AccountError(
            _("Donors have no account: create a share link for them instead ({command}).").format(
                command="python -m monitoring share create --label ... --expires 90d"
            )
        )
    return check_role(role, ACCOUNT_ROLES)


def require_user(db: Database, user_name: str) -> Account:
    """The account, or an AccountError that says how to list the accounts."""
    account = get_user(db, user_name)
    if account is None:
        raise AccountError(
            _("There is no account {name}. `{command}` shows them.").format(
                name=repr(user_name), command="python -m monitoring user list"
            )
        )
    return account


def _other_admins(db: Database, name: str) -> int:
    return sum(1 for a in list_users(db) if a.role == ADMIN and a.user_name != name)


@team_only
def remove_user(db: Database, user_name: str) -> Account:
    """Delete an account (its sign-in history stays). The last admin cannot be removed."""
    account = require_user(db, user_name)
    if account.role == ADMIN and _other_admins(db, account.user_name) == 0:
        raise AccountError(
            _(
                "{name} is the only admin; add another admin first, so that someone can "
                "still manage accounts and share links."
            ).format(name=account.user_name)
        )

    def write(cur):
        cur.execute("delete from users where user_name = ?", [account.user_name])
        end_sessions(cur, account.user_name, "removed", now_utc())

    _with_sessions(db, write)
    return account


@team_only
def set_role(db: Database, user_name: str, role: str) -> Account:
    """Change an account's role. The last admin cannot lose the role."""
    account = require_user(db, user_name)
    check_account_role(role)
    if account.role == ADMIN and role != ADMIN and _other_admins(db, account.user_name) == 0:
        raise AccountError(
            _("{name} is the only admin; add another admin first.").format(name=account.user_name)
        )

    def write(cur):
        cur.execute("update users set role = ? where user_name = ?", [role, account.user_name])
        if role != account.role:
            end_sessions(cur, account.user_name, "role_changed", now_utc())

    _with_sessions(db, write)
    return get_user(db, account.user_name)


@team_only
def change_password(
    db: Database,
    user_name: str,
    new_password: str | None,
    *,
    now: dt.datetime | None = None,
    keep_session: str | None = None,
) -> Account:
    """Set a new password (None: identity provider only). Earlier failures stop counting.
    Every sign-in session of the account ends, but `keep_session` (the one making the change)."""
    account = require_user(db, user_name)
    password_hash = (
        None
        if new_password is None
        else hash_password(check_password(new_password, account.user_name))
    )
    at = now or now_utc()

    def write(cur):
        cur.execute(
            "update users set password_hash = ?, password_changed_at = ? where user_name = ?",
            [password_hash, at if password_hash else None, account.user_name],
        )
        end_sessions(cur, account.user_name, "password_changed", at, keep=keep_session)

    _with_sessions(db, write)
    return get_user(db, account.user_name)


def _with_sessions(db: Database, write, tries: int = 5) -> None:
    """Run `write(cur)` in one transaction, again if it met a browser noting its session's
    use at the same moment (a conflict on that row): the sessions must end with the change."""
    for attempt in range(tries):
        try:
            with db.transaction() as cur:
                write(cur)
            return
        except WRITE_CONFLICTS:
            if attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def end_sessions(
    cur, user_name: str, because: str, at: dt.datetime, *, keep: str | None = None
) -> None:
    """End the account's open sign-in sessions (monitoring/access/sessions.py), all but
    `keep`, in the caller's transaction: its browsers are signed out at their next click."""
    cur.execute(
        "update sign_in_sessions set ended_at = ?, ended_because = ? "
        "where user_name = ? and ended_at is null and session_id is distinct from ?",
        [at, because, user_name, keep],
    )


# --- sign-in ------------------------------------------------------------------------------


def slowdown_delay(failures: int) -> dt.timedelta:
    """How long to wait after the latest failure, given the failures counted so far."""
    return throttle.slowdown_delay(failures, SLOWDOWN_FREE_FAILURES)


def sign_in_wait(
    db: Database, user_name: str, *, client: str | None = None, now: dt.datetime | None = None
) -> dt.timedelta:
    """How long this user name (from this address) must wait before the next attempt
    (zero: it may try now)."""
    refused = throttle.current_refusal(db, _attempt_name(user_name), client, now=now)
    return refused.wait if refused is not None else dt.timedelta(0)


def _attempt_name(user_name: str) -> str:
    # Every name is recorded, valid or not, so made-up names are slowed down too.
    return (user_name or "").strip().lower()[:64]


@decides_who_is_looking
def sign_in(
    db: Database,
    user_name: str,
    password: str,
    *,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> SignIn:
    """Check a user name and password from `client` (an address; None: the command line);
    record the attempt; slow down repeated failures (monitoring/access/throttle.py)."""
    at = now or now_utc()
    name = _attempt_name(user_name)
    password = password[: MAX_PASSWORD_LENGTH + 1]  # no password is longer; never hash megabytes
    with throttle.Turn(db, name, client, at) as turn:
        if not turn.ok:
            return SignIn(None, refused_for=turn.refused.wait, refused_because=turn.refused.reason)
        rows = _rows(db, name) if USER_NAME.fullmatch(name) else []
        stored = rows[0].password_hash if rows else None
        if stored is None:
            _spend_verify_time(password)
            turn.finish("unknown_user" if not rows else "wrong_password")
            return SignIn(None)
        ok, new_hash = verify_password(stored, password)
        if not ok:
            turn.finish("wrong_password")
            return SignIn(None)
        if new_hash is not None:
            with db.transaction() as cur:
                cur.execute(
                    "update users set password_hash = ? where user_name = ?", [new_hash, name]
                )
        turn.finish("success")
    return SignIn(get_user(db, name))
