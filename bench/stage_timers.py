"""`cocanvas serve` with thread-CPU timers around the stages of a delivery.

Run by `profile_sync.py --timers`: wraps the functions each update passes through and adds
up `time.thread_time_ns()` spent inside them (inclusive: a stage's time contains the
stages it calls), plus the main thread's CPU over the whole run, and writes it all as
JSON to COCANVAS_TIMERS_OUT every second. Unlike sampling, nothing is guessed from
where the samples fell; each wrapper adds about a microsecond per call.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOTALS: dict[str, list[int]] = {}  # stage -> [thread CPU ns, calls, wall ns]
CALLERS: dict[str, int] = {}  # deep mode: who opens pycrdt transactions


def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    slot = TOTALS.setdefault(stage, [0, 0, 0])
    clock = time.thread_time_ns
    wall = time.perf_counter_ns

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, start_wall = clock(), wall()
        try:
            return fn(*args, **kwargs)
        finally:
            slot[0] += clock() - start
            slot[2] += wall() - start_wall
            slot[1] += 1

    return wrapper


def patch(owner: Any, name: str, stage: str) -> None:
    setattr(owner, name, timed(stage, getattr(owner, name)))


def install() -> None:
    from pycrdt import Doc
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    from server.store import sqlite_db
    from server.sync import codec, durable, fanout, judge, policy
    from server.sync import precheck as precheck_pkg

    protocol: type[WebSocketsSansIOProtocol] = WebSocketsSansIOProtocol
    try:  # the protocol the server runs: ours (P365), or uvicorn's in older checkouts
        from server.ws_direct import DirectWebSocketProtocol

        protocol = DirectWebSocketProtocol
    except ImportError:
        pass
    patch(protocol, "data_received", "read: websocket parse")
    patch(codec, "decode_frame", "read: decode frame")
    patch(judge.JudgedDoc, "apply_client_update", "judge: apply_client_update (all)")
    if hasattr(judge.JudgedDoc, "apply_client_updates"):  # P370: bursts judged as one
        patch(judge.JudgedDoc, "apply_client_updates", "judge: apply_client_updates (bursts)")
    patch(precheck_pkg, "check_client_update", "judge: pre-check")
    if hasattr(judge.JudgedDoc, "_typed"):
        patch(judge.JudgedDoc, "_typed", "judge: typed on after a run (P374)")
    patch(policy.UpdatePolicy, "check", "judge: policy check")
    patch(Doc, "apply_update", "judge: pycrdt apply_update (+ observers)")
    patch(durable.DurableDoc, "_publish", "judge: publish (store append, outbox)")
    patch(sqlite_db.SqliteDb, "_run_batch", "commit: SQLite batch")
    try:  # the checkpointer has its own module since P202's second part
        from server.store import sqlite_ckpt

        patch(sqlite_ckpt.Checkpointer, "_wal_bytes", "commit: WAL size stat")
    except ImportError:
        patch(sqlite_db.SqliteDb, "_wal_bytes", "commit: WAL size stat")
    patch(fanout, "broadcast", "fan-out: broadcast (all connections)")
    patch(fanout, "take_committed", "fan-out: take committed")
    if os.environ.get("COCANVAS_TIMERS_DEEP"):  # inside apply_client_update
        from pycrdt import Transaction, UndoManager

        enter = Transaction.__enter__

        def counted_enter(self: Any, *args: Any, **kwargs: Any) -> Any:
            caller = sys._getframe(3)  # past the timing wrapper and pycrdt's own method
            where = f"{caller.f_code.co_filename.rsplit('/', 2)[-1]}:{caller.f_code.co_name}"
            CALLERS[where] = CALLERS.get(where, 0) + 1
            return enter(self, *args, **kwargs)

        Transaction.__enter__ = counted_enter  # type: ignore[method-assign]
        patch(Transaction, "__exit__", "deep: pycrdt transaction commit (+ observers)")
        patch(Transaction, "__enter__", "deep: pycrdt transaction start")
        patch(durable.DurableDoc, "_observed", "deep: doc observer (update, index)")
        patch(policy.UpdatePolicy, "_notes_touched", "deep: policy notes observer")
        patch(policy.UpdatePolicy, "commit", "deep: policy commit")
        patch(durable.DurableDoc, "_take_captured", "deep: take captured")
        patch(UndoManager, "clear", "deep: undo manager clear")
        patch(Doc, "get_state", "deep: get_state")


def dump(out: Path, start: float) -> None:
    main_ns = time.pthread_getcpuclockid(threading.main_thread().ident or 0)
    while True:
        time.sleep(1)
        data = {
            "seconds": time.monotonic() - start,
            "main_thread_cpu_ns": time.clock_gettime_ns(main_ns),
            "process_cpu_ns": time.process_time_ns(),
            "callers": dict(CALLERS),
            "stages": {k: {"ns": v[0], "calls": v[1], "wall_ns": v[2]} for k, v in TOTALS.items()},
        }
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, out)


def main() -> int:
    install()
    out = Path(os.environ["COCANVAS_TIMERS_OUT"])
    threading.Thread(target=dump, args=(out, time.monotonic()), daemon=True).start()
    from server.cli import main as cli_main

    sys.argv[0] = "cocanvas"
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
