"""A moderator op is acknowledged only once its change is stored (PROTOCOL.md P227).

The test holds SQLite's write lock from a second connection, as another process writing
the same database would: the server's commit then waits (busy timeout), and past the
timeout it fails with "database is locked" like any other failed commit (P220). The
servers run with synchronous=FULL, where every append is a SQLite commit: under the
default an append is acknowledged from the append journal (P373), which that lock does not
hold up; the journal's failing write is tested in test_journal and test_disk_full.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from server.store.sqlite_txn import BUSY_TIMEOUT_MS
from tests.integration.test_moderation import hello
from tests.support.live import LiveServer
from tests.support.ops import control
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio

NO_COMPACTION = {"COCANVAS_COMPACT_AFTER_ROWS": "100000", "COCANVAS_SQLITE_SYNCHRONOUS": "FULL"}


def database(server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(Path(server.data_dir) / "cocanvas.db", isolation_level=None)


@contextmanager
def write_lock(server: LiveServer) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock until the block ends."""
    db = database(server)
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")
        db.close()


def moderator_rows(server: LiveServer, board_id: str) -> int:
    db = database(server)
    try:
        query = "SELECT count(*) FROM updates WHERE board = ? AND actor LIKE 'moderator:%'"
        (count,) = db.execute(query, (board_id,)).fetchone()
        return int(count)
    finally:
        db.close()


async def test_p227_op_reply_waits_until_its_change_is_committed(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**NO_COMPACTION)
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await hello(m, name="Moderation")
        before = moderator_rows(server, board.id)
        with write_lock(server):
            rid = await m.send_request("projector.push", show="timer")
            with anyio.move_on_after(1.0):
                await m.wait_for(lambda: m.reply_to(rid) is not None, within=2.0)
            assert m.reply_to(rid) is None, "acknowledged before the commit"
            assert "push" not in control(m), "fanned out before the commit"
            assert moderator_rows(server, board.id) == before
        # the lock is gone: the commit goes through, then the change, then the reply
        await m.wait_for(lambda: m.reply_to(rid) is not None)
        reply = m.reply_to(rid)
        assert reply is not None and reply["ok"], reply
        assert control(m)["push"]["show"] == "timer"  # the change arrived before the reply
        assert moderator_rows(server, board.id) == before + 1


async def test_p227_op_whose_commit_fails_is_refused_and_not_fanned_out(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**NO_COMPACTION)
    board = server.create_board()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v,
    ):
        await m.synced.wait()
        await v.synced.wait()
        await hello(m, name="Moderation")
        before = moderator_rows(server, board.id)
        with write_lock(server):
            rid = await m.send_request("timer.start", target="A1", seconds=300)
            # past the busy timeout the commit fails: P220, and the op hears why first
            await m.wait_for(
                lambda: m.reply_to(rid) is not None, within=BUSY_TIMEOUT_MS / 1000 + 10
            )
            await m.wait_for(lambda: m.closed.is_set())
            await v.wait_for(lambda: v.closed.is_set())
            assert moderator_rows(server, board.id) == before
        reply = m.reply_to(rid)
        assert reply is not None and reply["ok"] is False, reply
        assert reply["error"]["code"] == "unavailable"
        assert "saving paused" in reply["error"]["message"]
        assert m.close_info is not None and m.close_info.code == 4504
        assert v.close_info is not None and v.close_info.code == 4504
        assert "timer" not in control(m) and "timer" not in control(v)

    async def ready() -> bool:
        async with httpx.AsyncClient() as http:
            return (await http.get(f"{server.http}/readyz")).status_code == 200

    await poll_until(ready, seconds=30)
    # P220: the server kept the change and stored it with the whole document
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as again:
        await again.synced.wait()
        assert control(again)["timer"]["target"] == "A1"


async def test_p227_vote_state_event_follows_the_commit(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**NO_COMPACTION)
    board = server.create_board()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        await hello(m, name="Moderation")
        await hello(p, name="Ada")

        def vote_events() -> list[dict[str, Any]]:
            return [e for e in p.app_messages if e.get("ev") == "vote.state"]

        seen = len(vote_events())
        with write_lock(server):
            rid = await m.send_request("vote.open", fields=["A1"], per_person=3)
            with anyio.move_on_after(1.0):
                await p.wait_for(lambda: len(vote_events()) > seen, within=2.0)
            assert len(vote_events()) == seen, "the event went out before the commit"
            assert m.reply_to(rid) is None
        await p.wait_for(lambda: len(vote_events()) > seen)
        assert control(p)["voting"]["state"] == "open"  # the change came first
        await m.wait_for(lambda: m.reply_to(rid) is not None)
