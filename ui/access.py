"""Who is looking, for the pages: the viewer, their scope, and what a donor must not see.

dashboard.py decides who is looking once per run (ui/gate.py) and stores a `Viewer` in the
session; pages ask `access.viewer()`. For a donor (a share link), every page narrows its
regions with `viewer.regions(...)`, drops sensitive indicators (`hidden_indicators()`) and
shows counts of people as monitoring/access/cells.py judges them over the link's regions
and every quarter. For an account (manager, staff, admin), those calls change nothing.
`ui.common.cached` puts `viewer.cache_key()` in every cache key, so a result computed for
one viewer is never served to a viewer with a narrower scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from monitoring.access import accounts, suppression
from monitoring.access.sharing import SHARE_PARAM, ShareScope
from monitoring.db import open_database
from monitoring.settings import load_settings

VIEWER_KEY = "_viewer"  # the Viewer of the current run
USER_KEY = "_signed_in_user"  # the user name of the account signed in in this session


@dataclass(frozen=True)
class Viewer:
    """The person looking: an account (manager, staff, admin) or a donor's share link."""

    role: str
    name: str  # the user name, or the share link's label
    scope: ShareScope | None = None  # set for a donor
    token: str | None = None  # the share token a donor came with
    identity_provider: bool = False  # signed in through the organisation's identity provider

    @property
    def is_donor(self) -> bool:
        return self.scope is not None

    def can(self, action: str) -> bool:
        return accounts.can(self.role, action)

    def regions(
        self, requested: Iterable[str] | None, programme_regions: Iterable[str]
    ) -> list[str] | None:
        """The regions to show: `requested` (None: all) narrowed to a donor's link.

        For an account, `requested` comes back as a list (None stays None: all regions).
        For a donor it is always a list, of the link's regions (all of the programme's when
        the link has no regions).
        """
        if self.scope is None:
            return None if requested is None else list(requested)
        return self.scope.regions_within(requested, programme_regions)

    def allowed_regions(self, programme_regions: Iterable[str]) -> list[str]:
        """The regions this viewer may see at all, in the programme's order."""
        return list(self.regions(None, programme_regions) or programme_regions)

    def cache_key(self) -> tuple:
        """What this viewer may see; part of every cache key."""
        return self.scope.cache_key() if self.scope is not None else ("all",)

    def link_params(self) -> dict[str, str]:
        """Query parameters every link between pages must carry (a donor's share token)."""
        return {SHARE_PARAM: self.token} if self.is_donor and self.token else {}

    def page_url(self, url_path: str, **params: str) -> str:
        """A relative link to a page of the dashboard that keeps this viewer's scope."""
        query = {k: v for k, v in params.items() if v is not None} | self.link_params()
        return f"/{url_path}" + (f"?{urlencode(query)}" if query else "")


def viewer() -> Viewer:
    """The viewer of this run (set by dashboard.py before the page runs)."""
    current = st.session_state.get(VIEWER_KEY)
    if not isinstance(current, Viewer):
        raise RuntimeError("No viewer: pages run only through dashboard.py.")
    return current


def current_cache_key() -> tuple:
    current = st.session_state.get(VIEWER_KEY)
    # Before anyone is known (the sign-in form), nothing programme-specific is cached.
    return current.cache_key() if isinstance(current, Viewer) else ("nobody",)


@st.cache_data(show_spinner=False, max_entries=50)
def _protection(db_path: str, version: tuple) -> suppression.DonorProtection:
    return suppression.donor_protection(open_database(db_path), load_settings())


def donor_protection() -> suppression.DonorProtection:
    """Which indicators are sensitive or count people, and the small-count threshold."""
    db = open_database()
    return _protection(str(db.path), db.data_version())


def hidden_indicators() -> frozenset[str]:
    """Indicator codes this viewer must never see (a donor: the sensitive ones)."""
    return donor_protection().sensitive if viewer().is_donor else frozenset()


def without_hidden(frame: pd.DataFrame, column: str = "indicator_code") -> pd.DataFrame:
    """`frame` without the rows of indicators this viewer must not see."""
    hidden = hidden_indicators()
    if not hidden:
        return frame
    return suppression.without_sensitive_indicators(frame, hidden, column)
