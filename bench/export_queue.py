"""What twelve viewers asking for one big export cost: latency, throughput, refusals.

Starts our server, fills a board with 500 notes, then sends 12 concurrent PDF requests
with a viewer link, twice: all identical, then with four different option sets (locale and
anonymize). Prints per-request latency, wall time, renders done and answers by status.

    .venv/bin/python bench/export_queue.py [--notes 500] [--requests 12] [--format pdf]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import httpx
from export_during_sync import fill  # bench/ is the script's dir
from run_sync import create_boards, our_server

VARIANTS = ("", "?locale=en", "?anonymize=1", "?locale=en&anonymize=1")


async def burst(
    base: str, board: dict[str, Any], fmt: str, count: int, vary: bool
) -> tuple[float, list[tuple[int, float]]]:
    headers = {"authorization": f"Bearer {board['params']['k']}"}
    results: list[tuple[int, float]] = []

    async def one(i: int, http: httpx.AsyncClient) -> None:
        query = VARIANTS[i % len(VARIANTS)] if vary else ""
        started = time.perf_counter()
        r = await http.get(f"/api/boards/{board['room']}/export.{fmt}{query}", headers=headers)
        results.append((r.status_code, time.perf_counter() - started))

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=count + 2)
    async with httpx.AsyncClient(base_url=base, timeout=1800, limits=limits) as http:
        async with anyio.create_task_group() as tg:
            for i in range(count):
                tg.start_soon(one, i, http)
    return time.perf_counter() - started, results


def metric(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def report(title: str, wall: float, results: list[tuple[int, float]], renders: float) -> None:
    ok = sorted(t for s, t in results if s == 200)
    statuses = Counter(s for s, _ in results)
    print(f"{title}: wall {wall:.2f} s, answers {dict(sorted(statuses.items()))}")
    if ok:
        print(
            f"  200s: first {ok[0]:.2f} s, median {statistics.median(ok):.2f} s,"
            f" last {ok[-1]:.2f} s; {len(ok) / wall:.2f} exports/s; renders {renders:g}"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=500)
    p.add_argument("--requests", type=int, default=12)
    p.add_argument("--format", default="pdf")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="cocanvas-bench-") as tmp, our_server(Path(tmp)) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        (board,) = create_boards(srv, 1)
        anyio.run(fill, srv.ws_url, board, args.notes)
        for vary in (False, True):
            before = metric(base, "cocanvas_export_renders_total")
            wall, results = anyio.run(burst, base, board, args.format, args.requests, vary)
            renders = metric(base, "cocanvas_export_renders_total") - before
            title = "4 option sets" if vary else "identical"
            report(
                f"{args.requests} x {args.notes}-note {args.format}, {title}",
                wall,
                results,
                renders,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
