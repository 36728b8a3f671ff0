"""The stock-client driver works end to end against the reference ``@y/websocket-server``.

These tests check the harness (``yclient.mjs`` + ``driver.py``), not cocanvas: the reference
server is the yardstick for what a stock ``WebsocketProvider`` does with a plain y-websocket
server. Needs ``npm ci --prefix tests/interop`` and ``npm ci --prefix bench``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from .driver import NodeYjs, YClientCommandError
from .servers import REFERENCE_SERVER_JS, RunningServer, reference_server

pytestmark = pytest.mark.interop


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def reference(tmp_path: Path) -> AsyncIterator[RunningServer]:
    if not REFERENCE_SERVER_JS.is_file():
        message = "reference server missing: run `npm ci --prefix bench`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with reference_server(tmp_path) as server:
        yield server


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


def notes_of(dump: dict[str, Any]) -> dict[str, Any]:
    notes: dict[str, Any] = dump["doc"]["notes"]
    return notes


@pytest.mark.anyio
async def test_two_clients_converge_on_notes_and_text(
    reference: RunningServer, node: NodeYjs
) -> None:
    url, room = reference.ws_url, "converge"
    a = await node.connect("a", url=url, room=room)
    b = await node.connect("b", url=url, room=room)
    assert a["client_id"] != b["client_id"]

    await node.add_note("a", "n1", field="A1", text="Hallo", x=0.25, y=0.75, color="pink")
    await node.add_note(
        "b", "n2", field="B4", text="Welt", extra={"kind": "partner", "group": None}
    )
    await node.wait_for_doc("a", lambda d: "n2" in notes_of(d))
    await node.wait_for_doc("b", lambda d: "n1" in notes_of(d))

    # both edit both notes; UTF-16 indices as Yjs counts them ("😀" is two units)
    await node.insert_text("b", "n1", 5, " 😀!")
    await node.insert_text("a", "n2", 0, "schöne ")
    await node.set_key("a", "n1", "x", 0.5)
    await node.wait_for_doc("b", lambda d: notes_of(d)["n2"]["text"] == "schöne Welt")
    await node.delete_text("b", "n2", 0, 1)
    await node.set_key("b", "n2", "color", "green")

    dumps: dict[str, dict[str, Any]] = {}

    async def converged() -> bool:
        for name in ("a", "b"):
            dumps[name] = await node.dump(name)
        da, db = dumps["a"], dumps["b"]
        return bool(da["state_vector"] == db["state_vector"] and da["doc"] == db["doc"])

    await node.wait_for(converged, what="a and b converged")
    dump_a = dumps["a"]
    assert notes_of(dump_a) == {
        "n1": {"field": "A1", "text": "Hallo 😀!", "x": 0.5, "y": 0.75, "color": "pink"},
        "n2": {
            "field": "B4",
            "text": "chöne Welt",
            "x": 0.5,
            "y": 0.5,
            "color": "green",
            "kind": "partner",
            "group": None,
        },
    }

    await node.delete_note("a", "n2")
    await node.wait_for_doc("b", lambda d: set(notes_of(d)) == {"n1"})


@pytest.mark.anyio
async def test_clients_see_each_others_awareness(reference: RunningServer, node: NodeYjs) -> None:
    url, room = reference.ws_url, "presence"
    a = await node.connect("a", url=url, room=room, awareness={"user": {"name": "Ada"}})
    b = await node.connect("b", url=url, room=room)
    await node.set_awareness("b", {"user": {"name": "Bo"}, "cursor": {"x": 0.1, "y": 0.2}})
    id_a, id_b = a["client_id"], b["client_id"]

    async def sees(viewer: str, peer: int, state: Any) -> bool:
        states = await node.awareness(viewer)
        return bool(states.get(peer) == state)

    await node.wait_for(
        lambda: sees("a", id_b, {"user": {"name": "Bo"}, "cursor": {"x": 0.1, "y": 0.2}})
    )
    await node.wait_for(lambda: sees("b", id_a, {"user": {"name": "Ada"}}))

    # a leaves: the reference server nulls a's awareness for everyone at once
    await node.destroy("a")
    await node.wait_for(lambda: _absent(node, "b", id_a), what="a's awareness removed on b")


async def _absent(node: NodeYjs, viewer: str, peer: int) -> bool:
    return peer not in await node.awareness(viewer)


@pytest.mark.anyio
async def test_offline_edits_merge_on_reconnect(reference: RunningServer, node: NodeYjs) -> None:
    url, room = reference.ws_url, "offline"
    await node.connect("a", url=url, room=room)
    await node.connect("b", url=url, room=room)
    await node.add_note("a", "n1", field="A2", text="abc")
    await node.wait_for_doc("b", lambda d: "n1" in notes_of(d))

    since = node.mark()
    await node.disconnect("b")
    await node.wait_for_event(
        lambda e: e["client"] == "b" and e["ev"] == "status" and e["status"] == "disconnected",
        since=since,
    )
    await node.insert_text("b", "n1", 3, "def")  # offline, travels in b's SyncStep2
    await node.insert_text("a", "n1", 0, "X")
    await node.reconnect("b")

    def merged(d: dict[str, Any]) -> bool:
        return bool(notes_of(d).get("n1", {}).get("text") == "Xabcdef")

    await node.wait_for_doc("a", merged)
    await node.wait_for_doc("b", merged)
    events = await node.client_events("b")
    assert [c["local"] for c in events["closes"]] == [True]


@pytest.mark.anyio
async def test_root_writes_and_bursts_reach_peers(reference: RunningServer, node: NodeYjs) -> None:
    url, room = reference.ws_url, "roots"
    await node.connect("a", url=url, room=room)
    await node.connect("b", url=url, room=room)
    # the reference server enforces nothing; cocanvas must refuse these (DESIGN.md section 3)
    await node.set_root_key("a", "meta", "title", "hijacked")
    await node.set_root_key("a", "control", "locks", {"A1": True})
    await node.set_new_root("a", "evil", "k", 1)
    await node.burst("a", 200, prefix="burst-")
    dump = await node.wait_for_doc(
        "b",
        lambda d: (
            d["doc"]["meta"].get("title") == "hijacked"
            and d["other_roots"].get("evil") == {"k": 1}
            and len(notes_of(d)) == 200
        ),
    )
    assert dump["doc"]["control"] == {"locks": {"A1": True}}
    assert notes_of(dump)["burst-199"]["text"] == "burst- 199"


@pytest.mark.anyio
async def test_bad_commands_are_answered_not_fatal(reference: RunningServer, node: NodeYjs) -> None:
    reply = await node.request("no_such_command", "a")
    assert reply["ok"] is False and "unknown command" in reply["error"]
    reply = await node.request("dump", "nobody")
    assert reply["ok"] is False and "connect" in reply["error"]
    await node.connect("a", url=reference.ws_url, room="errors")
    with pytest.raises(YClientCommandError) as err:
        await node.insert_text("a", "missing-note", 0, "x")
    assert "does not exist" in str(err.value.reply["error"])
    with pytest.raises(YClientCommandError) as err:
        await node.connect("a", url=reference.ws_url, room="errors")
    assert "exists" in str(err.value.reply["error"])
    assert (await node.dump("a"))["synced"] is True
