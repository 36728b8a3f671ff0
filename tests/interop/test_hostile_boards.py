"""A board attacked with deep updates still syncs in stock Node yjs clients (P100, P107).

yjs reads nested values recursively: a value ~10,000 deep stored on a board made every
browser fail with "Maximum call stack size exceeded", so the board was empty for everyone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.sync import codec
from server.sync.errors import CloseCode
from tests.support import hostile as h
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .driver import NodeYjs

pytestmark = [pytest.mark.interop, pytest.mark.anyio]


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


async def test_p100_attacked_board_still_syncs_in_a_stock_client(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board("Angegriffen")
    token = board.tokens["participant"]
    params = {"k": token}
    await node.connect("before", url=shared_server.ws, room=board.id, params=params)
    await node.add_note("before", "early", field="A1", text="vorher")
    attacks = [h.deep_any(10_000), h.deep_any_with_writes(1_500), h.map_chain(10_000)]
    for update in attacks:
        async with PyClient.connect(shared_server.ws, board.id, token) as attacker:
            await attacker.synced.wait()
            await attacker.send(codec.encode_sync_update(update))
            await attacker.closed.wait()
            assert attacker.close_info is not None
            assert attacker.close_info.code == CloseCode.FORBIDDEN
    async with PyClient.connect(shared_server.ws, board.id, token) as py:
        await py.synced.wait()
        await py.add_note("late", "B2", "nachher")
        await py.wait_for(lambda: "late" in py.notes)
        await py.request("clock")
    # the client that was there all along and a fresh one both see the whole board
    await node.connect("after", url=shared_server.ws, room=board.id, params=params)
    for name in ("before", "after"):
        dump = await node.wait_for_doc(name, lambda d: "late" in d["doc"]["notes"])
        assert set(dump["doc"]["notes"]) == {"early", "late"}
        assert dump["doc"]["meta"]["title"] == "Angegriffen"
        assert "locks" not in dump["doc"]["control"]
        assert dump["other_roots"] in ([], {})
    await node.add_note("after", "js", field="A2", text="geht")
    dump = await node.wait_for_doc("before", lambda d: "js" in d["doc"]["notes"])
    assert dump["synced"]
