"""One board's rows in the SQLite file as a whole: its record with its tokens, when it was
last used, deleting it with everything of it, and reading it out to copy it elsewhere."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from .base import BoardRecord, DeletedBoard
from .dump import BOARD_COLUMNS, CHILD_COLUMNS, BoardDump

# the last moment a board was used: created, connected to, changed, or snapshotted
LAST_USED = """MAX(
    b.created_at,
    COALESCE(b.active_at, 0),
    COALESCE((SELECT updated_at FROM states WHERE board = b.id), 0),
    COALESCE((SELECT MAX(created_at) FROM updates WHERE board = b.id), 0),
    COALESCE((SELECT MAX(created_at) FROM snapshots WHERE board = b.id), 0))"""


def delete_board_rows(conn: sqlite3.Connection, board_id: str) -> DeletedBoard | None:
    """Delete the board and all its rows; None when there is no such board."""
    counts = [
        int(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE board = ?", (board_id,)).fetchone()[0]
        )
        for table in ("snapshots", "secrets", "updates")
    ]
    # tokens, state, log, secrets and snapshots go with it (ON DELETE CASCADE)
    if conn.execute("DELETE FROM boards WHERE id = ?", (board_id,)).rowcount == 0:
        return None
    return DeletedBoard(board_id, *counts)


def board_records(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[BoardRecord]:
    """The boards `where` selects, oldest first, with their token hashes."""
    rows = conn.execute(
        "SELECT id, canvas, canvas_version, title, locale, created_at, join_code,"
        " join_code_expires FROM boards " + where + " ORDER BY created_at",
        args,
    ).fetchall()
    now = time.time()
    out = []
    for row in rows:
        hashes = {
            role: bytes(h)
            for role, h in conn.execute("SELECT role, hash FROM tokens WHERE board = ?", (row[0],))
        }
        bid, canvas, version, title, locale, created, code, expires = row
        if expires and expires <= now:
            code = None  # an expired code is no credential (P143)
        out.append(
            BoardRecord(bid, canvas, version, title, locale, created, hashes, code or "", expires)
        )
    return out


def read_dump(conn: sqlite3.Connection, board_id: str) -> BoardDump | None:
    """Every row of the board, read in one transaction (`cocanvas migrate`)."""
    conn.execute("BEGIN")
    try:
        board = conn.execute(
            f"SELECT {', '.join(BOARD_COLUMNS)} FROM boards WHERE id = ?", (board_id,)
        ).fetchone()
        if board is None:
            return None
        children = {
            table: [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(
                    f"SELECT {', '.join(cols)} FROM {table} WHERE board = ?",
                    (board_id,),
                )
            ]
            for table, cols in CHILD_COLUMNS.items()
        }
    finally:
        conn.execute("COMMIT")
    return BoardDump(tuple(board), children)
