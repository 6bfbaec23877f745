"""Donor share links: signed tokens that open a read-only, scoped view of the dashboard.

A link is a row of `share_links` (label, regions, pages, who made it, when it expires,
whether it was revoked). The URL carries a token, `?share=TOKEN`: the link's id and a random
nonce, signed with itsdangerous (HMAC-SHA256). The signing secret comes from the environment
(MONITORING_SHARE_SECRET, e.g. set from the deployment's secrets) or is generated once into
`.secrets/share_secret`, which git ignores. Every use of a link is logged in
`access_share_link_uses`. See docs/access.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd
from itsdangerous import BadSignature, URLSafeSerializer

from monitoring.access import accounts
from monitoring.access.accounts import now_utc
from monitoring.access.markers import decides_who_is_looking, team_only
from monitoring.access.view import donor_regions, protection_regions
from monitoring.db import Database
from monitoring.i18n import N_, _, ngettext
from monitoring.settings import ROOT, Settings

SHARE_PARAM = "share"  # the URL query parameter that carries the token
SECRET_ENV = "MONITORING_SHARE_SECRET"
SECRET_FILE_ENV = "MONITORING_SHARE_SECRET_FILE"
DEFAULT_SECRET_FILE = ROOT / ".secrets" / "share_secret"
MIN_SECRET_LENGTH = 32
BASE_URL_ENV = "MONITORING_BASE_URL"
DEFAULT_BASE_URL = "http://localhost:8501"
MAX_LIFETIME = dt.timedelta(days=366)  # a link always expires, within a year
MIN_LIFETIME = dt.timedelta(hours=1)
MAX_TOKEN_LENGTH = 512
_SALT = "monitoring.share-link"
_DURATION = re.compile(r"\s*(\d+)\s*([hdw])\s*", re.IGNORECASE)
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
# What a link's donor may download (share_links.downloads): the CSV and Excel files of the
# tables shown, and the reports (IPTT workbook, PDF report, IATI file; docs/reports.md).
TABLES, REPORTS = "tables", "reports"
DOWNLOADS = (TABLES, REPORTS)
NO_DOWNLOADS = "none"  # what the command line and the page call an empty list

LANG_PARAM = "lang"  # the language a page opens in (ui/language.py)

TAMPERED = "tampered"
UNKNOWN = "unknown"
EXPIRED = "expired"
REVOKED = "revoked"
# Why a link opens nothing, in English (shown translated: LinkCheck.message).
REASON_MESSAGES = {
    TAMPERED: N_(
        "This link is not valid: it was changed or copied incompletely. Ask the person who "
        "shared it with you for a new link."
    ),
    UNKNOWN: N_(
        "This link does not open anything on this dashboard. Ask the person who shared it "
        "with you for a new link."
    ),
    EXPIRED: N_("This link has expired. Ask the person who shared it with you for a new link."),
    REVOKED: N_(
        "This link has been withdrawn by the programme team. Ask the person who shared it "
        "with you for a new link."
    ),
}


class ShareLinkError(ValueError):
    """A share link that cannot be made or changed; the message says why and what to do."""


@dataclass(frozen=True)
class ShareScope:
    """What a share link opens: regions (None: the whole programme) and pages (None: all)."""

    link_id: int
    label: str
    regions: tuple[str, ...] | None
    pages: tuple[str, ...] | None
    expires_at: dt.datetime
    downloads: tuple[str, ...] = DOWNLOADS  # of DOWNLOADS; empty: nothing
    unapproved: bool = False  # True: quarters not yet approved are shown too (docs/quality.md)

    def allows_page(self, url_path: str) -> bool:
        return accounts.can_open_page(accounts.DONOR, url_path, self.pages)

    def visible_pages(self, url_paths: Iterable[str]) -> list[str]:
        """The pages of `url_paths` (in their order) this link opens: its navigation."""
        return accounts.visible_pages(accounts.DONOR, url_paths, self.pages)

    def regions_within(
        self, requested: Iterable[str] | None, programme_regions: Iterable[str]
    ) -> list[str]:
        """The requested regions (None: all) narrowed to the link's regions."""
        allowed = list(self.regions if self.regions is not None else programme_regions)
        if requested is None:
            return allowed
        wanted = set(requested)
        return [r for r in allowed if r in wanted]

    def cache_key(self) -> tuple:
        """Identifies the data this scope may see: put it in every cache key of a donor view."""
        return ("donor", self.regions)


@dataclass(frozen=True)
class LinkCheck:
    """A checked token: its scope, or the reason it opens nothing."""

    scope: ShareScope | None
    reason: str | None = None  # TAMPERED, UNKNOWN, EXPIRED or REVOKED
    link_id: int | None = None  # known for EXPIRED and REVOKED too

    @property
    def ok(self) -> bool:
        return self.scope is not None

    @property
    def message(self) -> str:
        return "" if self.ok else _(REASON_MESSAGES[self.reason])


def parse_duration(text: str) -> dt.timedelta:
    """A link's lifetime written like 90d, 12w or 48h (days, weeks, hours)."""
    match = _DURATION.fullmatch(text or "")
    if not match:
        raise ShareLinkError(
            f"{text!r} is not a duration. Write a whole number and a unit: 90d (days), "
            "12w (weeks) or 48h (hours)."
        )
    duration = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if duration < MIN_LIFETIME:
        raise ShareLinkError(f"{text!r} is too short: a link must last at least 1 hour.")
    if duration > MAX_LIFETIME:
        raise ShareLinkError(
            f"{text!r} is too long: a link lasts at most {MAX_LIFETIME.days} days. "
            "Create a new link when this one expires."
        )
    return duration


# --- the signing secret -------------------------------------------------------------------


def secret_file() -> Path:
    return Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)


def share_secret() -> str:
    """The signing secret: $MONITORING_SHARE_SECRET, else the secret file (made once)."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return _checked_secret(value.strip(), f"${SECRET_ENV}")
    path = secret_file()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by another process just now
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
    return _checked_secret(path.read_text(encoding="utf-8").strip(), str(path))


def _checked_secret(value: str, where: str) -> str:
    if len(value) < MIN_SECRET_LENGTH:
        raise ShareLinkError(
            f"The share-link secret in {where} is too short ({len(value)} characters; at "
            f'least {MIN_SECRET_LENGTH}). Generate one with: python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )
    return value


def _serializer(secret: str | None) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret or share_secret(), salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


# --- tokens and URLs ------------------------------------------------------------------------


def make_token(link_id: int, nonce: str, *, secret: str | None = None) -> str:
    """The signed token of a link."""
    return _serializer(secret).dumps([int(link_id), nonce])


def read_token(token: str, *, secret: str | None = None) -> tuple[int, str] | None:
    """(link id, nonce) from a token whose signature holds, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or isinstance(payload[0], bool)
        or not isinstance(payload[1], str)
    ):
        return None
    return payload[0], payload[1]


def base_url(url: str | None = None) -> str:
    """The dashboard's address for links: `url`, $MONITORING_BASE_URL or localhost:8501."""
    value = (url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ShareLinkError(
            f"{value!r} is not a web address for the dashboard: write it like "
            "https://dashboard.example.org (http or https)."
        )
    if parts.query or parts.fragment:
        raise ShareLinkError(f"{value!r}: give the dashboard's address without ? or #.")
    return value.rstrip("/")


def share_url(
    token: str, *, url: str | None = None, page: str | None = None, lang: str | None = None
) -> str:
    """The address a donor opens: the dashboard (or one page of it) with the token, and the
    language it opens in (`lang`, e.g. "ru"; None: the donor's browser's)."""
    path = f"/{page}" if page else "/"
    query = {SHARE_PARAM: token} | ({LANG_PARAM: lang} if lang else {})
    return f"{base_url(url)}{path}?{urlencode(query)}"


# --- links ----------------------------------------------------------------------------------


def _clean_list(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    cleaned = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    return cleaned or None


def check_regions(db: Database, regions: Iterable[str] | None) -> list[str] | None:
    """Region codes known to the regions table (upper-cased), or a ShareLinkError."""
    cleaned = _clean_list(r.upper() for r in regions) if regions is not None else None
    if cleaned is None:
        return None
    known = set(db.query("contract_region_names").region_code)
    unknown = [r for r in cleaned if r not in known]
    if unknown:
        hint = (
            f"Known codes: {', '.join(sorted(known))}."
            if known
            else "The regions table is empty: load the regions first."
        )
        raise ShareLinkError(f"Unknown region code(s): {', '.join(unknown)}. {hint}")
    return cleaned


def check_pages(
    pages: Iterable[str] | None, available: Collection[str] | None = None
) -> list[str] | None:
    """Pages a donor may open, among `available` (default: the dashboard's pages)."""
    cleaned = _clean_list(pages)
    if cleaned is None:
        return None
    allowed = accounts.donor_pages(available if available is not None else accounts.PAGE_PATHS)
    wrong = [p for p in cleaned if p not in allowed]
    if wrong:
        raise ShareLinkError(
            f"A share link cannot open: {', '.join(wrong)}. Pages it can open: "
            f"{', '.join(allowed)}."
        )
    return cleaned


def check_downloads(downloads: Iterable[str] | None) -> list[str]:
    """What a link's donor may download (default: tables and reports); "none": nothing."""
    if downloads is None:
        return list(DOWNLOADS)
    cleaned = [d.strip().lower() for d in downloads if d and d.strip()]
    if cleaned in ([], [NO_DOWNLOADS]):
        return []
    wrong = [d for d in cleaned if d not in DOWNLOADS]
    if wrong:
        raise ShareLinkError(
            f"A link's donor may download {', '.join(DOWNLOADS)}, both, or {NO_DOWNLOADS}; "
            f"not {', '.join(wrong)}."
        )
    return [d for d in DOWNLOADS if d in cleaned]


@team_only
def create_share_link(
    db: Database,
    label: str,
    expires_in: dt.timedelta | str,
    *,
    by: str,
    regions: Iterable[str] | None = None,
    pages: Iterable[str] | None = None,
    available_pages: Collection[str] | None = None,
    downloads: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    secret: str | None = None,
    unapproved: bool = False,
) -> tuple[int, str]:
    """Create a link; returns its id and its token (turn it into a URL with share_url)."""
    label = (label or "").strip()
    if not label:
        raise ShareLinkError(_("Give the link a label that says who it is for, e.g. 'USIP Q3'."))
    if isinstance(expires_in, str):
        expires_in = parse_duration(expires_in)
    region_list = check_regions(db, regions)
    page_list = check_pages(pages, available_pages)
    download_list = check_downloads(downloads)
    key = secret or share_secret()  # before writing: a bad secret must not leave a row
    at = now or now_utc()
    nonce = secrets.token_urlsafe(12)
    with db.transaction() as cur:
        link_id = cur.execute(
            "insert into share_links (label, nonce, regions, pages, created_by, created_at, "
            "expires_at, downloads, unapproved) values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "returning link_id",
            [
                label,
                nonce,
                region_list,
                page_list,
                by,
                at,
                at + expires_in,
                download_list,
                bool(unapproved),
            ],
        ).fetchone()[0]
    return int(link_id), make_token(link_id, nonce, secret=key)


@team_only
def link_token(db: Database, link_id: int, *, secret: str | None = None) -> str:
    """The token of an existing link again (to copy its URL once more)."""
    row = _link_row(db, link_id)
    if row is None:
        raise ShareLinkError(_no_link(link_id))
    return make_token(link_id, row["nonce"], secret=secret)


def _no_link(link_id) -> str:
    return f"There is no share link {link_id}. `python -m monitoring share list` shows them."


def _link_row(db: Database, link_id: int) -> dict | None:
    frame = db.query("access_share_link_check", link_id=int(link_id))
    return None if frame.empty else frame.iloc[0].to_dict()


def _as_tuple(value) -> tuple[str, ...] | None:
    if value is None or (not hasattr(value, "__len__") and pd.isna(value)):
        return None
    return tuple(value)


def _as_datetime(value) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


@decides_who_is_looking
def check_share_token(
    db: Database, token: str, *, now: dt.datetime | None = None, secret: str | None = None
) -> LinkCheck:
    """What a token opens, or why it opens nothing. Logs nothing (see open_share_link)."""
    read = read_token(token, secret=secret)
    if read is None:
        return LinkCheck(None, TAMPERED)
    link_id, nonce = read
    row = _link_row(db, link_id)
    if row is None or not secrets.compare_digest(row["nonce"].encode(), nonce.encode()):
        return LinkCheck(None, UNKNOWN)
    if _as_datetime(row["revoked_at"]) is not None:
        return LinkCheck(None, REVOKED, link_id)
    expires_at = _as_datetime(row["expires_at"])
    if (now or now_utc()) >= expires_at:
        return LinkCheck(None, EXPIRED, link_id)
    scope = ShareScope(
        link_id=link_id,
        label=row["label"],
        regions=_as_tuple(row["regions"]),
        pages=_as_tuple(row["pages"]),
        expires_at=expires_at,
        downloads=_as_tuple(row["downloads"]) or (),
        unapproved=bool(row.get("unapproved") or False),
    )
    return LinkCheck(scope, None, link_id)


def record_share_use(
    db: Database,
    link_id: int,
    *,
    page: str | None = None,
    outcome: str = "opened",
    now: dt.datetime | None = None,
) -> None:
    """Log one use of a link (opened, or refused as expired or revoked)."""
    with db.transaction() as cur:
        cur.execute(
            "insert into share_link_uses (link_id, used_at, page, outcome) values (?, ?, ?, ?)",
            [int(link_id), now or now_utc(), page, outcome],
        )


@decides_who_is_looking
def open_share_link(
    db: Database,
    token: str,
    *,
    page: str | None = None,
    now: dt.datetime | None = None,
    secret: str | None = None,
) -> LinkCheck:
    """Check a token and log the use: call once per viewer session and page opened."""
    at = now or now_utc()
    check = check_share_token(db, token, now=at, secret=secret)
    if check.link_id is not None:
        outcome = "opened" if check.ok else check.reason
        record_share_use(db, check.link_id, page=page, outcome=outcome, now=at)
    return check


def list_share_links(db: Database, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every link, newest first, with its status (active, expired, revoked) and its uses."""
    return db.query("access_share_links", now=now or now_utc(), link_id=None)


def get_share_link(db: Database, link_id: int, *, now: dt.datetime | None = None) -> dict:
    """One link as listed, or a ShareLinkError."""
    frame = db.query("access_share_links", now=now or now_utc(), link_id=int(link_id))
    if frame.empty:
        raise ShareLinkError(_no_link(link_id))
    return frame.iloc[0].to_dict()


@team_only
def overlapping_links(
    db: Database, link_id: int, settings: Settings, *, now: dt.datetime | None = None
) -> list[tuple[int, str]]:
    """The other active links (id, label) that show some of the regions link `link_id`
    shows but read other protected cells (`view.protection_regions`).

    Every link over the programme's regions reads the programme's protected cells,
    restricted to its own regions, so such links never count: what any set of them shows,
    the programme's audited view could show. A link over a region outside the programme
    reads the cells of the programme and that region, audited on their own: a donor holding
    it and a link over the programme could set the figures of one beside the other's, for
    the regions both show, and narrow down a count that each hides."""
    links = list_share_links(db, now=now)

    def reads(regions) -> tuple[frozenset[str], tuple[str, ...]]:
        """The regions a link shows, and those whose protected cells it reads."""
        listed = _as_tuple(regions)
        return frozenset(donor_regions(settings, listed)), protection_regions(settings, listed)

    own = links[links.link_id == int(link_id)]
    if own.empty:
        raise ShareLinkError(_no_link(link_id))
    shown, cells = reads(own.iloc[0]["regions"])
    found = []
    for row in links[(links.status == "active") & (links.link_id != int(link_id))].itertuples():
        theirs, their_cells = reads(row.regions)
        if theirs & shown and their_cells != cells:
            found.append((int(row.link_id), str(row.label)))
    return sorted(found)


def overlap_warning(links: Collection[tuple[int, str]]) -> str:
    """One warning naming every overlapping link (`overlapping_links`, not empty); each
    label as given (a page escapes it for Markdown first)."""
    named = ", ".join(f"{number} ({label})" for number, label in links)
    return ngettext(
        "Link {links} shows some of the same regions but is protected apart from this one, "
        "because one of the two also covers a region outside the programme. A donor who has "
        "both could set their figures side by side and work out a count that each of them "
        "hides. Give a donor one link, or only links over the programme's own regions "
        "(those share one protection).",
        "Links {links} show some of the same regions but are protected apart from this one, "
        "because this link or they also cover a region outside the programme. A donor who "
        "has this link and one of them could set their figures side by side and work out a "
        "count that each of them hides. Give a donor one link, or only links over the "
        "programme's own regions (those share one protection).",
        len(links),
    ).format(links=named)


def share_link_uses(db: Database, link_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """The log of uses, newest first: when, which link, which page, opened or refused."""
    return db.query(
        "access_share_link_uses", link_id=None if link_id is None else int(link_id), limit=limit
    )


@team_only
def revoke_share_link(
    db: Database, link_id: int, *, by: str, now: dt.datetime | None = None
) -> dict:
    """Withdraw a link at once; it opens nothing from then on. Returns the link as listed."""
    at = now or now_utc()
    link = get_share_link(db, link_id, now=at)
    if link["status"] == REVOKED:
        raise ShareLinkError(f"Share link {link_id} was already revoked on {link['revoked_at']}.")
    with db.transaction() as cur:
        cur.execute(
            "update share_links set revoked_at = ?, revoked_by = ? where link_id = ?",
            [at, by, int(link_id)],
        )
    return get_share_link(db, link_id, now=at)
