"""Nothing accepted is lost: SIGKILL, restarts, compaction, idle unload (PROTOCOL.md P20-P22)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def canonical(view: dict[str, object]) -> bytes:
    return json.dumps(view, sort_keys=True, ensure_ascii=False).encode()


async def test_p20_sigkill_keeps_every_update_another_client_received(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as a,
        PyClient.connect(server.ws, board.id, token) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        for i in range(60):
            await a.add_note(f"n{i}", "A1" if i % 2 else "B1", f"Idee {i}: Bürgerrat")
        await a.insert_text("n7", 0, "Wichtig: ")
        await b.wait_for(lambda: len(b.notes) == 60 and str(b.notes["n7"]["text"]).startswith("W"))
        seen_by_b = canonical(b.view())
        server.kill()
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as c:
        await c.synced.wait()
        assert canonical(c.view()) == seen_by_b


async def test_p22_restart_after_compaction_gives_a_byte_equal_board(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_COMPACT_AFTER_ROWS="7")
    board = server.create_board()
    token = board.tokens["moderator"]
    async with PyClient.connect(server.ws, board.id, token) as a:
        await a.synced.wait()
        for i in range(30):
            await a.add_note(f"n{i}", "C3", f"Schritt {i} 🚲", kind="action", done=i % 3 == 0)
        await a.insert_text("n1", 3, " مرحبا ")
        await a.request("clock")
        before = canonical(a.view())
    server.stop()  # graceful: unload compacts
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as b:
        await b.synced.wait()
        assert canonical(b.view()) == before


async def test_p23_idle_board_unloads_and_reloads_identical(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_ROOM_GRACE_SECONDS="0.3")
    board = server.create_board()
    token = board.tokens["participant"]
    async with PyClient.connect(server.ws, board.id, token) as a:
        await a.synced.wait()
        await a.add_note("n", "A4", "bleibt")
        await a.request("clock")
        before = canonical(a.view())
    async with httpx.AsyncClient() as http:

        async def unloaded() -> bool:
            health = await http.get(f"{server.http}/healthz")
            return bool(health.json()["rooms"] == 0)

        await poll_until(unloaded)
    async with PyClient.connect(server.ws, board.id, token) as b:
        await b.synced.wait()
        assert canonical(b.view()) == before


async def test_p221_sigterm_closes_clients_with_4501_before_the_transport_goes(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as a,
        PyClient.connect(server.ws, board.id, token) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        await a.add_note("n", "A1", "gesichert")
        await b.wait_for(lambda: "n" in b.notes)
        server.stop()  # SIGTERM
        for client in (a, b):
            await client.closed.wait()
            assert client.close_info is not None
            assert client.close_info.code == 4501, client.close_info
    server.start()
    async with PyClient.connect(server.ws, board.id, token) as c:
        await c.synced.wait()
        assert str(c.notes["n"]["text"]) == "gesichert"
