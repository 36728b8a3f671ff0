"""Soak: boards loaded and unloaded for a long time; RSS slope in MB/h.

A workshop week in fast motion: every round, clients join half of the boards, edit a note,
and leave; idle boards unload after a short grace period. Every 5 s, once every board is
unloaded again, the server's RSS is sampled (memory at rest, not a board caught
half-loaded); a least-squares line through the samples after the warm-up gives the slope.

Two kinds of visitors (`--visitors`):

- `returning` (steady content): each board has one participant whose tab stays open and
  reconnects for every visit, the same Yjs client each time, rewriting the first letter of
  the same note. The stored document keeps its size, so any growth is the server's.
- `fresh`: every visit is a new Yjs client (a new browser session) rewriting the first
  letter of one of the notes in turn. Each such edit adds its client to the document for
  good (about 42 bytes), so the boards grow all day.

    .venv/bin/python bench/soak.py                       # 30 minutes, returning visitors
    .venv/bin/python bench/soak.py --seconds 300 --visitors fresh --probe /tmp/probe.jsonl
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from pycrdt import Doc, Map, Text
from run_sync import Server, create_boards, our_server, status_kb
from websockets.asyncio.client import ClientConnection, connect

from server.sync import codec

NOTES_PER_BOARD = 200
SAMPLE_SECONDS = 5.0


@dataclass
class Soak:
    server: Server
    boards: list[dict[str, Any]]
    visitors: str
    tabs: dict[str, Doc[Any]] = field(default_factory=dict)  # board -> the returning tab
    edits: int = 0
    samples: list[tuple[float, float]] = field(default_factory=list)  # (s, MB) at rest
    edits_at: list[int] = field(default_factory=list)  # edits done by each sample

    def url(self, board: dict[str, Any]) -> str:
        return f"{self.server.ws_url}/{board['room']}?k={board['params']['k']}"


async def fill(soak: Soak, board: dict[str, Any]) -> None:
    async with connect(soak.url(board), max_size=None, compression=None) as ws:
        doc: Doc[Any] = Doc()
        root = doc.get("notes", type=Map)
        with doc.transaction():
            for i in range(NOTES_PER_BOARD):
                root[f"n{i}"] = Map({"field": "A1", "text": Text(f"Notiz {i} über Beteiligung")})
        await ws.send(codec.encode_sync_update(doc.get_update()))
        await sync(ws, doc)


async def sync(ws: ClientConnection, doc: Doc[Any]) -> int:
    """Send SyncStep1 and apply the SyncStep2 that answers it, answering the server's own
    SyncStep1 on the way as y-websocket does; the size of that SyncStep2. The server handles
    a connection's messages in order, so the answer also confirms what was sent before."""
    await ws.send(codec.encode_sync_step1(doc.get_state()))
    with anyio.fail_after(30):
        while True:
            data = await ws.recv()
            assert isinstance(data, bytes)
            frame = codec.decode_frame(data)
            if isinstance(frame, codec.SyncStep1):
                await ws.send(codec.encode_sync_step2(doc.get_update(frame.state_vector)))
            elif isinstance(frame, codec.SyncStep2):
                doc.apply_update(frame.update)
                return len(frame.update)


async def visit(soak: Soak, board: dict[str, Any], round_no: int) -> None:
    """Join, sync, rewrite the first letter of a note (same length), wait until the server
    has it, leave."""
    if soak.visitors == "returning":
        doc = soak.tabs.setdefault(board["room"], Doc())
        key = "n0"
    else:
        doc = Doc()
        key = f"n{round_no % NOTES_PER_BOARD}"
    async with connect(soak.url(board), max_size=None, compression=None) as ws:
        await sync(ws, doc)
        text = doc.get("notes", type=Map)[key]["text"]
        assert isinstance(text, Text)
        before = doc.get_state()
        with doc.transaction():
            del text[0:1]
            text.insert(0, "N" if round_no % 2 else "M")
        await ws.send(codec.encode_sync_update(doc.get_update(before)))
        await sync(ws, doc)
    soak.edits += 1


async def stored_kb(soak: Soak) -> float:
    """The boards' documents as a new client receives them, in KB."""
    total = 0
    for board in soak.boards:
        async with connect(soak.url(board), max_size=None, compression=None) as ws:
            total += await sync(ws, Doc())
    return total / 1000


def rss_parts_kb(pid: int) -> dict[str, int]:
    """Resident KB by kind of mapping: malloc's main heap, anonymous maps (thread arenas,
    pymalloc arenas, big blocks), files (code, SQLite's shared-memory index)."""
    parts = {"heap": 0, "anon": 0, "file": 0}
    kind = "file"
    try:
        lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    except OSError:
        return parts
    for line in lines:
        fields = line.split()
        if fields and not fields[0].endswith(":"):  # a mapping's first line
            name = fields[5] if len(fields) > 5 else ""
            kind = "heap" if name == "[heap]" else "anon" if not name else "file"
        elif fields and fields[0] == "Rss:":
            parts[kind] += int(fields[1])
    return parts


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return cov / var * 3600 if var else 0.0


async def at_rest(http: httpx.AsyncClient) -> None:
    """Wait (at most 30 s) until the server has unloaded every board."""

    async def unloaded() -> bool:
        return bool((await http.get("/healthz")).json()["rooms"] == 0)

    for _ in range(600):  # another process: nothing to subscribe to; 30 s at most
        if await unloaded():
            break
        await anyio.sleep(0.05)
    else:
        raise TimeoutError("the boards did not unload within 30 s")


async def counters(http: httpx.AsyncClient) -> dict[str, float]:
    text = (await http.get("/metrics")).text
    found = re.findall(r"^(cocanvas_\w+_total) ([0-9.e+]+)$", text, re.MULTILINE)
    return {name: float(value) for name, value in found}


async def run(soak: Soak, seconds: float, warmup: float) -> None:
    for board in soak.boards:
        await fill(soak, board)
    # a new connection per poll: a kept-alive one that the server closes after 5 s idle
    # races the next request ("Server disconnected without sending a response")
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    base = f"http://127.0.0.1:{soak.server.port}"
    async with httpx.AsyncClient(base_url=base, limits=no_reuse) as http:
        kb_before = await stored_kb(soak)
        rounds = await run_rounds(soak, seconds, http)
        kb_after = await stored_kb(soak)
        await at_rest(http)
        seen = await counters(http)
    report(soak, rounds, warmup, seen, (kb_before, kb_after))


async def run_rounds(soak: Soak, seconds: float, http: httpx.AsyncClient) -> int:
    pid = soak.server.process.pid
    start = time.monotonic()
    next_sample = start
    round_no = 0
    while (now := time.monotonic()) - start < seconds:
        if now >= next_sample:
            await at_rest(http)
            soak.samples.append((time.monotonic() - start, status_kb(pid, "VmRSS") / 1024))
            soak.edits_at.append(soak.edits)
            if len(soak.samples) % 12 == 1:  # each minute, so that a run cut short still tells
                parts = " ".join(f"{k} {v / 1024:.1f}" for k, v in rss_parts_kb(pid).items())
                t, rss = soak.samples[-1]
                print(f"{t:6.0f} s  RSS {rss:.1f} MB ({parts})  edits {soak.edits}", flush=True)
            next_sample += SAMPLE_SECONDS
        async with anyio.create_task_group() as tg:
            for board in soak.boards[round_no % 2 :: 2]:
                tg.start_soon(visit, soak, board, round_no)
        round_no += 1
        await anyio.sleep(0.3)  # longer than the grace period: boards unload in between
    return round_no


def report(
    soak: Soak,
    rounds: int,
    warmup: float,
    seen: dict[str, float],
    kb: tuple[float, float],
) -> None:
    samples = soak.samples
    end = samples[-1][0]
    fit = [s for s in samples if s[0] >= warmup]
    # per 1,000 edits: a loaded machine makes fewer edits an hour, and a smaller slope
    pairs = zip(soak.edits_at, samples, strict=True)
    by_edits = [(e / 1000, s[1]) for e, s in pairs if s[0] >= warmup]
    half = [s for s in samples if s[0] >= end / 2]
    loads = seen.get("cocanvas_room_loads_total", 0)
    unloads = seen.get("cocanvas_room_unloads_total", 0)
    stored = seen.get("cocanvas_updates_total", 0)
    print(f"visitors: {soak.visitors}, boards: {len(soak.boards)}, rounds: {rounds}")
    print(f"edits: {soak.edits} (updates the server stored: {stored:.0f})")
    print(f"boards loaded / unloaded: {loads:.0f} / {unloads:.0f}")
    print(f"documents as a new client gets them: {kb[0]:.1f} KB -> {kb[1]:.1f} KB")
    print(
        f"RSS start / end: {samples[0][1]:.1f} / {samples[-1][1]:.1f} MB ({len(samples)} samples)"
    )
    if fit:
        print(
            f"RSS slope after warm-up: {slope_mb_per_hour(fit):+.1f} MB/h "
            f"(fit {fit[0][0]:.0f}-{end:.0f} s, {len(fit)} samples, "
            f"{fit[0][1]:.1f} -> {fit[-1][1]:.1f} MB)"
        )
        per_k = slope_mb_per_hour(by_edits) / 3600
        print(f"RSS per 1,000 edits after warm-up: {per_k:+.3f} MB")
    print(f"RSS slope over the second half: {slope_mb_per_hour(half):+.1f} MB/h")
    per_minute = [f"{m:.1f}" for t, m in samples if t % 60 < SAMPLE_SECONDS]
    print("RSS each minute (MB): " + " ".join(per_minute))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--visitors", choices=("returning", "fresh"), default="returning")
    parser.add_argument(
        "--warmup",
        type=float,
        help="seconds left out of the fit (default: a fifth of the run, at most 300)",
    )
    parser.add_argument(
        "--probe",
        type=Path,
        help="JSON lines of the server's own memory accounts (soak_probe.py), every 5 s",
    )
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else min(300.0, args.seconds / 5)
    os.environ["COCANVAS_ROOM_GRACE_SECONDS"] = "0.2"
    with tempfile.TemporaryDirectory(prefix="cocanvas-soak-") as tmp:
        entry: tuple[str, ...] = ("-m", "server")
        if args.probe:
            os.environ["COCANVAS_PROBE_OUT"] = str(args.probe.resolve())
            entry = (str(Path(__file__).with_name("soak_probe.py")),)
        with our_server(Path(tmp), entry=entry) as server:
            boards = create_boards(server, args.boards)
            soak = Soak(server, boards, args.visitors)
            anyio.run(run, soak, args.seconds, warmup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
