"""Older SQLite files open with the current schema and keep their boards."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from server.store.sqlite import SCHEMA_VERSION, SqliteStore

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
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    conn.close()
