"""Admission, sharing and caching in front of the export workers (P180-P185).

- A render is admitted only while the board has fewer than `per_board` and the server
  fewer than `total` renders admitted (rendering or waiting); else `ExportBusyError`
  (HTTP 429 with Retry-After).
- Identical requests (same board content, format and options) share one render; the
  render is cancelled, and its worker replaced, when the last of them has gone.
- Results are kept in a byte-bounded LRU cache keyed by the board's content hash, so any
  change to the board is a different key.

Usage::

    async with ExportQueue(pool, per_board=2, total=8, cache_bytes=..., seconds=120) as q:
        data = await q.render(key, board_id, job)
"""

from __future__ import annotations

import contextlib
import math
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType

import anyio
from anyio.abc import TaskGroup

from .export_job import RenderJob
from .export_pool import ExportFailedError, ExportTimeoutError, WorkerPool
from .metrics import Metrics

CacheKey = tuple[object, ...]


class ExportBusyError(Exception):
    """Too many exports admitted; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Flight:
    board: str
    job: RenderJob
    done: anyio.Event = field(default_factory=anyio.Event)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    waiters: int = 0
    result: bytes | None = None
    error: Exception | None = None


class ExportQueue:
    def __init__(
        self,
        pool: WorkerPool,
        *,
        per_board: int,
        total: int,
        cache_bytes: int,
        seconds: float,
        metrics: Metrics,
    ) -> None:
        if per_board < 1 or total < 1 or seconds <= 0 or cache_bytes < 0:
            raise ValueError(
                "COCANVAS_EXPORT_QUEUE_PER_BOARD and _TOTAL must be at least 1, "
                "COCANVAS_EXPORT_SECONDS above 0 and COCANVAS_EXPORT_CACHE_BYTES not negative"
            )
        self.pool = pool
        self.per_board = per_board
        self.total = total
        self.cache_bytes = cache_bytes
        self.seconds = seconds
        self.metrics = metrics
        self._cache: OrderedDict[CacheKey, bytes] = OrderedDict()
        self._cached = 0
        self._flights: dict[CacheKey, _Flight] = {}
        self._per_board: dict[str, int] = {}
        self._average = 1.0  # seconds per render, moving average, for Retry-After
        self._tg: TaskGroup | None = None

    async def __aenter__(self) -> ExportQueue:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        await self._tg.__aexit__(et, e, tb)
        self._tg = None

    @property
    def admitted(self) -> int:
        """Renders admitted and not finished, on all boards."""
        return sum(self._per_board.values())

    async def render(self, key: CacheKey, board: str, job: RenderJob) -> bytes:
        """The file for `job`: from the cache, a render in progress, or a new render.

        Raises:
            ExportBusyError: the board's or the server's queue is full.
            ExportTimeoutError, ExportFailedError: from the render (see export_pool).
        """
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.metrics.export_requests.labels("hit").inc()
            return cached
        flight = self._flights.get(key)
        if flight is not None:
            self.metrics.export_requests.labels("shared").inc()
        else:
            flight = self._admit(key, board, job)
            self.metrics.export_requests.labels("rendered").inc()
        flight.waiters += 1
        try:
            await flight.done.wait()
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.done.is_set():
                # the last client has gone (P183); a later request starts afresh
                flight.scope.cancel()
                if self._flights.get(key) is flight:
                    del self._flights[key]
        if flight.error is not None:
            raise flight.error
        assert flight.result is not None
        return flight.result

    @contextlib.asynccontextmanager
    async def slot(self, board: str) -> AsyncIterator[None]:
        """A place in the queue for work done outside the workers (the archive).

        Raises:
            ExportBusyError: the board's or the server's queue is full.
        """
        self._reserve(board)
        self.metrics.export_requests.labels("rendered").inc()
        try:
            yield
        finally:
            self._release(board)

    def _reserve(self, board: str) -> None:
        queued = self.admitted
        if self._per_board.get(board, 0) >= self.per_board or queued >= self.total:
            self.metrics.export_requests.labels("busy").inc()
            wait = self._average * (queued + 1) / self.pool.size
            raise ExportBusyError(
                "too many exports are being prepared; try again shortly",
                retry_after=max(1, min(math.ceil(wait), math.ceil(self.seconds))),
            )
        self._per_board[board] = self._per_board.get(board, 0) + 1
        self.metrics.export_queued.set(self.admitted)

    def _release(self, board: str) -> None:
        left = self._per_board[board] - 1
        if left:
            self._per_board[board] = left
        else:
            del self._per_board[board]
        self.metrics.export_queued.set(self.admitted)

    def _admit(self, key: CacheKey, board: str, job: RenderJob) -> _Flight:
        self._reserve(board)
        flight = _Flight(board, job)
        self._flights[key] = flight
        assert self._tg is not None, "use ExportQueue in `async with`"
        self._tg.start_soon(self._fly, key, flight)
        return flight

    async def _fly(self, key: CacheKey, flight: _Flight) -> None:
        outcome = "cancelled"
        started = anyio.current_time()
        try:
            with flight.scope:
                try:
                    flight.result = await self.pool.run(flight.job, self.seconds)
                    outcome = "ok"
                except ExportTimeoutError as exc:
                    flight.error, outcome = exc, "timeout"
                except ExportFailedError as exc:  # handed to every waiting request
                    flight.error, outcome = exc, "failed"
            if flight.result is not None:
                elapsed = anyio.current_time() - started
                self._average = 0.7 * self._average + 0.3 * elapsed
                self._store(key, flight.result)
        finally:
            self.metrics.export_renders.labels(outcome).inc()
            if self._flights.get(key) is flight:
                del self._flights[key]
            self._release(flight.board)
            if flight.result is None and flight.error is None:
                flight.error = ExportFailedError("the export was cancelled")
            flight.done.set()

    def _store(self, key: CacheKey, data: bytes) -> None:
        # one export may take at most a quarter, so a huge file cannot flush all others
        if len(data) > self.cache_bytes // 4:
            return
        self._cache[key] = data
        self._cached += len(data)
        while self._cached > self.cache_bytes:
            _, old = self._cache.popitem(last=False)
            self._cached -= len(old)
        self.metrics.export_cache_bytes.set(self._cached)
