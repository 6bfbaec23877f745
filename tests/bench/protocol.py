"""A load generator without browsers: sessions speaking Streamlit's own websocket protocol.

Each session opens `/_stcore/stream` as the browser's frontend does (the cookie of a signed-in
session sent with the handshake, ui/session_cookie.py), then asks for one page after another
(a `rerun_script` BackMsg naming the page) and waits for the run's `script_finished`: one
render. Nothing is drawn; the server does all of its work (the page's script, the core, the
protobuf messages), which is what a render costs it.

    sessions(url, cookies, pages, seconds) -> Level: renders, latencies, errors

Used by tests/bench/soak.py (capacity at 1, 10 and 50 sessions).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
SIGN_IN_FORM = "sign-in"  # the key of ui/gate.py's sign-in form: shown to nobody signed in
RENDER_TIMEOUT_S = 120.0  # a render taking longer counts as an error


@dataclass
class Level:
    """What `sessions` measured at one number of sessions."""

    sessions: int
    seconds: float = 0.0  # the timed window: from all sessions started to the deadline
    ramp_up_s: float = 0.0  # until every session had connected and rendered its first page
    late_wait_s: float = 0.0  # after the deadline, for the renders then in flight
    probe_at_open: float | None = None
    probe_at_end: float | None = None
    latencies: list[float] = field(default_factory=list)  # per render completed in time
    late: int = 0  # renders finished after the deadline (latency kept, not counted in rate)
    errors: list[str] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000)

        done = len(ordered) - self.late
        return {
            "sessions": self.sessions,
            "seconds": round(self.seconds, 1),
            "ramp_up_s": round(self.ramp_up_s, 1),
            "renders": done,
            "renders_late": self.late,
            "renders_per_s": round(done / self.seconds, 2) if self.seconds else None,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": round(ordered[-1] * 1000) if ordered else None,
            "errors": len(self.errors),
            "error_examples": sorted(set(self.errors))[:5],
            "p50_ms_by_page": {
                page: round(statistics.median(v) * 1000) for page, v in self.by_page.items() if v
            },
        }


def _rerun(page: str, query: str = "") -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


async def _render(ws, page: str) -> tuple[float, str | None]:
    """Ask for `page` and wait for its run to end: (seconds, error or None)."""
    start = time.perf_counter()
    await ws.send(_rerun(page))
    error = None
    while True:
        raw = await asyncio.wait_for(ws.recv(), RENDER_TIMEOUT_S)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            shown = element.WhichOneof("type")
            if shown == "exception":
                error = error or f"{page}: {element.exception.type}"
            elif shown == "text_input" and element.text_input.form_id == SIGN_IN_FORM:
                error = error or f"{page}: the sign-in form (not signed in)"
        elif kind == "page_not_found":
            error = error or f"{page}: page not found"
        elif kind == "script_finished":
            if msg.script_finished == FINISHED:
                return time.perf_counter() - start, error
            if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - start, f"{page}: run ended {msg.script_finished}"


class _Start:
    """Every session first connects and renders its first page (a session's start: the
    sign-in check, the navigation); the timed window opens once all of them have."""

    def __init__(self, count: int):
        self.count, self.ready = count, 0
        self.all_ready, self.go = asyncio.Event(), asyncio.Event()
        self.deadline = 0.0

    def one_ready(self) -> None:
        self.ready += 1
        if self.ready == self.count:
            self.all_ready.set()


async def _session(n: int, url: str, cookie: str, pages: list[str], start: _Start, level: Level):
    host = url.split("://", 1)[1]
    headers = {"Cookie": cookie, "Origin": url}
    counted = False
    try:
        async with websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=120,
            ping_interval=None,
        ) as ws:
            _, error = await _render(ws, pages[n % len(pages)])
            if error:
                level.errors.append(error)
            start.one_ready()
            counted = True
            await start.go.wait()
            i = n + 1
            while time.monotonic() < start.deadline:
                page = pages[i % len(pages)]
                i += 1
                seconds, error = await _render(ws, page)
                level.latencies.append(seconds)
                level.by_page.setdefault(page or "overview", []).append(seconds)
                if time.monotonic() > start.deadline:
                    level.late += 1
                if error:
                    level.errors.append(error)
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        level.errors.append(f"session {n}: {type(exc).__name__}: {exc}"[:200])
    finally:
        if not counted:
            start.one_ready()


async def _run(url, cookies, pages, seconds, probe) -> Level:
    level = Level(len(cookies))
    start = _Start(len(cookies))
    began = time.monotonic()
    tasks = [
        asyncio.create_task(_session(n, url, c, pages, start, level)) for n, c in enumerate(cookies)
    ]
    await start.all_ready.wait()
    level.ramp_up_s = time.monotonic() - began
    level.probe_at_open = probe() if probe else None
    opened = time.monotonic()
    start.deadline = opened + seconds
    start.go.set()
    await asyncio.gather(*tasks)
    level.probe_at_end = probe() if probe else None
    ended = time.monotonic()
    level.seconds = min(ended, start.deadline) - opened
    level.late_wait_s = max(0.0, ended - start.deadline)
    return level


def sessions(
    url: str,
    cookies: list[str],
    pages: list[str],
    seconds: float,
    probe: Callable[[], float] | None = None,
) -> Level:
    """Run one session per cookie (a `Cookie:` header value) against the server at `url`.
    Each connects and renders its first page (not timed: `ramp_up_s`); then, all together,
    each asks for `pages` in turn (page names as in the address; "" is the default page)
    without pause until `seconds` have passed; the renders in flight then are waited for.
    `probe` (e.g. the server's CPU seconds) is read when the timed window opens and when the
    last render is in."""
    return asyncio.run(_run(url, cookies, pages, seconds, probe))
