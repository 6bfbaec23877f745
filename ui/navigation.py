"""The pages of the dashboard, in navigation order. Only pages that exist are listed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # script, relative to the project root
    title: str
    icon: str
    url_path: str
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", "overview", default=True),
    PageSpec("views/indicators.py", "Outcome indicators", ":material/table_chart:", "indicators"),
    PageSpec("views/map.py", "Regional map", ":material/map:", "map"),
    PageSpec("views/grants.py", "Grant spending", ":material/payments:", "grants"),
    PageSpec("views/milestones.py", "Advocacy milestones", ":material/flag:", "milestones"),
    PageSpec("views/upload.py", "Data upload", ":material/upload_file:", "upload"),
    PageSpec("views/admin.py", "Administration", ":material/admin_panel_settings:", "admin"),
]


def page_spec(url_path: str) -> PageSpec | None:
    """The page served at /url_path, if the dashboard has one."""
    return next((p for p in PAGES if p.url_path == url_path), None)
