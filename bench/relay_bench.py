"""S1 or S2 on two nodes joined by Redis vs on one node (PROTOCOL.md P320-P329).

Starts redis-server (no persistence) and two ``cocanvas serve`` processes sharing one data
directory with ``COCANVAS_RELAY_URL``, makes the scenario's boards (S1: one, S2: 40), and
runs ``bench/load.mjs`` with the clients alternating between the nodes; then the same on
one node without a relay. Runs alternate (two-node, one-node, ...); prints each run and
the medians. Cross-node latency counts only deliveries whose sender and receiver sit on
different nodes. Server CPU is the nodes' user + system time (``/proc``) over the
measured phase, per delivered update.

    .venv/bin/python bench/relay_bench.py --runs 3 --seconds 20
    .venv/bin/python bench/relay_bench.py --scenario S2 --runs 2
    .venv/bin/python bench/relay_bench.py --store postgresql://cocanvas@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LOAD_JS = BENCH / "load.mjs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"{what} did not come up within {seconds} s")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (fields 14 and 15 of /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextmanager
def process(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[int]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=env)
    try:
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def redis(stack: ExitStack, workdir: Path) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is missing: apt-get install redis-server")
    port = free_port()
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    cmd += ["no", "--dir", str(workdir)]
    stack.enter_context(process(cmd, workdir / "redis.log"))

    def pong() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    wait_until(pong, 10, "redis-server")
    return f"redis://127.0.0.1:{port}/0"


def node(stack: ExitStack, workdir: Path, data: Path, relay: str, store: str) -> tuple[str, int]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "COCANVAS_LIMIT_MAX_CONNECTIONS_PER_ADDRESS": "0",
        "COCANVAS_CREATE_PER_MINUTE": "1000",  # S2 makes 40 boards at once
        "COCANVAS_RELAY_URL": relay,
        "COCANVAS_STORE_URL": store,
    }
    cmd = [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data", str(data)]
    pid = stack.enter_context(process(cmd, workdir / f"node-{port}.log", env))
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200, 30, "cocanvas")
    return base, pid


def histogram_quantile(text: str, name: str, q: float) -> float:
    """The upper bound of the bucket holding quantile q, summed over the given /metrics."""
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith(f"{name}_bucket{{"):
            le = line.split('le="')[1].split('"')[0]
            bound = float("inf") if le == "+Inf" else float(le)
            buckets[bound] = buckets.get(bound, 0.0) + float(line.rsplit(" ", 1)[1])
    total = buckets.get(float("inf"), 0.0)
    for bound in sorted(buckets):
        if total and buckets[bound] >= q * total:
            return bound * 1000
    return float("nan")


def make_boards(base: str, count: int) -> list[dict[str, Any]]:
    targets = []
    for i in range(count):
        r = httpx.post(
            f"{base}/api/boards", json={"canvas": "ko-kreation", "title": f"bench {i}"}, timeout=30
        )
        r.raise_for_status()
        body = r.json()
        targets.append({"room": body["id"], "params": {"k": body["tokens"]["participant"]}})
    return targets


def run_load(
    scenario: str,
    nodes: list[tuple[str, int]],
    seconds: int,
    drain: int,
    workdir: Path,
    spread: str = "client",
) -> dict[str, Any]:
    bases = [base for base, _ in nodes]
    pids = [pid for _, pid in nodes]
    targets = workdir / "targets.json"
    targets.write_text(json.dumps(make_boards(bases[0], BOARDS[scenario])))
    urls = ",".join(base.replace("http://", "ws://") + "/ws" for base in bases)
    node_bin = shutil.which("node")
    if node_bin is None:
        raise SystemExit("node (Node.js 20+) is not on PATH")
    cmd = [node_bin, str(LOAD_JS), "--scenario", scenario, "--url", urls]
    cmd += ["--targets", f"@{targets}", "--seconds", str(seconds), "--drain", str(drain)]
    cmd += ["--spread", spread]
    marks: dict[str, float] = {}
    result: dict[str, Any] | None = None
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=BENCH
    ) as load:
        assert load.stdout is not None
        for line in load.stdout:
            if line.startswith('{"phase"'):
                marks[json.loads(line)["phase"]] = cpu_seconds(pids)
            elif line.startswith('{"result"'):
                result = json.loads(line)["result"]
        stderr = load.stderr.read() if load.stderr is not None else ""
        load.wait(seconds + 300)
    if result is None or "latency_ms" not in result:
        raise SystemExit(f"load.mjs gave no result: {result}\n{stderr[-2000:]}")
    metrics = "\n".join(httpx.get(f"{base}/metrics").text for base in bases)
    for name in ("cocanvas_relay_lag_seconds", "cocanvas_store_commit_seconds"):
        result[name] = [histogram_quantile(metrics, name, q) for q in (0.5, 0.99)]
    cpu = marks.get("measure-end", float("nan")) - marks.get("measure-start", float("nan"))
    result["server_cpu_s"] = cpu
    result["server_us_per_delivery"] = cpu / max(result["received"], 1) * 1e6
    return result


BOARDS = {"S1": 1, "S2": 40}


def measure(
    scenario: str, nodes: int, seconds: int, drain: int, store: str, spread: str = "client"
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        data = workdir / "data"
        relay = redis(stack, workdir) if nodes > 1 else ""
        started = [node(stack, workdir, data, relay, store) for _ in range(nodes)]
        return run_load(scenario, started, seconds, drain, workdir, spread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--scenario", choices=sorted(BOARDS), default="S1")
    parser.add_argument("--drain", type=int, default=5, help="seconds to wait for stragglers")
    parser.add_argument("--nodes", default="2,1", help="node counts to compare, e.g. 2,1 or 2")
    parser.add_argument(
        "--store", default="", help="postgresql://… shared by the nodes (default: one SQLite file)"
    )
    parser.add_argument(
        "--spread",
        default="client",
        choices=("client", "board"),
        help="client: client i on node i mod n; board: every client of board b on node b mod n",
    )
    args = parser.parse_args()
    Row = tuple[float, float, float, float, float, int]
    counts = [int(n) for n in args.nodes.split(",")]
    rows: dict[str, list[Row]] = {f"{n} node{'s' if n > 1 else ''}": [] for n in counts}
    for run in range(args.runs):
        for label, nodes in zip(rows, counts, strict=True):
            res = measure(args.scenario, nodes, args.seconds, args.drain, args.store, args.spread)
            lat = res["latency_ms"]
            cross = res.get("cross_node_latency_ms") or {"p50": float("nan"), "p99": float("nan")}
            us = res["server_us_per_delivery"]
            row = (lat["p50"], lat["p99"], cross["p50"], cross["p99"], us, res["missing"])
            rows[label].append(row)
            lag, commit = res["cocanvas_relay_lag_seconds"], res["cocanvas_store_commit_seconds"]
            print(
                f"run {run + 1} {args.scenario} {label}: all p50/p99 {row[0]}/{row[1]} ms, "
                f"cross-node p50/p99 {row[2]}/{row[3]} ms, missing {row[5]}; "
                f"server CPU {res['server_cpu_s']:.1f} s, {us:.0f} us per delivery "
                f"({res['received']} delivered); relay lag p50/p99 <= {lag[0]}/{lag[1]} ms, "
                f"store commit p50/p99 <= {commit[0]}/{commit[1]} ms",
                flush=True,
            )
    for label, got in rows.items():
        med = [statistics.median(r[i] for r in got) for i in range(5)]
        print(
            f"median {args.scenario} {label}: all {med[0]:.1f} / {med[1]:.1f} ms, "
            f"cross-node {med[2]:.1f} / {med[3]:.1f} ms, {med[4]:.0f} us CPU per delivery, "
            f"missing {sum(r[5] for r in got)}"
        )


if __name__ == "__main__":
    main()
