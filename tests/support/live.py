"""A real cocanvas server process on a free loopback port, for integration tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


PORT_ATTEMPTS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux)."""
    wanted = f"0100007F:{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted and fields[3] == "0A":  # 0A: LISTEN
            inodes.add(f"socket:[{fields[9]}]")
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) in inodes for fd in fds.iterdir())
    except OSError:  # it exited meanwhile, or an fd closed while read
        return False


@dataclass
class Board:
    id: str
    tokens: dict[str, str]
    links: dict[str, str]


@dataclass
class LiveServer:
    """Start with start(); stop() ends it gracefully, kill() with SIGKILL."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 20.0) -> LiveServer:
        # a port picked here may be taken by another process (another test worker's
        # server or client) before the server binds it: then pick again; a port given
        # by the test (a restart on the same port) is kept
        picked = not self.port
        for _ in range(PORT_ATTEMPTS):
            if picked:
                self.port = free_port()
            if self._start(timeout):
                return self
            if not picked or "already in use" not in self.log():
                break
        assert self.proc is not None
        raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")

    def _start(self, timeout: float) -> bool:
        """Start the process; True once it answers /healthz on its port, False if it
        exited first."""
        env = {**os.environ, **self.env}
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data",
                str(self.data_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                healthy = httpx.get(f"{self.http}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                healthy = False
            # the answer may come from another process that holds the port
            if healthy and listens(self.proc.pid, self.port):
                return True
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not become healthy in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def create_board(self, title: str = "Test board", **body: Any) -> Board:
        r = httpx.post(
            f"{self.http}/api/boards",
            json={"canvas": "ko-kreation", "title": title, **body},
            timeout=10,
        )
        r.raise_for_status()
        data = r.json()
        return Board(data["id"], data["tokens"], data["links"])
