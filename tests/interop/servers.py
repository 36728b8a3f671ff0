"""Start sync servers on free loopback ports for interop tests.

* :func:`reference_server` runs the reference ``@y/websocket-server`` 0.1.1 (installed under
  ``bench/node_modules`` by ``npm ci --prefix bench``); rooms are any name, no params.
* :func:`cocanvas_server` runs ``cocanvas serve`` with a fresh data directory;
  :func:`create_board` makes a board over ``POST /api/boards`` and returns its id and tokens.

Both stop only the process they started.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from anyio.abc import Process

REPO = Path(__file__).resolve().parents[2]
REFERENCE_SERVER_JS = (
    REPO / "bench" / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
)
COCANVAS = Path(sys.executable).parent / "cocanvas"


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


STARTUP_SECONDS = 15


async def wait_for_port(port: int, process: Process) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:port."""
    with anyio.fail_after(STARTUP_SECONDS):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"server exited with code {process.returncode} before listening")
            try:
                stream = await anyio.connect_tcp("127.0.0.1", port)
            except OSError:
                await anyio.sleep(0.05)  # retry interval while the server starts
                continue
            await stream.aclose()
            return


async def _stop(process: Process) -> None:
    with anyio.CancelScope(shield=True):
        if process.returncode is None:
            process.terminate()
            with anyio.move_on_after(5):
                await process.wait()
        if process.returncode is None:
            process.kill()
            await process.wait()


@dataclass(frozen=True)
class RunningServer:
    process: Process
    port: int
    log: Path

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@asynccontextmanager
async def reference_server(log_dir: Path) -> AsyncIterator[RunningServer]:
    """Run ``@y/websocket-server`` 0.1.1 on a free loopback port (WebSocket URL: ``ws_url``)."""
    if not REFERENCE_SERVER_JS.is_file():
        raise FileNotFoundError(
            f"{REFERENCE_SERVER_JS} is missing: run `npm ci --prefix bench` to install the "
            "reference server @y/websocket-server 0.1.1"
        )
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("`node` (Node.js 20+) is not on PATH")
    port = free_port()
    log = log_dir / f"reference-{port}.log"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as out:
        process = await anyio.open_process(
            [node, str(REFERENCE_SERVER_JS)], env=env, stdin=None, stdout=out, stderr=out
        )
    try:
        await wait_for_port(port, process)
        yield RunningServer(process, port, log)
    finally:
        await _stop(process)


@asynccontextmanager
async def cocanvas_server(data_dir: Path, log_dir: Path) -> AsyncIterator[RunningServer]:
    """Run ``cocanvas serve`` on a free loopback port with ``data_dir`` as its store.

    The sync URL for the stock provider is ``f"{server.ws_url}/ws"`` with room = board id and
    ``params={"k": token}``.
    """
    port = free_port()
    log = log_dir / f"cocanvas-{port}.log"
    cmd = [str(COCANVAS), "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data", str(data_dir)]
    with log.open("wb") as out:
        process = await anyio.open_process(cmd, stdin=None, stdout=out, stderr=out)
    try:
        await wait_for_port(port, process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            with anyio.fail_after(STARTUP_SECONDS):
                while True:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                    await anyio.sleep(0.05)  # retry interval while the app starts
        yield RunningServer(process, port, log)
    finally:
        await _stop(process)


@dataclass(frozen=True)
class Board:
    id: str
    tokens: dict[str, str]
    links: dict[str, Any]


async def create_board(
    http_url: str, *, canvas: str = "ko-kreation", title: str = "T", locale: str = "de"
) -> Board:
    """``POST /api/boards`` and return the new board's id, tokens and links."""
    async with httpx.AsyncClient(base_url=http_url) as http:
        r = await http.post(
            "/api/boards", json={"canvas": canvas, "title": title, "locale": locale}
        )
    if r.status_code != 201:
        raise RuntimeError(f"POST /api/boards answered {r.status_code}: {r.text[:500]}")
    body = r.json()
    return Board(id=str(body["id"]), tokens=dict(body["tokens"]), links=dict(body.get("links", {})))
