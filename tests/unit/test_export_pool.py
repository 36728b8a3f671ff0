"""Export worker processes: framing, errors, and dying with their parent (P184-P186)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from server.export_job import RenderJob, run_job
from server.export_pool import ExportFailedError, ExportTimeoutError, WorkerPool
from server.export_queue import ExportQueue
from server.metrics import Metrics
from server.sync.document import new_doc
from tests.support.live import ROOT
from tests.support.poll import poll_until
from tests.unit.export_fixtures import canvas

pytestmark = pytest.mark.anyio


def job(fmt: str = "md") -> RenderJob:
    return RenderJob(
        fmt=fmt,
        state=new_doc().get_update(),
        canvas=canvas(),
        locale="de",
        exported_at=1_772_524_800.0,
        source_label=None,
        anonymize=False,
        board_id="b1",
    )


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"


async def test_p185_a_worker_renders_like_the_renderer_and_survives_a_failed_render() -> None:
    async with WorkerPool(1) as pool:
        (pid,) = pool.pids
        assert await pool.run(job(), seconds=60) == run_job(job())
        with pytest.raises(ExportFailedError, match="KeyError"):
            await pool.run(job("docx"), seconds=60)
        assert pool.pids == {pid}  # a renderer's error is no reason to kill the worker
        assert (await pool.run(job("csv"), seconds=60)).startswith(b"\xef\xbb\xbf")
    assert gone(pid)


async def test_p184_a_slow_render_kills_and_replaces_the_worker() -> None:
    async with WorkerPool(1) as pool:
        (pid,) = pool.pids
        with pytest.raises(ExportTimeoutError):
            await pool.run(job("pdf"), seconds=0.001)
        assert pid not in pool.pids and len(pool.pids) == 1
        assert gone(pid)
        assert (await pool.run(job(), seconds=60)) == run_job(job())


async def test_p183_a_cancelled_render_kills_and_replaces_the_worker() -> None:
    async with WorkerPool(1) as pool:
        (pid,) = pool.pids
        with anyio.move_on_after(0.001):
            await pool.run(job("pdf"), seconds=60)
        assert pid not in pool.pids and len(pool.pids) == 1 and gone(pid)


def test_p186_a_worker_whose_parent_is_already_gone_exits() -> None:
    # pid 1 is not this worker's parent: it behaves as an orphan and leaves at once
    worker = subprocess.run(
        [sys.executable, "-m", "server.export_worker", "1"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert worker.returncode == 1 and worker.stdout == b""


def test_p186_a_worker_dies_with_its_killed_parent() -> None:
    # The worker's stdin stays open here, so it cannot leave on end-of-input: only the
    # parent-death signal or the watchdog can end it.
    keep_r, keep_w = os.pipe()
    parent_code = (
        "import subprocess, sys, os, time\n"
        "w = subprocess.Popen([sys.executable, '-m', 'server.export_worker', str(os.getpid())],"
        f" stdin={keep_r}, stdout=subprocess.PIPE)\n"
        "assert w.stdout.read(1) == b'R'\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    try:
        with subprocess.Popen(
            [sys.executable, "-c", parent_code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            pass_fds=(keep_r,),
        ) as parent:
            try:
                assert parent.stdout is not None
                worker = int(parent.stdout.readline())  # the worker is ready
                assert not gone(worker)
                started = time.monotonic()
                os.kill(parent.pid, signal.SIGKILL)
                parent.wait(10)

                async def worker_gone() -> bool:
                    return gone(worker)

                anyio.run(poll_until, worker_gone, 10.0)
                assert time.monotonic() - started < 3
            finally:
                if parent.poll() is None:
                    parent.kill()
    finally:
        os.close(keep_r)
        os.close(keep_w)


async def test_p182_the_cache_keeps_within_its_bytes_and_forgets_the_oldest() -> None:
    metrics = Metrics()
    md = job("md")
    size = len(run_job(md))

    def sample(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    def hits() -> float | None:
        return sample("cocanvas_export_requests_total", result="hit")

    def rendered() -> float | None:
        return sample("cocanvas_export_requests_total", result="rendered")

    async with (
        WorkerPool(1, metrics) as pool,
        ExportQueue(
            pool, per_board=2, total=2, cache_bytes=size * 4, seconds=60, metrics=metrics
        ) as queue,
    ):
        for i in range(5):  # room for four
            assert await queue.render(("md", i), "b1", md) == run_job(md)
        assert sample("cocanvas_export_cache_bytes") == size * 4
        assert rendered() == 5
        await queue.render(("md", 4), "b1", md)
        assert hits() == 1
        await queue.render(("md", 0), "b1", md)  # the oldest was pushed out
        assert hits() == 1 and rendered() == 6
        # a file bigger than a quarter of the cache is not kept
        big = RenderJob(**{**md.__dict__, "fmt": "pdf"})
        await queue.render(("pdf",), "b1", big)
        await queue.render(("pdf",), "b1", big)
        assert hits() == 1 and rendered() == 8


async def test_p180_queue_bounds_below_one_are_refused() -> None:
    async with WorkerPool(1) as pool:
        with pytest.raises(ValueError, match="at least 1"):
            ExportQueue(pool, per_board=0, total=8, cache_bytes=0, seconds=1, metrics=Metrics())
