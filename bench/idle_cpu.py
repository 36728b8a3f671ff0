"""What a server spends while its clients are connected and nobody types.

For each server, starts it as ``run_sync.py`` does, connects a scenario's clients with
``load.mjs --hold`` (S2 by default: 40 boards of 10 stock y-websocket clients, presence
on), lets the connections settle, and reads the server's CPU time from ``/proc`` over a
window in which nothing is typed. What it spends then is timers, keepalive pings and
presence renewals: the floor under every other scenario's CPU.

    .venv/bin/python bench/idle_cpu.py
    .venv/bin/python bench/idle_cpu.py --servers ours,before --before ../old-checkout --runs 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

import run_sync


def measure(
    kind: str, scenario: str, settle: float, window: float, workdir: Path, before: Path | None
) -> float:
    """CPU seconds per second (share of one core) of `kind`'s process tree in the window."""
    # no updates after the hold: the run ends once the clients have held
    load_args = ["--hold", str(settle + window + 1), "--seconds", "0"]
    ours = kind in ("ours", "before")
    start: AbstractContextManager[run_sync.Server]
    if ours:
        start = run_sync.our_server(workdir, code=before if kind == "before" else None, name=kind)
    else:
        start = run_sync.node_server(workdir, kind)
    node = shutil.which("node")
    if node is None:
        raise run_sync.BenchError("node is not on PATH")
    with start as server:
        cmd = [node, str(run_sync.LOAD_JS), "--scenario", scenario, "--url", server.ws_url]
        if ours:
            targets = run_sync.create_boards(server, run_sync.rooms_needed(scenario, load_args))
            targets_file = workdir / f"{kind}-{server.port}.targets.json"
            targets_file.write_text(json.dumps(targets))
            cmd += ["--targets", f"@{targets_file}"]
        load = subprocess.Popen(
            [*cmd, *load_args],
            cwd=run_sync.BENCH,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        killer = threading.Timer(settle + window + 120, load.kill)  # bounded, whatever happens
        killer.start()
        try:
            assert load.stdout is not None
            lines = []
            for raw in load.stdout:
                line = raw.decode(errors="replace").strip()
                lines.append(line)
                if line.startswith("{") and json.loads(line).get("phase") == "hold-start":
                    break
            else:
                raise run_sync.BenchError(
                    f"load.mjs never held its clients:\n{chr(10).join(lines)[-1500:]}"
                )
            time.sleep(settle)
            pid = server.process.pid
            first = run_sync.cpu_seconds(run_sync.process_tree(pid))
            time.sleep(window)
            last = run_sync.cpu_seconds(run_sync.process_tree(pid))
            if load.poll() is not None:
                raise run_sync.BenchError("load.mjs ended before the window did")
        finally:
            killer.cancel()
            load.kill()
            load.wait()
            if load.stdout is not None:
                load.stdout.close()
    return (last - first) / window


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--servers", default="ours,reference,hocuspocus")
    p.add_argument("--before", type=Path, help="a checkout whose server runs as 'before'")
    p.add_argument("--scenario", default="S2", choices=("S1", "S2"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--settle", type=float, default=5.0, help="seconds held before the window")
    p.add_argument("--window", type=float, default=30.0, help="seconds measured")
    args = p.parse_args()
    kinds = [k for k in args.servers.split(",") if k]
    if "before" in kinds and args.before is None:
        p.error("--servers before needs --before")
    results: dict[str, list[float]] = {k: [] for k in kinds}
    workdir = Path(tempfile.mkdtemp(prefix="cocanvas-idle-"))
    try:
        for run in range(args.runs):
            for kind in kinds:  # servers in turn, so a slow spell of the machine hits all
                print(f"# {args.scenario} idle, {kind} run {run + 1}/{args.runs}", file=sys.stderr)
                results[kind].append(
                    measure(kind, args.scenario, args.settle, args.window, workdir, args.before)
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{args.scenario}'s clients connected, nothing typed; {args.window:.0f} s measured")
    print(f"{'server':12s} {'CPU % of a core':>16s}  runs")
    for kind, shares in results.items():
        runs = " / ".join(f"{s * 100:.2f}" for s in shares)
        print(f"{kind:12s} {statistics.median(shares) * 100:16.2f}  {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
