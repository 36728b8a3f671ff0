"""How fast one address can try wrong tokens and join codes, and when it is stopped.

Starts a server on a free loopback port, creates a board, then sends wrong credentials
for a fixed number of attempts over REST and over websockets and prints, for each:
attempts per second, how many were checked (401/4401) and how many refused (429/4429).

    .venv/bin/python bench/auth_attempts.py [--attempts 400]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.live import LiveServer


async def rest(server: LiveServer, board: str, attempts: int) -> tuple[float, Counter[int]]:
    seen: Counter[int] = Counter()
    async with httpx.AsyncClient(base_url=server.http) as http:
        started = time.perf_counter()
        for i in range(attempts):
            headers = {"authorization": f"Bearer WRNG{i % 10000:04d}"}
            seen[(await http.get(f"/api/boards/{board}", headers=headers)).status_code] += 1
        return attempts / (time.perf_counter() - started), seen


async def websocket(server: LiveServer, board: str, attempts: int) -> tuple[float, Counter[int]]:
    seen: Counter[int] = Counter()
    started = time.perf_counter()
    for i in range(attempts):
        async with connect(f"{server.ws}/{board}?k=WRNG{i % 10000:04d}") as ws:
            try:
                await ws.recv()
            except ConnectionClosed as exc:
                seen[exc.rcvd.code if exc.rcvd else 0] += 1
    return attempts / (time.perf_counter() - started), seen


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data").start()
        try:
            board = server.create_board().id
            for name, run in (("REST", rest), ("websocket", websocket)):
                rate, seen = await run(server, board, args.attempts)
                print(f"{name:10} {rate:8.0f} attempts/s  {dict(sorted(seen.items()))}")
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
