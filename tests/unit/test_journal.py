"""The append journal in front of SQLite's update log (PROTOCOL.md P373): what it
acknowledges survives a killed process, its copies never resurrect or lose a row, a
damaged or torn file is handled as the rule says, and backup, restore and erasure see it."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.store import sqlite_journal
from server.store.base import Ack, BoardRecord, StoreError
from server.store.sqlite import SqliteStore
from server.store.sqlite_backup import backup_database, restore_database
from server.store.sqlite_journal_file import encode, fold, journal_paths, scan
from server.store.startup import check_database
from tests.integration.test_disk_full import fill as fill_disk
from tests.integration.test_disk_full import small_disk  # noqa: F401 - a fixture
from tests.support.poll import poll_until

pytestmark = pytest.mark.anyio


def record(board: str) -> BoardRecord:
    return BoardRecord(board, "ko-kreation", 1, f"T-{board}", "de", time.time(), {})


def log_rows(db: Path, board: str) -> list[tuple[int, bytes]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT seq, data FROM updates WHERE board = ? ORDER BY seq", (board,)
        ).fetchall()
        return [(int(s), bytes(d)) for s, d in rows]
    finally:
        conn.close()


def journal_path(db: Path) -> Path:
    return journal_paths(db)[0]


def journal_bytes(db: Path) -> bytes:
    """Both files of the journal, as they are."""
    return b"".join(p.read_bytes() for p in journal_paths(db) if p.exists())


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


async def opened(db: Path, *boards: str) -> SqliteStore:
    store = SqliteStore(db)
    await store.open()
    for board in boards:
        if await store.get_board(board) is None:
            await store.create_board(record(board), b"init")
        await store.load(board)
    return store


async def test_p373_appends_are_acknowledged_from_the_journal_and_copied_later(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    try:
        assert store.journal is not None
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, 11)))
        # acknowledged: in the journal file, not yet in the database
        assert [r[1] for r in scan(journal_bytes(db)).rows] == list(range(1, 11))
        assert log_rows(db, "b1") == []
        # a read of the log sees its writes: the journal is copied first
        loaded = await store.load("b1")
        assert loaded.updates == [b"u%d" % s for s in range(1, 11)] and loaded.last_seq == 10
        assert len(log_rows(db, "b1")) == 10
        assert journal_bytes(db) == b""
        # later appends are copied after a short delay without any read
        await store.append("b1", 11, b"u11", "a")

        async def copied() -> bool:
            return len(log_rows(db, "b1")) == 11

        await poll_until(copied, seconds=sqlite_journal.COPY_DELAY + 5)
        assert journal_bytes(db) == b""
    finally:
        await store.close()
    assert not any(p.exists() for p in journal_paths(db))


async def test_p373_a_full_journal_is_copied_in_one_transaction(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    try:
        n = sqlite_journal.COPY_ROWS + 10
        await asyncio.gather(*(store.append("b1", s, b"x", "a") for s in range(1, n + 1)))
        await store.flush()
        assert len(log_rows(db, "b1")) == n
        assert journal_bytes(db) == b""
    finally:
        await store.close()


async def test_p373_only_loaded_boards_above_their_last_seq_use_the_journal(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    try:
        await store.create_board(record("b2"), b"init")
        await store.append("b1", 1, b"a", "x")
        # a seq already taken and a board never loaded go to SQLite, which refuses them
        with pytest.raises(StoreError, match="(?i)unique"):
            await store.append("b1", 1, b"b", "x")
        with pytest.raises(StoreError, match="(?i)foreign key"):
            await store.append("nope", 1, b"c", "x")
        await store.append("b2", 1, b"d", "x")  # not loaded: straight to SQLite
        assert log_rows(db, "b2") == [(1, b"d")]
        assert (await store.load("b1")).updates == [b"a"]
    finally:
        await store.close()


CRASH = """
import asyncio, os, sys, time
from pathlib import Path
from server.store.base import BoardRecord
from server.store.sqlite import SqliteStore

async def main() -> None:
    store = SqliteStore(Path(sys.argv[1]))
    await store.open()
    await store.create_board(BoardRecord("b1", "ko-kreation", 1, "T", "de", time.time(), {}),
                             b"init")
    await store.load("b1")
    n = int(sys.argv[2])
    await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, n + 1)))
    print("acked", flush=True)
    os._exit(0)  # no close, no copy: what a killed process leaves

asyncio.run(main())
"""


def crash_after_appends(db: Path, n: int) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CRASH, str(db), str(n)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "acked" in out.stdout, out.stderr


async def test_p373_what_was_acknowledged_survives_a_killed_process(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    crash_after_appends(db, 40)
    assert len(scan(journal_bytes(db)).rows) == 40
    check_database(db)  # a sound journal is no reason to refuse a start
    store = await opened(db)
    try:
        loaded = await store.load("b1")
        assert loaded.updates == [b"u%d" % s for s in range(1, 41)]
        assert journal_bytes(db) == b""
    finally:
        await store.close()


async def test_p373_a_torn_last_record_is_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "c.db"
    crash_after_appends(db, 5)
    whole = encode("b1", 6, b"u6", "a", time.time())
    with journal_path(db).open("ab") as f:
        f.write(whole[: len(whole) - 3])  # a power cut in the middle of the last write
    with caplog.at_level(logging.WARNING):
        check_database(db)
    assert "torn" in caplog.text
    store = await opened(db)
    try:
        assert (await store.load("b1")).updates == [b"u%d" % s for s in range(1, 6)]
    finally:
        await store.close()


async def test_p373_damage_before_sound_records_stops_the_start_and_keeps_the_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    crash_after_appends(db, 6)
    path = journal_path(db)
    data = bytearray(path.read_bytes())
    second = len(encode("b1", 1, b"u1", "a", 0.0))
    data[second + 12] ^= 0xFF  # the second record's body: its CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged after 1 sound appends"):
        check_database(db)
    # a store opened anyway (cocanvas migrate) copies the sound start and keeps the file
    store = await opened(db)
    try:
        assert (await store.load("b1")).updates == [b"u1"]
    finally:
        await store.close()
    kept = {k: v for k, v in files(tmp_path).items() if k.startswith("c.db-appends.damaged-")}
    assert list(kept.values()) == [bytes(data)]
    assert oct((tmp_path / next(iter(kept))).stat().st_mode & 0o777) == "0o600"


async def test_p373_copies_never_resurrect_compacted_or_deleted_rows(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1", "b2")
    await store.compact("b1", b"state-5", 5)
    await store.delete_board("b2")
    await store.close()
    # a journal as a crash between a copy's commit and its truncation could leave it
    blobs = [encode("b1", s, b"old%d" % s, "a", 1.0) for s in range(1, 8)]
    blobs.append(encode("b2", 1, b"deleted board", "a", 1.0))
    journal_path(db).write_bytes(b"".join(blobs))
    assert fold(db) == 8
    assert not any(p.exists() for p in journal_paths(db))
    assert log_rows(db, "b1") == [(6, b"old6"), (7, b"old7")]
    assert log_rows(db, "b2") == []


async def test_p373_scan_of_random_bytes_never_raises() -> None:
    rnd = random.Random(373)
    sound = b"".join(
        encode("b", s, rnd.randbytes(rnd.randint(0, 300)), "a", 0.0) for s in range(20)
    )
    for _ in range(3000):
        data = bytearray(sound[: rnd.randint(0, len(sound))])
        for _ in range(rnd.randint(0, 4)):
            if data:
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        found = scan(bytes(data))
        assert found.good_bytes <= found.size == len(data)
        assert [r[1] for r in found.rows] == list(range(len(found.rows)))


async def test_p373_a_second_process_on_the_database_writes_straight_to_sqlite(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    first = await opened(db, "b1")
    try:
        await first.append("b1", 1, b"first", "a")
        second = SqliteStore(db)
        await second.open()
        try:
            assert second.journal is None  # the first process owns the journal
            assert log_rows(db, "b1") == []  # not copied yet, and yet another reader
            assert (await second.load("b1")).updates == [b"first"]  # sees it (cocanvas export)
        finally:
            await second.close()
        assert journal_path(db).exists()  # the other's close did not take it away
        assert (await first.load("b1")).updates == [b"first"]
    finally:
        await first.close()


async def test_p373_erasure_leaves_no_byte_of_the_board_in_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1", "b2")
    try:
        for s in range(1, 30):
            store.append("b1", s, b"SECRET-b1-" * 20, "a")
            store.append("b2", s, b"kept-b2", "a")
        await store.append("b2", 30, b"kept-b2", "a")
        assert b"SECRET-b1-" in journal_bytes(db)
        assert await store.delete_board("b1")
        for name, data in files(tmp_path).items():
            assert b"SECRET-b1-" not in data, name
        assert len((await store.load("b2")).updates) == 30
    finally:
        await store.close()


async def test_p373_backup_holds_the_appends_the_journal_has_not_copied(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    try:
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, 21)))
        assert log_rows(db, "b1") == []  # only in the journal
        info = await asyncio.to_thread(backup_database, db, tmp_path / "backup.db")
        assert info.boards == 1
        assert [s for s, _ in log_rows(tmp_path / "backup.db", "b1")] == list(range(1, 21))
    finally:
        await store.close()


async def test_p373_backup_while_appends_and_copies_go_on_has_no_gap(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    stop = asyncio.Event()

    async def write() -> int:
        seq = 0
        while not stop.is_set() and seq < 20_000:
            seq += 1
            await store.append("b1", seq, os.urandom(64), "a")
            if seq % 50 == 0:
                await asyncio.sleep(0.001)
        return seq

    try:
        writer = asyncio.create_task(write())
        for i in range(3):
            await asyncio.sleep(0.15)
            dest = tmp_path / f"b{i}.db"
            await asyncio.to_thread(backup_database, db, dest)
            seqs = [s for s, _ in log_rows(dest, "b1")]
            assert seqs == list(range(1, len(seqs) + 1)), "a gap in the backup's log"
            assert seqs, "the backup holds none of the appends"
        stop.set()
        await writer
    finally:
        stop.set()
        await store.close()


async def test_p373_restore_keeps_a_killed_servers_appends_with_the_replaced_database(
    tmp_path: Path,
) -> None:
    backup = tmp_path / "backup.db"
    db = tmp_path / "data" / "cocanvas.db"
    db.parent.mkdir()
    store = await opened(backup, "old")
    await store.close()
    crash_after_appends(db, 7)  # a killed server: 7 appends only in its journal
    moved = restore_database(backup, db)
    assert moved is not None
    assert not any(p.exists() for p in journal_paths(db))  # nothing replayed onto another
    assert len(log_rows(moved, "b1")) == 7  # folded into the database moved aside
    store = await opened(db)
    try:
        assert await store.get_board("b1") is None and await store.get_board("old") is not None
    finally:
        await store.close()


async def test_p373_restore_refuses_while_a_server_holds_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    backup = tmp_path / "backup.db"
    store = await opened(db, "b1")
    try:
        await store.append("b1", 1, b"u1", "a")
        await asyncio.to_thread(backup_database, db, backup)
        with pytest.raises(StoreError, match="stop the server"):
            restore_database(backup, db)
    finally:
        await store.close()


async def test_p373_a_full_disk_fails_the_appends_and_leaves_no_torn_record(
    small_disk: Path,  # noqa: F811 - the fixture imported above
) -> None:
    db = small_disk / "c.db"
    store = await opened(db, "b1")
    try:
        await store.append("b1", 1, b"kept", "a")
        size = journal_path(db).stat().st_size
        filler = fill_disk(small_disk)
        with pytest.raises(StoreError, match="append journal"):
            await store.append("b1", 2, os.urandom(64 * 1024), "a")
        assert journal_path(db).stat().st_size == size  # cut back: nothing half-written
        filler.unlink()
        await store.append("b1", 3, b"after", "a")
        assert (await store.load("b1")).updates == [b"kept", b"after"]
    finally:
        await store.close()


async def test_p373_appends_go_on_while_a_copy_waits_for_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    lock = sqlite3.connect(db, isolation_level=None)
    try:
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, 11)))
        lock.execute("BEGIN IMMEDIATE")  # another process writing: the copy waits
        flushing = asyncio.create_task(store.flush())
        await asyncio.sleep(0.2)
        assert not flushing.done()
        started = time.monotonic()
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(11, 21)))
        assert time.monotonic() - started < 0.1, "an append waited for the copy"
        lock.execute("ROLLBACK")
        await flushing
        assert [s for s, _ in log_rows(db, "b1")][:10] == list(range(1, 11))
        await store.flush()
        assert [s for s, _ in log_rows(db, "b1")] == list(range(1, 21))
    finally:
        lock.close()
        await store.close()


async def test_p373_a_failed_copy_keeps_its_records_and_is_tried_again(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    lock = sqlite3.connect(db, isolation_level=None)
    try:
        assert store.db._wconn is not None
        store.db._wconn.execute("PRAGMA busy_timeout=100")  # fail fast, not after 10 s
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, 6)))
        lock.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="(?i)locked"):
            await store.flush()
        assert len(scan(journal_bytes(db)).rows) == 5  # nothing left the journal
        lock.execute("ROLLBACK")

        async def copied() -> bool:
            return len(log_rows(db, "b1")) == 5

        await poll_until(copied, seconds=sqlite_journal.RETRY_SECONDS + 5)  # by itself
        await store.flush()
        assert journal_bytes(db) == b""
    finally:
        lock.close()
        await store.close()


async def test_p373_a_stop_whose_copy_fails_keeps_the_files_for_the_next_start(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    store = await opened(db, "b1")
    lock = sqlite3.connect(db, isolation_level=None)
    try:
        assert store.db._wconn is not None
        store.db._wconn.execute("PRAGMA busy_timeout=100")
        await asyncio.gather(*(store.append("b1", s, b"u%d" % s, "a") for s in range(1, 8)))
        lock.execute("BEGIN IMMEDIATE")
        await store.close()  # its last copy fails: logged, and the files stay
        lock.execute("ROLLBACK")
    finally:
        lock.close()
    assert len(scan(journal_bytes(db)).rows) == 7
    again = await opened(db)
    try:
        assert (await again.load("b1")).updates == [b"u%d" % s for s in range(1, 8)]
    finally:
        await again.close()


async def test_p373_a_write_runs_each_callback_of_its_appends_once_and_survives_one_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the rooms' fan-outs run inside the write (P369): one room's failure must not cost
    # another room its fan-out, and a room with several appends in the write runs once
    store = await opened(tmp_path / "c.db", "a", "b")
    try:
        ran: list[str] = []

        def broken() -> None:
            ran.append("broken")
            raise RuntimeError("a room's fan-out failed")

        def fine() -> None:
            ran.append("fine")

        first = store.append("a", 1, b"u1", "t")
        second = store.append("a", 2, b"u2", "t")
        third = store.append("b", 1, b"u3", "t")
        assert isinstance(first, Ack) and isinstance(second, Ack) and isinstance(third, Ack)
        first.then.append(broken)
        second.then.append(broken)
        third.then.append(fine)
        with caplog.at_level(logging.ERROR, logger="server.store.sqlite_journal"):
            await third
        assert ran == ["broken", "fine"]
        assert "a callback of a settled append failed" in caplog.text
        await store.flush()
        assert [s for s, _ in log_rows(tmp_path / "c.db", "a")] == [1, 2]
    finally:
        await store.close()
