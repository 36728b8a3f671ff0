"""A SQLite database for one writer: group commit, WAL checkpoints, a reader thread.

Writes are queued jobs; each batch of jobs that arrived together commits in one
transaction (group commit), every job in its own savepoint so one failing job does not
take the others with it. Small writes commit on the event loop: in WAL mode with
synchronous=NORMAL a commit does not wait for the disk and costs less than handing it
to a thread. Heavy jobs (compactions, snapshots), checkpoints, and everything under
synchronous=FULL run on the writer thread. Reads use their own connection and thread.
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

from .base import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

_Job = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]", bool]  # bool: heavy
CHECKPOINT_AFTER = 1000  # committed writes between WAL checkpoints (inline mode)


class SqliteDb:
    """Use as `async with SqliteDb(path, setup=create_tables) as db:`; then
    `await db.submit(fn)` to write and `await db.read(fn)` to read."""

    def __init__(
        self,
        path: Path,
        setup: Callable[[sqlite3.Connection], None],
        synchronous: str = "NORMAL",
        max_batch: int = 512,
    ) -> None:
        self.path = path
        self.setup = setup
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
        conn.execute("PRAGMA busy_timeout=10000")
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

    def submit(
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
