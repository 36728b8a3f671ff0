"""A real PostgreSQL server for tests: initdb in a temporary directory, a free loopback
port, started and stopped with pg_ctl. initdb refuses to run as root, so as root the
server runs as the `postgres` system user (the Debian package creates it).

    server = PgServer.create()          # initdb + start
    url = server.new_database()         # an empty database of its own
    server.stop(); server.start()       # the same data again
    server.destroy()
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support.live import free_port

RUN_AS = "postgres"


def pg_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def require_pg_bin_dir() -> Path:
    """The binaries, or skip (fail in CI: a missing server is an error there)."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL is not installed (Debian package `postgresql`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return bin_dir


@dataclass
class PgServer:
    bin_dir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def create(cls) -> PgServer:
        root = Path(tempfile.mkdtemp(prefix="cocanvas-pg-"))
        server = cls(require_pg_bin_dir(), root, free_port())
        if os.geteuid() == 0:
            shutil.chown(root, RUN_AS, RUN_AS)
        server._run(
            "initdb", "-D", str(server.data), "-U", "cocanvas", "--auth=trust", "-E", "UTF8", "-N"
        )
        server.start()
        atexit.register(server.destroy)  # also when a run is cut short
        return server

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", RUN_AS, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port}"
            f" -c unix_socket_directories={self.root} -c max_connections=60"
            " -c shared_buffers=16MB"
        )
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://cocanvas@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}".encode())
        return self.url(name)

    def destroy(self) -> None:
        if not self.root.exists():
            return
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
