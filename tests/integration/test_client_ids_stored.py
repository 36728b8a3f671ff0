"""A person's Yjs client ids stay theirs after the board unloads and on every node that
serves it (PROTOCOL.md P117): the holders are stored with the board."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec
from tests.integration.test_relay_nodes import client, has_notes, nodes  # noqa: F401
from tests.support.live import LiveServer
from tests.support.ops import ok
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient
from tests.unit.test_client_ids import refused_with_4510

pytestmark = pytest.mark.anyio


def ahead_under(c: PyClient, client_id: int, note_id: str) -> bytes:
    """A note written under `client_id` at its next clocks, as `c` has them."""
    fake: Doc[Any] = Doc(client_id=client_id)
    fake.apply_update(c.doc.get_update())
    have = fake.get_state()
    with fake.transaction():
        fake.get("notes", type=Map)[note_id] = Map({"field": "A1", "text": Text("Spam")})
    return fake.get_update(have)


async def unloaded(server: LiveServer) -> bool:
    async with httpx.AsyncClient() as http:
        return bool((await http.get(f"{server.http}/healthz")).json()["rooms"] == 0)


async def test_p117_a_persons_client_id_stays_theirs_after_the_board_unloads(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_ROOM_GRACE_SECONDS="0.1")
    board = server.create_board()
    token = board.tokens["participant"]
    pid = secrets.token_urlsafe(24)
    async with PyClient.connect(server.ws, board.id, token) as w:
        await w.synced.wait()
        await ok(w, "hello", pid=pid)
        await w.add_note("W0", "A1", "vor der Pause")
        await w.request("clock")
        replica = w.replica()
    await poll_until(lambda: unloaded(server))

    async with PyClient.connect(server.ws, board.id, token) as h:
        await h.synced.wait()
        await ok(h, "hello", pid=secrets.token_urlsafe(24))
        await h.send(codec.encode_sync_update(ahead_under(h, replica.client_id, "H")))
        await refused_with_4510(h)

    # the person comes back after another unload with what they wrote offline
    await poll_until(lambda: unloaded(server))
    async with PyClient.connect(server.ws, board.id, token, doc=replica) as back:
        await back.synced.wait()
        await ok(back, "hello", pid=pid)
        await back.add_note("W1", "A1", "im Zug geschrieben")
        await back.request("clock")
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v:
        await v.synced.wait()
        assert set(v.notes.keys()) == {"W0", "W1"}
        assert "H" not in v.notes


async def test_p117_a_client_id_held_on_one_node_is_held_on_the_other(
    nodes: tuple[LiveServer, LiveServer],  # noqa: F811
) -> None:
    a, b = nodes
    board = a.create_board()
    token = board.tokens["participant"]
    # b serves the board already when the id is claimed on a: the claim is relayed
    async with client(b, board.id, token) as early, client(a, board.id, token) as w:
        await ok(early, "hello", pid=secrets.token_urlsafe(24))
        await ok(w, "hello", pid=secrets.token_urlsafe(24))
        await w.add_note("W0", "A1", "auf Knoten a")
        await early.wait_for(has_notes(early, {"W0"}))
        await anyio.sleep(1.0)  # the claim's store write and its relay message
        await early.send(codec.encode_sync_update(ahead_under(early, w.doc.client_id, "H")))
        await refused_with_4510(early)
        # a node that loads the board later reads the holders from the store
        async with client(b, board.id, token) as late:
            await ok(late, "hello", pid=secrets.token_urlsafe(24))
            await late.send(codec.encode_sync_update(ahead_under(late, w.doc.client_id, "H")))
            await refused_with_4510(late)
        await w.add_note("W1", "A1", "weiter auf a")
        await w.request("clock")
        assert set(w.notes.keys()) == {"W0", "W1"}
