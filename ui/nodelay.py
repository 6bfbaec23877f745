"""Every connection to the server sends what it writes at once (TCP_NODELAY), as asyncio means
its TCP connections to.

asyncio turns Nagle's algorithm off on each connection it accepts, but only when the
listening socket was made with its protocol named (`sock.proto == IPPROTO_TCP`, Python 3.11's
`asyncio.base_events._set_nodelay`). Streamlit's server binds its socket itself
(`socket.socket(family=...)`, protocol 0: streamlit/web/server/starlette/starlette_server.py),
so on `streamlit run` no connection had it: a response written in two parts (its headers, then
its body) held the second part back until the browser acknowledged the first, which a browser
delays by up to 40 ms. Every script file after the first on a kept-alive connection, and the
messages of a page's script over the websocket, waited so (docs/benchmarks.md, 5 December
2026). `uvicorn server:app` binds its own socket with the protocol named and was not affected.

`enable()` makes asyncio turn the algorithm off on every TCP connection whatever protocol
number its socket carries; called by server.py before the server starts.
"""

from __future__ import annotations

import asyncio.base_events
import socket

_TCP_FAMILIES = {socket.AF_INET, socket.AF_INET6}


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in _TCP_FAMILIES and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def enable() -> None:
    """From now on, every TCP connection asyncio makes or accepts in this process is sent
    without delay (idempotent)."""
    asyncio.base_events._set_nodelay = _set_nodelay  # noqa: SLF001 - see the module's text
