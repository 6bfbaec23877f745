"""Open every page in headless Chromium against a real `streamlit run` server, and a bare
one-line Streamlit page served and loaded the same way: the floor.

    python -m tests.bench.browser --db BENCH.duckdb [--runs 3] [--pages overview grants]

The server runs over a copy of the database (it records sign-ins), with MONITORING_SETTINGS
as given and the browser tests' signing secret. The floor is `streamlit run` of a script
that writes one line, with the same options, from the same folder (so the same
.streamlit/config.toml), in the same run, served as server.py serves the dashboard (through
st.App, its connections sending at once: ui/nodelay.py).

Every load is a new browser session. The benchmark's account signs in once, through a
one-time sign-in link; its sign-in cookie is then given to every browser context that opens a
page, as a browser that signed in earlier holds it: the load is the page's, not the sign-in's
hand-over (which loads the page twice, once for each side of the cookie; measured once, as
`signin_s`). A donor opens the overview through a share link of the whole programme
(`donor-overview`). The time is from the start of navigation until the script has finished
and no skeleton placeholders remain (tests/e2e/conftest.py's wait_until_rendered, without its
fixed half-second pause for screenshots).

"first" (cold) is the first load of a page in a new browser context (empty browser cache)
after the server started (empty Streamlit caches for the page; after one warm-up load of
another page, so that the server's own first imports are not charged to one page); "again"
(warm) the median of the loads after it, each a new session in the same browser context (the
browser's cache of Streamlit's scripts filled, as for a returning visitor). Each page's
figures are also given as a ratio of the floor's, loaded the same way.
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

from monitoring.access import sharing, signin_links
from monitoring.db import Database
from tests.bench.generate import BENCH_USER
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    TEST_SECRET,
    chromium_path,
    exceptions_shown,
    streamlit_server,
    wait_until_rendered,
)
from ui import session_cookie
from ui.navigation import PAGES

SCREENSHOT_PAUSE_S = 0.5  # wait_until_rendered ends with page.wait_for_timeout(500)
FLOOR_SCRIPT = 'import streamlit as st\n\nst.write("Hello")\n'
# A script served as server.py serves the dashboard: through st.App, with the server's
# connections sending at once (ui/nodelay.py), so that the floor is not charged for what
# server.py spares the dashboard (40 ms for every script file after the first on a kept
# connection).
SERVED_LIKE_THE_DASHBOARD = (
    "import streamlit as st\n\nfrom ui import nodelay\n\n"
    "nodelay.enable()\napp = st.App({script!r})\n"
)
DONOR = "donor-overview"
LOAD_TIMEOUT_S = 120  # a page not rendered by then is reported as such, not waited for
# The donor's first overview waits for the disclosure audit of the link's regions, minutes at
# 1,000,000 values over 14 regions (docs/benchmarks.md): measured, not cut off at 120 s.
DONOR_TIMEOUT_S = 600


def served_like_the_dashboard(folder: Path, name: str, script: str) -> Path:
    """Write `script` as `name`.py in `folder`, and beside it the file to give `streamlit run`
    to serve it as server.py serves the dashboard (SERVED_LIKE_THE_DASHBOARD)."""
    (folder / f"{name}.py").write_text(script)
    server = folder / f"{name}_server.py"
    server.write_text(SERVED_LIKE_THE_DASHBOARD.format(script=f"{name}.py"))
    return server


CHECKING = "Some figures are still being checked"  # a donor's page while the audit runs


def load(context, url: str, timeout_s: float = LOAD_TIMEOUT_S) -> dict:
    """Open `url` in a new page of `context`: seconds until rendered (None, with `error`,
    when it was not rendered within `timeout_s`), heading, exceptions. A donor's page shown
    while the disclosure audit fills it in (ui/access.py, `checking_notice`) is rendered
    then; it is also waited for until every figure is checked and shown (`complete_s`)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = context.new_page()
    try:
        start = time.perf_counter()
        try:
            page.goto(url, timeout=timeout_s * 1000)
            wait_until_rendered(page, timeout_ms=timeout_s * 1000)
        except PlaywrightTimeout:
            return {
                "seconds": None,
                "heading": "",
                "exceptions": [],
                "error": f"not rendered within {timeout_s:.0f} s",
            }
        seconds = time.perf_counter() - start - SCREENSHOT_PAUSE_S
        heading = (
            page.locator("h1").first.inner_text(timeout=5_000) if page.locator("h1").count() else ""
        )
        found = {"seconds": seconds, "heading": heading, "exceptions": exceptions_shown(page)}
        notice = page.get_by_text(CHECKING)
        if notice.count():
            found["shown_checking"] = True
            try:
                notice.first.wait_for(state="detached", timeout=timeout_s * 1000)
                wait_until_rendered(page, timeout_ms=timeout_s * 1000)
                found["complete_s"] = time.perf_counter() - start - SCREENSHOT_PAUSE_S
            except PlaywrightTimeout:
                found["complete_s"] = None
        else:
            found["complete_s"] = seconds
        return found
    finally:
        page.close()


def new_context(browser, cookies: list | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    if cookies:
        context.add_cookies(cookies)
    return context


def sign_in(browser, base: str, url_path: str, secret: str) -> tuple[list, float]:
    """Sign in once through a one-time link: the browser's cookies after it, and the time
    the sign-in took (the page loaded, the cookie handed over, the page loaded again)."""
    context = new_context(browser)
    try:
        token = signin_links.make_token(BENCH_USER, secret=secret)
        start = load(context, f"{base}/{url_path}?{signin_links.SIGNIN_PARAM}={token}")
        cookies = context.cookies()
        if not any(c["name"] == session_cookie.COOKIE for c in cookies):
            # Every page would then load as the sign-in form, and be measured as the page.
            raise SystemExit(
                f"Signing in as {BENCH_USER!r} left no session cookie: does the database hold "
                "that account? (tests.bench.run adds it to bench/data/sample.duckdb; "
                "data/monitoring.duckdb has no such account.)"
            )
        return cookies, start["seconds"]
    finally:
        context.close()


def loads(
    browser, url: str, runs: int, cookies: list | None = None, timeout_s: float = LOAD_TIMEOUT_S
) -> dict:
    """`runs` loads of url, the first in a new browser context (empty browser cache)."""
    context = new_context(browser, cookies)
    done: list[dict] = []
    try:
        for _ in range(runs):
            done.append(load(context, url, timeout_s))
            if done[-1]["seconds"] is None:
                break  # a page that did not render once is not loaded again
    finally:
        context.close()
    again = [x["seconds"] for x in done[1:] if x["seconds"] is not None]
    complete = done[0].get("complete_s")
    result = {
        "cold_s": round(done[0]["seconds"], 2) if done[0]["seconds"] is not None else None,
        "warm_s": round(statistics.median(again), 2) if again else None,
        # a donor's first page shown while the audit ran: when every figure was there
        "checking_at_first": bool(done[0].get("shown_checking")),
        "cold_complete_s": round(complete, 2) if complete is not None else None,
        "heading": done[0]["heading"],
        "exceptions": [e[:200] for x in done for e in x["exceptions"]],
    }
    errors = [x["error"] for x in done if x.get("error")]
    if errors:
        result["error"] = errors[0]
    return result


def ratio(value: float | None, floor: float | None) -> float | None:
    return round(value / floor, 2) if value and floor else None


def copy_with_share_link(db_path: Path, folder: Path, label: str) -> tuple[Path, str]:
    """A copy of the database in `folder` (monitoring.duckdb) with a new share link over the
    whole programme, its quarters not yet approved included; the copy and the link's token
    (signed with TEST_SECRET, the secret streamlit_server gives its server)."""
    copy = folder / "monitoring.duckdb"
    shutil.copyfile(db_path, copy)
    db = Database(copy)
    try:
        _, token = sharing.create_share_link(
            db, label, "30d", by="bench", secret=TEST_SECRET, unapproved=True
        )
    finally:
        db.close()
    return copy, token


def measure(db_path: Path, runs: int, pages: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    secret = TEST_SECRET  # the secret streamlit_server gives its server
    results: dict[str, dict] = {}
    chosen = [s for s in PAGES if not pages or s.url_path in pages]
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        copy, share_token = copy_with_share_link(db_path, Path(folder), "Benchmark donor")
        floor_script = served_like_the_dashboard(Path(folder), "floor", FLOOR_SCRIPT)
        with (
            streamlit_server(copy, Path(folder) / "streamlit.log") as base,
            streamlit_server(
                Path(folder) / "unused.duckdb", Path(folder) / "floor.log", script=str(floor_script)
            ) as floor_base,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                loads(browser, f"{floor_base}/", 1)  # the floor server's first imports
                warm_up = next((s for s in PAGES if s.url_path == "upload"), PAGES[-1])
                cookies, signin_s = sign_in(browser, base, warm_up.url_path, secret)
                floor = loads(browser, f"{floor_base}/", runs)
                for spec in chosen:
                    results[spec.url_path] = loads(browser, f"{base}/{spec.address}", runs, cookies)
                if not pages or DONOR in pages or "overview" in pages:
                    url = f"{base}/?{sharing.SHARE_PARAM}={share_token}"
                    results[DONOR] = loads(browser, url, runs, timeout_s=DONOR_TIMEOUT_S)
                floor_after = loads(browser, f"{floor_base}/", runs)  # the machine drifts
            finally:
                browser.close()
    floor_cold = statistics.mean([floor["cold_s"], floor_after["cold_s"]])
    floor_warm = statistics.mean(x for x in (floor["warm_s"], floor_after["warm_s"]) if x)
    for r in results.values():
        r["cold_over_floor"] = ratio(r["cold_s"], floor_cold)
        r["warm_over_floor"] = ratio(r["warm_s"], floor_warm)
    return {
        "database": str(db_path),
        "runs": runs,
        "floor": {
            "before": floor,
            "after": floor_after,
            "cold_s": round(floor_cold, 2),
            "warm_s": round(floor_warm, 2),
        },
        "signin_s": round(signin_s, 2),
        "pages": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="url paths (default: every page)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.db, args.runs, args.pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
