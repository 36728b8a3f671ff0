"""Backup and restore round trip of a 2,000-note board, through real processes.

    .venv/bin/python bench/backup_bench.py [--notes 2000] [--snapshots 5]

A server runs with one board (the notes, some snapshots); `cocanvas backup` copies the
database while it runs; `cocanvas restore` puts the copy into a new data directory; a
second server starts there and a client syncs the board. Prints the time of each step.
Numbers, not a test (tests/integration/test_backup.py checks the content).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx
from pycrdt import Map, Text

from tests.support.live import ROOT, LiveServer
from tests.support.pyclient import PyClient


def cocanvas(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done, time.perf_counter() - started


async def run(notes: int, snapshots: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cocanvas-backup-bench-") as tmp:
        root = Path(tmp)
        server = LiveServer(root / "data").start()
        try:
            board = server.create_board(title="Backup bench")
            token = board.tokens["moderator"]
            async with PyClient.connect(server.ws, board.id, token) as c:
                await c.synced.wait()
                with c.doc.transaction():
                    for i in range(notes):
                        text = f"Idee {i}: ein Bürgerrat für die Innenstadt"
                        c.notes[f"n{i}"] = Map({"field": "B2", "text": Text(text)})
                await c.flush()
                auth = {"Authorization": f"Bearer {token}"}
                async with httpx.AsyncClient(base_url=server.http, headers=auth) as http:
                    for s in range(snapshots):
                        r = await http.post(
                            f"/api/boards/{board.id}/snapshots", json={"label": f"s{s}"}, timeout=30
                        )
                        r.raise_for_status()
                size = sum(p.stat().st_size for p in (root / "data").iterdir())
                backup = root / "backup.db"
                done, backup_wall = cocanvas("backup", str(backup), "--data", str(root / "data"))
                inner = re.search(r"in ([0-9.]+) s", done.stdout)
                backup_api = float(inner.group(1)) if inner else float("nan")
        finally:
            server.stop()
        _, restore_wall = cocanvas("restore", str(backup), "--data", str(root / "restored"))
        started = time.perf_counter()
        again = LiveServer(root / "restored").start()
        try:
            start_wall = time.perf_counter() - started
            started = time.perf_counter()
            async with PyClient.connect(again.ws, board.id, token) as c:
                await c.synced.wait()
                await c.wait_for(lambda: len(c.notes) == notes, within=30)
            sync_wall = time.perf_counter() - started
        finally:
            again.stop()
        backup_size = backup.stat().st_size
    total = backup_wall + restore_wall + start_wall + sync_wall
    print(
        f"{notes} notes, {snapshots} snapshots, data dir {size / 1e6:.1f} MB, "
        f"backup {backup_size / 1e6:.1f} MB\n"
        f"backup:  {backup_wall:.2f} s (of which the online backup API {backup_api:.2f} s)\n"
        f"restore: {restore_wall:.2f} s\n"
        f"start:   {start_wall:.2f} s until /healthz answers\n"
        f"sync:    {sync_wall:.2f} s until a client holds all {notes} notes\n"
        f"round trip: {total:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=2_000)
    parser.add_argument("--snapshots", type=int, default=5)
    args = parser.parse_args()
    anyio.run(run, args.notes, args.snapshots)


if __name__ == "__main__":
    main()
