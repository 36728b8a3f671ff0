"""One DocStore suite for every implementation and mode: SQLite (NORMAL and FULL) and
PostgreSQL (a real server the tests start, tests/support/pgserver.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from server.store.base import BoardRecord, DeletedBoard, DocStore, SnapshotInfo, StoreError
from server.store.postgres import PostgresStore
from server.store.postgres_schema import MIGRATIONS, Migration, migrate
from server.store.sqlite import SqliteStore
from server.store.sqlite_ckpt import CHECKPOINT_AFTER
from tests.support.pgserver import PgServer

pytestmark = pytest.mark.anyio
BACKENDS = ["sqlite-NORMAL", "sqlite-FULL", "postgres"]


@dataclass
class Backend:
    """Opens stores over the same storage again and again (to test reopening)."""

    new_store: Callable[[], DocStore]
    make_newer: Callable[[], Awaitable[None]]  # stamps a schema version from the future


def sqlite_backend(path: Path, mode: str) -> Backend:
    async def make_newer() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version=99")

    return Backend(lambda: SqliteStore(path, synchronous=mode), make_newer)


def postgres_backend(url: str) -> Backend:
    async def make_newer() -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS cocanvas_schema (version INTEGER PRIMARY KEY,"
                " description TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
            )
            await conn.execute("INSERT INTO cocanvas_schema VALUES (99, 'future', 0)")

    return Backend(lambda: PostgresStore(url), make_newer)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    name: str = request.param
    if name == "postgres":
        return postgres_backend(request.getfixturevalue("pg_url"))
    return sqlite_backend(tmp_path / "store.db", name.split("-")[1])


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[DocStore]:
    s = backend.new_store()
    await s.open()
    try:
        await s.create_board(record("b1"), b"\x00\x00")
        yield s
    finally:
        await s.close()


def record(board_id: str) -> BoardRecord:
    return BoardRecord(board_id, "ko-kreation", 1, "T", "de", time.time(), {"viewer": b"h" * 32})


async def test_appended_updates_load_in_order(store: DocStore) -> None:
    futures = [store.append("b1", seq, bytes([seq]), "a") for seq in range(1, 6)]
    for fut in futures:
        await fut
    loaded = await store.load("b1")
    assert loaded.state == b"\x00\x00"
    assert loaded.updates == [bytes([s]) for s in range(1, 6)] and loaded.last_seq == 5


async def test_compaction_replaces_the_log_up_to_its_seq(store: DocStore) -> None:
    for seq in range(1, 6):
        await store.append("b1", seq, bytes([seq]), "a")
    await store.compact("b1", b"state-3", 3)
    loaded = await store.load("b1")
    assert loaded.state == b"state-3" and loaded.updates == [b"\x04", b"\x05"]
    assert (await store.log_stats("b1")).rows == 2
    await store.compact("b1", b"older", 2)  # an older compaction never wins
    assert (await store.load("b1")).state == b"state-3"


async def test_p380_a_migrated_board_keeps_its_new_canvas_version(
    store: DocStore, backend: Backend
) -> None:
    await store.set_canvas_version("b1", 2)
    found = await store.get_board("b1")
    assert found is not None and found.canvas_version == 2
    assert found.title == "T" and found.canvas == "ko-kreation"
    await store.flush()
    reopened = backend.new_store()
    await reopened.open()
    try:
        again = await reopened.get_board("b1")
        assert again is not None and again.canvas_version == 2
    finally:
        await reopened.close()


async def test_many_appends_pass_a_checkpoint(store: DocStore) -> None:
    for seq in range(1, CHECKPOINT_AFTER + 50):
        store.append("b1", seq, b"x", "a")
    await store.flush()
    assert (await store.load("b1")).last_seq == CHECKPOINT_AFTER + 49


async def test_duplicate_seq_fails_only_that_write(store: DocStore) -> None:
    await store.append("b1", 1, b"a", "x")
    with pytest.raises(StoreError, match="(?i)unique"):
        await store.append("b1", 1, b"b", "x")
    await store.append("b1", 2, b"c", "x")
    assert (await store.load("b1")).updates == [b"a", b"c"]


async def test_snapshots_secrets_and_cascading_delete(store: DocStore) -> None:
    info = SnapshotInfo("b1", "s1", "label", "manual", time.time(), 0, 3)
    await store.create_snapshot(info, b"snap")
    assert [s.sid for s in await store.list_snapshots("b1")] == ["s1"]
    found = await store.get_snapshot("b1", "s1")
    assert found is not None and found[1] == b"snap"
    await store.put_secret("b1", "vote", "k", b"v")
    assert await store.get_secrets("b1", "vote") == {"k": b"v"}
    await store.put_secret("b1", "vote", "k", None)
    assert await store.get_secrets("b1", "vote") == {}
    await store.put_secret("b1", "vote", "k2", b"v2")
    assert await store.delete_board("b1")
    assert await store.get_board("b1") is None
    assert await store.list_snapshots("b1") == []
    assert await store.get_secrets("b1", "vote") == {}
    assert (await store.load("b1")).state is None


async def test_prune_keeps_the_newest_automatic_snapshots(store: DocStore) -> None:
    for i in range(5):
        await store.create_snapshot(SnapshotInfo("b1", f"a{i}", "", "auto", i, 0, 0), b"s")
    await store.create_snapshot(SnapshotInfo("b1", "m", "keep", "manual", 0, 0, 0), b"s")
    assert await store.prune_snapshots("b1", ("auto",), 2) == 3
    assert sorted(s.sid for s in await store.list_snapshots("b1")) == ["a3", "a4", "m"]


async def test_reopening_keeps_everything(backend: Backend) -> None:
    s = backend.new_store()
    await s.open()
    await s.create_board(record("b2"), b"\x00\x00")
    await s.append("b2", 1, b"u", "a")
    await s.close()
    s = backend.new_store()
    await s.open()
    try:
        assert (await s.load("b2")).updates == [b"u"]
        assert (await s.get_board("b2")) is not None
    finally:
        await s.close()


async def test_a_database_from_a_newer_version_is_refused(backend: Backend) -> None:
    await backend.make_newer()
    s = backend.new_store()
    with pytest.raises(StoreError, match="newer cocanvas"):
        await s.open()


async def test_p143_an_expired_join_code_is_handed_out_as_none(store: DocStore) -> None:
    await store.set_join_code("b1", "ABCD2345", time.time() + 3600)
    live = await store.get_board("b1")
    assert live is not None and live.join_code == "ABCD2345"
    assert await store.get_board_by_join_code("ABCD2345") == live
    await store.set_join_code("b1", "ABCD2345", time.time() - 1)
    expired = await store.get_board("b1")
    assert expired is not None and expired.join_code == "" and expired.join_code_expires_at
    assert await store.get_board_by_join_code("ABCD2345") is None
    await store.set_join_code("b1", "WXYZ6789")  # no expiry: valid until replaced
    never = await store.get_board("b1")
    assert never is not None and never.join_code == "WXYZ6789"
    assert never.join_code_expires_at == 0


async def test_p142_a_projector_token_is_stored_like_the_others(store: DocStore) -> None:
    await store.set_token_hash("b1", "projector", b"p" * 32)
    found = await store.get_board("b1")
    assert found is not None and found.token_hashes["projector"] == b"p" * 32
    assert found.token_hashes["viewer"] == b"h" * 32


async def test_p200_deleting_an_unknown_board_is_false(store: DocStore) -> None:
    assert not await store.delete_board("nope")
    assert await store.delete_board("b1")
    assert not await store.delete_board("b1")


async def test_p201_every_kind_of_use_keeps_a_board_from_being_idle(store: DocStore) -> None:
    long_ago = time.time() - 10_000
    for board in ("old", "updated", "touched", "snapshotted", "compacted"):
        created = BoardRecord(board, "ko-kreation", 1, "T", "de", long_ago)
        await store.create_board(created, b"\x00\x00")
    cutoff = time.time() - 100
    await store.append("updated", 1, b"u", "a")
    await store.touch_board("touched", time.time())
    await store.touch_board("old", long_ago + 1)  # touched, but long ago
    info = SnapshotInfo("snapshotted", "s", "", "auto", time.time(), 0, 0)
    await store.create_snapshot(info, b"s")
    await store.compact("compacted", b"state", 0)
    assert await store.idle_boards(cutoff) == ["old"]
    assert await store.delete_idle_board("touched", cutoff) is None
    assert await store.get_board("touched") is not None


async def test_p201_deleting_an_idle_board_counts_what_went(store: DocStore) -> None:
    old = BoardRecord("old", "ko-kreation", 1, "T", "de", 1000.0)
    await store.create_board(old, b"\x00\x00")
    for key in ("a", "b"):
        await store.put_secret("old", "private", key, b"v")
    await store.create_snapshot(SnapshotInfo("old", "s", "", "manual", 1000.0, 0, 0), b"s")
    deleted = await store.delete_idle_board("old", 2000.0)
    assert deleted == DeletedBoard("old", snapshots=1, secrets=2, updates=0)
    assert await store.get_board("old") is None
    assert await store.get_secrets("old", "private") == {}
    assert await store.delete_idle_board("old", 2000.0) is None


async def test_p301_appends_that_arrive_together_commit_together(store: DocStore) -> None:
    batches: list[int] = []
    assert isinstance(store, SqliteStore | PostgresStore)
    store.commit_seconds = lambda seconds, writes: batches.append(writes)
    futures = [store.append("b1", seq, bytes([seq]), "a") for seq in range(1, 41)]
    duplicate = store.append("b1", 7, b"again", "a")
    futures += [store.append("b1", seq, bytes([seq]), "a") for seq in range(41, 61)]
    for fut in futures:
        await fut
    with pytest.raises(StoreError, match="(?i)unique"):
        await duplicate  # only this write of its batch failed
    assert max(batches) > 1 and sum(batches) == 61
    loaded = await store.load("b1")
    assert loaded.updates == [bytes([s]) for s in range(1, 61)]


async def test_p300_postgres_migrations_run_once_in_order_and_newer_is_refused(
    pg_url: str,
) -> None:
    async with PostgresStore(pg_url) as s:
        await s.create_board(record("kept"), b"\x00\x00")
    async with PostgresStore(pg_url) as s:  # opening again applies nothing
        assert await s.get_board("kept") is not None
    upgraded = (*MIGRATIONS, Migration(2, "a later version", "ALTER TABLE boards ADD x INT"))
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        assert await migrate(conn, upgraded) == [2]  # only what is missing
        assert await migrate(conn, upgraded) == []
        cur = await conn.execute("SELECT version FROM cocanvas_schema ORDER BY version")
        assert [r[0] for r in await cur.fetchall()] == [1, 2]
    # this code knows schema 1 only: it must not touch a database a newer node upgraded
    with pytest.raises(StoreError, match="schema 2, this version knows up to 1"):
        async with PostgresStore(pg_url):
            pass


async def test_p301_a_restarted_postgres_is_reconnected_without_a_failed_write(
    pg_server: PgServer, pg_url: str
) -> None:
    async with PostgresStore(pg_url) as s:
        await s.create_board(record("b1"), b"\x00\x00")
        await s.append("b1", 1, b"a", "x")
        pg_server.stop()
        try:
            with pytest.raises(StoreError, match="commit failed"):
                await s.append("b1", 2, b"lost", "x")  # acknowledged as failed, never as done
            with pytest.raises(StoreError, match="cannot connect"):
                await s.load("b1")
        finally:
            pg_server.start()
        await s.append("b1", 2, b"b", "x")  # connects again by itself
        assert (await s.load("b1")).updates == [b"a", b"b"]
        pg_server.stop()
        pg_server.start()
        # both connections were dropped while idle: the next write and read just work
        await s.append("b1", 3, b"c", "x")
        assert (await s.load("b1")).updates == [b"a", b"b", b"c"]


async def test_p320_a_shared_log_numbers_rows_itself(backend: Backend) -> None:
    # two nodes on one storage hand the store the same seq at the same moment
    a, b = backend.new_store(), backend.new_store()
    await a.open()
    await b.open()
    try:
        await a.create_board(record("b1"), b"\x00\x00")
        a.shared_log = b.shared_log = True
        await asyncio.gather(a.append("b1", 1, b"a", "x"), b.append("b1", 1, b"b", "y"))
        loaded = await b.load("b1")
        assert sorted(loaded.updates) == [b"a", b"b"] and loaded.last_seq == 2
        await a.compact("b1", b"state", loaded.last_seq)
        # a node whose seq lags behind the compaction still lands above it
        await b.append("b1", 1, b"late", "y")
        after = await a.load("b1")
        assert after.state == b"state" and after.updates == [b"late"] and after.last_seq == 3
    finally:
        await a.close()
        await b.close()
