"""What the slowest deliveries waited for: our server under `lag_probe.py` while load.mjs
runs S1 or S2.

Prints, for load.mjs's measured window only (the clients are connected, the typing
runs), histograms of the event loop's lateness (a timer due every 2 ms) and of the wall
time of websocket reads, commits and broadcasts, then each wait of 3 ms or more with its
second in the window. A p99 far above the p50 comes from many middling waits (the loop
busy, the server descheduled), from a few long stalls, or from outside the server; this
tells which, and which stage ran then.

    .venv/bin/python bench/loop_lag.py --scenario S2 --seconds 10
    .venv/bin/python bench/loop_lag.py --scenario S2 --before ../old-checkout
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import run_sync

BOUNDS_MS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # below each, then at or above the last
SLOW_MS = 3.0


def _samples(path: Path, window: tuple[float, float]) -> list[tuple[float, str, float]]:
    time.sleep(1.2)  # the probe writes once a second
    out = []
    for line in path.read_text().splitlines():
        when, probe, ms = line.split()
        if window[0] <= float(when) <= window[1]:
            out.append((float(when), probe.replace("_", " "), float(ms)))
    return out


def _bins(values: list[float]) -> list[int]:
    bins = [0] * (len(BOUNDS_MS) + 1)
    for v in values:
        bins[next((i for i, b in enumerate(BOUNDS_MS) if v < b), len(BOUNDS_MS))] += 1
    return bins


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenario", default="S2", choices=("S1", "S2"))
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--before", type=Path, help="probe that checkout's server package")
    p.add_argument("--list", type=int, default=40, help="print at most this many slow waits")
    args = p.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cocanvas-lag-"))
    out = workdir / "lag.txt"  # lines of "time probe ms"
    entry = (str(Path(__file__).with_name("lag_probe.py")),)
    load_args = ["--seconds", str(args.seconds)]
    try:
        with run_sync.our_server(
            workdir, code=args.before, entry=entry, extra_env={"COCANVAS_LAG_OUT": str(out)}
        ) as server:
            server.targets = run_sync.create_boards(
                server, run_sync.rooms_needed(args.scenario, load_args)
            )
            result = run_sync.run_load(server, args.scenario, load_args)
            window = result.get("server", {}).get("window")
            if not window:
                print("load.mjs marked no measured window", file=sys.stderr)
                return 1
            samples = _samples(out, (window[0], window[1]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    latency = result.get("latency_ms", {})
    print(
        json.dumps(
            {
                "scenario": args.scenario,
                "code": str(args.before or "this checkout"),
                "p50_ms": latency.get("p50"),
                "p99_ms": latency.get("p99"),
                "max_ms": latency.get("max"),
                "server_cpu_us_per_delivery": round(
                    result.get("server", {}).get("cpu_us_per_delivery") or 0.0, 1
                ),
                "window_s": round(window[1] - window[0], 2),
                "loadgen_loop_gap_ms": result.get("loadgen_loop_gap_ms"),
            }
        )
    )
    edges = [f"<{b:g}" for b in BOUNDS_MS] + [f">={BOUNDS_MS[-1]:g}"]
    print(f"{'wall ms':22s}" + "".join(f"{e:>8s}" for e in edges) + f"{'longest':>9s}")
    for probe in sorted({p for _, p, _ in samples}):
        values = [ms for _, p, ms in samples if p == probe]
        print(f"{probe:22s}" + "".join(f"{n:8d}" for n in _bins(values)) + f"{max(values):9.2f}")
    slow = [s for s in samples if s[2] >= SLOW_MS]
    print(f"waits of {SLOW_MS:g} ms or more in the measured window: {len(slow)}")
    for when, probe, ms in slow[: args.list]:
        print(f"  {when - window[0]:7.3f} s  {probe:22s} {ms:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
