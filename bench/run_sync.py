"""Side-by-side sync benchmark: cocanvas vs ``@y/websocket-server`` and Hocuspocus.

For every scenario and run, starts a fresh server process on a free loopback port (ours with
SQLite persistence in a temporary data directory, boards made over ``POST /api/boards`` and
joined with participant tokens; the Node servers in memory), drives it with ``bench/load.mjs``
(stock y-websocket clients in one Node process), samples the server's CPU time and RSS from
``/proc``, and prints a table of medians over the runs. See ``bench/README.md``.

    .venv/bin/python bench/run_sync.py --quick
    .venv/bin/python bench/run_sync.py --scenarios S1,S3 --runs 3 --reference-only
    .venv/bin/python bench/run_sync.py --servers ours,before --before ../main   # A/B of our code
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LOAD_JS = BENCH / "load.mjs"
REFERENCE_JS = BENCH / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
HOCUSPOCUS_JS = BENCH / "hocuspocus.mjs"
HOCUSPOCUS_PKG = BENCH / "node_modules" / "@hocuspocus" / "server"
KINDS = ("ours", "before", "reference", "hocuspocus")
PYTHON = REPO / ".venv" / "bin" / "python"

SCENARIOS = ("S1", "S2", "S3", "S4", "J")
ROOMS = {"S1": 1, "S2": 40, "S3": 1, "S4": 1, "J": 1}
QUICK_ARGS = {
    "S1": ["--seconds", "5"],
    "S2": ["--seconds", "5"],
    "S3": [],
    "S4": [],
    "J": [],
}
STARTUP_SECONDS = 90.0  # a shared, loaded machine can take a minute to import and start
CREATE_WAIT_SECONDS = 150.0
SCENARIO_WALL_SECONDS = 300.0
SAMPLE_SECONDS = 0.1
# A server may go on starting after it answers: ours starts its export worker, which loads
# the PDF engine for about a second. The load waits until the server's processes are idle.
SETTLE_SECONDS = 20.0
SETTLE_WINDOW = 0.3
SETTLE_SHARE = 0.05  # of one core
CLK_TCK = os.sysconf("SC_CLK_TCK")

Result = dict[str, Any]


class BenchError(Exception):
    """A server or the load generator did not do its part; the message says what to do."""


# -- /proc sampling ---------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    data = Path(f"/proc/{pid}/stat").read_text()
    return data[data.rfind(")") + 2 :].split()  # fields from 3 (state) on


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(entry.name))[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: list[int], system_only: bool = False) -> float:
    """User + system CPU time of these processes (utime, stime from /proc/PID/stat), or
    the system (kernel) part alone."""
    ticks = 0
    for pid in pids:
        try:
            f = _stat_fields(pid)
            ticks += (0 if system_only else int(f[11])) + int(f[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / CLK_TCK


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler:
    """Samples the RSS of a process tree in a thread; keeps the maximum."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.max_rss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_kb(self) -> int:
        return sum(status_kb(p, "VmRSS") for p in process_tree(self.pid))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.max_rss_kb = max(self.max_rss_kb, self.rss_kb())

    def __enter__(self) -> Sampler:
        self.max_rss_kb = self.rss_kb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    ws_url: str
    targets: list[dict[str, Any]] = field(default_factory=list)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_listening(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} server exited with code {server.process.returncode} at start:\n"
                f"{server.log_tail()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{server.name} server did not listen within {STARTUP_SECONDS} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def node_server(workdir: Path, kind: str) -> Iterator[Server]:
    """``@y/websocket-server`` (kind "reference") or Hocuspocus (``hocuspocus.mjs``), in memory."""
    node = shutil.which("node")
    if node is None:
        raise BenchError("`node` (Node.js 20+) is not on PATH")
    script = REFERENCE_JS if kind == "reference" else HOCUSPOCUS_JS
    if not REFERENCE_JS.is_file() or not HOCUSPOCUS_PKG.is_dir():
        raise BenchError("bench/node_modules is incomplete: run `npm ci --prefix bench`")
    port = free_port()
    log = workdir / f"{kind}-{port}.log"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    env.pop("YPERSISTENCE", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, str(script)],
            cwd=BENCH,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    server = Server(kind, process, port, log, f"ws://127.0.0.1:{port}")
    try:
        _wait_listening(server)
        yield server
    finally:
        _stop(process)


@contextmanager
def our_server(
    workdir: Path,
    store_url: str = "",
    code: Path | None = None,
    name: str = "ours",
    extra_env: dict[str, str] | None = None,
    wrap: list[str] | None = None,
    entry: tuple[str, ...] = ("-m", "server"),
    python: Path = PYTHON,
) -> Iterator[Server]:
    """Our server; with ``code``, the ``server`` package of that checkout ("before");
    ``extra_env`` for a variant (``--variant``); ``wrap``: a command that runs the
    server as its child and ends with it (a profiler, see profile_sync.py); ``entry``: what
    python runs, ``-m server`` or a script that wraps the command line (soak_probe.py);
    ``python``: the interpreter, by default this checkout's."""
    if not python.is_file():
        raise BenchError(f"{python} is missing: install the project into .venv")
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="data-", dir=workdir))
    log = workdir / f"cocanvas-{port}.log"
    # `python -m server` (not the entry script) runs the code PYTHONPATH points at
    cmd = [
        *(wrap or []),
        str(python),
        *entry,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data",
        str(data),
    ]
    if store_url:
        cmd += ["--store", store_url]  # boards are new each run, so one database serves all
    # boards are created in bulk and every client shares one address here; the per-address
    # limits protect public servers
    env = {
        **os.environ,
        "COCANVAS_CREATE_PER_MINUTE": "100000",
        "COCANVAS_LIMIT_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    # our code first; what PYTHONPATH held (e.g. an optional package) after it
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str((code or REPO).resolve()), os.environ.get("PYTHONPATH", "")) if p
    )
    env |= extra_env or {}
    with log.open("wb") as out:
        # run in the work directory: `python -m` puts the current directory first on
        # sys.path, ahead of PYTHONPATH, so from the repository "before" would run our code
        process = subprocess.Popen(
            cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
        )
    server = Server(name, process, port, log, f"ws://127.0.0.1:{port}/ws")
    try:
        _wait_listening(server)
        deadline = time.monotonic() + STARTUP_SECONDS
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            while http.get("/healthz").status_code != 200:
                if time.monotonic() > deadline:
                    raise BenchError(f"ours: /healthz not 200 within {STARTUP_SECONDS} s")
                time.sleep(0.05)
        yield server
    finally:
        if wrap:  # stop the server; the wrapper then writes its output and ends
            for pid in process_tree(process.pid)[1:]:
                os.kill(pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        _stop(process)


def create_boards(server: Server, count: int) -> list[dict[str, Any]]:
    """Fresh boards on our server; the load generator joins them as participants.

    The server limits board creation per client address (HTTP 429); then this waits and
    retries, for at most CREATE_WAIT_SECONDS in all.
    """
    targets = []
    deadline = time.monotonic() + CREATE_WAIT_SECONDS
    waited = False
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http:
        for i in range(count):
            while True:
                r = http.post(
                    "/api/boards",
                    json={"canvas": "ko-kreation", "title": f"bench {i}", "locale": "de"},
                )
                if r.status_code != 429 or time.monotonic() > deadline:
                    break
                if not waited:
                    print(
                        f"#   board creation is rate-limited; waiting to create {count - i} more",
                        file=sys.stderr,
                        flush=True,
                    )
                    waited = True
                time.sleep(float(r.headers.get("Retry-After", "1")))
            if r.status_code != 201:
                raise BenchError(f"POST /api/boards answered {r.status_code}: {r.text[:300]}")
            body = r.json()
            targets.append({"room": body["id"], "params": {"k": body["tokens"]["participant"]}})
    return targets


# -- one measurement --------------------------------------------------------------------------


def wait_idle(pid: int) -> float:
    """Wait until the process tree of ``pid`` uses less than SETTLE_SHARE of a core over
    SETTLE_WINDOW seconds, at most SETTLE_SECONDS; returns the seconds waited."""
    start = time.monotonic()
    before = cpu_seconds(process_tree(pid))
    while time.monotonic() - start < SETTLE_SECONDS:
        time.sleep(SETTLE_WINDOW)
        now = cpu_seconds(process_tree(pid))
        if now - before < SETTLE_SHARE * SETTLE_WINDOW:
            break
        before = now
    return time.monotonic() - start


def run_load(server: Server, scenario: str, load_args: list[str]) -> Result:
    """Run load.mjs once against ``server``, once its processes are idle; add server CPU
    and memory to its result."""
    node = shutil.which("node")
    assert node is not None
    settle_s = wait_idle(server.process.pid)
    cmd = [node, str(LOAD_JS), "--scenario", scenario, "--url", server.ws_url, *load_args]
    targets_file: Path | None = None
    if server.targets:
        targets_file = server.log.with_suffix(f".{scenario}.targets.json")
        targets_file.write_text(json.dumps(server.targets))
        cmd += ["--targets", f"@{targets_file}"]
    pid = server.process.pid
    rss_before_kb = sum(status_kb(p, "VmRSS") for p in process_tree(pid))
    marks: dict[str, float] = {}
    rss_end_kb = 0
    result: Result | None = None
    with Sampler(pid) as sampler:
        load = subprocess.Popen(
            cmd,
            cwd=BENCH,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        killer = threading.Timer(SCENARIO_WALL_SECONDS, load.kill)
        killer.start()
        try:
            assert load.stdout is not None
            for raw in load.stdout:
                line = raw.decode(errors="replace").strip()
                if not line.startswith("{"):
                    continue
                msg = json.loads(line)
                if msg.get("phase") in ("measure-start", "measure-end"):
                    tree = process_tree(pid)
                    marks[msg["phase"]] = cpu_seconds(tree)
                    marks[msg["phase"] + ":sys"] = cpu_seconds(tree, system_only=True)
                    marks[msg["phase"] + ":wall"] = time.time()
                    if msg["phase"] == "measure-end":
                        rss_end_kb = sampler.rss_kb()
                elif "result" in msg:
                    result = msg["result"]
            load.wait(timeout=30)
        finally:
            killer.cancel()
            if load.poll() is None:
                load.kill()
                load.wait()
        stderr = load.stderr.read().decode(errors="replace") if load.stderr else ""
        if load.stderr:
            load.stderr.close()
        if load.stdout:
            load.stdout.close()
    if result is None:
        raise BenchError(
            f"load.mjs {scenario} gave no result (exit {load.returncode}):\n{stderr[-2000:]}"
        )
    server_cpu = server_sys = None
    if "measure-start" in marks and "measure-end" in marks:
        server_cpu = marks["measure-end"] - marks["measure-start"]
        server_sys = marks["measure-end:sys"] - marks["measure-start:sys"]
    result["server"] = {
        "name": server.name,
        "cpu_s": server_cpu,
        "sys_share": server_sys / server_cpu if server_cpu and server_sys is not None else None,
        "rss_before_mb": rss_before_kb / 1024,
        "rss_end_mb": rss_end_kb / 1024,
        "rss_max_mb": sampler.max_rss_kb / 1024,
        "rss_peak_mb": status_kb(pid, "VmHWM") / 1024,
        "alive": server.process.poll() is None,
        "settle_s": round(settle_s, 2),
    }
    if "measure-start:wall" in marks and "measure-end:wall" in marks:
        result["server"]["window"] = [marks["measure-start:wall"], marks["measure-end:wall"]]
    delivered = result.get("received")
    if server_cpu is not None and delivered:
        result["server"]["cpu_us_per_delivery"] = server_cpu / delivered * 1e6
    if stderr.strip() and "error" in result:
        result["stderr_tail"] = stderr[-2000:]
    return result


def run_one(
    kind: str,
    scenario: str,
    load_args: list[str],
    workdir: Path,
    store_url: str = "",
    before: Path | None = None,
    variants: dict[str, dict[str, str]] | None = None,
    checkouts: dict[str, Path] | None = None,
) -> Result:
    variants = variants or {}
    checkouts = checkouts or {}
    ours = kind in ("ours", "before") or kind in variants or kind in checkouts
    if ours:
        code = before if kind == "before" else checkouts.get(kind)
        # "before" runs with its checkout's own environment when it has one: an A/B of
        # interpreters or dependencies, not only of our code
        own = code / ".venv" / "bin" / "python" if code is not None else PYTHON
        python = own if own.is_file() else PYTHON
        start = our_server(workdir, store_url, code, kind, variants.get(kind), python=python)
    else:
        start = node_server(workdir, kind)
    with start as server:
        if ours:
            server.targets = create_boards(server, rooms_needed(scenario, load_args))
        result = run_load(server, scenario, load_args)
        if not result["server"]["alive"]:
            result["server"]["log_tail"] = server.log_tail()
        return result


def rooms_needed(scenario: str, load_args: list[str]) -> int:
    if "--rooms" in load_args:
        return int(load_args[load_args.index("--rooms") + 1])
    return ROOMS[scenario]


# -- summary ----------------------------------------------------------------------------------


def _get(result: Result, path: str) -> float | None:
    node: Any = result
    for part in path.split("."):
        if not isinstance(node, dict) or node.get(part) is None:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) else None


def median_of(results: list[Result], path: str) -> float | None:
    values = [v for r in results if (v := _get(r, path)) is not None]
    return statistics.median(values) if values else None


def summarize(scenario: str, results: list[Result]) -> dict[str, Any]:
    """Medians over runs, in the table's columns."""
    ok = [r for r in results if "error" not in r]
    row: dict[str, Any] = {"runs": len(results), "failed": len(results) - len(ok)}
    if not ok:
        error = str(results[0].get("error", "failed")) if results else "no runs"
        row["note"] = error.strip().splitlines()[0][:120] if error.strip() else "failed"
        return row

    def m(path: str) -> float | None:
        return median_of(ok, path)

    row |= {
        "srv_cpu_s": m("server.cpu_s"),
        "srv_us": m("server.cpu_us_per_delivery"),
        "sys_pct": 100 * (m("server.sys_share") or 0),
        "rss_mb": m("server.rss_max_mb"),
        "gen_cpu_s": m("loadgen_cpu_s"),
    }
    if scenario in ("S1", "S2", "S3"):
        row |= {
            "p50": m("latency_ms.p50"),
            "p99": m("latency_ms.p99"),
            "per_s": m("deliveries_per_s"),
            "missing": m("missing"),
        }
        row["note"] = f"{int(m('sent') or 0)} sent, {int(m('expected') or 0)} expected"
    elif scenario == "S4":
        row |= {"p50": m("synced_ms.p50"), "p99": m("synced_ms.max")}
        kb = (m("doc_bytes") or 0) / 1024
        row["note"] = (
            f"synced p50/max; {int(m('synced') or 0)}/{int(m('joins') or 0)} joins, doc {kb:.0f} KB"
        )
    else:
        row |= {"p50": m("synced_ms.p50"), "p99": m("all_synced_ms")}
        row["note"] = (
            f"synced p50/all; {int(m('synced') or 0)}/{int(m('clients') or 0)} synced, "
            f"{int(m('converged') or 0)} converged"
        )
    return row


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def print_table(rows: list[tuple[str, str, dict[str, Any]]]) -> None:
    header = [
        "scenario",
        "server",
        "p50 ms",
        "p99 ms",
        "deliv/s",
        "missing",
        "srv CPU s",
        "srv µs/deliv",
        "sys %",
        "srv RSS MB",
        "gen CPU s",
        "runs",
        "note",
    ]
    table = [header]
    for scenario, kind, row in rows:
        runs = f"{row['runs'] - row['failed']}/{row['runs']}"
        table.append(
            [
                scenario,
                kind,
                fmt(row.get("p50"), 2),
                fmt(row.get("p99"), 2),
                fmt(row.get("per_s"), 0),
                fmt(row.get("missing"), 0),
                fmt(row.get("srv_cpu_s"), 2),
                fmt(row.get("srv_us"), 1),
                fmt(row.get("sys_pct"), 0),
                fmt(row.get("rss_mb"), 1),
                fmt(row.get("gen_cpu_s"), 2),
                runs,
                str(row.get("note", "")),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for i, r in enumerate(table):
        cells = [
            c.rjust(w) if i and j >= 2 else c.ljust(w)
            for j, (c, w) in enumerate(zip(r, widths, strict=False))
        ]
        print("  ".join(cells) + "  " + r[-1])
        if i == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 4)


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma list of S1,S2,S3,S4,J")
    p.add_argument("--quick", action="store_true", help="5-second S1/S2 and one run by default")
    p.add_argument("--runs", type=int, default=None, help="runs per scenario (default 3; 1 quick)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--ours-only", action="store_true")
    who.add_argument("--reference-only", action="store_true")
    p.add_argument(
        "--servers",
        default="",
        help=f"comma list of {','.join(KINDS)} (default ours,reference,hocuspocus)",
    )
    p.add_argument(
        "--before",
        type=Path,
        help="a checkout whose server package runs as 'before' (its PYTHONPATH), with its "
        ".venv's interpreter if it has one",
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE,...",
        help="our server under NAME with these environment variables (for --servers)",
    )
    p.add_argument(
        "--checkout",
        action="append",
        default=[],
        metavar="NAME:DIR",
        help="another checkout run as NAME, as --before is (repeatable; for --servers)",
    )
    p.add_argument("--seconds", type=float, help="override S1/S2 duration")
    p.add_argument(
        "--load-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for load.mjs, repeatable (e.g. --load-arg=--clients --load-arg=10)",
    )
    p.add_argument(
        "--store",
        default="",
        help="store URL for our server (postgresql://...; default: SQLite in a temp dir)",
    )
    p.add_argument("--json", type=Path, help="also write every run's raw result here")
    p.add_argument("--keep", action="store_true", help="keep server logs and data directories")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        print(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if not 1 <= runs <= 20:
        print("--runs must be between 1 and 20", file=sys.stderr)
        return 2
    kinds = ["ours"] if args.ours_only else ["reference"] if args.reference_only else []
    if args.servers:
        kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    kinds = kinds or ["ours", "reference", "hocuspocus"]
    variants: dict[str, dict[str, str]] = {}
    for spec in args.variant:
        name, _, pairs = spec.partition(":")
        variants[name] = dict(p.split("=", 1) for p in pairs.split(",") if "=" in p)
    checkouts = {
        name: Path(folder) for name, _, folder in (c.partition(":") for c in args.checkout)
    }
    known = (*KINDS, *variants, *checkouts)
    if any(k not in known for k in kinds) or ("before" in kinds) != (args.before is not None):
        print(f"--servers takes {', '.join(KINDS)}; 'before' needs --before", file=sys.stderr)
        return 2
    if not (BENCH / "node_modules" / "y-websocket").is_dir():
        print("bench/node_modules is missing: run `npm ci --prefix bench`", file=sys.stderr)
        return 2

    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="cocanvas-bench-"))
    raw: dict[str, dict[str, list[Result]]] = {}
    rows: list[tuple[str, str, dict[str, Any]]] = []
    try:
        for scenario in scenarios:
            load_args = list(QUICK_ARGS[scenario]) if args.quick else []
            if args.seconds is not None and scenario in ("S1", "S2"):
                load_args += ["--seconds", str(args.seconds)]
            load_args += args.load_arg
            # servers take turns run by run, so a change in the machine's load hits all alike
            per_kind: dict[str, list[Result]] = {kind: [] for kind in kinds}
            for i in range(runs):
                for kind in kinds:
                    results = per_kind[kind]
                    print(f"# {scenario} {kind} run {i + 1}/{runs}", file=sys.stderr, flush=True)
                    try:
                        results.append(
                            run_one(
                                kind,
                                scenario,
                                load_args,
                                workdir,
                                args.store,
                                args.before,
                                variants,
                                checkouts,
                            )
                        )
                    except BenchError as e:
                        results.append({"error": str(e)})
                    if "error" in results[-1]:
                        print(f"#   failed: {results[-1]['error']}", file=sys.stderr, flush=True)
            for kind in kinds:
                raw.setdefault(scenario, {})[kind] = per_kind[kind]
                rows.append((scenario, kind, summarize(scenario, per_kind[kind])))
    finally:
        if args.json:
            args.json.write_text(json.dumps(raw, indent=2))
        if args.keep:
            print(f"# logs and data kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ncocanvas sync benchmark: median of {runs} run(s), {os.cpu_count()} CPUs, loopback")
    print(f"load average at the end: {load} (at the start: {load_start})")
    print_table(rows)
    failed = sum(row["failed"] for _, _, row in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
