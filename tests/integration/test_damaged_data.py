"""Damaged stored data fails loudly and recovers what it can (P223)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest

from server.store.sqlite_journal_file import fold
from server.sync.document import doc_view
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio

GARBAGE = bytes.fromhex("01ff7f00") + b"\x75" * 64  # not a readable update


def database(server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(Path(server.data_dir) / "cocanvas.db", isolation_level=None)


def log_ops(client: PyClient) -> list[str]:
    return [str(e["op"]) for e in doc_view(client.doc)["control"].get("log", [])]


async def test_p223_unreadable_state_is_recovered_from_the_newest_snapshot(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    token = board.tokens["moderator"]
    async with PyClient.connect(server.ws, board.id, token) as a:
        await a.synced.wait()
        await a.add_note("kept", "A1", "im Zwischenstand")
        reply = await a.request("snapshot.create", label="vor dem Schaden")
        assert reply["ok"], reply
        await a.add_note("later", "A2", "nach dem Zwischenstand")
        await a.request("clock")
    server.stop()  # compacts: the whole board is in the state row
    with database(server) as db:
        assert db.execute("UPDATE states SET state = ? WHERE board = ?", (GARBAGE, board.id))
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as b:
        await b.synced.wait()
        # the newest snapshot is the one saved when the last person left: it has both
        assert {"kept", "later"} <= set(b.notes.keys())
        assert "board.recovered" in log_ops(b)
        entry = next(e for e in doc_view(b.doc)["control"]["log"] if e["op"] == "board.recovered")
        assert entry["details"]["state_damaged"] is True
        assert entry["details"]["snapshot"] is not None
    with database(server) as db:
        kept = db.execute(
            "SELECT value FROM secrets WHERE board = ? AND kind = 'damaged'", (board.id,)
        ).fetchall()
    assert [bytes(v) for (v,) in kept] == [GARBAGE]  # moved aside, never deleted
    assert "stored data was damaged" in server.log()


async def test_p223_unreadable_log_row_is_skipped_and_the_rest_loads(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as a,
        PyClient.connect(server.ws, board.id, token) as seen,
    ):
        await a.synced.wait()
        await seen.synced.wait()
        for i in range(5):
            await a.add_note(f"n{i}", "B1", f"Idee {i}")
            # fanned out means stored (P20); one at a time, so each note is a log row of
            # its own and not merged with the next (P362)
            await seen.wait_for(lambda: len(seen.notes) == i + 1)  # noqa: B023
        server.kill()  # no compaction: the notes are log rows
    fold(Path(server.data_dir) / "cocanvas.db")  # what the next start would copy (P373)
    with database(server) as db:
        seq = db.execute(
            "SELECT seq FROM updates WHERE board = ? ORDER BY seq DESC LIMIT 1", (board.id,)
        ).fetchone()[0]
        db.execute(
            "UPDATE updates SET data = ? WHERE board = ? AND seq = ?", (GARBAGE, board.id, seq)
        )
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as b:
        await b.synced.wait()
        assert {f"n{i}" for i in range(4)} <= set(b.notes.keys())
        entry = next(e for e in doc_view(b.doc)["control"]["log"] if e["op"] == "board.recovered")
        assert entry["details"]["skipped"] == 1


async def test_p223_board_with_nothing_readable_closes_with_4500_and_a_reason(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    other = server.create_board(title="Nachbar")
    server.stop()
    with database(server) as db:
        db.execute("UPDATE states SET state = ? WHERE board = ?", (GARBAGE, board.id))
        db.execute("DELETE FROM snapshots WHERE board = ?", (board.id,))
    server.start()
    for _ in range(2):  # every retry gets the same clear answer, and the server lives
        async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as c:
            with anyio.fail_after(5):
                await c.closed.wait()
            assert c.close_info is not None and c.close_info.code == 4500
            assert "backup" in c.close_info.reason
    async with PyClient.connect(server.ws, other.id, other.tokens["participant"]) as o:
        await o.synced.wait()
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.http}/healthz")).status_code == 200
