"""What refused updates leave behind, and how presence spam fans out (PROTOCOL.md P120, P124).

Numbers, not tests. Starts a real server on a free loopback port for each part:

    .venv/bin/python bench/budgets.py                       # 20 refused 1 MB updates; 40 sockets
    .venv/bin/python bench/budgets.py --refusals 5 --sockets 100 --presence 500
    .venv/bin/python bench/budgets.py --presence-interval-ms 0   # presence without coalescing
    .venv/bin/python bench/budgets.py --refusals 0 --pace 100    # sustained, 100 updates/s
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import msgpack

from server.store.sqlite import SqliteStore
from server.sync import codec
from tests.support.live import Board, LiveServer
from tests.support.pyclient import PyClient


def denied_more_than(client: PyClient, n: int) -> Callable[[], bool]:
    return lambda: len(client.denied) > n


def cursor_at(client: PyClient, x: int) -> Callable[[], bool]:
    return lambda: client.awareness.get(4242, {}).get("cursor", {}).get("x") == x


async def snapshot(http: httpx.AsyncClient, board: Board, auth: dict[str, str]) -> str:
    r = await http.post(f"/api/boards/{board.id}/snapshots", headers=auth, json={"label": "b"})
    r.raise_for_status()
    sid: str = r.json()["sid"]
    return sid


async def archive_state(http: httpx.AsyncClient, board: Board, auth: dict[str, str]) -> int:
    r = await http.get(f"/api/boards/{board.id}/export.cocanvas", headers=auth)
    r.raise_for_status()
    return len(msgpack.unpackb(r.content)["state"])


async def refusals(workdir: Path, count: int, size: int) -> dict[str, Any]:
    env = {
        "COCANVAS_LIMIT_VIOLATIONS_BEFORE_CLOSE": str(count + 10),
        "COCANVAS_LIMIT_UPDATE_BYTES_PER_SECOND": "1000000000",
        "COCANVAS_LIMIT_UPDATE_BYTES_BURST": "1000000000",
    }
    server = LiveServer(workdir / "refusals", env=env).start()
    try:
        board = server.create_board()
        token = board.tokens["participant"]
        auth = {"authorization": f"Bearer {board.tokens['moderator']}"}
        async with (
            httpx.AsyncClient(base_url=server.http, timeout=60) as http,
            PyClient.connect(server.ws, board.id, token) as a,
            PyClient.connect(server.ws, board.id, token) as b,
        ):
            await a.synced.wait()
            await b.synced.wait()
            await a.add_note("n", "A1", "Bürgerhaushalt")
            await b.wait_for(lambda: "n" in b.notes)
            sid_before = await snapshot(http, board, auth)
            archive_before = await archive_state(http, board, auth)
            seen = len(b.frames)
            start = time.monotonic()
            for i in range(count):
                await a.insert_text("n", 4, "x" * size)
                await a.wait_for(denied_more_than(a, i), within=120)
            await b.wait_for(lambda: b.view() == a.view(), within=120)
            seconds = time.monotonic() - start
            relayed = sum(len(f) for f in b.frames[seen:])
            archive_after = await archive_state(http, board, auth)
            sid_after = await snapshot(http, board, auth)
    finally:
        server.stop()
    db = server.data_dir / "cocanvas.db"
    async with SqliteStore(db) as store:
        loaded = await store.load(board.id)
        stats = await store.log_stats(board.id)
        before = await store.get_snapshot(board.id, sid_before)
        after = await store.get_snapshot(board.id, sid_after)
    assert before is not None and after is not None
    stored_after = len(loaded.state or b"") + stats.bytes
    files = [db, db.with_name(db.name + "-wal")]
    return {
        "refused_updates": count,
        "update_bytes": size,
        "seconds": round(seconds, 2),
        "stored_before": len(before[1]),
        "stored_after_compaction": stored_after,
        "residue_per_refusal": round((stored_after - len(before[1])) / count, 1),
        "snapshot_before_after": [len(before[1]), len(after[1])],
        "archive_state_before_after": [archive_before, archive_after],
        "relayed_to_bystander": relayed,
        "sqlite_files_bytes": sum(f.stat().st_size for f in files if f.exists()),
    }


async def presence(
    workdir: Path, sockets: int, updates: int, interval: int | None, pace: float
) -> dict[str, Any]:
    env = {} if interval is None else {"COCANVAS_LIMIT_PRESENCE_INTERVAL_MS": str(interval)}
    server = LiveServer(workdir / "presence", env=env).start()
    try:
        board = server.create_board()
        async with contextlib.AsyncExitStack() as stack:
            clients = []
            for _ in range(sockets):
                c = await stack.enter_async_context(
                    PyClient.connect(server.ws, board.id, board.tokens["viewer"])
                )
                await c.synced.wait()
                clients.append(c)
            marks = [len(c.frames) for c in clients]
            start = time.monotonic()
            for x in range(1, updates + 1):
                await clients[0].set_awareness(4242, x, {"cursor": {"x": x, "y": 0.5}})
                if pace:
                    await anyio.sleep(1 / pace)
            for c in clients:
                await c.wait_for(cursor_at(c, updates), within=120)
            seconds = time.monotonic() - start
            aware = [
                [f for f in c.frames[m:] if f[0] == codec.MessageType.AWARENESS]
                for c, m in zip(clients, marks, strict=True)
            ]
    finally:
        server.stop()
    frames = sum(len(fs) for fs in aware)
    return {
        "sockets": sockets,
        "presence_updates_sent": updates,
        "presence_interval_ms": interval if interval is not None else "default",
        "sent_per_second": pace or "as fast as possible",
        "seconds": round(seconds, 2),
        "awareness_frames_out": frames,
        "awareness_bytes_out": sum(len(f) for fs in aware for f in fs),
        "frames_out_per_update_sent": round(frames / updates, 2),
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="cocanvas-budgets-") as tmp:
        workdir = Path(tmp)
        if args.refusals:
            print(json.dumps(await refusals(workdir, args.refusals, args.size)))
        if args.presence:
            result = await presence(
                workdir, args.sockets, args.presence, args.presence_interval_ms, args.pace
            )
            print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refusals", type=int, default=20, help="refused updates (0: skip)")
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per update")
    parser.add_argument("--sockets", type=int, default=40)
    parser.add_argument("--presence", type=int, default=300, help="presence updates (0: skip)")
    parser.add_argument("--presence-interval-ms", type=int, default=None)
    parser.add_argument("--pace", type=float, default=0, help="presence updates per second")
    anyio.run(main, parser.parse_args())
