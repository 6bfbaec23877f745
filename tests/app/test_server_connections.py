"""The server's connections send what they write at once (ui/nodelay.py, enabled by server.py):
a script file or an answer on a kept-alive connection is not held back until the browser
acknowledges the part before it (up to 40 ms for each file of a first load)."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import importlib
import socket

from streamlit.web.server.starlette import starlette_server

from tests.conftest import run_coroutine
from ui import nodelay


def nodelay_of_a_connection() -> int:
    """TCP_NODELAY of the server side of a connection accepted on a socket bound the way
    Streamlit's server binds its own (`streamlit run`)."""

    async def probe() -> int:
        loop = asyncio.get_running_loop()
        sock = starlette_server._bind_socket("127.0.0.1", 0, 8)  # noqa: SLF001 - as Streamlit does
        port = sock.getsockname()[1]
        accepted: asyncio.Future[int] = loop.create_future()

        class Server(asyncio.Protocol):
            def connection_made(self, transport) -> None:
                server_side = transport.get_extra_info("socket")
                accepted.set_result(server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await loop.create_server(Server, sock=sock)
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(accepted, 10)
            writer.close()
            return value
        finally:
            server.close()
            await server.wait_closed()

    return run_coroutine(probe())


def test_connections_accepted_on_streamlits_socket_send_at_once(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)
    nodelay.enable()
    assert nodelay_of_a_connection() != 0


def test_the_server_file_makes_its_connections_send_at_once(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)
    import server

    importlib.reload(server)  # as `streamlit run server.py` imports it, before serving
    assert nodelay_of_a_connection() != 0
