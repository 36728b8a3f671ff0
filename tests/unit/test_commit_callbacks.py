"""Commits hand over without tasks (PROTOCOL.md P367): light writes of one loop turn
commit together in a callback, heavy ones keep their place in the order, and a commit's
end fans out from its own callback, never what was not stored. Real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from server.store.base import StoreError
from server.store.sqlite_db import SqliteDb
from server.store.sqlite_txn import Statement
from server.sync import codec
from server.sync.errors import CloseCode
from tests.support.poll import poll_until
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio


def create(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER)")


def writer(done: list[str], name: str) -> Any:
    def run(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO log VALUES (?)", (len(done),))
        done.append(name)
        return name

    return run


async def test_p367_light_writes_of_one_turn_commit_together(tmp_path: Path) -> None:
    batches: list[int] = []
    async with SqliteDb(tmp_path / "t.db", create) as db:
        db.commit_seconds = lambda seconds, n: batches.append(n)
        await db.submit(lambda conn: None, heavy=False)  # the writer waits, idle
        batches.clear()
        done: list[str] = []
        futs = [db.submit(writer(done, f"w{i}"), heavy=False) for i in range(5)]
        assert not any(f.done() for f in futs)  # nothing commits inside submit()
        assert await asyncio.gather(*futs) == [f"w{i}" for i in range(5)]
        assert batches == [5]  # one commit at the end of the turn for all five
        rows = await db.read(lambda conn: conn.execute("SELECT count(*) FROM log").fetchone())
        assert rows == (5,)


async def test_p367_a_heavy_write_keeps_its_place_between_light_ones(tmp_path: Path) -> None:
    async with SqliteDb(tmp_path / "t.db", create) as db:
        done: list[str] = []
        futs = [
            db.submit(writer(done, "light-1"), heavy=False),
            db.submit(writer(done, "heavy"), heavy=True),
            db.submit(writer(done, "light-2"), heavy=False),
            db.truncate_wal(),
            db.submit(writer(done, "light-3"), heavy=False),
        ]
        await asyncio.gather(*futs)
        assert done == ["light-1", "heavy", "light-2", "light-3"]


async def test_p367_a_failing_light_write_fails_alone_in_its_batch(tmp_path: Path) -> None:
    async with SqliteDb(tmp_path / "t.db", create) as db:
        done: list[str] = []

        def broken(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO missing_table VALUES (1)")

        ok = db.submit(writer(done, "ok"), heavy=False)
        bad = db.submit(broken, heavy=False)
        after = db.submit(writer(done, "after"), heavy=False)
        assert await ok == "ok" and await after == "after"
        with pytest.raises(Exception, match="missing_table"):
            await bad


def raise_a_bug(fut: asyncio.Future[None]) -> None:
    fut.set_exception(RuntimeError("a store bug"))  # not a StoreError


def cancel(fut: asyncio.Future[None]) -> None:
    fut.cancel()


@pytest.mark.parametrize("ending", [raise_a_bug, cancel])
async def test_p367_a_commit_that_raises_anything_or_is_cancelled_is_not_sent(
    tmp_path: Path, ending: Any
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as writer_, kit.join() as reader:
        await writer_.add_note("n", "A1", "stored")
        await reader.wait_for(lambda: "n" in reader.notes)
        append = kit.store.append

        def broken(board_id: str, seq: int, update: bytes, actor: str) -> Any:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            ending(fut)
            return fut

        kit.store.append = broken  # type: ignore[method-assign]
        try:
            await writer_.send(codec.encode_sync_update(b"\x00\x00"))  # empty: not published
            await writer_.add_note("m", "A1", "never sent")
            await reader.closed.wait()
        finally:
            kit.store.append = append  # type: ignore[method-assign]
        # P20, P220: not fanned out, saving paused, everyone sent away to retry
        assert "m" not in reader.notes
        assert reader.close_info is not None
        assert reader.close_info.code == CloseCode.STORE_UNAVAILABLE

        async def saving_again() -> bool:  # the retry commits the whole document
            return not kit.room.store_failed

        await poll_until(saving_again)
        assert "m" in (await kit.stored_view())["notes"]


async def test_p202_commits_go_on_while_a_checkpoint_waits_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.store import sqlite_ckpt, sqlite_txn

    real_checkpoint = sqlite_txn.checkpoint

    started = threading.Event()
    disk = threading.Event()  # the checkpoint's disk answers when the test says so
    checkpoints: list[str] = []

    def slow_checkpoint(conn: sqlite3.Connection) -> None:
        checkpoints.append(threading.current_thread().name)
        started.set()
        real_checkpoint(conn)
        assert disk.wait(10)

    monkeypatch.setattr(sqlite_txn, "checkpoint", slow_checkpoint)
    monkeypatch.setattr(sqlite_ckpt, "CHECKPOINT_AFTER", 3)
    async with SqliteDb(tmp_path / "t.db", create) as db:
        done: list[str] = []
        await asyncio.gather(*(db.submit(writer(done, f"w{i}"), heavy=False) for i in range(3)))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        try:
            # while the checkpoint holds its thread, light writes commit
            for i in range(4):  # a second checkpoint falls due meanwhile: left to the next
                await asyncio.wait_for(db.submit(writer(done, f"light{i}"), heavy=False), 5)
            assert done[-4:] == ["light0", "light1", "light2", "light3"]
            assert len(checkpoints) == 1 and checkpoints[0].startswith("cocanvas-sqlite-c")
            # a heavy one (a compaction, megabytes for the WAL) waits for it
            heavy = db.submit(writer(done, "heavy"), heavy=True)
            await asyncio.sleep(0.2)
            assert not heavy.done()
        finally:
            disk.set()
        await asyncio.wait_for(heavy, 5)
        rows = await db.read(lambda conn: conn.execute("SELECT count(*) FROM log").fetchone())
        assert rows == (8,)
        # the frames committed during the checkpoint were checkpointed by the writer
        # after it, so the next write starts the WAL over
        await asyncio.sleep(0.1)
        assert not db._catch_up_due
        assert [name[:19] for name in checkpoints] == [
            "cocanvas-sqlite-c_0",
            "cocanvas-sqlite-w_0",
        ]
    # the database closed after the checkpoint ended, and holds every write
    check = sqlite3.connect(tmp_path / "t.db")
    assert check.execute("SELECT count(*) FROM log").fetchone() == (8,)
    check.close()


async def test_p367_an_append_alone_commits_as_one_statement(tmp_path: Path) -> None:
    """A batch of one statement (the common keystroke) runs without BEGIN and COMMIT;
    it is stored all the same, a failing one is undone and fails alone, and in a batch
    of several it joins their transaction."""
    seen: list[str] = []
    async with SqliteDb(tmp_path / "t.db", create) as db:
        await db.submit(lambda conn: conn.execute("CREATE UNIQUE INDEX one ON log (n)"))
        assert db._wconn is not None
        db._wconn.set_trace_callback(seen.append)
        await db.submit(Statement("INSERT INTO log VALUES (?)", (1,)), heavy=False)
        assert seen == ["INSERT INTO log VALUES (1)"]
        # stored: another connection reads it
        with sqlite3.connect(tmp_path / "t.db") as other:
            assert other.execute("SELECT n FROM log").fetchall() == [(1,)]
        seen.clear()
        with pytest.raises(StoreError, match="UNIQUE"):
            await db.submit(Statement("INSERT INTO log VALUES (?)", (1,)), heavy=False)
        assert not db._wconn.in_transaction
        seen.clear()
        both = [
            db.submit(Statement("INSERT INTO log VALUES (?)", (n,)), heavy=False) for n in (2, 3)
        ]
        await asyncio.gather(*both)
        assert seen[0] == "BEGIN IMMEDIATE" and seen[-1] == "COMMIT", seen
        rows = await db.read(lambda conn: conn.execute("SELECT n FROM log ORDER BY n").fetchall())
        assert rows == [(1,), (2,), (3,)]
