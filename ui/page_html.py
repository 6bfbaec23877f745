"""Streamlit's page (its index.html) at each page's address, telling the browser where the
server is.

A browser that opens a page's own address (/upload, /indicators: every page but the
default one, at /) loads Streamlit's index.html, whose script then looks for the server: first
under the address itself (/upload/_stcore/health, a 404), then one level up (/_stcore/health).
The miss and the pause before the next try cost every such first load 0.1-0.13 s
(docs/benchmarks.md, "In the browser"). Streamlit reads where its server is from
`window.__streamlit.BACKEND_BASE_URL` when a page sets it (its setting for pages hosted
elsewhere); the routes below serve index.html with a line that sets it, to the address
without its last part when that part is one of the dashboard's pages, before Streamlit's
own script runs. Worked out in the browser from its own address, so a proxy that serves the
dashboard under a prefix (/dashboard/upload) gives /dashboard, as Streamlit's second try
would. Any other address keeps Streamlit's own search.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

import streamlit
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ui.navigation import PAGES, REDIRECTS
from ui.session_cookie import base_path

log = logging.getLogger("monitoring.server")

INDEX = Path(streamlit.__file__).parent / "static" / "index.html"
MODULE_SCRIPT = '<script type="module"'  # Streamlit's own script: ours goes before it

# Plain JavaScript, no input but the page names (constants of ui/navigation.py).
SCRIPT = (
    "<script>(function () {{"
    " var pages = {pages};"
    " var parts = window.location.pathname.replace(/\\/+$/, '').split('/');"
    " if (pages.indexOf(parts.pop()) >= 0) {{"
    " var base = window.location.origin + (parts.join('/') || '/');"
    " window.__streamlit = {{ BACKEND_BASE_URL: base }};"
    " }} }})();</script>\n    "
)


def page_paths() -> list[str]:
    """The last part of every page's own address (not the default page's, served at /)."""
    return [p.url_path for p in PAGES if not p.default] + list(REDIRECTS)


@cache
def page_html() -> str:
    """Streamlit's index.html with the line that says where the server is; unchanged (and
    a warning logged) if this Streamlit's page has no module script to put it before."""
    html = INDEX.read_text(encoding="utf-8")
    at = html.find(MODULE_SCRIPT)
    if at < 0:
        log.warning("Streamlit's index.html has no module script: served as it is")
        return html
    return html[:at] + SCRIPT.format(pages=json.dumps(page_paths())) + html[at:]


async def _page(request: Request) -> HTMLResponse:
    # As Streamlit serves index.html: never cached, so a new release's page is read at once.
    return HTMLResponse(page_html(), headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    """A route for each page's own address, under Streamlit's server.baseUrlPath."""
    base = base_path()
    return [Route(f"{base}/{path}", _page, methods=["GET", "HEAD"]) for path in page_paths()]
