"""Older SQLite files open with the current schema and keep their boards."""

from __future__ import annotations

import secrets
import sqlite3
import time
from pathlib import Path

import pytest

from server.store.sqlite import SqliteStore
from server.store.sqlite_schema import SCHEMA, SCHEMA_VERSION

pytestmark = pytest.mark.anyio

VERSION_1_BOARDS = """
CREATE TABLE boards (
    id TEXT PRIMARY KEY,
    canvas TEXT NOT NULL,
    canvas_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at REAL NOT NULL,
    join_code TEXT UNIQUE
);
"""


async def test_p143_a_version_1_file_gains_join_code_expiry(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(VERSION_1_BOARDS)
        conn.execute(
            "INSERT INTO boards VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("old1", "ko-kreation", 1, "Alt", "de", time.time(), "ABCD2345"),
        )
        conn.execute("PRAGMA user_version=1")
    conn.close()
    async with SqliteStore(path) as store:
        board = await store.get_board("old1")
        assert board is not None and board.title == "Alt"
        # no expiry yet: the code stays valid until its board loads and gets one
        assert board.join_code == "ABCD2345" and board.join_code_expires_at == 0
        await store.set_join_code("old1", "WXYZ6789", time.time() + 60)
        assert (await store.get_board_by_join_code("WXYZ6789")) is not None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()


def every_byte(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file())


async def test_p200_a_version_2_file_gains_last_use_and_loses_old_deleted_bytes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    mark = b"geloescht-" + secrets.token_hex(6).encode()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA secure_delete=OFF")  # as many SQLite builds default to
        conn.executescript(SCHEMA.replace(",\n    active_at REAL", ""))
        for board, title in (("old", "Alt"), ("gone", mark.decode())):
            conn.execute(
                "INSERT INTO boards (id, canvas, canvas_version, title, locale, created_at)"
                " VALUES (?, 'ko-kreation', 1, ?, 'de', 5.0)",
                (board, title),
            )
        conn.execute("INSERT INTO states VALUES ('gone', ?, 0, 5.0)", (mark * 2000,))
        conn.execute("DELETE FROM states WHERE board = 'gone'")
        conn.execute("DELETE FROM boards WHERE id = 'gone'")  # as schema 2 deleted
        conn.execute("PRAGMA user_version=2")
    conn.close()
    assert mark in path.read_bytes()  # what the upgrade has to remove
    async with SqliteStore(path) as store:
        assert await store.idle_boards(10.0) == ["old"]
        await store.touch_board("old", 20.0)
        assert await store.idle_boards(10.0) == []
    assert mark not in every_byte(tmp_path)
