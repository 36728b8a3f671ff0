"""A real nginx on a free loopback port, running the shipped deploy/nginx.conf.

Only the machine-specific lines change: listen address, the upstream's node list, and the
pid and log paths (into a temporary directory). In CI (CI set) a missing nginx is a failure;
elsewhere the tests are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .live import ROOT, free_port

SHIPPED = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        message = "nginx is missing: apt-get install nginx (scripts/system-packages.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def local_config(shipped: str, workdir: Path, port: int, nodes: list[int]) -> str:
    """The shipped configuration with loopback ports and paths under workdir."""
    subs = [
        (r"(?m)^worker_processes .*;$", "worker_processes 1;"),  # two test cores
        (r"(?m)^pid .*;$", f"pid {workdir}/nginx.pid;"),
        (r"(?m)^error_log \S+", f"error_log {workdir}/error.log"),
        (r"(?m)^(\s*)access_log \S+", rf"\g<1>access_log {workdir}/access.log"),
        (r"(?m)^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{port};"),
    ]
    text = shipped
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        assert n == 1, f"deploy/nginx.conf no longer has one line matching {pattern!r}"
    servers = re.findall(r"(?m)^\s*server node\d+:8000(.*);$", text)
    assert servers, "deploy/nginx.conf lists no node in its upstream"
    options = servers[0]
    lines = "".join(f"        server 127.0.0.1:{p}{options};\n" for p in nodes)
    text = re.sub(r"(?m)(^\s*server node\d+:8000.*;\n)+", lines, text)
    return text


@dataclass
class Nginx:
    """start(nodes); the access log is read with access_log()."""

    workdir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, nodes: list[int], timeout: float = 10.0) -> Nginx:
        binary = nginx_binary()
        if not self.port:
            self.port = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "nginx.conf"
        conf.write_text(local_config(SHIPPED.read_text(), self.workdir, self.port, nodes))
        self.proc = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.workdir),
                "-c",
                str(conf),
                "-e",
                str(self.workdir / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}:\n{self.errors()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"nginx did not listen within {timeout} s:\n{self.errors()}")

    def errors(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> str:
        path = self.workdir / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
