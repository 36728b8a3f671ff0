"""The SQLite store on its own: cost of secure_delete, WAL peak over a long day, erase time.

    .venv/bin/python bench/store_bench.py [--updates 30000] [--runs 3]

Numbers, not a test. Every part is bounded in count; nothing runs longer than a few
minutes on a small machine. The "day" part uses only the store's public API, so it also
runs against older versions of the store (PYTHONPATH) to compare WAL peaks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from server.store.base import BoardRecord, SnapshotInfo
from server.store.sqlite import SqliteStore

STATE_BYTES = 540_000  # a 2,000-note board (bench/README.md, S4)
UPDATE_BYTES = 300  # one typed character with its note id and clocks


def record(board: str) -> BoardRecord:
    return BoardRecord(board, "ko-kreation", 1, "T", "de", time.time())


async def write_path(path: Path, updates: int, secure: bool) -> tuple[float, float]:
    """Appends as a live board makes them (a few per batch) with compactions every 500.

    Returns (CPU µs per update, compactions included, all threads; wall seconds per
    compaction of a 540 KB state)."""
    async with SqliteStore(path) as store:
        mode = "ON" if secure else "OFF"
        await store.db.submit(lambda c: c.execute(f"PRAGMA secure_delete={mode}"))
        for b in range(4):
            await store.create_board(record(f"b{b}"), b"\x00\x00")
        payload = os.urandom(UPDATE_BYTES)
        compactions: list[float] = []
        cpu = time.process_time()
        for seq in range(1, updates + 1):
            board = f"b{seq % 4}"
            fut = store.append(board, seq, payload, "conn:x")
            if seq % 4 == 0:
                await fut  # a tick of the event loop: a few updates per commit
            if seq % 500 == 0:
                started = time.perf_counter()
                await store.compact(board, os.urandom(STATE_BYTES), seq)
                compactions.append(time.perf_counter() - started)
        await store.flush()
        spent = time.process_time() - cpu
    return spent / updates * 1e6, statistics.median(compactions)


async def long_day(path: Path, updates: int) -> tuple[int, float]:
    """Five busy boards: typing, compactions, snapshots every 3,000 updates, joins reading.

    Returns (peak WAL bytes, wall seconds)."""
    wal = path.with_name(path.name + "-wal")
    peak = 0
    started = time.perf_counter()
    async with SqliteStore(path) as store:
        boards = [f"day{b}" for b in range(5)]
        for board in boards:
            await store.create_board(record(board), os.urandom(STATE_BYTES))
        payload = os.urandom(UPDATE_BYTES)
        for seq in range(1, updates + 1):
            board = boards[seq % len(boards)]
            store.append(board, seq, payload, "conn:x")
            if seq % 5 == 0:
                await store.flush()
            if seq % 500 == 0:
                await store.compact(board, os.urandom(STATE_BYTES), seq)
            if seq % 3_000 == 0:
                info = SnapshotInfo(board, f"s{seq}", "", "auto", time.time(), seq, 2_000)
                await store.create_snapshot(info, os.urandom(STATE_BYTES))
            if seq % 250 == 0:
                await store.load(board)  # someone joins
            if seq % 50 == 0:
                peak = max(peak, wal.stat().st_size if wal.exists() else 0)
        await store.flush()
        peak = max(peak, wal.stat().st_size if wal.exists() else 0)
    return peak, time.perf_counter() - started


async def erase_time(path: Path, boards: int) -> tuple[int, float]:
    """Seconds DELETE of one board takes in a database of `boards` 2,000-note boards with
    ten snapshots each (the VACUUM dominates). Returns (file bytes before, seconds)."""
    async with SqliteStore(path) as store:
        for b in range(boards):
            await store.create_board(record(f"e{b}"), os.urandom(STATE_BYTES))
            for s in range(10):
                info = SnapshotInfo(f"e{b}", f"s{s}", "", "auto", time.time(), 0, 2_000)
                await store.create_snapshot(info, os.urandom(STATE_BYTES))
        await store.flush()
        size = os.stat(path).st_size
        started = time.perf_counter()
        await store.delete_board("e0")
        return size, time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["write", "day", "erase"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cocanvas-store-bench-") as tmp:
        root = Path(tmp)
        n = 0

        def fresh() -> Path:
            nonlocal n
            n += 1
            return root / f"db{n}" / "cocanvas.db"

        if args.only in (None, "write"):
            # interleaved, so that a busy neighbour on the machine hits both alike
            runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            for _ in range(args.runs):
                for secure in (False, True):
                    runs[secure].append(await write_path(fresh(), 8_000, secure))
            for secure, results in runs.items():
                per_update = statistics.median(r[0] for r in results)
                compaction = statistics.median(r[1] for r in results)
                print(
                    f"secure_delete={'ON ' if secure else 'OFF'}: {per_update:5.1f} µs CPU per "
                    f"update (compactions included), compaction of 540 KB "
                    f"{compaction * 1000:5.1f} ms (median of {args.runs})"
                )
        if args.only in (None, "day"):
            peak, wall = await long_day(fresh(), args.updates)
            print(f"long day: {args.updates} updates, peak WAL {peak / 1e6:.2f} MB ({wall:.1f} s)")
        if args.only in (None, "erase"):
            for boards in (2, 10):
                size, seconds = await erase_time(fresh(), boards)
                print(f"delete one board in a {size / 1e6:.0f} MB database: {seconds:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
