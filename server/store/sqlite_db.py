"""A SQLite database for one writer: group commit, WAL checkpoints, a reader thread.

Writes are queued jobs; each batch of jobs that arrived together commits in one
transaction (group commit), every job in its own savepoint so one failing job does not
take the others with it (sqlite_txn.py). Small writes submitted during one turn of the
event loop commit together in a callback at the end of that turn (P367): in WAL mode
with synchronous=NORMAL a commit does not wait for the disk and costs less than handing
it to a thread. Heavy jobs (compactions, snapshots) and everything under
synchronous=FULL run on the writer thread. Reads use their own connection and thread,
and so do WAL checkpoints while commits go on (P202, sqlite_ckpt.py).

Deleted means deleted (PROTOCOL.md P200, P202). secure_delete overwrites deleted rows
and freed pages with zeros, but SQLite leaves old copies of cells in the unused middle
of pages it rebuilt when splitting or merging them; only rewriting the file removes
those, so erasing a board ends with vacuum(): VACUUM, then a TRUNCATE checkpoint that
empties the WAL, the other place old page images live. The WAL is checkpointed when it
passes 4 MiB and truncated once the store has been idle for a while, so
it stays small all day.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from . import sqlite_txn
from .base import StoreError
from .sqlite_ckpt import Checkpointer
from .sqlite_txn import BUSY_TIMEOUT_MS, AfterCommit, run_batch, truncate_wal

log = logging.getLogger(__name__)
T = TypeVar("T")

_Job = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]", bool]  # bool: heavy
WAL_KEEP_BYTES = 1024 * 1024  # journal_size_limit: what a reused WAL is cut back to
IDLE_CHECKPOINT_SECONDS = 10.0  # no writes for this long: truncate the WAL


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
        self._last_write = time.monotonic()
        self._wal_dirty = False  # written since the WAL was last truncated
        self._idle_task: asyncio.Task[None] | None = None
        # queued writes; None stops the writer. Light writes commit in a loop callback
        # (_write_now); the writer task runs the rest on the thread (P367)
        self._jobs: deque[_Job | None] = deque()
        self._busy = False  # a batch is running: the connection is in use
        self._soon = False  # _write_now is scheduled
        self._wake: asyncio.Future[None] | None = None  # set while the writer task waits
        self._writer_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-w")
        self._reader_exec = ThreadPoolExecutor(1, thread_name_prefix="cocanvas-sqlite-r")
        self._ckpt = Checkpointer(self.wal_path, self._catch_up)  # P202: beside the writes
        # after one, the writer checkpoints the frames committed meanwhile (about 1 ms),
        # so that the WAL can start over
        self._catch_up_due = False
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
        await self._ckpt.open(self._connect)
        self._writer = asyncio.create_task(self._write_loop(), name="sqlite-writer")
        self._idle_task = asyncio.create_task(self._truncate_when_idle(), name="sqlite-idle")

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            await asyncio.gather(self._idle_task, return_exceptions=True)
            self._idle_task = None
        if self._writer is not None:
            self._jobs.append(None)
            self._wake_writer()
            await self._writer
            self._writer = None
        loop = asyncio.get_running_loop()
        await self._ckpt.close()
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
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._jobs.append((fn, fut, heavy))
        if self._busy or self._soon:
            return fut  # taken when the running batch ends
        if self.inline and not heavy and self._wake is not None:
            # the writer is idle: commit at the end of this loop turn, with whatever else
            # is submitted before then, without waking a task
            self._soon = True
            loop.call_soon(self._write_now)
        else:
            self._wake_writer()
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
        self._jobs.append((marker, fut, True))
        self._wake_writer()
        return fut

    def _wake_writer(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    @staticmethod
    def _is_light(job: _Job | None) -> bool:
        return job is not None and not job[2] and job[0] not in _MAINTENANCE

    def _light_batch(self) -> list[_Job]:
        """The light jobs at the head of the queue (at most max_batch)."""
        jobs = self._jobs
        batch: list[_Job] = []
        while jobs and len(batch) < self.max_batch:
            job = jobs[0]
            if job is None or not self._is_light(job):
                break
            jobs.popleft()
            batch.append(job)
        return batch

    def _write_now(self) -> None:
        """Commit the light jobs at the head of the queue on the loop (inline mode); hand
        anything else, and a checkpoint that fell due, to the writer task."""
        self._soon = False
        if self._busy:
            return
        batch = self._light_batch()
        if batch:
            self._busy = True
            started = time.perf_counter()
            try:
                results = self._run_batch(batch)
            except Exception as exc:  # a callback: nothing above would settle the futures
                self._failed(batch, exc)
            else:
                self._finish(batch, results, started)
            finally:
                self._busy = False
        if self._jobs:
            self._wake_writer()

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        jobs = self._jobs
        while True:
            if not jobs and not self._catch_up_due:
                self._wake = loop.create_future()
                try:
                    await self._wake
                finally:
                    self._wake = None
                continue
            if self._soon:
                await asyncio.sleep(0)  # _write_now takes the light jobs first
                continue
            running = self._ckpt.running
            if running is not None and jobs and not self._is_light(jobs[0]):
                # heavy writes wait for the checkpoint, so the WAL does not grow by
                # megabytes while it runs; light ones went on meanwhile
                await asyncio.wait((running,))
                continue
            self._busy = True
            try:
                if self._catch_up_due:
                    self._catch_up_due = False
                    if self._wconn is not None:
                        await loop.run_in_executor(
                            self._writer_exec, sqlite_txn.checkpoint, self._wconn
                        )
                    continue
                if jobs[0] is None:
                    jobs.popleft()
                    return
                first = jobs[0]
                assert first is not None
                if first[0] in _MAINTENANCE:
                    jobs.popleft()
                    await self._maintain_now(loop, first)
                    continue
                batch = self._light_batch()
                if not batch:
                    jobs.popleft()
                    batch = [first]  # a heavy job: a batch of its own
                await self._commit(loop, batch)
            finally:
                self._busy = False

    async def _maintain_now(self, loop: asyncio.AbstractEventLoop, job: _Job) -> None:
        marker, fut, _ = job
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
            self._failed(batch, exc)
            return
        self._finish(batch, results, started)

    def _failed(self, batch: list[_Job], exc: BaseException) -> None:
        log.error("database commit failed for %d writes: %s", len(batch), exc)
        for _, fut, _ in batch:
            if not fut.done():
                fut.set_exception(StoreError(f"database commit failed: {exc}"))

    def _finish(self, batch: list[_Job], results: list[tuple[bool, Any]], started: float) -> None:
        """Settle the batch's futures; start a WAL checkpoint when one is due."""
        self._last_write = time.monotonic()
        self._wal_dirty = True
        if self.commit_seconds is not None:
            self.commit_seconds(time.perf_counter() - started, len(batch))
        for (fn, fut, _), (ok, value) in zip(batch, results, strict=True):
            if ok and isinstance(fn, AfterCommit):
                fn.committed()
            if fut.done():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        # after the futures: fan-out does not wait for the checkpoint (P202)
        heavy = any(heavy for _, _, heavy in batch)
        self._ckpt.committed(len(batch), heavy, self._last_write)

    def _catch_up(self) -> None:
        """P202: after a checkpoint the writer checkpoints the frames committed meanwhile
        (about 1 ms), so that the next write starts the WAL over and cuts it back to
        WAL_KEEP_BYTES."""
        if self._writer is not None:
            self._catch_up_due = True
            self._wake_writer()

    def _truncate(self) -> bool:
        """Empty the WAL file (thread only); if readers keep it busy, it stays marked
        dirty and the idle task tries again later."""
        assert self._wconn is not None
        done = truncate_wal(self._wconn)
        if done:
            self._wal_dirty = False
            self._ckpt.since = 0
        return done

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
        assert self._wconn is not None
        return run_batch(self._wconn, [fn for fn, _, _ in batch])

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
