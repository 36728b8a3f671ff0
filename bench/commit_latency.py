"""Commit latency of appends under the S1 load, per store: SQLite (NORMAL, FULL) and
PostgreSQL.

    .venv/bin/python bench/commit_latency.py [--seconds 20] [--store postgresql://...]
    .venv/bin/python bench/commit_latency.py --temp-postgres   # starts its own server

S1 is one board with 30 clients sending 5 updates/s each (bench/README.md): 150 appends/s
of about 300 bytes, each awaited the way a room awaits it before fanning out (P20). The
latency is from append() to its future resolving: queueing plus the group commit. Numbers,
not a test; every run is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from server.store.base import BoardRecord, CommitTimed, DocStore  # noqa: E402
from server.store.postgres import PostgresStore  # noqa: E402
from server.store.sqlite import SqliteStore  # noqa: E402

CLIENTS = 30
RATE = 5.0  # updates per second per client
UPDATE_BYTES = 300


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timer(started: float, out: list[float]) -> Callable[[asyncio.Future[None]], None]:
    def done(fut: asyncio.Future[None]) -> None:
        out.append(time.perf_counter() - started)

    return done


async def client(
    store: DocStore, seq: Callable[[], int], until: float, out: list[float]
) -> list[asyncio.Future[None]]:
    """Sends on its own schedule, never waiting for a commit (as a room's clients do)."""
    payload = os.urandom(UPDATE_BYTES)
    pending = []
    await asyncio.sleep(random.random() / RATE)
    while time.monotonic() < until:
        started = time.perf_counter()
        fut = store.append("s1", seq(), payload, "conn:bench")
        fut.add_done_callback(timer(started, out))
        pending.append(fut)
        await asyncio.sleep(random.expovariate(RATE))
    return pending


async def measure(name: str, store: DocStore, seconds: float) -> dict[str, float | str]:
    latencies: list[float] = []
    commits: list[tuple[float, int]] = []
    await store.open()
    try:
        assert isinstance(store, CommitTimed)
        store.commit_seconds = lambda s, n: commits.append((s, n))
        await store.create_board(
            BoardRecord("s1", "ko-kreation", 1, "T", "de", time.time()), b"\x00\x00"
        )
        counter = iter(range(1, 10**9))
        until = time.monotonic() + seconds
        sent = await asyncio.gather(
            *(client(store, lambda: next(counter), until, latencies) for _ in range(CLIENTS))
        )
        for futures in sent:
            await asyncio.gather(*futures)
    finally:
        await store.close()
    durations = [s for s, _ in commits]
    return {
        "store": name,
        "appends": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": pct(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "commit_p50_ms": statistics.median(durations) * 1000,
        "commit_p99_ms": pct(durations, 0.99) * 1000,
        "per_batch": statistics.mean(n for _, n in commits),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--store", help="a postgresql:// URL of an empty database to measure too")
    p.add_argument(
        "--temp-postgres", action="store_true", help="start a PostgreSQL server for the run"
    )
    args = p.parse_args()
    temp = None
    url = args.store
    if args.temp_postgres:
        from tests.support.pgserver import PgServer

        temp = PgServer.create()
        url = temp.new_database()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for mode in ("NORMAL", "FULL"):
                store = SqliteStore(Path(tmp) / f"{mode}.db", synchronous=mode)
                rows.append(asyncio.run(measure(f"sqlite {mode}", store, args.seconds)))
        if url:
            rows.append(asyncio.run(measure("postgresql", PostgresStore(url), args.seconds)))
    finally:
        if temp is not None:
            temp.destroy()
    print(f"\nappend commit latency under S1 ({CLIENTS} clients x {RATE:g}/s, {args.seconds:g} s)")
    head = ["store", "appends", "p50_ms", "p99_ms", "max_ms", "commit_p50_ms", "commit_p99_ms"]
    print("  ".join(f"{h:>13}" for h in [*head, "per_batch"]))
    for row in rows:
        cells = [row[h] for h in [*head, "per_batch"]]
        print("  ".join(f"{c:>13.2f}" if isinstance(c, float) else f"{c!s:>13}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
