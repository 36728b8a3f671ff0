"""Default DocStore: one SQLite file in WAL mode, an update log per board.

The DocStore operations. The tables are `sqlite_schema`'s, a board's rows as a whole
(its record, deleting it, copying it) `sqlite_boards`'; committing (group commit,
checkpoints, threads) is `sqlite_db.SqliteDb`'s job, and the journal that takes the
appends of loaded boards before SQLite does (P373) `sqlite_journal`'s.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .base import (
    BoardRecord,
    DeletedBoard,
    LoadedDoc,
    LogStats,
    Role,
    StoreError,
)
from .dump import BoardDump
from .sqlite_boards import LAST_USED, board_records, delete_board_rows, read_dump
from .sqlite_db import IDLE_CHECKPOINT_SECONDS, SqliteDb
from .sqlite_journal import Journal
from .sqlite_journal_file import read_rows
from .sqlite_schema import create_tables
from .sqlite_snapshots import SnapshotRows
from .sqlite_txn import Statement
from .startup import MARKER, mark_boards

log = logging.getLogger(__name__)
T = TypeVar("T")


class SqliteStore(SnapshotRows):
    """DocStore on a SQLite file; use as `async with SqliteStore(path) as store:`."""

    def __init__(
        self,
        path: Path,
        synchronous: str = "NORMAL",
        idle_checkpoint_seconds: float = IDLE_CHECKPOINT_SECONDS,
    ) -> None:
        self.path = path
        self.shared_log = False  # several nodes append to this board log (P320)
        self.db = SqliteDb(
            path, create_tables, synchronous, idle_checkpoint_seconds=idle_checkpoint_seconds
        )
        self.journal: Journal | None = None  # P373: appends go here first
        self.journal_elsewhere = False

    @property
    def commit_seconds(self) -> Callable[[float, int], None] | None:
        return self.db.commit_seconds

    @commit_seconds.setter
    def commit_seconds(self, callback: Callable[[float, int], None] | None) -> None:
        self.db.commit_seconds = callback
        if self.journal is not None:
            self.journal.wrote = callback

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        await self.db.open()
        if not self.db.inline:
            return  # synchronous=FULL: every append waits for the disk in SQLite itself
        try:
            journal = await asyncio.to_thread(Journal.open, self.path)
        except StoreError:
            await self.db.close()
            raise
        if journal is not None:
            journal.queue_copy = lambda job: self.db.submit(job, heavy=True)  # the thread
            journal.wrote = self.db.commit_seconds
        self.journal = journal
        self.journal_elsewhere = journal is None  # a running server owns it

    async def close(self) -> None:
        journal = self.journal
        if journal is not None:
            try:
                await self._copied()
            except StoreError as exc:
                log.error("closing: the append journal stays for the next start: %s", exc)
        await self.db.close()
        if journal is not None:
            journal.close()
            self.journal = None

    async def flush(self) -> None:
        """Wait until every write so far, every append included, is in the database."""
        await self._copied()
        await self._submit(lambda conn: None, heavy=False)

    # ---- the journal in front of the log (P373) ----------------------------------------

    async def _copied(self) -> None:
        """Wait until every append acknowledged so far is in the database."""
        if self.journal is not None:
            await self.journal.flushed()

    def _submit(
        self, fn: Callable[[sqlite3.Connection], T], heavy: bool = True
    ) -> asyncio.Future[T]:
        return self.db.submit(fn, heavy)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self.db.read(fn)

    async def _read_log(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """A read of the update log: the journal's records are copied first."""
        await self._copied()
        return await self.db.read(fn)

    # ---- boards ------------------------------------------------------------------------

    async def create_board(self, record: BoardRecord, initial_update: bytes) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO boards (id, canvas, canvas_version, title, locale, created_at,"
                " join_code, join_code_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            conn.executemany(
                "INSERT INTO tokens (board, role, hash) VALUES (?, ?, ?)",
                [(record.id, role, h) for role, h in record.token_hashes.items()],
            )
            conn.execute(
                "INSERT INTO states (board, state, seq, updated_at) VALUES (?, ?, 0, ?)",
                (record.id, initial_update, record.created_at),
            )

        await self._submit(run)
        mark_boards(self.path)  # P224: a later empty database here is a loss, not a start

    async def get_board(self, board_id: str) -> BoardRecord | None:
        rows = await self._read(lambda c: board_records(c, "WHERE id = ?", (board_id,)))
        return rows[0] if rows else None

    async def list_boards(self) -> list[BoardRecord]:
        return await self._read(lambda c: board_records(c, "", ()))

    async def delete_board(self, board_id: str) -> bool:
        self._forget(board_id)
        await self._copied()  # its appends are in the rows deleted, none stays in a file
        deleted = await self._submit(lambda c: delete_board_rows(c, board_id))
        if deleted is not None:
            await self.erase_deleted()
        return deleted is not None

    async def erase_deleted(self) -> None:
        # stale copies of cells in rebuilt pages, and page images in the WAL (P200)
        try:
            if not await self.db.vacuum():
                log.warning("deleted data: WAL truncation postponed (a reader was busy)")
        except StoreError as exc:
            # the rows are gone; their bytes stay in free space until a rewrite works
            log.error("deleted data: the database file could not be rewritten: %s", exc)

        def unmark_if_empty(conn: sqlite3.Connection) -> None:
            # emptied on purpose: the next start must not take it for a lost database
            # (P224); in the write queue, so a board created meanwhile marks it again
            if conn.execute("SELECT 1 FROM boards LIMIT 1").fetchone() is None:
                self.path.with_name(MARKER).unlink(missing_ok=True)

        await self._submit(unmark_if_empty)

    def _forget(self, board_id: str) -> None:
        if self.journal is not None:
            self.journal.known.pop(board_id, None)
            self.journal.compacted.pop(board_id, None)

    async def touch_board(self, board_id: str, at: float) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE boards SET active_at = MAX(COALESCE(active_at, 0), ?) WHERE id = ?",
                (at, board_id),
            )

        await self._submit(run, heavy=False)

    async def idle_boards(self, idle_since: float) -> list[str]:
        def run(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                f"SELECT b.id FROM boards b WHERE {LAST_USED} < ? ORDER BY b.created_at",
                (idle_since,),
            ).fetchall()
            return [str(r[0]) for r in rows]

        return await self._read_log(run)

    async def delete_idle_board(self, board_id: str, idle_since: float) -> DeletedBoard | None:
        def run(conn: sqlite3.Connection) -> DeletedBoard | None:
            still_idle = conn.execute(
                f"SELECT 1 FROM boards b WHERE b.id = ? AND {LAST_USED} < ?",
                (board_id, idle_since),
            ).fetchone()
            return delete_board_rows(conn, board_id) if still_idle else None

        self._forget(board_id)  # not loaded (P201): it loads again first
        await self._copied()
        return await self._submit(run)

    async def set_token_hash(self, board_id: str, role: Role, token_hash: bytes) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO tokens (board, role, hash) VALUES (?, ?, ?)"
                " ON CONFLICT (board, role) DO UPDATE SET hash = excluded.hash",
                (board_id, role, token_hash),
            )

        await self._submit(run)

    async def get_board_by_join_code(self, code: str) -> BoardRecord | None:
        rows = await self._read(lambda c: board_records(c, "WHERE join_code = ?", (code,)))
        return rows[0] if rows and rows[0].join_code else None

    async def set_join_code(self, board_id: str, code: str, expires_at: float = 0.0) -> None:
        await self._submit(
            lambda c: c.execute(
                "UPDATE boards SET join_code = ?, join_code_expires = ? WHERE id = ?",
                (code, expires_at, board_id),
            )
        )

    async def put_secret(self, board_id: str, kind: str, key: str, value: bytes | None) -> None:
        def run(conn: sqlite3.Connection) -> None:
            if value is None:
                conn.execute(
                    "DELETE FROM secrets WHERE board = ? AND kind = ? AND key = ?",
                    (board_id, kind, key),
                )
            else:
                conn.execute(
                    "INSERT INTO secrets (board, kind, key, value) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (board, kind, key) DO UPDATE SET value = excluded.value",
                    (board_id, kind, key, value),
                )

        await self._submit(run)

    async def get_secrets(self, board_id: str, kind: str) -> dict[str, bytes]:
        def run(conn: sqlite3.Connection) -> dict[str, bytes]:
            rows = conn.execute(
                "SELECT key, value FROM secrets WHERE board = ? AND kind = ?", (board_id, kind)
            ).fetchall()
            return {str(k): bytes(v) for k, v in rows}

        return await self._read(run)

    async def set_title(self, board_id: str, title: str) -> None:
        await self._submit(
            lambda c: c.execute("UPDATE boards SET title = ? WHERE id = ?", (title, board_id))
        )

    async def set_canvas_version(self, board_id: str, version: int) -> None:
        await self._submit(
            lambda c: c.execute(
                "UPDATE boards SET canvas_version = ? WHERE id = ?", (version, board_id)
            )
        )

    # ---- documents ---------------------------------------------------------------------

    async def load(self, board_id: str) -> LoadedDoc:
        def run(conn: sqlite3.Connection) -> LoadedDoc:
            # one read transaction so state and tail are consistent
            conn.execute("BEGIN")
            try:
                row = conn.execute(
                    "SELECT state, seq FROM states WHERE board = ?", (board_id,)
                ).fetchone()
                state, base = (bytes(row[0]), int(row[1])) if row else (None, 0)
                tail = conn.execute(
                    "SELECT seq, data FROM updates WHERE board = ? AND seq > ? ORDER BY seq",
                    (board_id, base),
                ).fetchall()
            finally:
                conn.execute("COMMIT")
            if elsewhere:  # P373: what the running server has not copied yet
                seqs = {int(s) for s, _ in tail}
                more = [(s, d) for b, s, d, _, _ in elsewhere if b == board_id and s > base]
                tail = sorted(tail + [(s, d) for s, d in more if s not in seqs])
            last = int(tail[-1][0]) if tail else base
            return LoadedDoc(state, [bytes(d) for _, d in tail], last)

        # read before the database: what the server copies meanwhile is in the one or the
        # other, so nothing acknowledged before this call is missed
        elsewhere = await asyncio.to_thread(read_rows, self.path) if self.journal_elsewhere else []
        loaded = await self._read_log(run)
        if self.journal is not None and loaded.state is not None:
            self.journal.known[board_id] = loaded.last_seq
        return loaded

    def append(self, board_id: str, seq: int, update: bytes, actor: str) -> asyncio.Future[None]:
        journal = self.journal
        if journal is not None and not self.shared_log:
            # only for a board this store loaded, above its last seq: anything else goes to
            # SQLite, which refuses an unknown board or a seq taken (P373)
            last = journal.known.get(board_id)
            if last is not None:
                if seq > last:
                    journal.known[board_id] = seq
                    return journal.append(board_id, seq, update, actor)
                # what SQLite would say, once the journal's rows were in the table
                failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                failed.set_exception(
                    StoreError(f"UNIQUE constraint failed: seq {seq} of {board_id} is taken")
                )
                return failed
        now = time.time()
        if self.shared_log:
            params = (board_id, seq, board_id, board_id, update, actor, now)
            return self._submit(Statement(_APPEND_SHARED, params), heavy=False)
        return self._submit(Statement(_APPEND, (board_id, seq, update, actor, now)), heavy=False)

    def compact(self, board_id: str, state: bytes, seq: int) -> asyncio.Future[None]:
        now = time.time()

        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO states (board, state, seq, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (board) DO UPDATE SET state = excluded.state,"
                " seq = excluded.seq, updated_at = excluded.updated_at"
                " WHERE excluded.seq >= states.seq",
                (board_id, state, seq, now),
            )
            conn.execute("DELETE FROM updates WHERE board = ? AND seq <= ?", (board_id, seq))

        fut = self._submit(run)
        journal = self.journal
        if journal is not None:

            def committed(done: asyncio.Future[None]) -> None:
                # the journal need not copy what this state holds
                if not done.cancelled() and done.exception() is None:
                    held = journal.compacted.get(board_id, 0)
                    journal.compacted[board_id] = max(held, seq)

            fut.add_done_callback(committed)
        return fut

    async def log_stats(self, board_id: str) -> LogStats:
        def run(conn: sqlite3.Connection) -> LogStats:
            rows, size = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM updates WHERE board = ?",
                (board_id,),
            ).fetchone()
            return LogStats(int(rows), int(size))

        return await self._read_log(run)

    # ---- migration to another store ------------------------------------------------------

    async def dump_board(self, board_id: str) -> BoardDump | None:
        """Every row of the board, read in one transaction (`cocanvas migrate`)."""
        return await self._read_log(lambda conn: read_dump(conn, board_id))


_APPEND = "INSERT INTO updates (board, seq, data, actor, created_at) VALUES (?, ?, ?, ?, ?)"
# P320: with several nodes the given seq is a floor; the row takes the next free one
# inside the commit, so it never clashes and always lands above a compaction point
_APPEND_SHARED = (
    "INSERT INTO updates (board, seq, data, actor, created_at) SELECT ?, MAX(?,"
    " COALESCE((SELECT MAX(seq) FROM updates WHERE board = ?), 0) + 1,"
    " COALESCE((SELECT seq FROM states WHERE board = ?), 0) + 1), ?, ?, ?"
)
