"""The job channel: how a command reaches the process that holds the database.

DuckDB lets one process at a time open a database file for writing, and while the dashboard
serves, that process is the dashboard. So the dashboard listens on a Unix socket next to the
database (`socket_path`), and a command of `python -m monitoring` that finds it there sends
its job instead of opening the file (monitoring/cli/remote.py says what a job is). The
dashboard runs the job in its own process, on its own connection, one job at a time, while
its pages keep reading (docs/architecture.md, "Writing while it serves").

The wire: one request and one answer per connection, each a frame of an 8-byte big-endian
length and that many bytes of UTF-8 JSON.

Who may talk to whom (the peer's user id from Linux's SO_PEERCRED; elsewhere the socket
file's mode, 0600, and owner stand for it):
- the server answers only processes of its own user, or root;
- the client sends only to a server run by its own user, root, or the owner of the
  database file (the dashboard's service account, when an operator runs the command as
  root), so that a socket someone else left at that path never receives a job.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

log = logging.getLogger("monitoring.db")

MAX_FRAME = 64 * 1024 * 1024  # a 20 MB upload, base64-encoded, fits with room to spare
_HEADER = struct.Struct(">Q")
_UNIX_PATH_MAX = 107  # sun_path holds 108 bytes with the closing NUL

Handler = Callable[[dict, int | None], dict]


class ChannelError(RuntimeError):
    """The job was sent but no answer came back (the server stopped or refused it)."""


def socket_path(db_path: Path) -> Path:
    """Where the process holding `db_path` listens: `.<name>.sock` beside it, or, when that
    path is too long for a Unix socket, a name in the temporary folder made from it."""
    beside = db_path.with_name(f".{db_path.name}.sock")
    if len(os.fsencode(beside)) <= _UNIX_PATH_MAX:
        return beside
    digest = hashlib.sha256(os.fsencode(db_path)).hexdigest()[:20]
    return Path("/tmp") / f"monitoring-{digest}.sock"  # noqa: S108 - peers are checked


def _peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end (None where the system does not say:
    then the socket file's mode and owner stand for it)."""
    if not hasattr(socket, "SO_PEERCRED"):  # not Linux
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _send_frame(sock: socket.socket, payload: dict) -> None:
    data = json.dumps(payload).encode("utf-8")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _recv_frame(sock: socket.socket) -> dict | None:
    """The next frame, or None when the other side closed the connection first."""
    header = _recv_exactly(sock, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ChannelError(f"A frame of {size:,} bytes is larger than {MAX_FRAME:,}.")
    data = _recv_exactly(sock, size)
    if data is None:
        return None
    return json.loads(data.decode("utf-8"))


class JobServer:
    """Listens on the socket of `db_path`; runs `handler(request, peer_uid) -> answer` for
    each request, one at a time, on a thread of its own per connection."""

    def __init__(self, db_path: Path, handler: Handler):
        self.db_path = db_path
        self.path = socket_path(db_path)
        self.handler = handler
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._jobs = threading.Lock()  # one job at a time, in the order they arrive
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind and listen. The caller holds the database (DuckDB's lock), so a socket file
        left at the path is a dead server's: it is replaced. OSError when it cannot bind."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            sock.bind(str(self.path))
            os.chmod(self.path, 0o600)
            sock.listen(16)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._thread = threading.Thread(
            target=self._accept, name=f"jobs {self.db_path.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and remove the socket file. A job already running finishes on its
        own thread; one that arrives now is not run."""
        self._stop.set()
        if self._sock is not None:
            with suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
                wake.connect(str(self.path))  # wakes the accepting thread, which then stops
            if self._thread is not None:
                self._thread.join(timeout=2)
            self._sock.close()
            self._sock = None
        with suppress(OSError):
            if self.path.is_socket():
                self.path.unlink()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                uid = _peer_uid(conn)
                if uid is not None and uid not in (os.geteuid(), 0):
                    log.warning("Refused a job from user id %s (not this user, not root).", uid)
                    return
                request = _recv_frame(conn)
                if request is None:
                    return  # a client that only looked whether we serve
                with self._jobs:
                    if self._stop.is_set():
                        return  # closing: the client runs the command itself or reports it
                    answer = self.handler(request, uid)
                _send_frame(conn, answer)
            except (BrokenPipeError, ConnectionResetError):
                # The client went away (interrupted): the job, if it ran, is complete.
                log.info("A command went away before its answer was sent.")
            except Exception:
                log.exception("A job from the command line failed.")


def _trusted_server(sock: socket.socket, db_path: Path) -> bool:
    uid = _peer_uid(sock)
    if uid is None:
        uid = socket_path(db_path).stat().st_uid  # who made the socket file
    allowed = {os.geteuid(), 0}
    try:
        allowed.add(db_path.stat().st_uid)
    except OSError:
        pass
    return uid in allowed


def _connect(db_path: Path) -> socket.socket | None:
    """A connection to the server of `db_path`, or None when nobody (trusted) listens."""
    path = socket_path(db_path)
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.ECONNREFUSED, errno.ENOENT, errno.EACCES, errno.EPERM):
            return None  # a socket file left by a server that stopped, or not ours
        raise
    if not _trusted_server(sock, db_path):
        log.warning("%s is served by another user's process: not sending it a job.", path)
        sock.close()
        return None
    return sock


def serving(db_path: Path) -> bool:
    """Whether a process holding `db_path` takes jobs now."""
    sock = _connect(db_path)
    if sock is None:
        return False
    sock.close()
    return True


def send_job(db_path: Path, request: dict) -> dict | None:
    """Send `request` to the process holding `db_path` and wait for its answer (as long as
    the job takes). None when nobody takes jobs for it; ChannelError when the connection
    closes before the answer (the server stopped, or was stopped, during the job)."""
    sock = _connect(db_path)
    if sock is None:
        return None
    with sock:
        try:
            _send_frame(sock, request)
            answer = _recv_frame(sock)
        except OSError as exc:
            raise ChannelError(f"The connection to {socket_path(db_path)} failed: {exc}") from None
    if answer is None:
        raise ChannelError(f"{socket_path(db_path)} closed the connection without an answer.")
    return answer
