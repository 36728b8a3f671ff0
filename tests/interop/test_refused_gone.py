"""Stock Node yjs + y-websocket clients receive the collected compensation of a refused
update (ids and deletions, no content) and converge with the server (PROTOCOL.md P120)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .driver import NodeYjs

pytestmark = [pytest.mark.interop, pytest.mark.anyio]


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


def plain(doc: dict[str, Any]) -> dict[str, Any]:
    """Node's toJSON and pycrdt's view differ only in number types."""

    def fix(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return int(v) if isinstance(v, float) and v.is_integer() else v

    out: dict[str, Any] = fix(doc)
    return out


async def test_p120_stock_clients_converge_on_the_collected_compensation(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    await node.connect("b", url=shared_server.ws, room=board.id, params=params)
    await node.add_note("a", "open", field="A1", text="offen")
    await node.add_note("a", "shut", field="B1", text="geschlossen")
    await node.wait_for_doc("b", lambda d: {"open", "shut"} <= set(d["doc"]["notes"]))
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        assert (await m.request("lock.set", field="B1", locked=True))["ok"]
        await node.wait_for_doc("a", lambda d: "B1" in d["doc"]["control"].get("locks", {}))
        mark = node.mark()
        # too long: only its ids may stay; a refused delete: the note comes back as it was
        await node.insert_text("a", "open", 2, "ü" * 200_000)
        await node.delete_note("a", "shut")
        await node.set_root_key("a", "meta", "title", "t" * 50_000)
        await node.wait_for_event(lambda e: e.get("ev") == "permission-denied", since=mark)

        def reverted(d: dict[str, Any]) -> bool:
            notes = d["doc"]["notes"]
            return bool(
                notes.get("open", {}).get("text") == "offen"
                and notes.get("shut", {}).get("text") == "geschlossen"
                and d["doc"]["meta"]["title"] == "Test board"
            )

        for name in ("a", "b"):
            await node.wait_for_doc(name, reverted, timeout=20)
        await m.wait_for(lambda: m.view()["notes"]["open"]["text"] == "offen")
        await node.add_note("a", "later", field="A2", text="weiter")
        await m.wait_for(lambda: "later" in m.notes)
        dump_b = await node.wait_for_doc("b", lambda d: "later" in d["doc"]["notes"])
        dump_a = await node.dump("a")
        assert plain(dump_a["doc"]) == plain(dump_b["doc"]) == plain(m.view())
