"""One-time sign-in links, and the first start of a fresh installation.

A sign-in link, `BASE/?signin=TOKEN`, signs its holder in as one account, once, within its
lifetime (default one hour). The token is the user name, a random nonce and an expiry,
signed with itsdangerous under the same secret as the share links (a different salt, so
one kind of token can never pass for the other). Redeeming a token records its nonce in
`sign_in_link_uses`; a second use is refused.

The first start (`python -m monitoring first-start`, run by `make run`) creates the local
admin account `admin` without a password when the database has no account, and prints a
sign-in link for it for as long as that account has no password: no default password
exists, and only someone who can run commands on the server can sign in. See docs/access.md.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from monitoring.access import accounts, sharing
from monitoring.access.markers import decides_who_is_looking
from monitoring.db import Database
from monitoring.db.errors import CONSTRAINT_ERRORS, WRITE_CONFLICTS
from monitoring.i18n import _

SIGNIN_PARAM = "signin"
DEFAULT_LIFETIME = dt.timedelta(hours=1)
MAX_LIFETIME = dt.timedelta(days=7)
FIRST_ADMIN = "admin"
FIRST_START_BY = "first start"
_SALT = "monitoring.sign-in-link"
NEW_LINK_COMMAND = "python -m monitoring user link NAME"  # prints a new sign-in link


@dataclass(frozen=True)
class Redeemed:
    """The answer to a sign-in link: the account signed in, or why not."""

    account: accounts.Account | None
    message: str

    @property
    def ok(self) -> bool:
        return self.account is not None


def _serializer(secret: str | None) -> URLSafeSerializer:
    return URLSafeSerializer(secret or sharing.share_secret(), salt=_SALT)


def make_token(
    user_name: str,
    *,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
    now: dt.datetime | None = None,
    secret: str | None = None,
) -> str:
    """A token that signs `user_name` in once before `lifetime` has passed."""
    if not dt.timedelta(0) < lifetime <= MAX_LIFETIME:
        raise accounts.AccountError(
            f"A sign-in link lasts more than no time and at most {MAX_LIFETIME.days} days."
        )
    name = accounts.check_user_name(user_name)
    expires = (now or accounts.now_utc()) + lifetime
    payload = {"u": name, "n": secrets.token_urlsafe(16), "e": int(expires.timestamp())}
    return _serializer(secret).dumps(payload)


def sign_in_url(
    db: Database,
    user_name: str,
    *,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
    url: str | None = None,
    secret: str | None = None,
) -> str:
    """The address that signs an existing account in once: BASE/?signin=TOKEN."""
    account = accounts.require_user(db, user_name)
    token = make_token(account.user_name, lifetime=lifetime, secret=secret)
    return f"{sharing.base_url(url)}/?{SIGNIN_PARAM}={token}"


def _read(token: str, secret: str | None) -> tuple[str, str, int] | None:
    """(user name, nonce, expiry) of a token whose signature holds, else None."""
    try:
        payload = _serializer(secret).loads((token or "")[: sharing.MAX_TOKEN_LENGTH])
        return str(payload["u"]), str(payload["n"]), int(payload["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


@decides_who_is_looking
def redeem(
    db: Database, token: str, *, now: dt.datetime | None = None, secret: str | None = None
) -> Redeemed:
    """Sign in with a link's token: once, before it expires, for an account that exists."""
    at = now or accounts.now_utc()
    read = _read(token, secret)
    if read is None:
        return Redeemed(
            None,
            _(
                "This sign-in link is not valid: it was changed or copied incompletely. "
                "`{command}` prints a new one."
            ).format(command=NEW_LINK_COMMAND),
        )
    name, nonce, expires = read
    if at.timestamp() >= expires:
        return Redeemed(
            None,
            _("This sign-in link has expired. `{command}` prints a new one.").format(
                command=NEW_LINK_COMMAND
            ),
        )
    account = accounts.get_user(db, name)
    if account is None:
        return Redeemed(
            None,
            _("The account {name} of this sign-in link no longer exists.").format(name=repr(name)),
        )
    used_already = Redeemed(
        None,
        _(
            "This sign-in link has been used already; each works once. `{command}` prints a "
            "new one."
        ).format(command=NEW_LINK_COMMAND),
    )
    try:
        with db.transaction() as cur:
            if cur.execute("select 1 from sign_in_link_uses where nonce = ?", [nonce]).fetchone():
                return used_already
            cur.execute(
                "insert into sign_in_link_uses (nonce, user_name, used_at) values (?, ?, ?)",
                [nonce, name, at],
            )
            cur.execute(
                "insert into sign_in_attempts (user_name, attempted_at, outcome) "
                "values (?, ?, 'success')",
                [name, at],
            )
    except (*CONSTRAINT_ERRORS, *WRITE_CONFLICTS):
        return used_already  # the same link opened twice at the same moment: one wins
    return Redeemed(
        accounts.get_user(db, name),
        _("Signed in as {name} ({role}).").format(name=name, role=accounts.role_name(account.role)),
    )


@decides_who_is_looking
def use_up(
    db: Database, token: str, *, now: dt.datetime | None = None, secret: str | None = None
) -> bool:
    """Use a link's token up without signing anyone in (it came in an address with a share
    link, which wins: docs/access.md). True when a valid, unused token was used up."""
    at = now or accounts.now_utc()
    read = _read(token, secret)
    if read is None or at.timestamp() >= read[2]:
        return False
    name, nonce, _expires = read
    try:
        with db.transaction() as cur:
            if cur.execute("select 1 from sign_in_link_uses where nonce = ?", [nonce]).fetchone():
                return False
            cur.execute(
                "insert into sign_in_link_uses (nonce, user_name, used_at, signed_in) "
                "values (?, ?, ?, false)",
                [nonce, name, at],
            )
    except (*CONSTRAINT_ERRORS, *WRITE_CONFLICTS):
        return False
    return True


@dataclass(frozen=True)
class FirstStart:
    """What the first start did: created the local admin, and the link to print (if any)."""

    created_admin: bool
    url: str | None


def first_start(db: Database, *, url: str | None = None) -> FirstStart:
    """Create the local admin when there is no account; a sign-in link while it has no password."""
    created = False
    if not accounts.list_users(db):
        accounts.add_user(db, FIRST_ADMIN, accounts.ADMIN, None, by=FIRST_START_BY)
        created = True
    admin = accounts.get_user(db, FIRST_ADMIN)
    if admin is None or admin.created_by != FIRST_START_BY or admin.has_password:
        return FirstStart(created, None)
    return FirstStart(created, sign_in_url(db, FIRST_ADMIN, url=url))
