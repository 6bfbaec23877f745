"""Tables for the administration page: accounts, share links and their use, as shown.

Their cells are in the current language; their column names are in English (the page reads
them) and marked for translation: `shown(table)` gives them in the current language."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.access import accounts, sharing
from monitoring.access.markers import team_only
from monitoring.db import Database
from monitoring.i18n import N_, _

LINK_STATUS = {
    "active": N_("✔ active"),
    "expired": N_("○ expired"),
    "revoked": N_("✖ revoked"),
}
USE_OUTCOME = {
    "opened": N_("✔ opened"),
    "expired": N_("○ refused: expired"),
    "revoked": N_("✖ refused: revoked"),
}
DOWNLOAD_KINDS = {sharing.TABLES: N_("tables"), sharing.REPORTS: N_("reports")}


def link_status(code: str) -> str:
    """A link's status (icon and word) in the current language."""
    return _(LINK_STATUS[code])


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """A table of this module with its column names in the current language."""
    return table.rename(columns={c: _(c) for c in table.columns})


def _utc(values) -> pd.Series:
    """Times as UTC without a zone suffix (the column's name says UTC)."""
    series = pd.to_datetime(pd.Series(values, dtype="object"), utc=True)
    return series.dt.tz_localize(None).dt.floor("s")


def _listed(values, name=str) -> str:
    if values is None or (not hasattr(values, "__len__") and pd.isna(values)):
        return _("all")
    return ", ".join(name(v) for v in values)


def downloads_text(values) -> str:
    """What a link's donor may download, in words."""
    kinds = [] if values is None or not hasattr(values, "__len__") else list(values)
    words = [_(DOWNLOAD_KINDS[k]) if k in DOWNLOAD_KINDS else str(k) for k in kinds]
    if not words:
        return _("nothing")
    if len(words) == 1:
        return words[0]
    return _("{first} and {second}").format(first=", ".join(words[:-1]), second=words[-1])


@team_only
def accounts_table(db: Database) -> pd.DataFrame:
    """Every account as an administrator sees it (never the password hash)."""
    rows = accounts.list_users(db)
    return pd.DataFrame(
        {
            N_("User name"): [a.user_name for a in rows],
            N_("Role"): [accounts.role_name(a.role) for a in rows],
            N_("Signs in with"): [
                _("password") if a.has_password else _("identity provider or a sign-in link")
                for a in rows
            ],
            N_("Created by"): [a.created_by for a in rows],
            N_("Created (UTC)"): _utc([a.created_at for a in rows]),
            N_("Last sign-in (UTC)"): _utc([a.last_sign_in_at for a in rows]),
        },
        columns=[
            "User name",
            "Role",
            "Signs in with",
            "Created by",
            "Created (UTC)",
            "Last sign-in (UTC)",
        ],
    )


@team_only
def links_table(db: Database, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every share link, newest first, with its status (icon and word), scope and uses."""
    frame = sharing.list_share_links(db, now=now)
    return pd.DataFrame(
        {
            N_("Link"): frame.link_id.astype("int64"),
            N_("Label"): frame.label,
            N_("Status"): frame.status.map(link_status),
            N_("Regions"): frame.regions.map(_listed),
            N_("Pages"): frame.pages.map(lambda p: _listed(p, accounts.page_title)),
            N_("Downloads"): frame.downloads.map(downloads_text),
            N_("Created by"): frame.created_by,
            N_("Expires (UTC)"): _utc(frame.expires_at),
            N_("Opened"): frame.uses.astype("int64"),
            N_("Last opened (UTC)"): _utc(frame.last_used_at),
            N_("Refused"): frame.refused_uses.astype("int64"),
        }
    )


@team_only
def uses_table(db: Database, link_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """The log of every use of the share links, newest first."""
    frame = sharing.share_link_uses(db, link_id, limit=limit)
    return pd.DataFrame(
        {
            N_("When (UTC)"): _utc(frame.used_at),
            N_("Link"): frame.link_id.astype("int64"),
            N_("Label"): frame.label,
            N_("Page"): frame.page.fillna("").map(lambda p: accounts.page_title(p) if p else ""),
            N_("Outcome"): frame.outcome.map(
                lambda o: _(USE_OUTCOME[o]) if o in USE_OUTCOME else o
            ),
        }
    )
