"""Deleting a board on PostgreSQL (P334): its rows are gone from every table, nothing of it
is in a large object, and with COCANVAS_PG_ERASE_FULL no byte of it stays in the table
files (WAL segments are PostgreSQL's to recycle: README, Privacy)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pycrdt import Doc, Map, Text

from server.boards import create_board
from server.store.base import SnapshotInfo
from server.store.postgres import TABLES, PostgresStore
from tests.support.pgserver import PgServer

pytestmark = pytest.mark.anyio

MARK = "Zebrastreifen-4711"


def note_update(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)["n1"] = Map({"text": Text(text)})
    return doc.get_update()


async def fill(store: PostgresStore, title: str, mark: str) -> str:
    """A board with `mark` in its title, log, snapshot label, a short and a long secret."""
    board = (await create_board(store, "ko-kreation", title)).record.id
    await store.append(board, 1, note_update(f"note {mark}"), "a")
    await store.put_secret(board, "late", "short", mark.encode())
    await store.put_secret(board, "private", "long", (mark * 300).encode())  # TOASTed
    info = SnapshotInfo(board, f"s-{board}", f"label {mark}", "manual", time.time(), 1, 1)
    await store.create_snapshot(info, note_update(mark))
    return board


def table_files(url: str, data: Path) -> list[Path]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # the pages on disk, not only in shared buffers
        rows = conn.execute(
            "SELECT pg_relation_filepath(oid) FROM pg_class WHERE relkind IN ('r', 't', 'i')"
        ).fetchall()
    files: list[Path] = []
    for (rel,) in rows:
        files.extend(p for p in data.glob(f"{rel}*") if p.is_file())
    return files


def holding(files: list[Path], mark: str) -> list[Path]:
    return [p for p in files if mark.encode() in p.read_bytes()]


async def test_p334_deleted_board_leaves_no_row_and_no_large_object(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store:
        kept = await fill(store, "kept", "keep-me")
        gone = await fill(store, f"gone {MARK}", MARK)
        assert await store.delete_board(gone)
    with psycopg.connect(pg_url) as conn:
        for table in TABLES:
            column = "id" if table == "boards" else "board"
            query = f"SELECT count(*) FROM {table} WHERE {column} = %s".encode()
            assert conn.execute(query, (gone,)).fetchone() == (0,), table
            assert conn.execute(query, (kept,)).fetchone() != (0,), table
        assert conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone() == (0,)


async def test_p334_full_erasure_leaves_no_byte_in_the_table_files(
    pg_server: PgServer, pg_url: str
) -> None:
    async with PostgresStore(pg_url, erase_full=True) as store:
        before = (await create_board(store, "ko-kreation", "keep-before")).record.id
        await store.put_secret(before, "private", "a", b"x" * 3000)
        gone = await fill(store, f"gone {MARK}", MARK)
        after = (await create_board(store, "ko-kreation", "keep-after")).record.id
        await store.put_secret(after, "private", "z", b"y" * 3000)
        await store.put_secret(gone, "late", "again", MARK.encode())
        # kept rows behind the deleted ones: plain VACUUM leaves the deleted bytes between
        await store.put_secret(after, "private", "z2", b"y" * 3000)
        assert holding(table_files(pg_url, pg_server.data), MARK)  # the check sees it
        assert await store.delete_board(gone)
    files = table_files(pg_url, pg_server.data)
    assert holding(files, MARK) == []
    assert holding(files, "keep-before") and holding(files, "keep-after")
