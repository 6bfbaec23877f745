"""A throwaway PostgreSQL server in a folder of its own, on the loopback (tests, `make bench`).

Debian's server programs (package postgresql: /usr/lib/postgresql/<version>/bin) are run
directly, `initdb` then `pg_ctl start`, in a temporary folder: no system service, nothing
outside the folder. PostgreSQL refuses to run as root, so when this process is root the
server runs as the user `nobody`, which then owns the folder.

    with TemporaryServer(tmp_path / "pg") as server:
        url = server.create_database("programme")   # postgresql://postgres@127.0.0.1:PORT/programme
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SEARCHED = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin")


def server_bin() -> Path:
    """The folder of initdb, pg_ctl and postgres: $POSTGRES_BIN, else the newest Debian
    version's, else the folder of `pg_ctl` on PATH. FileNotFoundError saying what to install."""
    given = os.environ.get("POSTGRES_BIN")
    if given:
        return Path(given)
    found = []
    for pattern in SEARCHED:
        found += [Path(p) for p in glob.glob(pattern) if (Path(p) / "initdb").exists()]
    if found:
        return max(found, key=lambda p: _version_key(p.parent.name))
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    raise FileNotFoundError(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found. Install Debian's package "
        "`postgresql` (`apt-get install postgresql`; `make system-packages` does it) or point "
        "POSTGRES_BIN at the folder holding them."
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit()) or (0,)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryServer:
    """A PostgreSQL cluster in `folder`, started on 127.0.0.1 at a free port; stopped (fast
    shutdown) and its folder removed by stop()."""

    def __init__(self, folder: Path, *, port: int | None = None):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.bin = server_bin()
        self.user = "postgres"
        self._as: list[str] = []
        self.started = False

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self) -> TemporaryServer:
        if self.data.exists():
            # Left by a run that was killed: its server may still run. Throwaway: start over.
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
                timeout=60,
                **({"user": "nobody"} if os.geteuid() == 0 else {}),
            )
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # initdb and postgres refuse root: run them as nobody, who owns the folder.
            self._as = ["runuser", "-u", "nobody", "--"]
            shutil.chown(self.folder, "nobody")
            for parent in self.folder.parents:  # nobody must be able to reach the folder
                if parent == Path("/"):
                    break
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            # Text compared byte by byte, as DuckDB does (docs/scale.md, "How to switch"): the
            # same order as C.UTF-8 gives, and sorts and key lookups faster.
            "--lc-collate=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=256MB -c TimeZone=UTC"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database on this server, empty or a copy of the database `template` (which
        nobody may be connected to); its URL."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL("create database {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" template {}").format(sql.Identifier(template))
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(statement)
        return self.url(name)

    def settle(self) -> None:
        """Write out what the server holds to be written (CHECKPOINT), then have the system
        write its own dirty pages (sync). Copying a database from a template (`make bench`:
        two copies of 500 MB) or filling one leaves that much to write, which the server's
        checkpoints and the kernel otherwise write during whatever runs next: an import of
        100,000 rows timed right after such copies took 2.3-2.9 s, settled first 2.0-2.1 s."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute("checkpoint")
        os.sync()

    def stop(self) -> None:
        if self.started:
            deadline = time.monotonic() + 60
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> TemporaryServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
