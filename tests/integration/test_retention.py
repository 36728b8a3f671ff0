"""Retention on a real server: idle boards go, boards in use stay (PROTOCOL.md P201)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.live import ROOT, Board, LiveServer
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio
IDLE_SECONDS = 1.5


async def status(http: httpx.AsyncClient, board: Board) -> int:
    auth = {"Authorization": f"Bearer {board.tokens['viewer']}"}
    return (await http.get(f"/api/boards/{board.id}", headers=auth)).status_code


async def test_p201_idle_boards_are_deleted_and_boards_in_use_stay(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(
        COCANVAS_RETENTION_DAYS=str(IDLE_SECONDS / 86_400),
        COCANVAS_RETENTION_CHECK_SECONDS="0.2",
        COCANVAS_ROOM_GRACE_SECONDS="0.2",
    )
    mark = secrets.token_hex(6)
    idle = server.create_board(title=f"Vergessen-{mark}")
    live = server.create_board(title=f"Benutzt-{mark}")
    async with (
        httpx.AsyncClient(base_url=server.http, timeout=10) as http,
        PyClient.connect(server.ws, live.id, live.tokens["viewer"]) as watcher,
    ):
        await watcher.synced.wait()
        async with PyClient.connect(server.ws, idle.id, idle.tokens["participant"]) as p:
            await p.synced.wait()
            await p.add_note("n", "A1", f"Notiz {mark}")
            await p.request("clock")
        assert await status(http, idle) == 200  # its use just ended: not idle yet

        async def idle_gone() -> bool:
            return await status(http, idle) == 404

        await poll_until(idle_gone, seconds=15)
        # the watched board has had no update for longer than the limit, but it is loaded
        assert await status(http, live) == 200
        assert not watcher.closed.is_set()
    server.stop()
    log = server.log()
    assert f"retention: deleted board {idle.id}" in log
    assert "1 snapshots" in log  # the snapshot taken when the last person left
    assert [line for line in log.splitlines() if "retention:" in line and live.id in line] == []
    assert mark not in log


def test_p201_a_negative_retention_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", "0", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COCANVAS_RETENTION_DAYS": "-1"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "COCANVAS_RETENTION_DAYS" in done.stderr
