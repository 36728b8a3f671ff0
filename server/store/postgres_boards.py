"""One board's rows in PostgreSQL as a whole: its record with its tokens, when it was last
used, deleting it with everything of it, and copying it in and out (`cocanvas migrate`)."""

from __future__ import annotations

import time
from typing import Any

from .base import BoardRecord, DeletedBoard
from .dump import BOARD_COLUMNS as DUMP_BOARD_COLUMNS
from .dump import CHILD_COLUMNS, BoardDump
from .postgres_db import Conn

# the last moment a board was used: created, connected to, changed, or snapshotted
LAST_USED = """GREATEST(
    b.created_at,
    COALESCE(b.active_at, 0),
    COALESCE((SELECT updated_at FROM states WHERE board = b.id), 0),
    COALESCE((SELECT MAX(created_at) FROM updates WHERE board = b.id), 0),
    COALESCE((SELECT MAX(created_at) FROM snapshots WHERE board = b.id), 0))"""
BOARD_COLUMNS = (
    "id, canvas, canvas_version, title, locale, created_at, join_code, join_code_expires"
)


async def board_records(conn: Conn, where: str, args: tuple[Any, ...]) -> list[BoardRecord]:
    """The boards `where` selects, oldest first, with their token hashes."""
    cur = await conn.execute(
        f"SELECT {BOARD_COLUMNS} FROM boards {where} ORDER BY created_at, id".encode(), args
    )
    rows = await cur.fetchall()
    hashes: dict[str, dict[str, bytes]] = {str(r[0]): {} for r in rows}
    if rows:
        cur = await conn.execute(
            "SELECT board, role, hash FROM tokens WHERE board = ANY(%s)", (list(hashes),)
        )
        for board, role, h in await cur.fetchall():
            hashes[board][role] = bytes(h)
    now = time.time()
    out = []
    for bid, canvas, version, title, locale, created, code, expires in rows:
        if expires and expires <= now:
            code = None  # an expired code is no credential (P143)
        out.append(
            BoardRecord(
                bid, canvas, version, title, locale, created, hashes[bid], code or "", expires
            )
        )
    return out


async def delete_board_rows(conn: Conn, board_id: str) -> DeletedBoard | None:
    """Delete the board and all its rows; None when there is no such board."""
    counts = []
    for table in ("snapshots", "secrets", "updates"):
        cur = await conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE board = %s".encode(), (board_id,)
        )
        row = await cur.fetchone()
        counts.append(int(row[0]) if row else 0)
    # tokens, state, log, secrets and snapshots go with it (ON DELETE CASCADE)
    cur = await conn.execute("DELETE FROM boards WHERE id = %s", (board_id,))
    if cur.rowcount == 0:
        return None
    return DeletedBoard(board_id, *counts)


async def write_dump(conn: Conn, dump: BoardDump) -> None:
    """Write one board with everything of it (in the caller's transaction)."""
    async with conn.cursor() as cur:
        for table, columns, values in dump.tables():
            if not values:
                continue
            marks = ", ".join(["%s"] * len(columns))
            await cur.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})".encode(),
                values,
            )


async def read_dump(conn: Conn, board_id: str) -> BoardDump | None:
    """Every row of the board (in the caller's snapshot)."""
    cur = await conn.execute(
        f"SELECT {', '.join(DUMP_BOARD_COLUMNS)} FROM boards WHERE id = %s".encode(),
        (board_id,),
    )
    board = await cur.fetchone()
    if board is None:
        return None
    children = {}
    for table, cols in CHILD_COLUMNS.items():
        cur = await conn.execute(
            f"SELECT {', '.join(cols)} FROM {table} WHERE board = %s".encode(),
            (board_id,),
        )
        children[table] = [tuple(r) for r in await cur.fetchall()]
    return BoardDump(tuple(board), children)
