"""DocStore on PostgreSQL, for installs with several nodes (extra [postgres]).

The tables mirror the SQLite store's (`postgres_schema`); a board's rows as a whole (its
record, deleting it, copying it) are `postgres_boards`'; committing, reconnecting and
group commit are `postgres_db.PgDb`'s job. Several nodes may share one database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from .base import (
    SNAPSHOT_COLUMNS,
    BoardRecord,
    DeletedBoard,
    LoadedDoc,
    LogStats,
    Role,
    SnapshotInfo,
    StoreError,
)
from .dump import BoardDump
from .postgres_boards import (
    BOARD_COLUMNS,
    LAST_USED,
    board_records,
    delete_board_rows,
    read_dump,
    write_dump,
)
from .postgres_db import Conn, PgDb
from .postgres_schema import migrate

log = logging.getLogger(__name__)
URL_SCHEMES = ("postgresql://", "postgres://")
TABLES = ("boards", "tokens", "states", "updates", "secrets", "snapshots")
SHARED_LOG_LOCK = 0x636F_6361_6E76  # advisory lock key of shared-log appends (P320)


async def _setup(conn: Conn) -> None:
    applied = await migrate(conn)
    if applied:
        log.info("database schema: applied migrations %s", applied)


class PostgresStore:
    """DocStore on a PostgreSQL database; use as `async with PostgresStore(url) as store:`."""

    def __init__(self, url: str, erase_full: bool = False) -> None:
        self.db = PgDb(url, _setup)
        self.erase_full = erase_full
        self.name = self.db.name
        self.shared_log = False  # several nodes append to these boards (P320)

    @property
    def commit_seconds(self) -> Callable[[float, int], None] | None:
        return self.db.commit_seconds

    @commit_seconds.setter
    def commit_seconds(self, callback: Callable[[float, int], None] | None) -> None:
        self.db.commit_seconds = callback

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def flush(self) -> None:
        await self.db.flush()

    # ---- boards ------------------------------------------------------------------------

    async def create_board(self, record: BoardRecord, initial_update: bytes) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                f"INSERT INTO boards ({BOARD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    record.id,
                    record.canvas,
                    record.canvas_version,
                    record.title,
                    record.locale,
                    record.created_at,
                    record.join_code or None,
                    record.join_code_expires_at,
                ),
            )
            async with conn.cursor() as cur:
                await cur.executemany(
                    "INSERT INTO tokens (board, role, hash) VALUES (%s, %s, %s)",
                    [(record.id, role, h) for role, h in record.token_hashes.items()],
                )
            await conn.execute(
                "INSERT INTO states (board, state, seq, updated_at) VALUES (%s, %s, 0, %s)",
                (record.id, initial_update, record.created_at),
            )

        await self.db.submit(run)

    async def get_board(self, board_id: str) -> BoardRecord | None:
        rows = await self.db.read(
            lambda c: board_records(c, "WHERE id = %s", (board_id,)), snapshot=True
        )
        return rows[0] if rows else None

    async def list_boards(self) -> list[BoardRecord]:
        return await self.db.read(lambda c: board_records(c, "", ()), snapshot=True)

    async def delete_board(self, board_id: str) -> bool:
        deleted = await self.db.submit(lambda c: delete_board_rows(c, board_id))
        if deleted is not None:
            await self.erase_deleted()
        return deleted is not None

    async def erase_deleted(self) -> None:
        # P334: VACUUM frees the dead rows' space for reuse, but their bytes stay in the
        # table files until new rows overwrite them; VACUUM FULL writes each table anew
        # (locking it meanwhile). WAL segments and base backups keep them either way.
        command = "VACUUM FULL " if self.erase_full else "VACUUM "
        try:
            await self.db.maintain(command + ", ".join(TABLES))
        except StoreError as exc:
            log.error("deleted data: VACUUM failed (the rows are gone all the same): %s", exc)

    async def touch_board(self, board_id: str, at: float) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                "UPDATE boards SET active_at = GREATEST(COALESCE(active_at, 0), %s) WHERE id = %s",
                (at, board_id),
            )

        await self.db.submit(run, pipelined=True)

    async def idle_boards(self, idle_since: float) -> list[str]:
        async def run(conn: Conn) -> list[str]:
            cur = await conn.execute(
                f"SELECT b.id FROM boards b WHERE {LAST_USED} < %s ORDER BY b.created_at".encode(),
                (idle_since,),
            )
            return [str(r[0]) for r in await cur.fetchall()]

        return await self.db.read(run)

    async def delete_idle_board(self, board_id: str, idle_since: float) -> DeletedBoard | None:
        async def run(conn: Conn) -> DeletedBoard | None:
            # the row lock keeps another node from touching the board between check and delete
            cur = await conn.execute(
                f"SELECT 1 FROM boards b WHERE b.id = %s AND {LAST_USED} < %s FOR UPDATE".encode(),
                (board_id, idle_since),
            )
            return await delete_board_rows(conn, board_id) if await cur.fetchone() else None

        return await self.db.submit(run)

    async def set_token_hash(self, board_id: str, role: Role, token_hash: bytes) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO tokens (board, role, hash) VALUES (%s, %s, %s)"
                " ON CONFLICT (board, role) DO UPDATE SET hash = excluded.hash",
                (board_id, role, token_hash),
            )

        await self.db.submit(run)

    async def get_board_by_join_code(self, code: str) -> BoardRecord | None:
        rows = await self.db.read(
            lambda c: board_records(c, "WHERE join_code = %s", (code,)), snapshot=True
        )
        return rows[0] if rows and rows[0].join_code else None

    async def set_join_code(self, board_id: str, code: str, expires_at: float = 0.0) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                "UPDATE boards SET join_code = %s, join_code_expires = %s WHERE id = %s",
                (code, expires_at, board_id),
            )

        await self.db.submit(run)

    async def put_secret(self, board_id: str, kind: str, key: str, value: bytes | None) -> None:
        async def run(conn: Conn) -> None:
            if value is None:
                await conn.execute(
                    "DELETE FROM secrets WHERE board = %s AND kind = %s AND key = %s",
                    (board_id, kind, key),
                )
            else:
                await conn.execute(
                    "INSERT INTO secrets (board, kind, key, value) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (board, kind, key) DO UPDATE SET value = excluded.value",
                    (board_id, kind, key, value),
                )

        await self.db.submit(run)

    async def get_secrets(self, board_id: str, kind: str) -> dict[str, bytes]:
        async def run(conn: Conn) -> dict[str, bytes]:
            cur = await conn.execute(
                "SELECT key, value FROM secrets WHERE board = %s AND kind = %s", (board_id, kind)
            )
            return {str(k): bytes(v) for k, v in await cur.fetchall()}

        return await self.db.read(run)

    async def set_title(self, board_id: str, title: str) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute("UPDATE boards SET title = %s WHERE id = %s", (title, board_id))

        await self.db.submit(run)

    async def set_canvas_version(self, board_id: str, version: int) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                "UPDATE boards SET canvas_version = %s WHERE id = %s", (version, board_id)
            )

        await self.db.submit(run)

    # ---- documents ---------------------------------------------------------------------

    async def load(self, board_id: str) -> LoadedDoc:
        async def run(conn: Conn) -> LoadedDoc:
            cur = await conn.execute("SELECT state, seq FROM states WHERE board = %s", (board_id,))
            row = await cur.fetchone()
            state, base = (bytes(row[0]), int(row[1])) if row else (None, 0)
            cur = await conn.execute(
                "SELECT seq, data FROM updates WHERE board = %s AND seq > %s ORDER BY seq",
                (board_id, base),
            )
            tail = await cur.fetchall()
            last = int(tail[-1][0]) if tail else base
            return LoadedDoc(state, [bytes(d) for _, d in tail], last)

        # one snapshot, so a compaction between the two queries cannot hide rows
        return await self.db.read(run, snapshot=True)

    def append(self, board_id: str, seq: int, update: bytes, actor: str) -> asyncio.Future[None]:
        now = time.time()

        async def run(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO updates (board, seq, data, actor, created_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (board_id, seq, update, actor, now),
            )

        async def shared(conn: Conn) -> None:
            # P320: one lock for every appending transaction of every node (held to the
            # commit), so rows are numbered in commit order and no two batches deadlock
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SHARED_LOG_LOCK,))
            await conn.execute(
                "INSERT INTO updates (board, seq, data, actor, created_at) SELECT %s,"
                " GREATEST(%s, COALESCE((SELECT MAX(seq) FROM updates WHERE board = %s), 0) + 1,"
                " COALESCE((SELECT seq FROM states WHERE board = %s), 0) + 1), %s, %s, %s",
                (board_id, seq, board_id, board_id, update, actor, now),
            )

        return self.db.submit(shared if self.shared_log else run, pipelined=True)

    def compact(self, board_id: str, state: bytes, seq: int) -> asyncio.Future[None]:
        now = time.time()

        async def run(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO states (board, state, seq, updated_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (board) DO UPDATE SET state = excluded.state,"
                " seq = excluded.seq, updated_at = excluded.updated_at"
                " WHERE excluded.seq >= states.seq",
                (board_id, state, seq, now),
            )
            await conn.execute(
                "DELETE FROM updates WHERE board = %s AND seq <= %s", (board_id, seq)
            )

        return self.db.submit(run)

    async def log_stats(self, board_id: str) -> LogStats:
        async def run(conn: Conn) -> LogStats:
            cur = await conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM updates WHERE board = %s",
                (board_id,),
            )
            row = await cur.fetchone()
            return LogStats(int(row[0]), int(row[1])) if row else LogStats(0, 0)

        return await self.db.read(run)

    # ---- snapshots ---------------------------------------------------------------------

    async def create_snapshot(self, info: SnapshotInfo, state: bytes) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                f"INSERT INTO snapshots ({SNAPSHOT_COLUMNS})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                info.row(state),
            )

        await self.db.submit(run)

    async def prune_snapshots(self, board_id: str, kinds: tuple[str, ...], keep: int) -> int:
        """Delete all but the newest `keep` snapshots of these kinds; returns how many."""

        async def run(conn: Conn) -> int:
            cur = await conn.execute(
                "DELETE FROM snapshots WHERE board = %s AND kind = ANY(%s) AND sid NOT IN"
                " (SELECT sid FROM snapshots WHERE board = %s AND kind = ANY(%s)"
                "  ORDER BY created_at DESC, sid DESC LIMIT %s)",
                (board_id, list(kinds), board_id, list(kinds), keep),
            )
            return cur.rowcount

        return await self.db.submit(run)

    async def list_snapshots(self, board_id: str) -> list[SnapshotInfo]:
        async def run(conn: Conn) -> list[SnapshotInfo]:
            cur = await conn.execute(
                "SELECT board, sid, label, kind, created_at, seq, notes FROM snapshots"
                " WHERE board = %s ORDER BY created_at, sid",
                (board_id,),
            )
            return [SnapshotInfo(*r) for r in await cur.fetchall()]

        return await self.db.read(run)

    async def get_snapshot(self, board_id: str, sid: str) -> tuple[SnapshotInfo, bytes] | None:
        async def run(conn: Conn) -> tuple[SnapshotInfo, bytes] | None:
            cur = await conn.execute(
                "SELECT board, sid, label, kind, created_at, seq, notes, state FROM snapshots"
                " WHERE board = %s AND sid = %s",
                (board_id, sid),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            return SnapshotInfo(*row[:7]), bytes(row[7])

        return await self.db.read(run)

    # ---- migration from SQLite -----------------------------------------------------------

    async def restore_dump(self, dump: BoardDump) -> None:
        """Write one board with everything of it, in one transaction."""
        await self.db.submit(lambda conn: write_dump(conn, dump))

    async def dump_board(self, board_id: str) -> BoardDump | None:
        """Every row of the board, read in one snapshot (to verify a migration)."""
        return await self.db.read(lambda conn: read_dump(conn, board_id), snapshot=True)
