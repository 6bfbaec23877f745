"""Tables for the administration page: accounts, share links and their use, as shown."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from monitoring.access import accounts, sharing
from monitoring.access.markers import team_only
from monitoring.db import Database

LINK_STATUS = {
    "active": "✔ active",
    "expired": "○ expired",
    "revoked": "✖ revoked",
}
USE_OUTCOME = {
    "opened": "✔ opened",
    "expired": "○ refused: expired",
    "revoked": "✖ refused: revoked",
}


def _utc(values) -> pd.Series:
    """Times as UTC without a zone suffix (the column's name says UTC)."""
    series = pd.to_datetime(pd.Series(values, dtype="object"), utc=True)
    return series.dt.tz_localize(None).dt.floor("s")


def _listed(values) -> str:
    if values is None or (not hasattr(values, "__len__") and pd.isna(values)):
        return "all"
    return ", ".join(values)


def downloads_text(values) -> str:
    """What a link's donor may download, in words."""
    kinds = [] if values is None or not hasattr(values, "__len__") else list(values)
    return " and ".join(kinds) if kinds else "nothing"


@team_only
def accounts_table(db: Database) -> pd.DataFrame:
    """Every account as an administrator sees it (never the password hash)."""
    rows = accounts.list_users(db)
    return pd.DataFrame(
        {
            "User name": [a.user_name for a in rows],
            "Role": [a.role for a in rows],
            "Signs in with": [
                "password" if a.has_password else "identity provider or a sign-in link"
                for a in rows
            ],
            "Created by": [a.created_by for a in rows],
            "Created (UTC)": _utc([a.created_at for a in rows]),
            "Last sign-in (UTC)": _utc([a.last_sign_in_at for a in rows]),
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
            "Link": frame.link_id.astype("int64"),
            "Label": frame.label,
            "Status": frame.status.map(LINK_STATUS),
            "Regions": frame.regions.map(_listed),
            "Pages": frame.pages.map(_listed),
            "Downloads": frame.downloads.map(downloads_text),
            "Created by": frame.created_by,
            "Expires (UTC)": _utc(frame.expires_at),
            "Opened": frame.uses.astype("int64"),
            "Last opened (UTC)": _utc(frame.last_used_at),
            "Refused": frame.refused_uses.astype("int64"),
        }
    )


@team_only
def uses_table(db: Database, link_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """The log of every use of the share links, newest first."""
    frame = sharing.share_link_uses(db, link_id, limit=limit)
    return pd.DataFrame(
        {
            "When (UTC)": _utc(frame.used_at),
            "Link": frame.link_id.astype("int64"),
            "Label": frame.label,
            "Page": frame.page.fillna(""),
            "Outcome": frame.outcome.map(USE_OUTCOME),
        }
    )
