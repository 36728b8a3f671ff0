"""Stock Node yjs + y-websocket clients against the real cocanvas server, with Python peers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.sync.errors import CloseCode
from server.sync.vocabulary import Role
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .driver import NodeYjs, YClientCommandError

pytestmark = [pytest.mark.interop, pytest.mark.anyio]


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


def plain(notes: dict[str, Any]) -> dict[str, Any]:
    """Node's toJSON and pycrdt's view differ only in number types."""
    out: dict[str, Any] = {}
    for nid, note in notes.items():
        out[nid] = {
            k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in note.items()
        }
    return out


async def test_stock_and_python_clients_edit_together_and_converge(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    params = {"k": token}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    await node.connect("b", url=shared_server.ws, room=board.id, params=params)
    async with PyClient.connect(shared_server.ws, board.id, token) as py:
        await py.synced.wait()
        await node.add_note("a", "js-a", field="A1", text="Hallo aus Node", x=0.2, y=0.3)
        await node.add_note("b", "js-b", field="A3", text="Initiative", x=0.9, y=0.1)
        await py.add_note("py", "B2", "Mission aus Python")
        await node.wait_for_doc("a", lambda d: "js-b" in d["doc"]["notes"])
        await py.wait_for(lambda: "js-a" in py.notes)
        await node.insert_text("a", "js-b", 0, "→ ")
        await node.insert_text("b", "js-b", 10, " ✓")
        await py.insert_text("js-a", 0, "Grüße: ")
        await py.wait_for(lambda: len(py.notes) == 3)
        for name in ("a", "b"):
            await node.wait_for_doc(name, lambda d: len(d["doc"]["notes"]) == 3)

        def same(d: dict[str, Any]) -> bool:
            return bool(plain(d["doc"]["notes"]) == py.view()["notes"])

        await py.wait_for(lambda: str(py.notes["js-a"]["text"]).startswith("Grüße"))
        dump_a = await node.wait_for_doc("a", same)
        dump_b = await node.wait_for_doc("b", same)
        assert plain(dump_a["doc"]["notes"]) == plain(dump_b["doc"]["notes"])
        # where " ✓" lands depends on whether b had "→ " yet; both edits survive either way
        text = py.view()["notes"]["js-b"]["text"]
        assert text.replace(" ✓", "") == "→ Initiative" and text.count("✓") == 1


async def test_late_stock_client_gets_whole_board_and_presence(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect(
        "early",
        url=shared_server.ws,
        room=board.id,
        params=params,
        awareness={"user": {"name": "Ada", "group": "administration"}},
    )
    for i in range(40):
        await node.add_note("early", f"n{i}", field="B1", text=f"Handlungsfeld {i}")
    late = await node.connect(
        "late",
        url=shared_server.ws,
        room=board.id,
        params=params,
        awareness={"user": {"name": "Bea", "group": "youth"}},
    )
    assert late["ok"]
    dump = await node.dump("late")
    assert len(dump["doc"]["notes"]) == 40
    assert dump["doc"]["meta"]["title"] == "Test board"

    async def sees_ada() -> bool:
        states = await node.awareness("late")
        return any(s.get("user", {}).get("name") == "Ada" for s in states.values())

    await node.wait_for(sees_ada, what="late client sees Ada's presence")

    async def ada_sees_bea() -> bool:
        states = await node.awareness("early")
        return any(s.get("user", {}).get("name") == "Bea" for s in states.values())

    await node.wait_for(ada_sees_bea, what="Ada sees Bea")
    # leaving removes presence at once, not after 30 s
    await node.destroy("late")

    async def bea_gone() -> bool:
        states = await node.awareness("early")
        return not any(s.get("user", {}).get("name") == "Bea" for s in states.values())

    await node.wait_for(bea_gone, timeout=3, what="Bea's presence removed")


@pytest.mark.parametrize("role", ["viewer", "projector"])
async def test_stock_viewer_cannot_change_the_board(
    shared_server: LiveServer, node: NodeYjs, role: Role
) -> None:
    board = shared_server.create_board()
    await node.connect(
        "p", url=shared_server.ws, room=board.id, params={"k": board.tokens["participant"]}
    )
    # P142: the projector link is read-only like the viewer link, for stock clients too
    await node.connect("v", url=shared_server.ws, room=board.id, params={"k": board.tokens[role]})
    mark = node.mark()
    await node.add_note("v", "from-viewer", field="A1", text="nope")
    await node.wait_for_event(lambda e: e.get("ev") == "permission-denied", since=mark)
    await node.add_note("p", "from-participant", field="A1", text="yes")
    await node.wait_for_doc("v", lambda d: "from-participant" in d["doc"]["notes"])
    notes = await node.notes("p")
    assert set(notes) == {"from-participant"}


async def test_stock_client_write_to_meta_is_reverted_for_everyone(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    await node.connect("b", url=shared_server.ws, room=board.id, params=params)
    await node.set_root_key("a", "meta", "title", "gehackt")
    await node.wait_for_doc("a", lambda d: d["doc"]["meta"]["title"] == "Test board")
    await node.add_note("a", "after", field="A2", text="weiter geht's")
    dump = await node.wait_for_doc("b", lambda d: "after" in d["doc"]["notes"])
    assert dump["doc"]["meta"]["title"] == "Test board"


@pytest.mark.parametrize(
    ("token_role", "room", "code"),
    [
        (None, None, CloseCode.UNAUTHORIZED),
        ("participant", "nosuchboard", CloseCode.BOARD_NOT_FOUND),
    ],
)
async def test_stock_client_stops_on_permanent_close_codes(
    shared_server: LiveServer, node: NodeYjs, token_role: str | None, room: str | None, code: int
) -> None:
    board = shared_server.create_board()
    token = board.tokens[token_role] if token_role else "not-a-valid-token-at-all"
    with pytest.raises(YClientCommandError) as err:
        await node.connect("x", url=shared_server.ws, room=room or board.id, params={"k": token})
    assert err.value.reply["code"] == code


async def test_stock_client_edits_in_a_locked_field_are_reverted_and_all_converge(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    await node.connect("b", url=shared_server.ws, room=board.id, params=params)
    await node.add_note("a", "kept", field="A1", text="vorher")
    await node.wait_for_doc("b", lambda d: "kept" in d["doc"]["notes"])
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        reply = await m.request("lock.set", part="A", locked=True)
        assert reply["ok"], reply
        await node.wait_for_doc("a", lambda d: "A1" in d["doc"]["control"].get("locks", {}))
        mark = node.mark()
        await node.insert_text("a", "kept", 0, "geändert ")
        await node.add_note("a", "sneaky", field="A2", text="im gesperrten Feld")
        await node.set_key("a", "kept", "field", "C1")
        await node.delete_note("b", "kept")
        await node.wait_for_event(lambda e: e.get("ev") == "permission-denied", since=mark)

        def reverted(d: dict[str, Any]) -> bool:
            notes = d["doc"]["notes"]
            kept = notes.get("kept", {})
            return set(notes) == {"kept"} and (kept["field"], kept["text"]) == ("A1", "vorher")

        for name in ("a", "b"):
            await node.wait_for_doc(name, reverted)
        await m.wait_for(lambda: set(m.notes.keys()) == {"kept"})
        assert m.view()["notes"]["kept"]["text"] == "vorher"
        # after unlocking the same stock client edits normally
        assert (await m.request("lock.set", part="A", locked=False))["ok"]
        await node.wait_for_doc("a", lambda d: not d["doc"]["control"].get("locks"))
        await node.add_note("a", "later", field="A2", text="jetzt geht's")
        await m.wait_for(lambda: "later" in m.notes)


async def test_p250_stock_client_reads_the_innermost_timer_and_the_reopened_field(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        part = await m.request("timer.start", target="A", seconds=2700)
        field = await m.request("timer.start", target="A2", seconds=1, lock_on_end=True)
        assert part["ok"] and field["ok"] and field["nested_in"] == "A", (part, field)

        def timer(d: dict[str, Any]) -> dict[str, Any]:
            value: dict[str, Any] = d["doc"]["control"].get("timer", {})
            return value

        # `control.timer` keeps its old shape: the field timer, as a client without P250 reads it
        await node.wait_for_doc("a", lambda d: timer(d).get("state") == "done")
        doc = await node.dump("a")
        assert timer(doc)["target"] == "A2"
        assert doc["doc"]["control"]["timer_outer"]["ends_at"] == part["ends_at"]
        await node.wait_for_doc("a", lambda d: "A2" in d["doc"]["control"].get("locks", {}))
        more = await m.request("timer.extend", seconds=300)
        assert more["ok"], more
        await node.wait_for_doc(
            "a",
            lambda d: timer(d).get("state") == "running" and not d["doc"]["control"].get("locks"),
        )
        await node.add_note("a", "more", field="A2", text="mit mehr Zeit")
        await m.wait_for(lambda: "more" in m.notes)


async def test_p114_a_stock_client_typing_as_it_reconnects_after_offline_work_stays(
    shared_server: LiveServer, node: NodeYjs
) -> None:
    """y-websocket sends an edit the moment its socket opens, ahead of its SyncStep2:
    after offline work that edit refers to items the server does not have yet. It waits
    for them (P114) instead of stopping the client with 4400."""
    board = shared_server.create_board()
    params = {"k": board.tokens["participant"]}
    await node.connect("a", url=shared_server.ws, room=board.id, params=params)
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await node.add_note("a", "n1", field="A1", text="Start")
        await m.wait_for(lambda: "n1" in m.notes)
        since = node.mark()
        await node.disconnect("a")
        await node.wait_for_event(
            lambda e: e["client"] == "a" and e["ev"] == "status" and e["status"] == "disconnected",
            since=since,
        )
        await node.insert_text("a", "n1", 5, " offline")
        await node.reconnect("a", type_at_open={"note_id": "n1", "text": " und weiter"})
        want = "Start offline und weiter"
        await m.wait_for(lambda: str(m.notes["n1"]["text"]) == want, within=10)
        dump = await node.wait_for_doc("a", lambda d: d["synced"] and d["status"] == "connected")
        assert dump["doc"]["notes"]["n1"]["text"] == want
        events = await node.client_events("a")
        assert [c["code"] for c in events["closes"]] == [None]  # only its own disconnect
        assert m.view()["notes"]["n1"]["text"] == want
