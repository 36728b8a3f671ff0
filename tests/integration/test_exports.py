"""The export queue against a real server: bounds, sharing, cache, cancellation, time limit,
and no worker left behind (PROTOCOL.md P180-P187)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pycrdt import Map, Text

from server.sync.vocabulary import Role
from tests.support.live import Board, LiveServer
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio
FIELDS = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3")


def auth(board: Board, role: Role = "viewer") -> dict[str, str]:
    return {"authorization": f"Bearer {board.tokens[role]}"}


async def fill(server: LiveServer, board: Board, notes: int, prefix: str = "n") -> None:
    """Write `notes` notes in one update, then wait until a new joiner sees them stored."""
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        with m.doc.transaction():
            for i in range(notes):
                text = f"{prefix}{i}: Bürgerbeteiligung und Sensoren im Quartier " * (1 + i % 3)
                m.notes[f"{prefix}{i}"] = Map(
                    {"field": FIELDS[i % len(FIELDS)], "text": Text(text)}
                )
        await m.flush()
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v:
        await v.wait_for(
            lambda: len([k for k in v.notes.keys() if k.startswith(prefix)]) == notes, 30
        )


def metrics(server: LiveServer) -> dict[str, float]:
    """Every sample of /metrics by its full name with labels."""
    text = httpx.get(f"{server.http}/metrics", timeout=10).text
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def metric(server: LiveServer, name: str) -> float:
    return metrics(server).get(name, 0.0)


def children(pid: int) -> set[int]:
    """Pids whose parent is `pid` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited while we looked
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def workers(server: LiveServer) -> set[int]:
    assert server.proc is not None
    return {
        p
        for p in children(server.proc.pid)
        if b"server.export_worker" in Path(f"/proc/{p}/cmdline").read_bytes()
    }


async def until_metric(server: LiveServer, name: str, check: Callable[[float], bool]) -> None:
    async def ok() -> bool:
        return check(await anyio.to_thread.run_sync(metric, server, name))

    await poll_until(ok, seconds=30, interval=0.02)


async def get(http: httpx.AsyncClient, server: LiveServer, board: Board, path: str) -> Any:
    return await http.get(f"{server.http}/api/boards/{board.id}/{path}", headers=auth(board))


async def test_p180_a_full_board_queue_answers_429_and_other_boards_are_served(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_EXPORT_QUEUE_PER_BOARD="2", COCANVAS_EXPORT_QUEUE_TOTAL="3")
    busy, other = server.create_board("busy"), server.create_board("other")
    await fill(server, busy, 120)
    await fill(server, other, 3)
    answers: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(timeout=120) as http, anyio.create_task_group() as tg:

        async def ask(path: str) -> None:
            answers[path] = await get(http, server, busy, path)

        # two different renders fill the board's queue (one renders, one waits)
        tg.start_soon(ask, "export.pdf")
        tg.start_soon(ask, "export.pdf?locale=en")
        await until_metric(server, "cocanvas_export_queued", lambda v: v == 2)
        refused = [
            await get(http, server, busy, path)
            for path in ("export.png", "export.pdf?anonymize=1", "export.md", "export.cocanvas")
        ]
        assert metric(server, "cocanvas_export_queued") == 2, "the first renders were too quick"
        for r in refused:
            assert r.status_code == 429, r.text
            assert 1 <= int(r.headers["retry-after"]) <= 180
            assert "try again" in r.json()["error"]
        # another board still gets its export while the busy board's queue is full
        served = await get(http, server, other, "export.md")
        assert served.status_code == 200 and "n2:" in served.text
    assert answers["export.pdf"].status_code == 200
    assert answers["export.pdf?locale=en"].status_code == 200
    assert answers["export.pdf"].content.startswith(b"%PDF")
    after = metrics(server)
    assert after['cocanvas_export_requests_total{result="busy"}'] == 4
    assert after['cocanvas_http_errors_total{status="429"}'] == 4
    assert after['cocanvas_export_renders_total{outcome="ok"}'] == 3
    # with the queue free again, the archive is served
    async with httpx.AsyncClient(timeout=120) as http:
        archive = await get(http, server, busy, "export.cocanvas")
    assert archive.status_code == 200 and len(archive.content) > 1000
    assert after["cocanvas_export_queued"] == 0


async def test_p180_the_server_wide_bound_refuses_a_third_board(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_EXPORT_QUEUE_PER_BOARD="2", COCANVAS_EXPORT_QUEUE_TOTAL="2")
    first, second = server.create_board("first"), server.create_board("second")
    await fill(server, first, 120)
    async with httpx.AsyncClient(timeout=120) as http, anyio.create_task_group() as tg:
        codes: list[int] = []

        async def ask(path: str) -> None:
            codes.append((await get(http, server, first, path)).status_code)

        tg.start_soon(ask, "export.pdf")
        tg.start_soon(ask, "export.png")
        await until_metric(server, "cocanvas_export_queued", lambda v: v == 2)
        refused = await get(http, server, second, "export.md")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert codes == [200, 200]
    assert (await anyio.to_thread.run_sync(httpx.get, f"{server.http}/healthz")).status_code == 200


async def test_p181_p187_identical_concurrent_requests_share_one_render(server: LiveServer) -> None:
    board = server.create_board("shared")
    await fill(server, board, 60)
    async with httpx.AsyncClient(timeout=120) as http:
        answers: list[httpx.Response] = []

        async def ask() -> None:
            answers.append(await get(http, server, board, "export.pdf"))

        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(ask)
    assert [r.status_code for r in answers] == [200] * 6
    assert len({r.content for r in answers}) == 1
    after = metrics(server)
    assert after['cocanvas_export_renders_total{outcome="ok"}'] == 1
    shared = after.get('cocanvas_export_requests_total{result="shared"}', 0)
    hits = after.get('cocanvas_export_requests_total{result="hit"}', 0)
    assert after['cocanvas_export_requests_total{result="rendered"}'] == 1
    assert shared + hits == 5


async def test_p182_a_second_request_is_a_cache_hit_until_the_board_changes(
    server: LiveServer,
) -> None:
    board = server.create_board("cached")
    await fill(server, board, 40)
    hit = 'cocanvas_export_requests_total{result="hit"}'
    rendered = 'cocanvas_export_requests_total{result="rendered"}'
    async with httpx.AsyncClient(timeout=120) as http:
        started = time.perf_counter()
        first = await get(http, server, board, "export.pdf")
        first_s = time.perf_counter() - started
        assert first.status_code == 200 and metric(server, rendered) == 1
        started = time.perf_counter()
        second = await get(http, server, board, "export.pdf")
        second_s = time.perf_counter() - started
        assert second.status_code == 200 and second.content == first.content
        assert metric(server, hit) == 1 and metric(server, rendered) == 1
        assert second_s < first_s, (first_s, second_s)
        # other options are another file
        english = await get(http, server, board, "export.pdf?locale=en")
        assert english.status_code == 200 and metric(server, rendered) == 2
        # any change to the board is a new version: rendered again, with the change
        async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
            await m.synced.wait()
            await m.add_note("late", "B1", "Nachzügler aus Ulm")
        async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v:
            await v.wait_for(lambda: "late" in v.notes)
        md = await get(http, server, board, "export.md")
        again = await get(http, server, board, "export.pdf")
        assert again.status_code == 200 and again.content != first.content
        assert "Nachzügler aus Ulm" in md.text
        assert metric(server, hit) == 1 and metric(server, rendered) == 4
    assert metric(server, "cocanvas_export_cache_bytes") > len(first.content)


async def test_p183_a_client_that_leaves_cancels_its_render(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board("left")
    await fill(server, board, 400)
    before = workers(server)
    assert len(before) == 1
    async with httpx.AsyncClient(timeout=120) as http, anyio.create_task_group() as tg:
        assert (await get(http, server, board, "export.md")).status_code == 200  # warm worker
        tg.start_soon(get, http, server, board, "export.pdf")
        await until_metric(server, "cocanvas_export_running", lambda v: v == 1)
        started = time.monotonic()
        tg.cancel_scope.cancel()  # the client goes away: its connection closes
    await until_metric(
        server, 'cocanvas_export_worker_restarts_total{reason="cancelled"}', lambda v: v == 1
    )
    stopped_after = time.monotonic() - started
    after = metrics(server)
    assert after['cocanvas_export_renders_total{outcome="cancelled"}'] == 1
    assert after['cocanvas_export_renders_total{outcome="ok"}'] == 1  # the warm-up only
    assert after["cocanvas_export_running"] == 0 and after["cocanvas_export_queued"] == 0
    (old,) = before
    assert not alive(old), "the abandoned render's worker must be gone"
    await poll_until(lambda: anyio.to_thread.run_sync(lambda: len(workers(server)) == 1))
    assert workers(server) != before
    assert stopped_after < 1.5, stopped_after
    # the new worker serves the next request
    async with httpx.AsyncClient(timeout=120) as http:
        r = await get(http, server, board, "export.md")
    assert r.status_code == 200


async def test_p184_a_render_over_the_time_limit_is_stopped(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_EXPORT_SECONDS="0.3")
    big, small = server.create_board("big"), server.create_board("small")
    await fill(server, big, 400)
    await fill(server, small, 1)
    (old,) = workers(server)
    async with httpx.AsyncClient(timeout=120) as http:
        # a small render first: the worker is warm, so the limit is all the big one gets
        warm = await get(http, server, small, "export.md")
        assert warm.status_code == 200, warm.text
        started = time.monotonic()
        r = await get(http, server, big, "export.pdf")
        took = time.monotonic() - started
        assert r.status_code == 503, r.text
        assert "longer than 0.3 s" in r.json()["error"]
        assert took < 3, took
        after = metrics(server)
        assert after['cocanvas_export_worker_restarts_total{reason="timeout"}'] == 1
        assert after['cocanvas_export_renders_total{outcome="timeout"}'] == 1
        assert not alive(old)
        ok = await get(http, server, small, "export.csv")
        assert ok.status_code == 200 and "n0:" in ok.text
    assert old not in workers(server) and len(workers(server)) == 1


async def test_p186_killing_the_server_leaves_no_export_worker_behind(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_EXPORT_WORKERS="2")
    board = server.create_board("killed")
    await fill(server, board, 400)
    assert server.proc is not None
    server_pid = server.proc.pid
    spawned = children(server_pid)
    pool = workers(server)
    assert len(pool) == 2 and pool <= spawned
    assert metric(server, "cocanvas_export_workers") == 2
    async with httpx.AsyncClient(timeout=120) as http, anyio.create_task_group() as tg:
        # both workers warm, so the kill comes mid-render
        for path in ("export.md", "export.csv"):
            assert (await get(http, server, board, path)).status_code == 200
        tg.start_soon(get, http, server, board, "export.pdf")
        await until_metric(server, "cocanvas_export_running", lambda v: v == 1)
        os.kill(server_pid, signal.SIGKILL)  # mid-render: no shutdown code runs
        killed = time.monotonic()
        server.proc.wait(10)
        tg.cancel_scope.cancel()
    server.proc = None

    async def all_gone() -> bool:
        return not any(alive(p) for p in spawned)

    # at once, not after the render: the kill came mid-render
    await poll_until(all_gone, seconds=10)
    assert time.monotonic() - killed < 1.5
    assert workers_of(server_pid) == []


def workers_of(parent: int) -> list[str]:
    """Export workers anywhere on the machine that were started by `parent`."""
    mine = f"server.export_worker\x00{parent}\x00".encode()
    return [
        e.name for e in Path("/proc").iterdir() if e.name.isdigit() and _cmdline(e).endswith(mine)
    ]


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""
