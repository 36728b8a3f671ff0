"""A stock yjs client clusters notes the way the board does (PROTOCOL.md P270): both keys in
one transaction stand; a group id without its heading, one key at a time, is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .driver import NodeYjs

pytestmark = [pytest.mark.interop, pytest.mark.anyio]


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


async def test_p270_stock_client_groups_with_both_keys_and_never_with_one(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    await node.connect("a", url=shared_server.ws, room=board.id, params={"k": token})
    async with PyClient.connect(shared_server.ws, board.id, token) as py:
        await py.synced.wait()
        group = {"cluster": "g-js", "heading": "Aus Node"}
        await node.add_note("a", "js-1", field="A1", text="eins", extra=group)
        await node.add_note("a", "js-2", field="A1", text="zwei", extra=group)
        await py.wait_for(lambda: {"js-1", "js-2"} <= set(py.notes.keys()))
        assert {py.view()["notes"][n]["heading"] for n in ("js-1", "js-2")} == {"Aus Node"}
        # a stock client that writes the group id alone is refused, and converges back
        await node.add_note("a", "js-3", field="A1", text="drei")
        await py.wait_for(lambda: "js-3" in py.notes)
        await node.set_key("a", "js-3", "cluster", "g-js")
        await node.wait_for_doc("a", lambda d: "cluster" not in d["doc"]["notes"]["js-3"])
        assert "cluster" not in py.view()["notes"]["js-3"]
        assert py.view()["notes"]["js-1"]["cluster"] == "g-js"
