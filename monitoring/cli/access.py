"""Command line for access: `python -m monitoring user ...` and `... share ...`.

Refusals (an existing account, a short password, an unknown region ...) raise ValueError
subclasses, which `monitoring.cli.main` prints as `error: ...` with exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys

import pandas as pd

from monitoring import i18n
from monitoring.access import accounts, sharing, signin_links
from monitoring.cli import remote
from monitoring.db import Database, DatabaseError, open_database
from monitoring.i18n import N_, _
from monitoring.settings import load_settings

DB_HELP = N_("database file (default: $MONITORING_DB or data/monitoring.duckdb)")


def existing_database(path: str | None) -> Database:
    """The database at `path`, opened; a refusal (exit 2) naming `init` when it is missing."""
    db = open_database(path)
    if not db.path.exists():
        raise ValueError(
            _("The database {path} does not exist. Create it first: {command}").format(
                path=db.path, command=f"python -m monitoring init --db {db.path}"
            )
        )
    db.connection()
    return db


def local_user() -> str | None:
    """Who runs the command, as the system knows them (None where it does not); for a
    command the running dashboard runs for the command line, who ran it there (remote.py)."""
    if remote.in_job():
        return remote.caller()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _operator(args: argparse.Namespace) -> str:
    if getattr(args, "by", None):
        return args.by
    user = local_user()
    return f"{user} (command line)" if user else "command line"


def finish_command(parser: argparse.ArgumentParser, func, *, by: str | None = None) -> None:
    """The options a database command ends with: --by (`by`: who does what), --db; its `func`."""
    if by:
        parser.add_argument(
            "--by", metavar="NAME", help=_("{who} (default: your user name)").format(who=by)
        )
    parser.add_argument("--db", help=_(DB_HELP))
    parser.set_defaults(func=func)


def read_password(user_name: str, stdin=None) -> str:
    """A new password: typed twice without echo at a terminal, else one line of stdin."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass(_("New password for {name}: ").format(name=user_name))
        if getpass.getpass(_("Type it again: ")) != first:
            raise accounts.AccountError(_("The two passwords differ; nothing was changed."))
        return first
    line = stdin.readline().rstrip("\r\n")
    if not line:
        raise accounts.AccountError(
            _(
                "No password: type it when asked, or pipe one line to standard input "
                "(or use --no-password for sign-in through the identity provider only)."
            )
        )
    return line


def _when(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")


def cmd_user_add(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    accounts.check_user_name(args.name)
    accounts.check_account_role(args.role)
    password = None if args.no_password else read_password(args.name)
    account = accounts.add_user(db, args.name, args.role, password, by=_operator(args))
    text = (
        _("Account {name} ({role}) created; it signs in with a password.")
        if account.has_password
        else _("Account {name} ({role}) created; it signs in through the identity provider only.")
    )
    print(text.format(name=account.user_name, role=account.role))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    users = accounts.list_users(existing_database(args.db))
    if not users:
        print(
            _("No accounts yet. Add one: {command}").format(
                command="python -m monitoring user add NAME --role admin"
            )
        )
        return 0
    frame = pd.DataFrame(
        {
            _("user"): [a.user_name for a in users],
            _("role"): [a.role for a in users],
            _("signs in with"): [
                _("password") if a.has_password else _("identity provider") for a in users
            ],
            _("created"): [_when(a.created_at) for a in users],
            _("created by"): [a.created_by for a in users],
            _("last sign-in"): [_when(a.last_sign_in_at) or _("never") for a in users],
        }
    )
    print(frame.to_string(index=False))
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    account = accounts.remove_user(existing_database(args.db), args.name)
    print(_("Account {name} ({role}) removed.").format(name=account.user_name, role=account.role))
    return 0


def cmd_user_password(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    account = accounts.require_user(db, args.name)
    password = None if args.no_password else read_password(account.user_name)
    accounts.change_password(db, account.user_name, password)
    print(_("Password of {name} changed.").format(name=account.user_name))
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    account = accounts.set_role(existing_database(args.db), args.name, args.role)
    print(_("{name} is now {role}.").format(name=account.user_name, role=account.role))
    return 0


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [p for p in (s.strip() for s in text.split(",")) if p]


def cmd_share_create(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    expires_in = sharing.parse_duration(args.expires)
    url = sharing.base_url(args.base_url)  # checked before anything is written
    link_id, token = sharing.create_share_link(
        db,
        args.label,
        expires_in,
        by=_operator(args),
        regions=_split(args.regions),
        pages=_split(args.pages),
        downloads=_split(args.downloads),
        unapproved=args.unapproved,
    )
    link = sharing.get_share_link(db, link_id)
    print(
        _("Share link {id} ({label}) created: {scope}; expires {when}.").format(
            id=link_id,
            label=link["label"],
            scope=_scope_words(link),
            when=_when(link["expires_at"]),
        )
    )
    print(_("Anyone with this address sees that view until it expires or is revoked:"))
    print(sharing.share_url(token, url=url, lang=args.donor_lang))
    if overlaps := sharing.overlapping_links(db, link_id, load_settings()):
        print(sharing.overlap_warning(overlaps), file=sys.stderr)
    return 0


def _listed(values) -> str:
    if values is None or (not hasattr(values, "__len__") and pd.isna(values)):
        return _("all")
    return ",".join(values)


def _downloads(values) -> str:
    if values is None or not hasattr(values, "__len__") or not len(values):
        return sharing.NO_DOWNLOADS
    return ",".join(values)


def _scope_words(link: dict) -> str:
    return _("regions {regions}, pages {pages}, downloads {downloads}").format(
        regions=_listed(link["regions"]),
        pages=_listed(link["pages"]),
        downloads=_downloads(link["downloads"]),
    )


def cmd_share_list(args: argparse.Namespace) -> int:
    frame = sharing.list_share_links(existing_database(args.db))
    if frame.empty:
        print(
            _("No share links yet. Create one: {command}").format(
                command='python -m monitoring share create --label "..." --expires 90d'
            )
        )
        return 0
    shown = pd.DataFrame(
        {
            _("id"): frame.link_id,
            _("label"): frame.label,
            _("status"): frame.status,
            _("regions"): frame.regions.map(_listed),
            _("pages"): frame.pages.map(_listed),
            _("downloads"): frame.downloads.map(_downloads),
            _("created by"): frame.created_by,
            _("expires"): frame.expires_at.map(_when),
            _("uses"): frame.uses,
            _("last used"): frame.last_used_at.map(_when),
        }
    )
    print(shown.to_string(index=False))
    return 0


def cmd_share_revoke(args: argparse.Namespace) -> int:
    link = sharing.revoke_share_link(existing_database(args.db), args.id, by=_operator(args))
    print(
        _("Share link {id} ({label}) revoked: it opens nothing any more.").format(
            id=link["link_id"], label=link["label"]
        )
    )
    return 0


def cmd_share_log(args: argparse.Namespace) -> int:
    frame = sharing.share_link_uses(existing_database(args.db), args.link, limit=args.limit)
    if frame.empty:
        print(_("No share link has been used yet."))
        return 0
    shown = frame.assign(used_at=frame.used_at.map(_when), page=frame.page.fillna(""))
    print(shown[["used_at", "link_id", "label", "page", "outcome"]].to_string(index=False))
    return 0


def cmd_user_link(args: argparse.Namespace) -> int:
    name = accounts.check_user_name(args.name)
    lifetime = sharing.parse_duration(args.expires)
    base = sharing.base_url(args.base_url)
    try:
        db = existing_database(args.db)
    except DatabaseError:
        # The running dashboard holds the database: the link needs only the secret, and it
        # signs in only an account that exists when it is opened.
        print(
            _(
                "note: the database is in use by the dashboard, so whether the account "
                "{name} exists was not checked; the link signs in only if it does."
            ).format(name=repr(name)),
            file=sys.stderr,
        )
        token = signin_links.make_token(name, lifetime=lifetime)
        url = f"{base}/?{signin_links.SIGNIN_PARAM}={token}"
    else:
        url = signin_links.sign_in_url(db, name, lifetime=lifetime, url=base)
    print(
        _("One-time sign-in link for {name}, valid for {lifetime} (it works once):").format(
            name=name, lifetime=args.expires
        )
    )
    print(url)
    return 0


def cmd_first_start(args: argparse.Namespace) -> int:
    db = existing_database(args.db)
    started = signin_links.first_start(db, url=args.base_url)
    if started.created_admin:
        print(
            _(
                "Created the local administrator account '{name}' "
                "(no password: nobody can sign in with a password yet)."
            ).format(name=signin_links.FIRST_ADMIN)
        )
    if started.url:
        print(_("Open this one-time link to sign in as the administrator (valid for 1 hour), then"))
        print(_("set a password on the Administration page:"))
        print(f"\n    {started.url}\n")
    else:
        print(
            _(
                "Sign in with your account. An administrator can print a one-time sign-in link "
                "with: {command}"
            ).format(command="python -m monitoring user link NAME")
        )
    return 0


def add_access_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `user` and `share` commands to the parser of `python -m monitoring`."""
    user = sub.add_parser("user", help=_("manage the accounts of managers, staff and admins"))
    users = user.add_subparsers(dest="user_command", required=True)

    add = users.add_parser(
        "add",
        help=_("create an account"),
        description=_(
            "Create an account. The password is asked twice without echo at a "
            "terminal, or read as one line from standard input in scripts."
        ),
    )
    add.add_argument("name", metavar="NAME", help=_("user name, e.g. maria.k"))
    add.add_argument("--role", required=True, choices=accounts.ACCOUNT_ROLES)
    add.add_argument(
        "--no-password",
        action="store_true",
        help=_("no password: the account signs in through the identity provider only"),
    )
    finish_command(add, cmd_user_add, by=_("who creates it"))

    lst = users.add_parser("list", help=_("list the accounts"))
    finish_command(lst, cmd_user_list)

    rm = users.add_parser("remove", help=_("delete an account (never the last admin)"))
    rm.add_argument("name", metavar="NAME")
    finish_command(rm, cmd_user_remove)

    pw = users.add_parser(
        "password", help=_("set a new password (read like {command})").format(command="`user add`")
    )
    pw.add_argument("name", metavar="NAME")
    pw.add_argument("--no-password", action="store_true", help=_("identity provider only"))
    finish_command(pw, cmd_user_password)

    role = users.add_parser("role", help=_("change an account's role"))
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", metavar="ROLE", choices=accounts.ACCOUNT_ROLES)
    finish_command(role, cmd_user_role)

    link = users.add_parser(
        "link",
        help=_("print a one-time sign-in link for an account"),
        description=_(
            "Print an address that signs the account in once, e.g. for a first "
            "sign-in or a forgotten password. Anyone who has it can sign in as that account "
            "until it is used or expires: send it by a channel you trust."
        ),
    )
    link.add_argument("name", metavar="NAME")
    link.add_argument(
        "--expires", default="1h", metavar="DURATION", help=_("lifetime: 1h (default) up to 7d")
    )
    link.add_argument("--base-url", metavar="URL", help=_("the dashboard's address"))
    finish_command(link, cmd_user_link)

    first = sub.add_parser(
        "first-start",
        help=_("create the local admin if there is no account; print its sign-in link"),
        description=_(
            "Run by `make run`. With no account in the database, creates the account "
            "'{name}' (role admin, no password). While that account has no "
            "password, prints a one-time sign-in link for it."
        ).format(name=signin_links.FIRST_ADMIN),
    )
    first.add_argument("--base-url", metavar="URL", help=_("the dashboard's address"))
    finish_command(first, cmd_first_start)

    share = sub.add_parser("share", help=_("manage donor share links"))
    shares = share.add_subparsers(dest="share_command", required=True)

    create = shares.add_parser(
        "create",
        help=_("create a share link and print its address"),
        description=_(
            "Create a read-only link for a donor, limited to some regions and pages, "
            "that expires. Sensitive indicators and small counts are protected in its view."
        ),
    )
    create.add_argument(
        "--label",
        required=True,
        help=_("who it is for, e.g. {example}").format(example="'USIP Q3 review'"),
    )
    create.add_argument(
        "--expires", required=True, metavar="DURATION", help=_("lifetime: 90d, 12w or 48h")
    )
    create.add_argument(
        "--regions", metavar="CODES", help=_("region codes, e.g. UZ-JI,UZ-NG (default: all)")
    )
    create.add_argument(
        "--pages",
        metavar="PAGES",
        help=_("pages, e.g. {example} (default: all)").format(example="overview,indicators"),
    )
    create.add_argument(
        "--downloads",
        metavar="KINDS",
        help=_("what its donor may download: {kinds} (default) or {none}").format(
            kinds="tables, reports, tables,reports", none="none"
        ),
    )
    create.add_argument(
        "--unapproved",
        action="store_true",
        help=_("show quarters not yet approved too (default: approved quarters only)"),
    )
    create.add_argument(
        "--donor-lang",
        choices=list(i18n.LANGUAGES),
        help=_("the language the link opens in (default: the donor's browser's)"),
    )
    create.add_argument(
        "--base-url",
        metavar="URL",
        help=_("the dashboard's address (default: ${variable} or {url})").format(
            variable=sharing.BASE_URL_ENV, url=sharing.DEFAULT_BASE_URL
        ),
    )
    finish_command(create, cmd_share_create, by=_("who creates it"))

    slist = shares.add_parser("list", help=_("list share links with their status and uses"))
    finish_command(slist, cmd_share_list)

    revoke = shares.add_parser("revoke", help=_("withdraw a share link at once"))
    revoke.add_argument(
        "id",
        metavar="ID",
        type=int,
        help=_("the link's id (see {command})").format(command="share list"),
    )
    finish_command(revoke, cmd_share_revoke, by=_("who revokes"))

    log = shares.add_parser("log", help=_("every use of the share links, newest first"))
    log.add_argument("--link", type=int, metavar="ID", help=_("one link only"))
    log.add_argument("--limit", type=int, default=100, help=_("how many uses (default 100)"))
    finish_command(log, cmd_share_log)
