"""A donor's first view through the shipped proxy over a slow line, emulated in Chromium.

    python -m tests.bench.slow_line [--runs 6] [--kbps 4000] [--latency-ms 100]
        [--against OTHER_NGINX.conf]

The dashboard serves a copy of the sample (bench/data/sample.duckdb, as `make bench`) behind
Debian's nginx running deploy/nginx.conf over HTTPS, as tests/e2e/test_deploy.py runs it;
with `--against`, a second nginx runs another version of that file (e.g. `git show
REV:deploy/nginx.conf > old.conf`) in front of the same dashboard, and the loads alternate
between the two. Each load is a new browser context (nothing cached) opening a share link's
overview, with Chromium's network emulation at the given bandwidth (both ways) and latency;
seconds until rendered as the browser tests judge it. Prints each version's median and
every load (docs/benchmarks.md, docs/deploy.md).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from monitoring.access import sharing
from tests.bench.browser import copy_with_share_link
from tests.bench.run import sample_database
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    HANDING_OVER,
    RENDERED,
    chromium_path,
    free_port,
    streamlit_server,
)
from tests.e2e.test_deploy import (
    DEPLOY,
    loopback_site,
    nginx,
    render_nginx,
    self_signed_certificate,
    wait_for_health,
)

TIMEOUT_MS = 180_000


def measure(runs: int, kbps: int, latency_ms: int, against: Path | None) -> dict[str, list]:
    from playwright.sync_api import sync_playwright

    configs = {"shipped": DEPLOY / "nginx.conf"} | ({"against": against} if against else {})
    with tempfile.TemporaryDirectory(prefix="bench-slow-line-") as name:
        folder = Path(name)
        db, token = copy_with_share_link(sample_database(), folder, "Slow line")
        cert, key = self_signed_certificate(folder)
        (folder / "logs").mkdir()
        with contextlib.ExitStack() as stack:
            dashboard = stack.enter_context(streamlit_server(db, folder / "streamlit.log"))
            sites = {}
            for label, config in configs.items():
                port = free_port()
                values = loopback_site(port, free_port(), dashboard, cert, key, folder / "logs")
                proc = stack.enter_context(
                    nginx(folder / f"nginx-{label}", render_nginx(values, config))
                )
                sites[label] = f"https://127.0.0.1:{port}"
                wait_for_health(sites[label], proc, folder / f"nginx-{label}" / "error.log")
            p = stack.enter_context(sync_playwright())
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            seconds: dict[str, list] = {label: [] for label in sites}
            try:
                for run in range(runs):
                    order = list(sites) if run % 2 == 0 else list(reversed(sites))
                    for label in order:
                        url = f"{sites[label]}/?{sharing.SHARE_PARAM}={token}"
                        seconds[label].append(_load(browser, url, kbps, latency_ms))
            finally:
                browser.close()
    return seconds


def _load(browser, url: str, kbps: int, latency_ms: int) -> float | None:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-GB", ignore_https_errors=True
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        rate = kbps * 1000 / 8  # bytes per second
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": latency_ms,
                "downloadThroughput": rate,
                "uploadThroughput": rate,
            },
        )
        start = time.perf_counter()
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_function(RENDERED, arg=HANDING_OVER, timeout=TIMEOUT_MS)
        return round(time.perf_counter() - start, 2)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--kbps", type=int, default=4000, help="bandwidth, kbit/s")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--against", type=Path, help="another nginx config, loaded alternately")
    args = parser.parse_args(argv)
    for label, loads in measure(args.runs, args.kbps, args.latency_ms, args.against).items():
        print(f"{label}: median {statistics.median(loads)} s; every load {loads}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
