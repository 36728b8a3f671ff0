"""A SQLite database for one writer: group commit, WAL checkpoints, a reader thread.

Writes are queued jobs; each batch of jobs that arrived together commits in one
transaction (group commit), every job in its own savepoint so one failing job does not
take the others with it. Small writes commit on the event loop: in WAL mode with
synchronous=NORMAL a commit does not wait for the disk and costs less than handing it
to a thread. Heavy jobs (compactions, snapshots), checkpoints, and everything under
synchronous=FULL run on the writer thread. Reads use their own connection and thread.

Deleted means deleted (PROTOCOL.md P200, P202). secure_delete overwrites deleted rows
and freed pages with zeros, but SQLite leaves old copies of cells in the unused middle
of pages it rebuilt when splitting or merging them; only rewriting the file removes
those, so erasing a board ends with vacuum(): VACUUM, then a TRUNCATE checkpoint that
empties the WAL, the other place old page images live. The WAL is checkpointed when it
passes WAL_CHECKPOINT_BYTES and truncated once the store has been idle for a while, so
it stays small all day.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

_Job = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]", bool]  # bool: heavy
CHECKPOINT_AFTER = 1000  # committed writes between WAL checkpoints (inline mode)
WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024  # a bigger WAL is checkpointed after the batch
WAL_STAT_SECONDS = 0.05  # how often light commits look at the WAL's size
WAL_KEEP_BYTES = 1024 * 1024  # journal_size_limit: what a reused WAL is cut back to
IDLE_CHECKPOINT_SECONDS = 10.0  # no writes for this long: truncate the WAL
TRUNCATE_ATTEMPTS = 2
TRUNCATE_WAIT_MS = 250
BUSY_TIMEOUT_MS = 10_000


def _truncate_marker(conn: sqlite3.Connection) -> None:
    """Stands for a WAL truncation in the write queue; never called."""


def _vacuum_marker(conn: sqlite3.Connection) -> None:
    """Stands for a VACUUM and WAL truncation in the write queue; never called."""


_MAINTENANCE = (_truncate_marker, _vacuum_marker)


class SqliteDb:
    """Use as `async with SqliteDb(path, setup=create_tables) as db:`; then
    `await db.submit(fn)` to write and `await db.read(fn)` to read."""

    def __init__(
        self,
        path: Path,
        setup: Callable[[sqlite3.Connection], None],
        synchronous: str = "NORMAL",
        max_batch: int = 512,
        idle_checkpoint_seconds: float = IDLE_CHECKPOINT_SECONDS,
    ) -> None:
        self.path = path
        self.wal_path = path.with_name(path.name + "-wal")
        self.setup = setup
        self.synchronous = synchronous.upper()
        self.max_batch = max_batch
        self.idle_checkpoint_seconds = idle_checkpoint_seconds
        self.inline = self.synchronous != "FULL"
        self._since_checkpoint = 0
        self._last_write = time.monotonic()
        self._wal_stat_at = 0.0
        self._wal_dirty = False  # written since the WAL was last truncated
        self._idle_task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._writer_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-w")
        self._reader_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-r")
        self._wconn: sqlite3.Connection | None = None
        self._rconn: sqlite3.Connection | None = None
        self._writer: asyncio.Task[None] | None = None
        self.commit_seconds: Callable[[float, int], None] | None = None

    async def __aenter__(self) -> SqliteDb:
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
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # deleted rows and freed pages are overwritten with zeros, not left for a hex editor
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    def _open_sync(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        try:
            self.setup(conn)
        except StoreError:
            conn.close()
            raise
        if self.inline:
            conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run on the thread
        conn.execute(f"PRAGMA journal_size_limit={WAL_KEEP_BYTES}")
        self._wconn = conn

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer_exec, self._open_sync)
        self._rconn = await loop.run_in_executor(self._reader_exec, self._connect)
        self._writer = asyncio.create_task(self._write_loop(), name="sqlite-writer")
        self._idle_task = asyncio.create_task(self._truncate_when_idle(), name="sqlite-idle")

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            await asyncio.gather(self._idle_task, return_exceptions=True)
            self._idle_task = None
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

    def submit(
        self, fn: Callable[[sqlite3.Connection], T], heavy: bool = True
    ) -> asyncio.Future[T]:
        if self._writer is None:
            raise StoreError("the store is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((fn, fut, heavy))
        return fut

    def truncate_wal(self) -> asyncio.Future[bool]:
        """Queue a wal_checkpoint(TRUNCATE) after the writes already queued.

        Returns:
            A future: True once the WAL file is empty, False if readers kept it busy
            (the idle task tries again).
        """
        return self._maintain(_truncate_marker)

    def vacuum(self) -> asyncio.Future[bool]:
        """Queue a rewrite of the whole file (VACUUM) and a WAL truncation, after the
        writes already queued. Writes wait meanwhile: the cost grows with the file.

        Returns:
            A future: True once both are done, False if the WAL truncation was postponed.
        """
        return self._maintain(_vacuum_marker)

    def _maintain(self, marker: Callable[[sqlite3.Connection], None]) -> asyncio.Future[bool]:
        if self._writer is None:
            raise StoreError("the store is not open")
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((marker, fut, True))
        return fut

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            maintenance: _Job | None = None
            batch: list[_Job] = []
            if first[0] in _MAINTENANCE:
                maintenance = first
            else:
                batch.append(first)
            while len(batch) < self.max_batch and not self._queue.empty() and not maintenance:
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                if nxt[0] in _MAINTENANCE:
                    maintenance = nxt  # after this batch, before anything later
                else:
                    batch.append(nxt)
            if batch:
                await self._commit(loop, batch)
            if maintenance is not None:
                marker, fut, _ = maintenance
                work = self._vacuum if marker is _vacuum_marker else self._truncate
                try:
                    done = await loop.run_in_executor(self._writer_exec, work)
                except sqlite3.Error as exc:
                    log.error("database maintenance failed: %s", exc)
                    if not fut.done():  # the caller may have given up waiting
                        fut.set_exception(StoreError(f"database maintenance failed: {exc}"))
                else:
                    if not fut.done():
                        fut.set_result(done)

    async def _commit(self, loop: asyncio.AbstractEventLoop, batch: list[_Job]) -> None:
        started = time.perf_counter()
        try:
            if self.inline and not any(heavy for _, _, heavy in batch):
                results = self._run_batch(batch)
            else:
                results = await loop.run_in_executor(self._writer_exec, self._run_batch, batch)
        except (sqlite3.Error, OSError) as exc:
            log.error("database commit failed for %d writes: %s", len(batch), exc)
            for _, fut, _ in batch:
                if not fut.done():
                    fut.set_exception(StoreError(f"database commit failed: {exc}"))
            return
        self._since_checkpoint += len(batch)
        self._last_write = time.monotonic()
        self._wal_dirty = True
        if self.commit_seconds is not None:
            self.commit_seconds(time.perf_counter() - started, len(batch))
        for (_, fut, _), (ok, value) in zip(batch, results, strict=True):
            if fut.done():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        # after the futures: fan-out does not wait for the checkpoint; the WAL's size is
        # looked at after heavy writes and every WAL_STAT_SECONDS, not after every commit
        wal_due = self._last_write - self._wal_stat_at >= WAL_STAT_SECONDS or any(
            heavy for _, _, heavy in batch
        )
        if wal_due:
            self._wal_stat_at = self._last_write
        if self._since_checkpoint >= CHECKPOINT_AFTER or (
            wal_due and self._wal_bytes() >= WAL_CHECKPOINT_BYTES
        ):
            self._since_checkpoint = 0
            await loop.run_in_executor(self._writer_exec, self._checkpoint)

    def _wal_bytes(self) -> int:
        try:
            return os.stat(self.wal_path).st_size
        except OSError:
            return 0

    def _checkpoint(self) -> None:
        """Move the WAL into the database file without blocking writers (thread only).

        The next write then starts the WAL over and cuts it back to WAL_KEEP_BYTES."""
        try:
            assert self._wconn is not None
            self._wconn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed (will retry): %s", exc)

    def _truncate(self) -> bool:
        """Checkpoint everything and empty the WAL file (thread only).

        Waits at most about TRUNCATE_WAIT_MS per attempt for readers (another process's
        backup, say), since writes wait meanwhile; if they keep reading, the WAL stays
        marked dirty and the idle task tries again later."""
        conn = self._wconn
        assert conn is not None
        conn.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")
        try:
            for _ in range(TRUNCATE_ATTEMPTS):
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    self._wal_dirty = False
                    self._since_checkpoint = 0
                    return True
        except sqlite3.Error as exc:
            log.warning("WAL truncation failed (will retry): %s", exc)
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        log.warning("WAL truncation postponed: another connection kept reading")
        return False

    def _vacuum(self) -> bool:
        """Rewrite the file without free pages or stale cell copies (thread only)."""
        assert self._wconn is not None
        self._wconn.execute("VACUUM")
        return self._truncate()

    async def _truncate_when_idle(self) -> None:
        period = max(0.01, self.idle_checkpoint_seconds / 2)
        while True:
            await asyncio.sleep(period)
            idle = time.monotonic() - self._last_write >= self.idle_checkpoint_seconds
            if idle and self._wal_dirty:
                try:
                    await self.truncate_wal()
                except StoreError:
                    pass  # logged by the writer; the WAL stays dirty and is tried again

    def _run_batch(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        conn = self._wconn
        assert conn is not None
        if len(batch) == 1:
            return [self._run_one(conn, batch[0][0])]
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

    @staticmethod
    def _run_one(
        conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any]
    ) -> tuple[bool, Any]:
        """A batch of one needs no savepoint: a failing job rolls the transaction back
        (three statements instead of five: the common case at a few writes a second)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            value = fn(conn)
        except (sqlite3.Error, StoreError, ValueError, KeyError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return (False, StoreError(str(exc)) if isinstance(exc, sqlite3.Error) else exc)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return (True, value)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._rconn
        if conn is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._reader_exec, fn, conn)
        except sqlite3.Error as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def flush(self) -> None:
        await self.submit(lambda conn: None, heavy=False)
