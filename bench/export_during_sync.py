"""Do exports stall live boards? S1 fan-out latency with and without PDF exports running.

Starts our server, fills a second board with 500 notes, then runs scenario S1 (30 stock
clients, 5 updates/s each) twice on a fresh board: once alone, once while a thread keeps
requesting the 500-note board as PDF. Prints p50/p99 of both runs and the export times.

    .venv/bin/python bench/export_during_sync.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from pycrdt import Doc, Map, Text
from run_sync import create_boards, our_server, run_load  # bench/ is the script's dir
from websockets.asyncio.client import connect

from server.sync import codec

FIELDS = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "C1", "C2"]


async def fill(ws_url: str, board: dict[str, Any], notes: int) -> None:
    """Write `notes` notes into a board in a few large updates."""
    url = f"{ws_url}/{board['room']}?k={board['params']['k']}"
    async with connect(url, max_size=None, compression=None) as ws:
        doc: Doc[Any] = Doc()
        root = doc.get("notes", type=Map)
        await ws.send(codec.encode_sync_step1(doc.get_state()))
        for start in range(0, notes, 100):
            before = doc.get_state()
            with doc.transaction():
                for i in range(start, min(notes, start + 100)):
                    words = " ".join(["Bürgerbeteiligung", "Sensoren", "مشاركة"] * (1 + i % 4))
                    root[f"n{i}"] = Map(
                        {"field": FIELDS[i % len(FIELDS)], "text": Text(f"{i}: {words}")}
                    )
            await ws.send(codec.encode_sync_update(doc.get_update(before)))
        await ws.send(codec.encode_app(b"\x82\xa2id\x01\xa2op\xa5clock"))
        async for message in ws:
            if isinstance(message, bytes) and message[:1] == b"\x64":
                break


def export_loop(
    base: str, board: dict[str, Any], stop: threading.Event, times: list[float]
) -> None:
    headers = {"authorization": f"Bearer {board['params']['k']}"}
    with httpx.Client(base_url=base, timeout=120) as http:
        while not stop.is_set():
            started = time.perf_counter()
            r = http.get(f"/api/boards/{board['room']}/export.pdf", headers=headers)
            r.raise_for_status()
            times.append(time.perf_counter() - started)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--notes", type=int, default=500)
    args = p.parse_args()
    load_args = ["--seconds", str(args.seconds)]
    with tempfile.TemporaryDirectory(prefix="cocanvas-bench-") as tmp, our_server(Path(tmp)) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        big, quiet_board, busy_board = create_boards(srv, 3)
        anyio.run(fill, srv.ws_url, big, args.notes)
        srv.targets = [quiet_board]
        alone = run_load(srv, "S1", load_args)
        srv.targets = [busy_board]
        stop, times = threading.Event(), list[float]()
        worker = threading.Thread(target=export_loop, args=(base, big, stop, times))
        worker.start()
        try:
            during = run_load(srv, "S1", load_args)
        finally:
            stop.set()
            worker.join()
    print(f"S1 fan-out with {args.notes}-note PDF exports running alongside")
    print(f"{'':22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'missing':>8}")
    for name, res in (("alone", alone), ("during PDF exports", during)):
        lat = res["latency_ms"]
        print(f"{name:22} {lat['p50']:8.2f} {lat['p99']:8.2f} {lat['max']:8.1f} {res['missing']:8}")
    if times:
        print(
            f"PDF exports during the run: {len(times)}, median {statistics.median(times):.2f} s,"
            f" max {max(times):.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
