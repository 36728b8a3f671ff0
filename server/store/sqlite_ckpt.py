"""WAL checkpoints beside the writes (PROTOCOL.md P202): a PASSIVE checkpoint copies the
WAL into the database file and waits for the disk (30-40 ms measured here), so it runs
on a SQLite connection and thread of its own while the writer goes on committing."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import sqlite_txn

log = logging.getLogger(__name__)
CHECKPOINT_AFTER = 1000  # committed writes between WAL checkpoints
WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024  # a bigger WAL is checkpointed after the batch
WAL_STAT_SECONDS = 0.05  # how often light commits look at the WAL's size


class Checkpointer:
    """One checkpoint at a time; one that falls due meanwhile is left to the next.
    `ended()` is called after each that succeeded."""

    def __init__(self, wal_path: Path, ended: Callable[[], None]) -> None:
        self._wal_path = wal_path
        self._ended = ended
        self._exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-c")
        self._conn: sqlite3.Connection | None = None
        self.running: asyncio.Future[None] | None = None
        self.since = 0  # writes committed since the last checkpoint
        self._stat_at = 0.0

    def committed(self, writes: int, heavy: bool, now: float) -> None:
        """A batch committed: checkpoint every CHECKPOINT_AFTER writes, or when the WAL
        passed WAL_CHECKPOINT_BYTES (its size is looked at after heavy writes and every
        WAL_STAT_SECONDS, not after every commit)."""
        self.since += writes
        stat = heavy or now - self._stat_at >= WAL_STAT_SECONDS
        if stat:
            self._stat_at = now
        if self.since >= CHECKPOINT_AFTER or (stat and self._wal_bytes() >= WAL_CHECKPOINT_BYTES):
            self.since = 0
            self._start()

    def _wal_bytes(self) -> int:
        try:
            return os.stat(self._wal_path).st_size
        except OSError:
            return 0

    async def open(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._conn = await asyncio.get_running_loop().run_in_executor(self._exec, connect)

    def _start(self) -> None:
        if self._conn is None or self.running is not None:
            return
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._exec, sqlite_txn.checkpoint, self._conn)
        self.running = fut

        def done(fut: asyncio.Future[None]) -> None:
            self.running = None
            if not fut.cancelled() and fut.exception() is not None:
                log.warning("WAL checkpoint failed (will retry): %s", fut.exception())
            else:
                self._ended()

        fut.add_done_callback(done)

    async def close(self) -> None:
        if self.running is not None:
            await asyncio.gather(self.running, return_exceptions=True)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.get_running_loop().run_in_executor(self._exec, conn.close)
        self._exec.shutdown(wait=True)
