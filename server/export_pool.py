"""Export worker processes that can be stopped: a render is killed, never abandoned.

A `ProcessPoolExecutor` cannot stop a running call, so a render whose client left, or
that ran over the time limit, went on to the end. Here each worker is our own child
process (`server.export_worker`) speaking length-prefixed frames over its stdin and
stdout; cancelling a render kills that process and starts a fresh one (P183, P184).

Usage::

    async with WorkerPool(workers=1, metrics=metrics) as pool:
        data = await pool.run(job, seconds=120.0)   # ExportTimeoutError after 120 s
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from .export_job import RenderJob
from .export_worker import LENGTH
from .metrics import Metrics

log = logging.getLogger(__name__)
READY_SECONDS = 120.0  # a fresh worker imports the renderers and fonts first
STOP_SECONDS = 5.0
ROOT = Path(__file__).resolve().parents[1]


class ExportTimeoutError(Exception):
    """The render ran over the time limit; its worker was killed and replaced."""


class ExportFailedError(Exception):
    """The renderer raised, or its worker died; the message says what happened."""


class _Worker:
    def __init__(self, proc: Process) -> None:
        self.proc = proc
        assert proc.stdout is not None and proc.stdin is not None
        self.stdout = BufferedByteReceiveStream(proc.stdout)
        self.stdin = proc.stdin
        self.ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def wait_ready(self) -> None:
        if not self.ready:
            with anyio.fail_after(READY_SECONDS):
                if await self.stdout.receive_exactly(1) != b"R":
                    raise ExportFailedError("export worker sent an unexpected greeting")
            self.ready = True

    async def call(self, job: RenderJob) -> bytes:
        body = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        await self.stdin.send(LENGTH.pack(len(body)) + body)
        status = await self.stdout.receive_exactly(1)
        size = LENGTH.unpack(await self.stdout.receive_exactly(LENGTH.size))[0]
        payload = await self.stdout.receive_exactly(size)
        if status != b"O":
            raise ExportFailedError(payload.decode(errors="replace"))
        return payload

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with anyio.move_on_after(STOP_SECONDS):
            await self.proc.wait()
        await self.proc.aclose()


async def _spawn() -> _Worker:
    # Spawned from the event loop's thread: PR_SET_PDEATHSIG follows the thread that
    # created the child, so a short-lived helper thread must never start a worker.
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    env = {**os.environ, "PYTHONPATH": path}
    proc = await anyio.open_process(
        [sys.executable, "-m", "server.export_worker", str(os.getpid())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        env=env,
    )
    return _Worker(proc)


class WorkerPool:
    """`workers` export processes; `run` hands a job to the next idle one (FIFO)."""

    def __init__(self, workers: int, metrics: Metrics | None = None) -> None:
        if workers < 1:
            raise ValueError("COCANVAS_EXPORT_WORKERS must be at least 1")
        self.size = workers
        self.running = 0
        self.pids: set[int] = set()
        self.metrics = metrics
        self._idle_send, self._idle_recv = anyio.create_memory_object_stream[_Worker](workers)
        self._all: set[_Worker] = set()

    async def __aenter__(self) -> WorkerPool:
        for _ in range(self.size):
            await self._add(await _spawn())
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            for worker in list(self._all):
                await self._drop(worker)
        self._idle_send.close()
        self._idle_recv.close()

    async def _add(self, worker: _Worker) -> None:
        self._all.add(worker)
        self.pids.add(worker.pid)
        self._gauges()
        self._idle_send.send_nowait(worker)

    async def _drop(self, worker: _Worker) -> None:
        self._all.discard(worker)
        self.pids.discard(worker.pid)
        await worker.kill()
        self._gauges()

    async def _replace(self, worker: _Worker, reason: str) -> None:
        log.info("export worker %d stopped (%s); starting a new one", worker.pid, reason)
        await self._drop(worker)
        if self.metrics is not None:
            self.metrics.export_restarts.labels(reason).inc()
        await self._add(await _spawn())

    @contextlib.asynccontextmanager
    async def _borrow(self) -> AsyncIterator[_Worker]:
        worker = await self._idle_recv.receive()
        self.running += 1
        self._gauges()
        try:
            yield worker
        finally:
            self.running -= 1
            self._gauges()

    def _gauges(self) -> None:
        if self.metrics is not None:
            self.metrics.export_workers.set(len(self._all))
            self.metrics.export_running.set(self.running)

    async def run(self, job: RenderJob, seconds: float) -> bytes:
        """Render `job` in a worker; kill and replace the worker if cancelled or too slow.

        Raises:
            ExportTimeoutError: the render took longer than `seconds`.
            ExportFailedError: the renderer raised or the worker died.
        """
        async with self._borrow() as worker:
            reason = "cancelled"  # unless the render ends in one of the ways below
            try:
                try:
                    await worker.wait_ready()
                except (TimeoutError, anyio.EndOfStream, anyio.IncompleteRead) as exc:
                    reason = "crashed"
                    raise ExportFailedError("the export worker did not start") from exc
                started = time.monotonic()
                try:
                    with anyio.fail_after(seconds):
                        data = await worker.call(job)
                except TimeoutError:
                    reason = "timeout"
                    raise ExportTimeoutError(
                        f"the export took longer than {seconds:g} s and was stopped"
                    ) from None
                except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError) as exc:
                    reason = "crashed"
                    raise ExportFailedError("the export worker died") from exc
                except ExportFailedError:
                    reason = ""  # the renderer raised; the worker reads the next job
                    raise
                reason = ""
                if self.metrics is not None:
                    self.metrics.export_seconds.observe(time.monotonic() - started)
                return data
            finally:
                with anyio.CancelScope(shield=True):
                    if reason:
                        await self._replace(worker, reason)
                    else:
                        self._idle_send.send_nowait(worker)
