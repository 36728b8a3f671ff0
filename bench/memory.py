"""Memory per loaded board, and that idle boards are unloaded.

Starts our server, creates N boards with 50 notes each, keeps one client connected to
each (so every board is loaded), reads the server's RSS, disconnects, waits for the idle
boards to unload, and reads it again.

    .venv/bin/python bench/memory.py [--boards 40]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from pycrdt import Doc, Map, Text
from run_sync import create_boards, our_server, status_kb
from websockets.asyncio.client import ClientConnection, connect

from server.sync import codec


async def join_and_fill(ws_url: str, board: dict[str, Any], notes: int) -> ClientConnection:
    url = f"{ws_url}/{board['room']}?k={board['params']['k']}"
    ws = await connect(url, max_size=None, compression=None)
    doc: Doc[Any] = Doc()
    root = doc.get("notes", type=Map)
    with doc.transaction():
        for i in range(notes):
            root[f"n{i}"] = Map({"field": "A1", "text": Text(f"Notiz {i} über Beteiligung")})
    await ws.send(codec.encode_sync_update(doc.get_update()))
    return ws


async def rooms_until(base: str, done: Callable[[int], bool]) -> None:
    """Poll /healthz (another process: nothing to subscribe to) for at most 60 s."""
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(600):
            if done((await http.get("/healthz")).json()["rooms"]):
                return
            await anyio.sleep(0.1)
    raise TimeoutError("the server did not reach the expected number of loaded boards")


async def measure(ws_url: str, base: str, pid: int, boards: list[dict[str, Any]]) -> None:
    before = status_kb(pid, "VmRSS")
    async with contextlib.AsyncExitStack() as stack:
        for board in boards:
            ws = await join_and_fill(ws_url, board, 50)
            stack.push_async_callback(ws.close)
        await rooms_until(base, lambda n: n >= len(boards))
        await anyio.sleep(1)
        loaded = status_kb(pid, "VmRSS")
    started = time.monotonic()
    await rooms_until(base, lambda n: n == 0)
    unloaded_after = time.monotonic() - started
    after = status_kb(pid, "VmRSS")
    n = len(boards)
    print(f"boards loaded: {n} (50 notes each)")
    print(
        f"RSS before: {before / 1024:.1f} MB, loaded: {loaded / 1024:.1f} MB, "
        f"after unload: {after / 1024:.1f} MB"
    )
    print(f"memory per loaded board: {(loaded - before) / n:.0f} KB")
    print(f"all idle boards unloaded {unloaded_after:.1f} s after the last client left")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--boards", type=int, default=40)
    args = p.parse_args()
    os.environ["COCANVAS_ROOM_GRACE_SECONDS"] = "2"
    with tempfile.TemporaryDirectory(prefix="cocanvas-mem-") as tmp, our_server(Path(tmp)) as srv:
        boards = create_boards(srv, args.boards)
        anyio.run(measure, srv.ws_url, f"http://127.0.0.1:{srv.port}", srv.process.pid, boards)
    return 0


if __name__ == "__main__":
    sys.exit(main())
