"""Soak: boards loaded and unloaded for a long time at steady content; RSS slope in MB/h.

A workshop week in fast motion: every round, clients join a few of the boards, edit notes
that already exist (so the content stays the same size), and leave; idle boards unload
after a short grace period. Every few seconds, once every board is unloaded again, the
server's RSS is sampled (memory at rest, not a board caught half-loaded); a least-squares
line through the samples after the warm-up gives the slope.

    .venv/bin/python bench/soak.py                 # 30 minutes (the issue's soak)
    .venv/bin/python bench/soak.py --seconds 300   # a shorter look
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from pycrdt import Doc, Map, Text
from run_sync import Server, create_boards, our_server, status_kb
from websockets.asyncio.client import connect

from server.sync import codec

NOTES_PER_BOARD = 200


async def fill(server: Server, board: dict[str, Any]) -> None:
    url = f"{server.ws_url}/{board['room']}?k={board['params']['k']}"
    async with connect(url, max_size=None, compression=None) as ws:
        doc: Doc[Any] = Doc()
        root = doc.get("notes", type=Map)
        with doc.transaction():
            for i in range(NOTES_PER_BOARD):
                root[f"n{i}"] = Map({"field": "A1", "text": Text(f"Notiz {i} über Beteiligung")})
        await ws.send(codec.encode_sync_update(doc.get_update()))
        await ws.send(codec.encode_sync_step1(b"\0"))
        await ws.recv()


async def visit(server: Server, board: dict[str, Any], round_no: int) -> None:
    """Join, sync, rewrite one note's text in place (same length), leave."""
    url = f"{server.ws_url}/{board['room']}?k={board['params']['k']}"
    async with connect(url, max_size=None, compression=None) as ws:
        doc: Doc[Any] = Doc()
        await ws.send(codec.encode_sync_step1(doc.get_state()))
        with anyio.fail_after(10):
            while True:
                data = await ws.recv()
                assert isinstance(data, bytes)
                frame = codec.decode_frame(data)
                if isinstance(frame, codec.SyncStep2):
                    doc.apply_update(frame.update)
                    break
        note = doc.get("notes", type=Map)[f"n{round_no % NOTES_PER_BOARD}"]
        text = note["text"]
        assert isinstance(text, Text)
        before = doc.get_state()
        with doc.transaction():
            del text[0:1]
            text.insert(0, "N")
        await ws.send(codec.encode_sync_update(doc.get_update(before)))
        await anyio.sleep(0.05)


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return cov / var * 3600 if var else 0.0


async def at_rest(http: httpx.AsyncClient) -> None:
    """Wait (at most 30 s) until the server has unloaded every board."""

    async def unloaded() -> bool:
        return bool((await http.get("/healthz")).json()["rooms"] == 0)

    for _ in range(600):  # another process: nothing to subscribe to; 30 s at most
        if await unloaded():
            break
        await anyio.sleep(0.05)
    else:
        raise TimeoutError("the boards did not unload within 30 s")


async def soak(server: Server, boards: list[dict[str, Any]], seconds: float) -> None:
    for board in boards:
        await fill(server, board)
    # a new connection per poll: a kept-alive one that the server closes after 5 s idle
    # races the next request ("Server disconnected without sending a response")
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}", limits=no_reuse
    ) as http:
        await run_rounds(server, boards, seconds, http)


async def run_rounds(
    server: Server, boards: list[dict[str, Any]], seconds: float, http: httpx.AsyncClient
) -> None:
    pid = server.process.pid
    start = time.monotonic()
    samples: list[tuple[float, float]] = []
    next_sample = start
    round_no = 0
    while (now := time.monotonic()) - start < seconds:
        if now >= next_sample:
            await at_rest(http)
            samples.append((time.monotonic() - start, status_kb(pid, "VmRSS") / 1024))
            if len(samples) % 12 == 1:  # each minute, so that a run cut short still tells
                print(f"{samples[-1][0]:6.0f} s  RSS {samples[-1][1]:.1f} MB", flush=True)
            next_sample += 5
        async with anyio.create_task_group() as tg:
            for board in boards[round_no % 2 :: 2]:
                tg.start_soon(visit, server, board, round_no)
        round_no += 1
        await anyio.sleep(0.3)  # longer than the grace period: boards unload in between
    warm = [s for s in samples if s[0] >= min(60.0, seconds / 5)]
    print(f"rounds: {round_no}, boards: {len(boards)}, samples: {len(samples)}")
    print(f"RSS first / last: {samples[0][1]:.1f} / {samples[-1][1]:.1f} MB")
    print(f"RSS slope after warm-up: {slope_mb_per_hour(warm):+.1f} MB/h")
    second_half = [s for s in samples if s[0] >= seconds / 2]
    print(f"RSS slope over the second half: {slope_mb_per_hour(second_half):+.1f} MB/h")
    per_minute = [f"{m:.1f}" for t, m in samples if int(t) % 60 < 5]
    print("RSS each minute (MB): " + " ".join(per_minute))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--boards", type=int, default=20)
    args = parser.parse_args()
    os.environ["COCANVAS_ROOM_GRACE_SECONDS"] = "0.2"
    with tempfile.TemporaryDirectory(prefix="cocanvas-soak-") as tmp:
        with our_server(Path(tmp)) as server:
            boards = create_boards(server, args.boards)
            anyio.run(soak, server, boards, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
