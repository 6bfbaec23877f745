"""The pages of the dashboard, in navigation order. Only pages that exist are listed.

Which pages there are, their order and titles are the core's (monitoring/access/accounts.py
PAGES, next to who may open each); this adds the script and icon of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.access import accounts


@dataclass(frozen=True)
class PageSpec:
    path: str  # script, relative to the project root
    title: str  # in English (marked in monitoring/access/accounts.py): show it as _(title)
    icon: str
    url_path: str
    default: bool = False

    @property
    def address(self) -> str:
        """Where the page is served: /url_path, or / for the default page."""
        return "" if self.default else self.url_path


ICONS: dict[str, str] = {
    "overview": ":material/dashboard:",
    "indicators": ":material/table_chart:",
    "map": ":material/map:",
    "grants": ":material/payments:",
    "milestones": ":material/flag:",
    "quality": ":material/fact_check:",
    "upload": ":material/upload_file:",
    "admin": ":material/admin_panel_settings:",
}

PAGES: list[PageSpec] = [
    PageSpec(f"views/{p.url_path}.py", p.title, ICONS[p.url_path], p.url_path, default=i == 0)
    for i, p in enumerate(accounts.PAGES)
]


# Addresses that lead to another page's, query parameters kept: Streamlit serves the default
# page at "/" only, so "/overview" (its name, as every other page is addressed) would open
# Streamlit's "Page not found". Every page has one address; these redirect to it.
REDIRECTS: dict[str, str] = {p.url_path: "" for p in PAGES if p.default}


def page_spec(url_path: str) -> PageSpec | None:
    """The page served at /url_path, if the dashboard has one."""
    return next((p for p in PAGES if p.url_path == url_path), None)
