"""The protected view: what one viewer may see, decided once per request.

`protected_view(db, settings, audience)` turns who is looking (an `Audience`: an account's
role, or a donor's share link with its regions and pages) into a `ProtectedView`: the regions
they may see, the indicators they never see, the organisation kinds never named, whether
free text and uploaders' names may be shown, and the protected cells of every count of
people (monitoring/access/cells.py). Every page's core function takes the view as its
second argument (after the database) and returns only what that viewer may see, already
protected: values, percentages, statuses, orderings, counts by status, chart data and
downloads. Views never decide this themselves; ui/common.py passes the view in.

A function a page calls without the view says why with a mark of
monitoring/access/markers.py (free of people's data, team only, decides who is looking);
tests/unit/test_protected_view.py fails on any other function a page calls that reads the
database without the view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from monitoring.access import accounts, cells, suppression
from monitoring.access.markers import free_of_people_data as free_of_people_data
from monitoring.db import Database
from monitoring.i18n import _
from monitoring.periods import period_end, programme_periods
from monitoring.settings import Settings

SHOWN, SMALL, HIDDEN = cells.SHOWN, cells.SMALL, cells.HIDDEN
WITHHELD = "withheld"  # the status of an indicator whose actual is withheld
VALUE_FREE_STATUSES = ("no_target", "no_data")  # statuses that do not depend on the actual


class NoQuarterApproved(ValueError):
    """A donor's link that shows approved quarters only, and none is approved yet."""


@dataclass(frozen=True)
class Audience:
    """Who is looking, as far as what they may see goes: small, hashable, a cache key."""

    role: str  # accounts.ROLES
    link_regions: tuple[str, ...] | None = None  # a share link's regions (None: all)
    pages: tuple[str, ...] | None = None  # a share link's pages (None: all)
    # What a share link's donor may download (sharing.DOWNLOADS: "tables", "reports").
    downloads: tuple[str, ...] = ("tables", "reports")
    # True: a share link that shows quarters not yet approved too (docs/quality.md).
    unapproved: bool = False

    @property
    def is_donor(self) -> bool:
        return self.role == accounts.DONOR


TEAM = Audience(accounts.MANAGER)  # an account: sees everything there is


@dataclass(frozen=True, eq=False)
class ProtectedView:
    """What one viewer may see. Build it with protected_view(); never by hand in a page."""

    audience: Audience
    regions: tuple[str, ...] | None  # the regions they may see; None: every region
    threshold: int
    sensitive: frozenset[str] = frozenset()  # indicators never shown
    unnamed_kinds: tuple[str, ...] | None = None  # organisation kinds never named
    free_text: bool = True  # comments, sources and evidence recorded with the data
    uploader_names: bool = True
    protected: cells.IndicatorCells | None = field(default=None, repr=False)
    # When (docs/quality.md): a donor's link shows approved quarters only, unless it says
    # otherwise: every quarter up to `approved_through` is approved for all its regions.
    limited_to_approved: bool = False
    approved_through: str | None = None  # None with limited_to_approved: none approved yet
    unapproved_quarters: tuple[str, ...] = ()  # quarters with data not yet approved
    # While the disclosure audit of new data runs (ui/access.py), a donor is shown the
    # indicators it has done; these, not yet done, have every figure hidden meanwhile.
    still_checking: tuple[str, ...] = ()
    checked: tuple[int, int] | None = None  # (indicators done, indicators) while checking

    # Who -----------------------------------------------------------------------------
    @property
    def protects_people(self) -> bool:
        """Whether counts of people are protected (shown as "<5" or withheld) in this view."""
        return self.protected is not None

    @property
    def link_regions(self) -> tuple[str, ...] | None:
        """The regions a share link is limited to; None when it is not limited."""
        return self.audience.link_regions

    def cache_key(self) -> tuple:
        return ("view", self.audience)

    def allows_page(self, url_path: str) -> bool:
        return accounts.can_open_page(self.audience.role, url_path, self.audience.pages)

    def allows_download(self, kind: str) -> bool:
        """Whether this viewer may download `kind` ("tables" or "reports"): an account whose
        role may download, a share link that says so."""
        if not accounts.can(self.audience.role, accounts.DOWNLOAD):
            return False
        return not self.audience.is_donor or kind in self.audience.downloads

    def names_kind(self, kind: str) -> bool:
        """Whether organisations of `kind` may be named in this view."""
        return self.unnamed_kinds is None or kind not in self.unnamed_kinds

    # When ------------------------------------------------------------------------------
    def shows_quarter(self, period: str) -> bool:
        """Whether this viewer may see figures of `period` (a quarter, 2022Q1)."""
        if not self.limited_to_approved:
            return True
        return self.approved_through is not None and period <= self.approved_through

    def clamp(self, as_of: dt.date) -> dt.date | None:
        """The reporting date this viewer may see for `as_of`: no later than the end of the
        last approved quarter; None when a donor's link may see no quarter yet."""
        if not self.limited_to_approved:
            return as_of
        if self.approved_through is None:
            return None
        return min(as_of, period_end(self.approved_through))

    def allowed_date(self, as_of: dt.date) -> dt.date:
        """`as_of` as this viewer may see it (`clamp`), for files made outside the pages
        (reports, the command line); NoQuarterApproved when a donor's link may see none."""
        clamped = self.clamp(as_of)
        if clamped is None:
            raise NoQuarterApproved(
                _(
                    "No quarter has been approved yet for the regions of this link, so it "
                    "shows no figures. Approve a quarter ({doc}) or make the link show "
                    "quarters not yet approved."
                ).format(doc="docs/quality.md")
            )
        return clamped

    # Where -----------------------------------------------------------------------------
    def within(self, requested: Iterable[str] | None) -> tuple[str, ...] | None:
        """The regions picked (None or empty: all) narrowed to this view's: None means every
        region (an account that picked none); never wider than the view, never empty."""
        picked = tuple(dict.fromkeys(requested or ()))
        if self.regions is None:
            return picked or None
        inside = tuple(r for r in self.regions if r in set(picked))
        return inside or self.regions

    # What ------------------------------------------------------------------------------
    def visible(self, frame: pd.DataFrame, column: str = "indicator_code") -> pd.DataFrame:
        """`frame` without the rows of indicators this viewer never sees."""
        if not self.sensitive:
            return frame
        return suppression.without_sensitive_indicators(frame, self.sensitive, column).reset_index(
            drop=True
        )

    def shows_indicator(self, code: str) -> bool:
        return code not in self.sensitive

    def counts_people(self, code: str) -> bool:
        """Whether the indicator's values are protected counts of people in this view."""
        return self.protected is not None and self.protected.protects(code)

    def quarter(self, code, regions, period, value, sex="all", age="all") -> str:
        """The state of a quarter's value of `code` over `regions` (cells.IndicatorCells)."""
        if self.protected is None:
            return SHOWN
        return self.protected.quarter(code, regions, period, value, sex=sex, age=age)

    def to_date(self, code, regions, period, value) -> str:
        """The state of the actual of `code` to the end of `period` over `regions`."""
        if self.protected is None:
            return SHOWN
        return self.protected.to_date(code, regions, period, value)

    def withhold(self, frame: pd.DataFrame, states: dict[str, Sequence[str]]) -> cells.Withheld:
        """`frame` with each column of `states` shown as its states say."""
        if self.protected is None:
            return cells.Withheld(table=frame, numeric=frame, any_hidden=False)
        return cells.withhold(frame, states, self.protected)

    @property
    def note(self) -> str:
        """Why some figures read "<5" or "hidden", in one sentence."""
        return suppression.suppression_note(self.threshold)

    def progress(
        self,
        frame: pd.DataFrame,
        regions: Iterable[str] | None,
        period: str,
        *,
        code: str = "indicator_code",
        actual: str = "actual",
        derived: Sequence[str] = ("progress", "status", "shortfall"),
    ) -> pd.DataFrame:
        """Indicator progress rows (one per indicator, over `regions`, as of the end of
        `period`) as this viewer may see them.

        Sensitive indicators are dropped. An actual that counts people is judged as the
        indicator pages judge it (so no page shows an actual another hides); where it is
        withheld, everything computed from it is withheld with it: its progress, shortfall
        and status (status WITHHELD), so that neither a status, an order by shortfall nor a
        count by status can give it away. `actual_shown` holds what a table shows: the
        number, "<5" or "hidden"; `actual_withheld` is True where it is withheld.
        """
        frame = self.visible(frame, code).reset_index(drop=True)
        states = [
            self.to_date(c, regions, period, v)
            for c, v in zip(frame[code], frame[actual], strict=True)
        ]
        out = frame.copy()
        withheld = np.array([s != SHOWN for s in states], dtype=bool)
        out[f"{actual}_shown"] = pd.Series(
            [
                self.protected.label(s, None) if s != SHOWN else _number_text(v)
                for s, v in zip(states, frame[actual], strict=True)
            ],
            index=out.index,
            dtype=object,
        )
        out[f"{actual}_withheld"] = withheld
        if withheld.any():
            out[actual] = out[actual].astype("float64").where(~withheld, np.nan)
            for column in derived:
                if column not in out.columns:
                    continue
                if column.endswith("status"):
                    # "no target" and "no data" say nothing of the value: they stay.
                    judged = withheld & ~out[column].isin(VALUE_FREE_STATUSES).to_numpy()
                    out[column] = out[column].astype(object).where(~judged, WITHHELD)
                else:
                    out[column] = out[column].astype("float64").where(~withheld, np.nan)
        return out


def _number_text(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return f"{float(value):,.1f}".removesuffix(".0")


def donor_regions(settings: Settings, link_regions: Sequence[str] | None) -> tuple[str, ...]:
    """The regions a donor's view covers: the link's (in order, once each), else the
    programme's."""
    if link_regions is None:
        return tuple(settings.programme.regions)
    return tuple(dict.fromkeys(link_regions))


def protection_regions(settings: Settings, link_regions: Sequence[str] | None) -> tuple[str, ...]:
    """The regions whose protected cells a donor's view reads (`cells.protection_scope`):
    the programme's and the link's. A link over some of the programme's regions reads the
    programme's cells, restricted to its own regions (`IndicatorCells.restricted_to`), so
    that a donor holding several links, each over some regions, learns nothing the
    programme's own audited view would not show (docs/access.md, "The disclosure audit").
    The protected cells depend on these and the data only."""
    return cells.protection_scope((*settings.programme.regions, *(link_regions or ())))


@free_of_people_data
def active_link_scopes(db: Database, settings: Settings) -> list[tuple[str, ...]]:
    """The region scopes of the share links that can be opened now (not expired, not
    revoked), each once: what the disclosure audit must protect before donors come
    (ui/access.py prepares them after every change of the data)."""
    from monitoring.access import sharing  # sharing builds on the view's Audience

    links = sharing.list_share_links(db)
    scopes: list[tuple[str, ...]] = []
    for row in links[links.status == "active"].itertuples():
        scope = protection_regions(settings, sharing._as_tuple(row.regions))
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def protected_view(
    db: Database,
    settings: Settings,
    audience: Audience,
    *,
    protected: cells.IndicatorCells | None = None,
    checking: Any = None,
) -> ProtectedView:
    """What `audience` may see of this database: built once per request (and cached by the
    caller on the data version and the audience). `protected`: the protected cells of the
    donor's `protection_regions` (`cells.indicator_cells`), when the caller already has them
    for this data (they depend on the data and those regions only, not on the link's pages,
    downloads or approvals); the view reads them restricted to the link's regions.
    `checking`, instead: their disclosure audit under way (a kept.Checking): the view shows
    the indicators it has done, and none of the others' figures."""
    threshold = settings.privacy.small_count_threshold
    if not audience.is_donor:
        return ProtectedView(audience=audience, regions=None, threshold=threshold)
    regions = donor_regions(settings, audience.link_regions)
    still_checking, checked = (), None
    if checking is not None:
        protected = checking.cells
        still_checking, checked = checking.pending, (len(checking.done), checking.total)
    if protected is None:
        protected = cells.indicator_cells(
            db, settings, protection_regions(settings, audience.link_regions)
        )
    protection = suppression.donor_protection(db, settings)
    through, unapproved = approved_quarters(db, settings, regions)
    return ProtectedView(
        limited_to_approved=not audience.unapproved,
        approved_through=through,
        unapproved_quarters=unapproved,
        audience=audience,
        regions=regions,
        threshold=threshold,
        sensitive=protection.sensitive,
        unnamed_kinds=tuple(settings.privacy.unnamed_organisation_kinds),
        free_text=False,
        uploader_names=False,
        protected=protected.restricted_to(regions),
        still_checking=still_checking,
        checked=checked,
    )


def approved_quarters(
    db: Database, settings: Settings, regions: Sequence[str]
) -> tuple[str | None, tuple[str, ...]]:
    """(the latest quarter such that every quarter up to it is approved for every region of
    `regions`, an approval of the whole programme counting for all; the quarters with data not
    approved so: shown to no donor whose link is limited to approved quarters)."""
    scopes = db.query("access_approved_quarters")
    approved = set(zip(scopes.period, scopes.region_code, strict=True))
    latest = db.scalar("access_latest_period")
    through, unapproved = None, []
    for period in programme_periods(settings.programme):
        ok = (period, "") in approved or all((period, r) in approved for r in regions)
        if ok and not unapproved:
            through = period
        elif latest is not None and not pd.isna(latest) and period <= latest:
            unapproved.append(period)
    return through, tuple(unapproved)
