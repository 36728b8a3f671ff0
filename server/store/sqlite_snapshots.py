"""The SQLite store's snapshots: saving, listing, reading and pruning them (a part of
SqliteStore, apart from the boards and their update log in sqlite.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from .base import SNAPSHOT_COLUMNS, SnapshotInfo

T = TypeVar("T")


class SnapshotRows:
    """The snapshot operations of SqliteStore, on its writer queue and reader."""

    def _submit(
        self, fn: Callable[[sqlite3.Connection], T], heavy: bool = True
    ) -> asyncio.Future[T]:
        raise NotImplementedError

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError

    async def create_snapshot(self, info: SnapshotInfo, state: bytes) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO snapshots ({SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                info.row(state),
            )

        await self._submit(run)

    async def prune_snapshots(self, board_id: str, kinds: tuple[str, ...], keep: int) -> int:
        """Delete all but the newest `keep` snapshots of these kinds; returns how many."""

        def run(conn: sqlite3.Connection) -> int:
            marks = ",".join("?" * len(kinds))
            return conn.execute(
                f"DELETE FROM snapshots WHERE board = ? AND kind IN ({marks}) AND sid NOT IN"
                f" (SELECT sid FROM snapshots WHERE board = ? AND kind IN ({marks})"
                "  ORDER BY created_at DESC, sid DESC LIMIT ?)",
                (board_id, *kinds, board_id, *kinds, keep),
            ).rowcount

        return await self._submit(run)

    async def list_snapshots(self, board_id: str) -> list[SnapshotInfo]:
        def run(conn: sqlite3.Connection) -> list[SnapshotInfo]:
            rows = conn.execute(
                "SELECT board, sid, label, kind, created_at, seq, notes FROM snapshots"
                " WHERE board = ? ORDER BY created_at, sid",
                (board_id,),
            ).fetchall()
            return [SnapshotInfo(*r) for r in rows]

        return await self._read(run)

    async def get_snapshot(self, board_id: str, sid: str) -> tuple[SnapshotInfo, bytes] | None:
        def run(conn: sqlite3.Connection) -> tuple[SnapshotInfo, bytes] | None:
            row = conn.execute(
                "SELECT board, sid, label, kind, created_at, seq, notes, state FROM snapshots"
                " WHERE board = ? AND sid = ?",
                (board_id, sid),
            ).fetchone()
            if row is None:
                return None
            return SnapshotInfo(*row[:7]), bytes(row[7])

        return await self._read(run)
