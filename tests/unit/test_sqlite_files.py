"""What the SQLite files hold: nothing of a deleted board (P200), a small WAL (P202)."""

from __future__ import annotations

import os
import random
import secrets
import sqlite3
import time
from pathlib import Path

import anyio
import pytest

from server.store.base import BoardRecord, SnapshotInfo
from server.store.sqlite import SqliteStore
from server.store.sqlite_ckpt import WAL_CHECKPOINT_BYTES
from tests.support.poll import poll_until

pytestmark = pytest.mark.anyio


def raw_files(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file())


async def fill(store: SqliteStore, boards: dict[str, str], rnd: random.Random, steps: int) -> None:
    """Interleaved writes of several boards, each row carrying its board's marker."""
    seqs = dict.fromkeys(boards, 0)
    for board, mark in boards.items():
        record = BoardRecord(
            board, "ko-kreation", 1, f"T-{mark}", "de", time.time(), {"viewer": os.urandom(32)}
        )
        await store.create_board(record, f"init-{mark}".encode())
        await store.load(board)  # a loaded board's appends go through the journal (P373)
    for _ in range(steps):
        board = rnd.choice(list(boards))
        mark = boards[board]
        seqs[board] += 1
        size = rnd.choice([50, 200, 2000, 9000])
        store.append(board, seqs[board], (f"[{mark}]".encode() * size)[:size], f"conn:{mark}")
        roll = rnd.random()
        if roll < 0.02:
            await store.compact(board, f"state-{mark}".encode() * rnd.randint(10, 30_000), 0)
        elif roll < 0.03:
            info = SnapshotInfo(board, secrets.token_hex(4), f"L-{mark}", "auto", time.time(), 0, 1)
            await store.create_snapshot(info, f"snap-{mark}".encode() * rnd.randint(10, 20_000))
        elif roll < 0.04:
            await store.put_secret(board, "vote", f"1:{mark}", f"v-{mark}".encode() * 50)
    await store.flush()


@pytest.mark.parametrize("seed", [2, 7])
async def test_p200_deleted_boards_leave_no_bytes_behind(tmp_path: Path, seed: int) -> None:
    # seed 2 left cell copies in rebuilt pages that secure_delete alone did not remove
    rnd = random.Random(seed)
    boards = {f"b{i}": secrets.token_hex(6) for i in range(8)}
    async with SqliteStore(tmp_path / "c.db") as store:
        await fill(store, boards, rnd, 3000)
        victims = ["b0", "b1", "b2"]
        for board in victims:
            assert await store.delete_board(board)
        raw = raw_files(tmp_path)
        assert [b for b in victims if boards[b].encode() in raw] == []
        assert all(boards[b].encode() in raw for b in boards if b not in victims)
        assert (await store.load("b3")).updates


async def test_p202_the_wal_stays_bounded_under_heavy_writes(tmp_path: Path) -> None:
    wal = tmp_path / "c.db-wal"
    peak = 0
    async with SqliteStore(tmp_path / "c.db") as store:
        await store.create_board(BoardRecord("b", "ko-kreation", 1, "T", "de", 0.0), b"\x00\x00")
        for i in range(40):  # a day of compactions and snapshots of a 2,000-note board
            for seq in range(i * 20 + 1, i * 20 + 21):
                store.append("b", seq, os.urandom(300), "a")
            await store.compact("b", os.urandom(540_000), i * 20 + 20)
            peak = max(peak, wal.stat().st_size)
            info = SnapshotInfo("b", f"s{i}", "", "auto", float(i), 0, 0)
            await store.create_snapshot(info, os.urandom(540_000))
            peak = max(peak, wal.stat().st_size)
    # bounded by the threshold plus what one batch writes, not by what the day wrote
    assert peak < WAL_CHECKPOINT_BYTES + 2 * 1024 * 1024


async def test_p202_an_idle_store_empties_its_wal(tmp_path: Path) -> None:
    wal = tmp_path / "c.db-wal"
    async with SqliteStore(tmp_path / "c.db", idle_checkpoint_seconds=0.2) as store:
        await store.create_board(BoardRecord("b", "ko-kreation", 1, "T", "de", 0.0), b"\x00\x00")
        await store.append("b", 1, b"x" * 10_000, "a")

        async def emptied() -> bool:
            return wal.stat().st_size == 0

        await poll_until(emptied, seconds=5)
        await store.append("b", 2, b"y", "a")  # and it keeps working afterwards
        assert (await store.load("b")).last_seq == 2


async def test_p200_a_busy_reader_postpones_the_wal_truncation_not_the_deletion(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    mark = secrets.token_hex(6)
    async with SqliteStore(path, idle_checkpoint_seconds=0.2) as store:
        await fill(store, {"gone": mark, "kept": secrets.token_hex(6)}, random.Random(1), 200)
        reader = sqlite3.connect(path)  # another process's backup, say
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM updates").fetchone()
        with anyio.fail_after(8):  # not 2 x busy_timeout (20 s): other writes wait for this
            assert await store.delete_board("gone")
        reader.execute("COMMIT")
        reader.close()

        async def erased() -> bool:
            return mark.encode() not in raw_files(tmp_path)

        await poll_until(erased, seconds=20)


async def test_p201_idle_deletions_are_erased_by_one_erase_deleted(tmp_path: Path) -> None:
    boards = {f"b{i}": secrets.token_hex(6) for i in range(4)}
    async with SqliteStore(tmp_path / "c.db") as store:
        await fill(store, boards, random.Random(3), 600)
        later = time.time() + 10
        assert sorted(await store.idle_boards(later)) == sorted(boards)
        for board in ("b0", "b1"):
            assert await store.delete_idle_board(board, later) is not None
        await store.erase_deleted()
        raw = raw_files(tmp_path)
        assert [b for b in boards if boards[b].encode() in raw] == ["b2", "b3"]
