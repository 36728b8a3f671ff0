"""`cocanvas serve --store postgresql://...` end to end on a real PostgreSQL server
(tests/support/pgserver.py): clients converge, a restart keeps everything, and a database
that goes away mid-session pauses saving without acknowledging anything unstored (P20,
P220, P300, P301)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.pgserver import PgServer
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def readyz(server: LiveServer) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{server.http}/readyz")).status_code


async def test_p300_serve_on_postgres_converges_and_a_restart_keeps_everything(
    pg_url: str, start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server(COCANVAS_STORE_URL=pg_url)
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as a,
        PyClient.connect(server.ws, board.id, token) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        await a.add_note("na", "A1", "von A")
        await b.add_note("nb", "B2", "von B")
        await a.wait_for(lambda: "nb" in a.notes)
        await b.wait_for(lambda: "na" in b.notes)
        assert a.view() == b.view()
        await b.request("clock")  # P21: answered once everything before it is stored
        expected = a.view()
    server.kill()  # P20: what the clients received is in the log, without a compaction
    assert not (tmp_path / "data" / "cocanvas.db").exists(), "SQLite was used instead"
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as check:
        await check.synced.wait()
        assert check.view() == expected
    assert "postgresql://cocanvas@127.0.0.1" in server.log()


async def test_p220_postgres_stopping_mid_session_acknowledges_nothing_unstored(
    pg_server: PgServer, pg_url: str, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(COCANVAS_STORE_URL=pg_url)
    board = server.create_board()
    token = board.tokens["participant"]
    try:
        async with (
            PyClient.connect(server.ws, board.id, token) as writer,
            PyClient.connect(server.ws, board.id, token) as observer,
        ):
            await writer.synced.wait()
            await observer.synced.wait()
            await writer.add_note("before", "A1", "gespeichert")
            await observer.wait_for(lambda: "before" in observer.notes)
            pg_server.stop()
            await writer.add_note("during", "A1", "nicht gespeichert")
            with anyio.fail_after(15):
                await writer.closed.wait()
                await observer.closed.wait()
            assert writer.close_info is not None and writer.close_info.code == 4504
            assert observer.close_info is not None and observer.close_info.code == 4504
            assert "during" not in observer.notes  # P20: never fanned out unstored
            assert await readyz(server) == 503
            written = writer.doc
    finally:
        pg_server.start()

    async def ready() -> bool:
        return await readyz(server) == 200

    await poll_until(ready, seconds=30)  # the room stored the whole document again
    async with PyClient.connect(server.ws, board.id, token, doc=written) as again:
        with anyio.fail_after(10):
            await again.synced.wait()
        await again.add_note("after", "B1", "wieder da")
        await again.request("clock")
    server.stop()
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as check:
        with anyio.fail_after(10):
            await check.synced.wait()
        assert {"before", "during", "after"} <= set(check.notes.keys())


async def test_p302_a_login_while_postgres_is_down_closes_with_4504(
    pg_server: PgServer, pg_url: str, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(COCANVAS_STORE_URL=pg_url)
    board = server.create_board()
    pg_server.stop()
    try:
        async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as late:
            with anyio.fail_after(15):
                await late.closed.wait()
            assert late.close_info is not None and late.close_info.code == 4504
            assert "retry later" in late.close_info.reason
    finally:
        pg_server.start()
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as back:
        with anyio.fail_after(10):
            await back.synced.wait()
