"""On a real server: refused updates leave nothing in the store, snapshots or archives;
budgets; presence fan-out stays bounded (PROTOCOL.md P120-P124)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import msgpack
import pytest

from server.store.sqlite import SqliteStore
from server.sync import codec
from tests.support.live import Board, LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio

REFUSALS = 20
# bytes a refused update may leave behind (its ids in the structs, the delete set and the
# state vector); measured 20-40 per refusal
RESIDUE_PER_REFUSAL = 64


def auth(board: Board) -> dict[str, str]:
    return {"authorization": f"Bearer {board.tokens['moderator']}"}


async def snapshot(server: LiveServer, board: Board, label: str) -> str:
    async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:
        r = await http.post(
            f"/api/boards/{board.id}/snapshots", headers=auth(board), json={"label": label}
        )
        r.raise_for_status()
        sid: str = r.json()["sid"]
        return sid


async def archive(server: LiveServer, board: Board) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:
        r = await http.get(f"/api/boards/{board.id}/export.cocanvas", headers=auth(board))
        r.raise_for_status()
        data: dict[str, object] = msgpack.unpackb(r.content)
        return data


def denied_more_than(client: PyClient, n: int) -> Callable[[], bool]:
    return lambda: len(client.denied) > n


async def test_p120_twenty_refused_megabyte_updates_leave_store_snapshot_archive_as_before(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server(
        COCANVAS_LIMIT_VIOLATIONS_BEFORE_CLOSE="100",
        COCANVAS_LIMIT_UPDATE_BYTES_PER_SECOND="100000000",
        COCANVAS_LIMIT_UPDATE_BYTES_BURST="100000000",
    )
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as a,
        PyClient.connect(server.ws, board.id, token) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        await a.add_note("n", "A1", "Bürgerhaushalt")
        await b.wait_for(lambda: "n" in b.notes)
        sid_before = await snapshot(server, board, "before")
        archive_before = await archive(server, board)
        seen = len(b.frames)
        for i in range(REFUSALS):
            await a.insert_text("n", 4, "x" * 1_000_000)  # a 1 MB update, over the note limit
            await a.wait_for(denied_more_than(a, i), within=30)
        await a.wait_for(lambda: str(a.notes["n"]["text"]) == "Bürgerhaushalt")
        await a.add_note("m", "A2", "weiter")
        await b.wait_for(lambda: "m" in b.notes)
        assert a.view() == b.view()
        relayed = sum(len(f) for f in b.frames[seen:])
        archive_after = await archive(server, board)
        sid_after = await snapshot(server, board, "after")
    server.stop()  # graceful: the board is compacted on unload

    db = server.data_dir / "cocanvas.db"
    async with SqliteStore(db) as store:
        loaded = await store.load(board.id)
        stats = await store.log_stats(board.id)
        before = await store.get_snapshot(board.id, sid_before)
        after = await store.get_snapshot(board.id, sid_after)
    assert before is not None and after is not None
    stored = len(loaded.state or b"") + stats.bytes
    residue = REFUSALS * RESIDUE_PER_REFUSAL
    accepted_note = 120  # the note "m" added after the refusals
    # the bystander was sent ids and deletions, never the 20 MB
    assert relayed < residue + accepted_note + 200
    assert stored - len(before[1]) < residue + accepted_note
    assert len(after[1]) - len(before[1]) < residue + accepted_note
    state_before = archive_before["state"]
    state_after = archive_after["state"]
    assert isinstance(state_before, bytes) and isinstance(state_after, bytes)
    assert len(state_after) - len(state_before) < residue
    # nothing of the 20 MB went to disk at all
    files = [db, db.with_name(db.name + "-wal")]
    assert sum(f.stat().st_size for f in files if f.exists()) < 2_000_000


async def test_p122_full_board_refuses_growth_with_limit_and_the_reason(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_LIMIT_MAX_BOARD_BYTES="30000")
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as a:
        await a.synced.wait()
        await a.request("hello")
        for i in range(12):
            await a.add_note(f"n{i}", "A1", "Idee " * 800)
        await a.wait_for(lambda: any(m.get("ev") == "rejected" for m in a.app_messages))
        event = next(m for m in a.app_messages if m.get("ev") == "rejected")
        assert event["code"] == "limit"
        assert "board is full" in event["reason"] and "delete notes" in event["reason"]
        assert any("board is full" in d for d in a.denied)
    archived = await archive(server, board)
    state = archived["state"]
    assert isinstance(state, bytes) and len(state) <= 30_000


@contextlib.asynccontextmanager
async def watchers(server: LiveServer, board: Board, n: int) -> AsyncIterator[list[PyClient]]:
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for _ in range(n):
            c = await stack.enter_async_context(
                PyClient.connect(server.ws, board.id, board.tokens["viewer"])
            )
            await c.synced.wait()
            clients.append(c)
        yield clients


def cursor_at(client: PyClient, x: int) -> Callable[[], bool]:
    return lambda: client.awareness.get(4242, {}).get("cursor", {}).get("x") == x


async def test_p124_viewer_presence_spam_fans_out_bounded(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    sockets, updates = 40, 300
    async with watchers(server, board, sockets) as others:
        spammer = others[0]
        marks = [len(c.frames) for c in others]
        start = time.monotonic()
        for x in range(1, updates + 1):
            await spammer.set_awareness(4242, x, {"cursor": {"x": x, "y": 0.5}})
        for c in others:
            await c.wait_for(cursor_at(c, updates), within=20)
        elapsed = time.monotonic() - start
        frames = sum(
            sum(1 for f in c.frames[m:] if f[0] == codec.MessageType.AWARENESS)
            for c, m in zip(others, marks, strict=True)
        )
    # without coalescing every accepted update went to every socket: 300 x 40 = 12,000
    assert frames <= sockets * (elapsed / 0.05 + 3)
    assert frames < sockets * updates / 5
