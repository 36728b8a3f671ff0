"""Deeply nested and foreign Yjs updates against the real server (P100-P111).

Without the pre-check, the 40,000-deep value killed the server process (SIGSEGV in yrs),
the 1,500-deep one made the policy observer raise so that writes to `meta` and `control`
stayed, and the archive route died the same way as the websocket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import msgpack
import pytest

from server.sync import codec
from server.sync.errors import CloseCode
from server.sync.precheck import ARCHIVE, CLIENT
from tests.support import hostile as h
from tests.support.live import Board, LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def attack(server: LiveServer, board: Board, update: bytes) -> int | None:
    """Send `update` as a participant; return the close code the server answered with."""
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as c:
        await c.synced.wait()
        await c.send(codec.encode_sync_update(update))
        await c.closed.wait()
        return c.close_info.code if c.close_info else None


async def answered_or_closed(client: PyClient) -> bool:
    """True when the server answered a request after what `client` sent; False when it
    closed the connection instead."""
    rid = await client.send_request("clock")
    await client.wait_for(
        lambda: client.closed.is_set() or any(m.get("re") == rid for m in client.app_messages)
    )
    return not client.closed.is_set()


async def fresh_view(server: LiveServer, board: Board) -> dict[str, Any]:
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as c:
        await c.synced.wait()
        return c.view()


def alive(server: LiveServer) -> bool:
    assert server.proc is not None
    healthy = httpx.get(f"{server.http}/healthz", timeout=5).status_code == 200
    return server.proc.poll() is None and healthy


@pytest.mark.parametrize(
    "update",
    [h.deep_any(40_000), h.map_chain(60_000), h.deep_any(10_000, root="meta", key="title")],
    ids=["any-40000", "map-chain-60000", "any-10000-in-meta"],
)
async def test_p100_p107_deep_updates_close_the_sender_and_the_server_lives(
    shared_server: LiveServer, update: bytes
) -> None:
    attacked = shared_server.create_board("Attacked")
    other = shared_server.create_board("Other")
    async with PyClient.connect(
        shared_server.ws, other.id, other.tokens["participant"]
    ) as bystander:
        await bystander.synced.wait()
        code = await attack(shared_server, attacked, update)
        assert code == CloseCode.FORBIDDEN
        assert alive(shared_server)
        # the other board's connection was never interrupted
        await bystander.add_note("still", "A1", "here")
        await bystander.request("clock")
        assert not bystander.closed.is_set()
    view = await fresh_view(shared_server, attacked)
    assert view["notes"] == {} and view["meta"]["title"] == "Attacked"
    async with PyClient.connect(shared_server.ws, attacked.id, attacked.tokens["participant"]) as c:
        await c.synced.wait()
        await c.add_note("after", "A2", "the board works")
        await c.wait_for(lambda: "after" in c.notes)
        await c.request("clock")
    assert set((await fresh_view(shared_server, attacked))["notes"]) == {"after"}


async def test_p100_deep_value_cannot_carry_meta_and_control_writes_past_the_policy(
    start_server: Any, tmp_path: Path
) -> None:
    server = start_server()
    board = server.create_board("Kept")
    assert await attack(server, board, h.deep_any_with_writes(1_500)) == CloseCode.FORBIDDEN
    before = await fresh_view(server, board)
    assert before["meta"]["title"] == "Kept" and "locks" not in before["control"]
    assert "deep" not in before["notes"]
    server.stop()
    server.start()  # nothing of it was stored either
    after = await fresh_view(server, board)
    assert after == before


async def test_p110_import_refuses_a_deep_archive_with_400(shared_server: LiveServer) -> None:
    def archive(state: bytes, snapshot_state: bytes) -> bytes:
        board = {
            "id": "deep",
            "canvas": "ko-kreation",
            "canvas_version": 1,
            "title": "Deep",
            "locale": "de",
            "created_at": 0,
        }
        snap = {
            "sid": "s1",
            "label": "x",
            "kind": "manual",
            "created_at": 0,
            "seq": 0,
            "notes": 0,
            "state": snapshot_state,
        }
        data = {"format": "cocanvas", "version": 1, "board": board, "state": state}
        packed: bytes = msgpack.packb({**data, "snapshots": [snap]}, use_bin_type=True)
        return packed

    fine = h.deep_any(ARCHIVE.max_any_depth)
    cases = {
        "state": archive(h.deep_any(40_000), fine),
        "snapshots[0].state": archive(fine, h.deep_any(40_000)),
    }
    async with httpx.AsyncClient(base_url=shared_server.http, timeout=30) as http:
        for where, body in cases.items():
            r = await http.post("/api/boards/import", content=body)
            assert r.status_code == 400, r.text
            assert where in r.text and "P100" in r.text
            assert alive(shared_server)
        # at the depth limit the pre-check lets it through; the board check (P82) then
        # judges the content: a bare value where a note belongs does not fit the canvas
        r = await http.post("/api/boards/import", content=archive(fine, fine))
        assert r.status_code == 400 and "does not fit canvas" in r.text, r.text
        assert "P100" not in r.text
        assert alive(shared_server)
    assert CLIENT.max_any_depth < ARCHIVE.max_any_depth


async def test_p115_a_process_holds_a_bounded_amount_of_waiting_updates(
    start_server: Any,
) -> None:
    waiting = h.waiting_update()
    server: LiveServer = start_server(COCANVAS_LIMIT_MAX_HELD_BYTES=str(len(waiting) + 8))
    first, second = server.create_board("Eins"), server.create_board("Zwei")
    async with PyClient.connect(server.ws, first.id, first.tokens["participant"]) as a:
        await a.synced.wait()
        await a.send(codec.encode_sync_update(waiting))
        await a.request("clock")  # judged: it waits (P114) and fills the bound
        with anyio.fail_after(10):
            code = await attack(server, second, h.waiting_update(ghost=4343))
        assert code == CloseCode.SERVER_ERROR  # the other board's edit: retried, not lost
        assert not a.closed.is_set() and alive(server)
    # the first connection ended: its bytes count no more (once the server saw it end),
    # and a reconnecting client's edit may wait again
    with anyio.fail_after(10):
        while True:
            async with PyClient.connect(server.ws, second.id, second.tokens["participant"]) as b:
                await b.synced.wait()
                await b.send(codec.encode_sync_update(waiting))
                if await answered_or_closed(b):
                    break
                assert b.close_info is not None and b.close_info.code == CloseCode.SERVER_ERROR
            await anyio.sleep(0.05)


async def test_p116_a_deletion_sent_ahead_never_takes_a_later_note(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board("Vorweg")
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as attacker,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as victim,
    ):
        await attacker.synced.wait()
        await victim.synced.wait()
        ahead = h.deletion({victim.doc.client_id: [(0, 1_000_000)]})
        await attacker.send(codec.encode_sync_update(ahead))
        await attacker.request("clock")  # judged: it waits for ids nobody sends
        await victim.add_note("n1", "A1", "meine kostbaren Worte")
        await victim.request("clock")
        assert not victim.denied
    view = await fresh_view(shared_server, board)
    assert view["notes"]["n1"]["text"] == "meine kostbaren Worte"
    assert alive(shared_server)
