"""Where the soak's memory goes: the soak's visit pattern in one process, traced.

The app's own room builder and Rooms on a real SQLite file, clients over in-memory
channels; after round N and round 5N a tracemalloc snapshot each, and the biggest
differences by traceback. Also the sizes of the per-board tables that could grow.

    cd bench && PYTHONPATH=.. ../.venv/bin/python soak_trace.py --rounds 100 --boards 10
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import TaskGroup
from pycrdt import Doc, Map, Text

from server.app import room_builder
from server.boards import create_board
from server.metrics import Metrics
from server.settings import Settings
from server.store.sqlite import SqliteStore
from server.sync import codec
from server.sync.rooms import Rooms
from server.throttle import Guards
from tests.support.memchannel import MemoryChannel, channel_pair

NOTES_PER_BOARD = 200
Edit = Callable[[Doc[Any]], None]


async def sync(channel: MemoryChannel, doc: Doc[Any]) -> bytes:
    """Send SyncStep1; the SyncStep2 that answers it."""
    await channel.send(codec.encode_sync_step1(doc.get_state()))
    while True:
        frame = codec.decode_frame(await channel.recv())
        if isinstance(frame, codec.SyncStep2):
            return frame.update


async def visit(rooms: Rooms, tg: TaskGroup, board: str, edit: Edit) -> None:
    """Join, sync, change the document, wait until the room has stored it, leave. A bare
    Doc without observers: pycrdt callbacks form cycles the collector cannot see."""
    server_side, client_side = channel_pair()
    tg.start_soon(rooms.serve, board, server_side, "participant")
    doc: Doc[Any] = Doc()
    with anyio.fail_after(60):  # a loaded machine under tracemalloc is slow
        doc.apply_update(await sync(client_side, doc))
        before = doc.get_state()
        with doc.transaction():
            edit(doc)
        await client_side.send(codec.encode_sync_update(doc.get_update(before)))
        await sync(client_side, doc)  # the room reads in order: the edit is in
        room = rooms.get_loaded(board)
        assert room is not None
        await room.flushed()
    await client_side.close(1000, "bye")
    client_side.dispose()


def rewrite_text(round_no: int) -> Edit:
    def edit(doc: Doc[Any]) -> None:
        text = doc.get("notes", type=Map)[f"n{round_no % NOTES_PER_BOARD}"]["text"]
        del text[0:1]
        text.insert(0, "N")

    return edit


async def fill(rooms: Rooms, tg: TaskGroup, board: str) -> None:
    def edit(doc: Doc[Any]) -> None:
        notes = doc.get("notes", type=Map)
        for i in range(NOTES_PER_BOARD):
            notes[f"n{i}"] = Map({"field": "A1", "text": Text(f"Notiz {i} über Beteiligung")})

    await visit(rooms, tg, board, edit)


class Emptied:
    """Rooms.on_room_count: wake who waits for every board to be unloaded."""

    def __init__(self) -> None:
        self.event = anyio.Event()

    def __call__(self, count: int) -> None:
        if count == 0:
            self.event.set()

    async def wait(self, rooms: Rooms) -> None:
        with anyio.fail_after(30):
            while rooms.rooms:
                self.event = anyio.Event()
                await self.event.wait()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tables(rooms: Rooms, guards: Guards, metrics: Metrics) -> dict[str, int]:
    return {
        "rooms": len(rooms.rooms),
        "rooms._locks": len(rooms._locks),
        "seen authors": len(guards.new_authors._seen),
        "connections by address": guards.connections.count(""),
        "metric samples": sum(len(m.samples) for m in metrics.registry.collect()),
        "gc objects": len(gc.get_objects()),
    }


async def run(tmp: Path, boards_n: int, rounds: int, top: int) -> None:
    settings = Settings(data_dir=tmp, room_grace_seconds=0.2)
    metrics = Metrics()
    guards = Guards.from_settings(settings)
    async with SqliteStore(tmp / "cocanvas.db") as store:
        boards = [
            (await create_board(store, "ko-kreation", f"Soak {i}")).record.id
            for i in range(boards_n)
        ]
        build: Any = room_builder(settings, store, metrics, guards)
        emptied = Emptied()
        async with Rooms(store, build, 0.2, 0.1) as rooms, anyio.create_task_group() as tg:
            rooms.on_room_count = emptied
            for board in boards:
                await fill(rooms, tg, board)
            await emptied.wait(rooms)
            snaps: dict[int, tracemalloc.Snapshot] = {}
            started = time.monotonic()
            for round_no in range(1, 5 * rounds + 1):
                async with anyio.create_task_group() as visits:
                    for board in boards[round_no % 2 :: 2]:
                        visits.start_soon(visit, rooms, tg, board, rewrite_text(round_no))
                await anyio.sleep(0.3)
                if round_no in (rounds, 5 * rounds):
                    await emptied.wait(rooms)
                    gc.collect()
                    snaps[round_no] = tracemalloc.take_snapshot()
                    traced, _ = tracemalloc.get_traced_memory()
                    print(
                        f"round {round_no} ({time.monotonic() - started:.0f} s): traced "
                        f"{traced / 1e6:.2f} MB, RSS {rss_mb():.1f} MB, "
                        f"{tables(rooms, guards, metrics)}"
                    )
            loaded = [await store.load(b) for b in boards]
            sizes = [len(d.state or b"") + sum(map(len, d.updates)) for d in loaded]
            print(f"stored state per board: {min(sizes)}..{max(sizes)} bytes")
            tg.cancel_scope.cancel()
    keep = [tracemalloc.Filter(False, tracemalloc.__file__)]
    first = snaps[rounds].filter_traces(keep)
    last = snaps[5 * rounds].filter_traces(keep)
    diff = last.compare_to(first, "traceback")
    print(f"\ngrowth from round {rounds} to {5 * rounds}, by traceback:")
    for stat in diff[:top]:
        print(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks")
        for line in stat.traceback.format()[-12:]:
            print("    " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="N: compare round N with 5N")
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    tracemalloc.start(12)
    with tempfile.TemporaryDirectory(prefix="cocanvas-trace-") as tmp:
        anyio.run(run, Path(tmp), args.boards, args.rounds, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
