"""A PostgreSQL database for one writer per node: group commit, a reader, reconnects.

Writes are queued jobs; the jobs that arrived together commit in one transaction (group
commit: one round of WAL flush for many appends). A batch first runs without savepoints;
if one job fails on its data (a duplicate key, say) the transaction is rolled back and
the batch runs again with a savepoint per job, so only that job fails. When the server
is unreachable every job of the batch fails with StoreError (P220) and the next batch
connects again. A commit whose answer was lost is reported as failed: nothing is ever
acknowledged that may not be stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from .base import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = AsyncConnection[TupleRow]
_Job = tuple[Callable[[Conn], Awaitable[Any]], "asyncio.Future[Any]", bool]  # bool: pipelined
MAX_BATCH = 512
CONNECT_TIMEOUT_SECONDS = 5
# a data error in one job; anything else (connection lost, server shut down) fails the batch
_JOB_ERRORS = (psycopg.errors.IntegrityError, psycopg.errors.DataError)
_RETRY_ERRORS = (*_JOB_ERRORS, StoreError, ValueError, KeyError)


def redact_url(url: str) -> str:
    """The URL without its password, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class PgDb:
    """Use as `async with PgDb(url, setup) as db:`; then `await db.submit(fn)` to write
    and `await db.read(fn)` to read; `fn` gets the connection."""

    def __init__(
        self, url: str, setup: Callable[[Conn], Awaitable[None]], max_batch: int = MAX_BATCH
    ) -> None:
        self.url = url
        self.name = redact_url(url)
        self.setup = setup
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._wconn: Conn | None = None
        self._rconn: Conn | None = None
        self._read_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self._begun = False  # the batch's transaction has started on the server
        self.commit_seconds: Callable[[float, int], None] | None = None

    async def __aenter__(self) -> PgDb:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- lifecycle ---------------------------------------------------------------------

    async def _connect(self) -> Conn:
        try:
            return await AsyncConnection.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the database {self.name}: {exc}") from exc

    async def open(self) -> None:
        conn = await self._connect()
        try:
            await self.setup(conn)
        except psycopg.Error as exc:
            await conn.close()
            raise StoreError(f"cannot prepare the database {self.name}: {exc}") from exc
        except StoreError:
            await conn.close()
            raise
        try:
            self._rconn = await self._connect()
        except StoreError:
            await conn.close()
            raise
        self._wconn = conn
        self._writer = asyncio.create_task(self._write_loop(), name="postgres-writer")

    async def close(self) -> None:
        if self._writer is not None:
            await self._queue.put(None)
            await self._writer
            self._writer = None
        for conn in (self._wconn, self._rconn):
            if conn is not None:
                await conn.close()
        self._wconn = self._rconn = None

    # ---- writer ------------------------------------------------------------------------

    def submit(
        self, fn: Callable[[Conn], Awaitable[T]], pipelined: bool = False
    ) -> asyncio.Future[T]:
        """Queue a write. `pipelined`: `fn` only sends statements and reads no result, so
        a batch of such jobs goes to the server in one round trip with its COMMIT."""
        if self._writer is None:
            raise StoreError("the store is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((fn, fut, pipelined))
        return fut

    async def flush(self) -> None:
        async def nothing(conn: Conn) -> None:
            return None

        await self.submit(nothing)

    async def _write_loop(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < self.max_batch and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            await self._commit(batch)
            if stopping:
                return

    async def _commit(self, batch: list[_Job]) -> None:
        started = time.perf_counter()
        try:
            results = await self._commit_batch(batch)
        except (psycopg.Error, StoreError, OSError) as exc:
            log.error("database commit failed for %d writes: %s", len(batch), exc)
            await self._drop_writer()
            for _, fut, _ in batch:
                if not fut.done():
                    fut.set_exception(StoreError(f"database commit failed: {exc}"))
            return
        if self.commit_seconds is not None:
            self.commit_seconds(time.perf_counter() - started, len(batch))
        for (_, fut, _), (ok, value) in zip(batch, results, strict=True):
            if fut.done():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)

    async def _commit_batch(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        for attempt in range(2):
            reused = self._wconn is not None and not self._wconn.closed
            if not reused:
                self._wconn = await self._connect()
            conn = self._wconn
            assert conn is not None
            self._begun = False
            try:
                try:
                    pipelined = all(p for _, _, p in batch)
                    return await self._run_batch(conn, batch, savepoints=False, pipelined=pipelined)
                except _RETRY_ERRORS:
                    return await self._run_batch(conn, batch, savepoints=True)
            except psycopg.OperationalError as exc:
                # an idle connection the server dropped (a restart) fails at BEGIN, before
                # any job ran: connect again once; anything later may have committed
                if attempt or not reused or self._begun:
                    raise
                log.info("database connection lost while idle; connecting again: %s", exc)
                await self._drop_writer()
        raise AssertionError("unreachable")

    async def _drop_writer(self) -> None:
        conn, self._wconn = self._wconn, None
        if conn is not None:
            try:
                await conn.close()
            except psycopg.Error as exc:
                log.debug("closing a broken connection: %s", exc)

    async def _run_batch(
        self, conn: Conn, batch: list[_Job], savepoints: bool, pipelined: bool = False
    ) -> list[tuple[bool, Any]]:
        results: list[tuple[bool, Any]] = []
        async with conn.transaction():
            # BEGIN has been answered: a connection lost from here on may have committed
            self._begun = True
            if pipelined:
                # the statements leave together and their answers come back together
                async with conn.pipeline():
                    for fn, _, _ in batch:
                        results.append((True, await fn(conn)))
                return results
            for fn, _, _ in batch:
                if not savepoints:
                    results.append((True, await fn(conn)))
                    continue
                try:
                    async with conn.transaction():  # a savepoint
                        value = await fn(conn)
                except _JOB_ERRORS as exc:
                    results.append((False, StoreError(str(exc))))
                except (StoreError, ValueError, KeyError) as exc:
                    results.append((False, exc))
                else:
                    results.append((True, value))
        return results

    # ---- reader ------------------------------------------------------------------------

    async def read(self, fn: Callable[[Conn], Awaitable[T]], snapshot: bool = False) -> T:
        """Run `fn` on the read connection; with `snapshot`, inside one REPEATABLE READ
        transaction, so several queries see the same moment."""
        if self._writer is None:
            raise StoreError("the store is not open")
        async with self._read_lock:
            for attempt in range(2):
                reused = self._rconn is not None and not self._rconn.closed
                try:
                    if not reused:
                        self._rconn = await self._connect()
                    conn = self._rconn
                    assert conn is not None
                    if not snapshot:
                        return await fn(conn)
                    async with conn.transaction():
                        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        return await fn(conn)
                except psycopg.OperationalError as exc:
                    broken, self._rconn = self._rconn, None
                    if broken is not None:
                        await broken.close()
                    if attempt or not reused:
                        raise StoreError(f"database read failed: {exc}") from exc
                    # reads may be repeated: a connection dropped while idle gets one retry
                except psycopg.Error as exc:
                    raise StoreError(f"database read failed: {exc}") from exc
            raise AssertionError("unreachable")

    async def maintain(self, sql: str) -> None:
        """Run a statement that cannot run in a transaction (VACUUM) on the reader."""

        async def run(conn: Conn) -> None:
            await conn.execute(sql.encode())

        await self.read(run)
