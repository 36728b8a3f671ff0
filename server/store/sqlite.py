"""Default DocStore: one SQLite file in WAL mode, an update log per board, group commit.

All writes go through one writer thread that commits whatever arrived while the
previous batch was being written (group commit), so durability costs one commit per
batch, not per update. Reads use a second connection on their own thread.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import BoardRecord, LoadedDoc, LogStats, Role, SnapshotInfo, StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    canvas TEXT NOT NULL,
    canvas_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at REAL NOT NULL,
    join_code TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS tokens (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (board, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS states (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    state BLOB NOT NULL,
    seq INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    actor TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (board, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (board, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    sid TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    state BLOB NOT NULL,
    seq INTEGER NOT NULL,
    notes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (board, sid)
) WITHOUT ROWID;
"""

_Job = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]", bool]  # bool: heavy
CHECKPOINT_AFTER = 1000  # committed writes between WAL checkpoints (inline mode)


class SqliteStore:
    """DocStore on a SQLite file; use as `async with SqliteStore(path) as store:`.

    Small writes (the update log) commit on the event loop: without fsync (WAL with
    synchronous=NORMAL) a commit costs less than handing it to a thread. Checkpoints,
    compactions and snapshots, which can take milliseconds, run on the writer thread.
    With synchronous=FULL every commit waits for the disk, so all of them go to the thread.
    """

    def __init__(self, path: Path, synchronous: str = "NORMAL", max_batch: int = 512) -> None:
        self.path = path
        self.synchronous = synchronous.upper()
        self.max_batch = max_batch
        self.inline = self.synchronous != "FULL"
        self._since_checkpoint = 0
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._writer_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-w")
        self._reader_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-r")
        self._wconn: sqlite3.Connection | None = None
        self._rconn: sqlite3.Connection | None = None
        self._writer: asyncio.Task[None] | None = None
        self.commit_seconds: Callable[[float, int], None] | None = None

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- lifecycle ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _open_sync(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{self.path} was written by a newer cocanvas (schema {version}); upgrade cocanvas"
            )
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        if self.inline:
            conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run on the thread
        self._wconn = conn

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer_exec, self._open_sync)
        self._rconn = await loop.run_in_executor(self._reader_exec, self._connect)
        self._writer = asyncio.create_task(self._write_loop(), name="sqlite-writer")

    async def close(self) -> None:
        if self._writer is not None:
            await self._queue.put(None)
            await self._writer
            self._writer = None
        loop = asyncio.get_running_loop()
        if self._wconn is not None:
            wconn = self._wconn
            await loop.run_in_executor(self._writer_exec, wconn.close)
            self._wconn = None
        if self._rconn is not None:
            rconn = self._rconn
            await loop.run_in_executor(self._reader_exec, rconn.close)
            self._rconn = None
        self._writer_exec.shutdown(wait=True)
        self._reader_exec.shutdown(wait=True)

    # ---- writer ------------------------------------------------------------------------

    def _submit(
        self, fn: Callable[[sqlite3.Connection], T], heavy: bool = True
    ) -> asyncio.Future[T]:
        if self._writer is None:
            raise StoreError("the store is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((fn, fut, heavy))
        return fut

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            started = time.perf_counter()
            try:
                if self.inline and not any(heavy for _, _, heavy in batch):
                    results = self._run_batch(batch)
                    self._since_checkpoint += len(batch)
                else:
                    results = await loop.run_in_executor(self._writer_exec, self._run_batch, batch)
            except (sqlite3.Error, OSError) as exc:
                log.error("database commit failed for %d writes: %s", len(batch), exc)
                for _, fut, _ in batch:
                    if not fut.done():
                        fut.set_exception(StoreError(f"database commit failed: {exc}"))
                continue
            if self.commit_seconds is not None:
                self.commit_seconds(time.perf_counter() - started, len(batch))
            for (_, fut, _), (ok, value) in zip(batch, results, strict=True):
                if fut.done():
                    continue
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
            if self._since_checkpoint >= CHECKPOINT_AFTER:
                # after the futures: fan-out does not wait for the checkpoint
                self._since_checkpoint = 0
                await loop.run_in_executor(self._writer_exec, self._checkpoint)

    def _checkpoint(self) -> None:
        """Move the WAL into the database file without blocking writers (thread only)."""
        try:
            assert self._wconn is not None
            self._wconn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed (will retry): %s", exc)

    def _run_batch(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        conn = self._wconn
        assert conn is not None
        results: list[tuple[bool, Any]] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for fn, _, _ in batch:
                conn.execute("SAVEPOINT job")
                try:
                    results.append((True, fn(conn)))
                    conn.execute("RELEASE job")
                except sqlite3.Error as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((False, StoreError(str(exc))))
                except (StoreError, ValueError, KeyError) as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((False, exc))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._rconn
        if conn is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._reader_exec, fn, conn)
        except sqlite3.Error as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def flush(self) -> None:
        await self._submit(lambda conn: None, heavy=False)

    # ---- boards ------------------------------------------------------------------------

    async def create_board(self, record: BoardRecord, initial_update: bytes) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO boards (id, canvas, canvas_version, title, locale, created_at,"
                " join_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.canvas,
                    record.canvas_version,
                    record.title,
                    record.locale,
                    record.created_at,
                    record.join_code or None,
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

    def _board_rows(
        self, conn: sqlite3.Connection, where: str, args: tuple[Any, ...]
    ) -> list[BoardRecord]:
        rows = conn.execute(
            "SELECT id, canvas, canvas_version, title, locale, created_at, join_code FROM boards "
            + where
            + " ORDER BY created_at",
            args,
        ).fetchall()
        out = []
        for row in rows:
            hashes = {
                role: bytes(h)
                for role, h in conn.execute(
                    "SELECT role, hash FROM tokens WHERE board = ?", (row[0],)
                )
            }
            bid, canvas, version, title, locale, created, code = row
            out.append(
                BoardRecord(bid, canvas, version, title, locale, created, hashes, code or "")
            )
        return out

    async def get_board(self, board_id: str) -> BoardRecord | None:
        rows = await self._read(lambda c: self._board_rows(c, "WHERE id = ?", (board_id,)))
        return rows[0] if rows else None

    async def list_boards(self) -> list[BoardRecord]:
        return await self._read(lambda c: self._board_rows(c, "", ()))

    async def delete_board(self, board_id: str) -> bool:
        def run(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM boards WHERE id = ?", (board_id,)).rowcount > 0

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
        rows = await self._read(lambda c: self._board_rows(c, "WHERE join_code = ?", (code,)))
        return rows[0] if rows else None

    async def set_join_code(self, board_id: str, code: str) -> None:
        await self._submit(
            lambda c: c.execute("UPDATE boards SET join_code = ? WHERE id = ?", (code, board_id))
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
            last = int(tail[-1][0]) if tail else base
            return LoadedDoc(state, [bytes(d) for _, d in tail], last)

        return await self._read(run)

    def append(self, board_id: str, seq: int, update: bytes, actor: str) -> asyncio.Future[None]:
        now = time.time()

        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO updates (board, seq, data, actor, created_at) VALUES (?, ?, ?, ?, ?)",
                (board_id, seq, update, actor, now),
            )

        return self._submit(run, heavy=False)

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

        return self._submit(run)

    async def log_stats(self, board_id: str) -> LogStats:
        def run(conn: sqlite3.Connection) -> LogStats:
            rows, size = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM updates WHERE board = ?",
                (board_id,),
            ).fetchone()
            return LogStats(int(rows), int(size))

        return await self._read(run)

    # ---- snapshots ---------------------------------------------------------------------

    async def create_snapshot(self, info: SnapshotInfo, state: bytes) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO snapshots (board, sid, label, kind, state, seq, notes, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.board,
                    info.sid,
                    info.label,
                    info.kind,
                    state,
                    info.seq,
                    info.notes,
                    info.created_at,
                ),
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
