"""Streamlit's page at each page's own address, with the line saying where the server is
(ui/page_html.py, served by server.py)."""

from __future__ import annotations

import json

from starlette.requests import Request

from tests.conftest import run_coroutine
from ui import page_html
from ui.navigation import PAGES


def get(path: str):
    """The answer of the route server.py serves at `path` to a GET (None: no such route)."""
    route = next((r for r in page_html.routes() if r.path == path), None)
    if route is None:
        return None
    request = Request({"type": "http", "method": "GET", "path": path, "headers": []})
    return run_coroutine(route.endpoint(request))


def test_each_pages_address_serves_streamlits_page_saying_where_the_server_is():
    index = page_html.INDEX.read_text(encoding="utf-8")
    ours = page_html.SCRIPT.format(pages=json.dumps(page_html.page_paths()))
    for spec in PAGES:
        if spec.default:
            assert get(f"/{spec.url_path}") is not None  # its name, redirected to /
            continue
        answer = get(f"/{spec.url_path}")
        assert answer.status_code == 200, spec.url_path
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["cache-control"] == "no-cache"
        html = answer.body.decode()
        at = html.index("window.__streamlit = { BACKEND_BASE_URL: base }")
        assert at < html.index('<script type="module"'), "set before Streamlit's script runs"
        assert f'"{spec.url_path}"' in html  # its address is one whose last part is stripped
        assert html.replace(ours, "") == index  # Streamlit's page otherwise as it is
    assert get("/another") is None  # only the dashboard's pages
