"""`cocanvas serve` with wall-clock probes on the event loop, for `loop_lag.py`.

Where `stage_timers.py` adds up CPU, this looks for waiting: how late a timer that should
fire every 2 ms runs (the loop was busy with something else meanwhile), and how long the
websocket reads, the commits and the broadcasts take by the wall clock. Every sample is
appended to COCANVAS_LAG_OUT once a second as a line "wall-clock-seconds probe ms"; the
driver keeps those of the measured window.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TICK_S = 0.002
KEEP = 1_000_000  # samples at most (about 40 s of S2), so a forgotten probe stays bounded

SAMPLES: list[tuple[float, str, float]] = []  # (wall clock s, probe, ms)
_written = 0


def record(probe: str, ms: float) -> None:
    if _written + len(SAMPLES) < KEEP:
        SAMPLES.append((time.time(), probe, ms))


def timed(probe: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    clock = time.perf_counter

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            record(probe, (clock() - start) * 1e3)

    return wrapper


def watch_loop() -> None:
    """From inside the running loop: a timer every TICK_S that records its own lateness."""
    loop = asyncio.get_running_loop()
    clock = time.perf_counter

    def tick(due: float) -> None:
        now = clock()
        record("event loop lateness", (now - due) * 1e3)
        loop.call_later(TICK_S, tick, now + TICK_S)

    loop.call_later(TICK_S, tick, clock() + TICK_S)


def install() -> None:
    from server.store import sqlite_db
    from server.sync import durable, fanout
    from server.ws_direct import DirectWebSocketProtocol

    read = DirectWebSocketProtocol.data_received
    watching = False

    def first_read(self: DirectWebSocketProtocol, data: bytes) -> None:
        nonlocal watching
        if not watching:  # the first read comes from inside the running loop
            watching = True
            watch_loop()
        read(self, data)

    DirectWebSocketProtocol.data_received = timed("websocket read", first_read)  # type: ignore[method-assign]
    sqlite_db.SqliteDb._run_batch = timed("commit", sqlite_db.SqliteDb._run_batch)  # type: ignore[method-assign]

    # from the judged update's hand-over to the store until its broadcast starts: the
    # commit, the merge window (P369) and the loop turns in between
    published: dict[int, float] = {}
    publish = durable.DurableDoc._publish
    broadcast = fanout.broadcast
    clock = time.perf_counter

    def timed_publish(self: Any, update: bytes, *args: Any) -> None:
        if len(published) > 100_000:  # updates a failed store never sent
            published.clear()
        published[id(update)] = clock()
        publish(self, update, *args)

    def timed_broadcast(conns: Any, batch: list[tuple[bytes, Any]]) -> None:
        now = clock()
        for update, _ in batch:
            start = published.pop(id(update), None)
            if start is not None:
                record("publish to broadcast", (now - start) * 1e3)
        broadcast(conns, batch)
        record("broadcast", (clock() - now) * 1e3)

    durable.DurableDoc._publish = timed_publish  # type: ignore[method-assign,assignment]
    fanout.broadcast = timed_broadcast


def dump(out: Path) -> None:
    global _written
    with out.open("a") as f:
        while True:
            time.sleep(1)
            n = len(SAMPLES)  # appends from the loop's thread go on meanwhile
            taken = SAMPLES[:n]
            del SAMPLES[:n]
            _written += n
            f.writelines(f"{t:.6f} {probe.replace(' ', '_')} {ms:.3f}\n" for t, probe, ms in taken)
            f.flush()


def main() -> int:
    install()
    out = Path(os.environ["COCANVAS_LAG_OUT"])
    threading.Thread(target=dump, args=(out,), daemon=True).start()
    from server.cli import main as cli_main

    sys.argv[0] = "cocanvas"
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
