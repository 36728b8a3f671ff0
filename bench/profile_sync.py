"""Where a delivery's server time goes: our server under py-spy while load.mjs runs S1 or S2.

Starts our server as py-spy's child (sampling CPU, not idle time), runs one scenario as
``run_sync.py`` does, and sorts every sample into the stage of the innermost frame that
names one: receive, decode, pre-check, apply, policy, commit, fan-out, encode, send,
presence; the rest is the event loop, uvicorn and the HTTP side. Each stage's share times
the run's server CPU per delivery gives µs per delivery. py-spy itself adds a few percent
of CPU to the measured process tree, so compare shares, and CPU only between runs made
the same way.

    pip install py-spy   # in the test extra; or give --py-spy PATH
    .venv/bin/python bench/profile_sync.py --scenario S1 --seconds 20
    .venv/bin/python bench/profile_sync.py --scenario S2 --before ../old-checkout
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import run_sync

# (stage, substrings of a py-spy frame "function (file:line)"); frames matching none are
# skipped, so library code counts for the nearest stage above it
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("pre-check", ("sync/precheck.py",)),
    ("policy", ("sync/policy.py", "sync/partial.py")),
    ("commit", ("/store/",)),
    ("decode", ("decode_frame", "decode_awareness")),
    ("encode", ("encode_", "merge_updates", "coalesce (")),
    ("presence", ("sync/awareness.py", "sync/budget.py", "_send_presence", "_expire_presence")),
    (
        "send",
        (
            "send (server/sync/connection.py",
            "run_sender",
            "send_now",
            "send (server/routes/sync.py",
            "sync/channel.py",
            "send (uvicorn/",
        ),
    ),
    ("fan-out", ("_committed", "take_committed", "apply_relayed")),
    (
        "apply",
        ("apply_client_update", "_observed", "_take_captured", "_publish", "sync/revert.py"),
    ),
    (
        "receive",
        (
            "_read_loop",
            "TokenBucket",
            "recv (server/routes/sync.py",
            "data_received (uvicorn/",
            "receive (uvicorn/",
            "_handle (server/sync/room.py",
        ),
    ),
]
OTHER = "uvicorn, asyncio, other"
LOOP = "event loop (uvloop: socket I/O)"
# not part of serving: imports at start, and a pool thread waiting for work
SKIP = {"startup", "idle"}


def stage_of(stack: list[str]) -> str:
    if any("_find_and_load" in f or "_call_with_frames_removed" in f for f in stack):
        return "startup"
    if "concurrent/futures/thread.py:81" in stack[-1]:
        return "idle"
    if stack[-1].startswith("Runner.run (asyncio/runners.py"):
        return LOOP  # uvloop's own C code: reading, writing, polling sockets
    for frame in reversed(stack):  # innermost first
        for stage, needles in STAGES:
            if any(n in frame for n in needles):
                return stage
    return OTHER


def summarize(raw: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        counts[stage_of(stack.split(";"))] += int(n)
    return counts


def top_frames(raw: Path, limit: int = 25) -> list[tuple[str, int]]:
    """Self time by innermost frame."""
    counts: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            counts[stack.split(";")[-1]] += int(n)
    return counts.most_common(limit)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenario", default="S1", choices=("S1", "S2", "S3", "J"))
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--before", type=Path, help="profile that checkout's server package")
    p.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument("--py-spy", default=shutil.which("py-spy") or "", help="path of py-spy")
    p.add_argument("--out", type=Path, help="keep py-spy's raw stacks in this file")
    p.add_argument("--top", type=int, default=0, help="also print the N costliest frames")
    p.add_argument(
        "--native",
        action="store_true",
        help="py-spy --native: C frames too (the compiled modules, pycrdt, sqlite3, uvloop)",
    )
    p.add_argument(
        "--timers",
        action="store_true",
        help="no py-spy: thread-CPU timers around each stage (stage_timers.py)",
    )
    args = p.parse_args()
    if args.timers:
        return run_timers(args.scenario, args.seconds, args.before)
    if not args.py_spy:
        print("py-spy is not on PATH: pip install py-spy, or give --py-spy", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="cocanvas-profile-"))
    raw = args.out or workdir / "stacks.txt"
    wrap = [
        str(Path(args.py_spy).resolve()),
        "record",
        "-r",
        str(args.rate),
        "-f",
        "raw",
        "-o",
        str(raw),
        *(["--native"] if args.native else []),
        "--",
    ]
    load_args = ["--seconds", str(args.seconds)] if args.scenario in ("S1", "S2") else []
    try:
        with run_sync.our_server(workdir, code=args.before, wrap=wrap) as server:
            server.targets = run_sync.create_boards(
                server, run_sync.rooms_needed(args.scenario, load_args)
            )
            result = run_sync.run_load(server, args.scenario, load_args)
        if not raw.is_file():  # py-spy ended early; its reason is in the server's log
            print(f"py-spy wrote no samples; the server's log ends:\n{server.log_tail(15)}")
            return 1
        counts = summarize(raw)
        if args.top:
            for frame, n in top_frames(raw, args.top):
                print(f"{n:7d}  {frame}")
    finally:
        if args.out is None:
            shutil.rmtree(workdir, ignore_errors=True)
    for skipped in SKIP:
        counts.pop(skipped, None)
    total = sum(counts.values()) or 1
    per_delivery = result.get("server", {}).get("cpu_us_per_delivery") or 0.0
    latency = result.get("latency_ms", {})
    print(
        json.dumps(
            {
                "scenario": args.scenario,
                "code": str(args.before or "this checkout"),
                "received": result.get("received"),
                "p50_ms": latency.get("p50"),
                "p99_ms": latency.get("p99"),
                "server_cpu_us_per_delivery": round(per_delivery, 1),
                "samples": total,
            }
        )
    )
    print(f"{'stage':28s} {'share':>6s} {'µs/deliv':>9s}")
    for stage, n in counts.most_common():
        print(f"{stage:28s} {n / total:6.1%} {n / total * per_delivery:9.1f}")
    return 0


def run_timers(scenario: str, seconds: float, before: Path | None) -> int:
    """Every stage's thread CPU per delivery and per update, measured inside the server."""
    workdir = Path(tempfile.mkdtemp(prefix="cocanvas-timers-"))
    out = workdir / "timers.json"
    entry = (str(Path(__file__).with_name("stage_timers.py")),)
    load_args = ["--seconds", str(seconds)] if scenario in ("S1", "S2") else []
    env = {"COCANVAS_TIMERS_OUT": str(out)}
    try:
        with run_sync.our_server(workdir, code=before, entry=entry, extra_env=env) as server:
            server.targets = run_sync.create_boards(
                server, run_sync.rooms_needed(scenario, load_args)
            )
            first = _read_timers(out)
            result = run_sync.run_load(server, scenario, load_args)
            last = _read_timers(out)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    received = result.get("received") or 1
    sent = result.get("sent") or 1
    per_delivery = result.get("server", {}).get("cpu_us_per_delivery") or 0.0
    main_us = (last["main_thread_cpu_ns"] - first["main_thread_cpu_ns"]) / 1e3
    latency = result.get("latency_ms", {})
    print(
        json.dumps(
            {
                "scenario": scenario,
                "code": str(before or "this checkout"),
                "sent": sent,
                "received": received,
                "p50_ms": latency.get("p50"),
                "p99_ms": latency.get("p99"),
                "server_cpu_us_per_delivery": round(per_delivery, 1),
                "main_thread_us_per_delivery": round(main_us / received, 1),
            }
        )
    )
    print(
        f"{'stage (inclusive)':48s} {'calls':>8s} {'µs/call':>8s} {'wall µs':>8s} "
        f"{'µs/upd':>8s} {'µs/deliv':>9s}"
    )
    for stage, now in sorted(last["stages"].items()):
        was = first["stages"].get(stage, {"ns": 0, "calls": 0})
        ns, calls = now["ns"] - was["ns"], now["calls"] - was["calls"]
        wall_ns = now["wall_ns"] - was.get("wall_ns", 0)
        if not calls:
            continue
        print(
            f"{stage:48s} {calls:8d} {ns / calls / 1e3:8.1f} {wall_ns / calls / 1e3:8.1f} "
            f"{ns / sent / 1e3:8.1f} "
            f"{ns / received / 1e3:9.2f}"
        )
    callers = {
        k: v - first.get("callers", {}).get(k, 0) for k, v in last.get("callers", {}).items()
    }
    for where, n in sorted(callers.items(), key=lambda kv: -kv[1])[:12]:
        if n:
            print(f"  pycrdt transactions opened from {where}: {n / sent:.1f} per update")
    return 0


def _read_timers(path: Path) -> dict[str, Any]:
    import time

    for _ in range(50):  # written every second by the server
        if path.exists():
            before = path.read_text()
            time.sleep(1.1)
            return dict(json.loads(path.read_text() or before))
        time.sleep(0.2)
    raise RuntimeError(f"{path} was not written; did the server start with stage_timers.py?")


if __name__ == "__main__":
    sys.exit(main())
