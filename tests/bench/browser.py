"""Open every page in headless Chromium against a real `streamlit run` server.

    python -m tests.bench.browser --db BENCH.duckdb [--runs 3]

The server runs over a copy of the database (it records sign-ins), with
MONITORING_SETTINGS as given and the browser tests' signing secret. Every page load is a new
browser session signed in as the benchmark's account through a fresh one-time sign-in link
(`/<page>?signin=TOKEN`). The time is from the start of navigation until the script has
finished and no skeleton placeholders remain (tests/e2e/conftest.py's wait_until_rendered,
without its fixed half-second pause for screenshots). "cold" is the first load of the page
after the server started, in a new browser context (empty browser cache, empty Streamlit
caches for the page; after one warm-up load of another page, so that the server's own first
imports are not charged to one page); "warm" the median of the loads after it, each a new
session in the same browser context (the browser's cache of Streamlit's scripts filled, as
for a returning visitor).
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from monitoring.access import signin_links
from tests.bench.generate import BENCH_USER
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    TEST_SECRET,
    chromium_path,
    exceptions_shown,
    streamlit_server,
    wait_until_rendered,
)
from ui.navigation import PAGES

SCREENSHOT_PAUSE_S = 0.5  # wait_until_rendered ends with page.wait_for_timeout(500)


def open_page(context, base: str, url_path: str, secret: str) -> dict:
    token = signin_links.make_token(BENCH_USER, secret=secret)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(f"{base}/{url_path}?{signin_links.SIGNIN_PARAM}={token}")
        wait_until_rendered(page, timeout_ms=120_000)
        seconds = time.perf_counter() - start - SCREENSHOT_PAUSE_S
        heading = (
            page.locator("h1").first.inner_text(timeout=5_000) if page.locator("h1").count() else ""
        )
        return {"seconds": seconds, "heading": heading, "exceptions": exceptions_shown(page)}
    finally:
        page.close()


def new_context(browser):
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")


def measure(db_path: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    secret = TEST_SECRET  # the secret streamlit_server gives its server
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        copy = Path(folder) / "monitoring.duckdb"
        shutil.copyfile(db_path, copy)
        with (
            streamlit_server(copy, Path(folder) / "streamlit.log") as base,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                warm_up = next((s for s in PAGES if s.url_path == "upload"), PAGES[-1])
                context = new_context(browser)
                open_page(context, base, warm_up.url_path, secret)
                context.close()
                for spec in PAGES:
                    # A browser context of its own: the first load has an empty browser cache
                    # (a first visit), the next ones reuse it (a returning visitor).
                    context = new_context(browser)
                    try:
                        loads = [
                            open_page(context, base, spec.url_path, secret) for _ in range(runs)
                        ]
                    finally:
                        context.close()
                    results[spec.url_path] = {
                        "cold_s": round(loads[0]["seconds"], 2),
                        "warm_s": round(statistics.median(x["seconds"] for x in loads[1:]), 2)
                        if len(loads) > 1
                        else None,
                        "heading": loads[0]["heading"],
                        "exceptions": [e[:200] for x in loads for e in x["exceptions"]],
                    }
            finally:
                browser.close()
    return {"database": str(db_path), "runs": runs, "pages": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.db, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
