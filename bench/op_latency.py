"""Round trip of moderator ops on a real server: `projector.push` (changes the document,
so its reply waits for the commit, P227) against `clock` (changes nothing).

    .venv/bin/python bench/op_latency.py [--ops 200]

One moderator, ops one after the other; median and p95 in milliseconds. Numbers, not a
test; the run is bounded by --ops.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.live import LiveServer  # noqa: E402
from tests.support.pyclient import PyClient  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(server: LiveServer, ops: int) -> dict[str, list[float]]:
    board = server.create_board()
    times: dict[str, list[float]] = {"projector.push": [], "clock": []}
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await m.request("hello", name="Bench")
        for i in range(ops):
            for op, args in (
                ("projector.push", {"show": "timer" if i % 2 else None}),
                ("clock", {}),
            ):
                started = time.perf_counter()
                reply = await m.request(op, 5.0, **args)
                times[op].append((time.perf_counter() - started) * 1000)
                assert reply["ok"], reply
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data").start()
        try:
            times = anyio.run(measure, server, args.ops)
        finally:
            server.stop()
    for op, values in times.items():
        print(
            f"{op:15} n={len(values)} median {statistics.median(values):.2f} ms"
            f"  p95 {pct(values, 0.95):.2f} ms"
        )


if __name__ == "__main__":
    main()
