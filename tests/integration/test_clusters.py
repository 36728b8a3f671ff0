"""Groups of notes on a real server: keys, where and who, hostile writes (PROTOCOL.md P270-P272)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pycrdt import Map

from server.sync.revert import added_ranges
from tests.support.live import LiveServer
from tests.support.ops import ok
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def rejected(c: PyClient) -> list[dict[str, Any]]:
    return [m for m in c.app_messages if m.get("ev") == "rejected"]


def group(cluster: str, heading: str) -> dict[str, Any]:
    return {"cluster": cluster, "heading": heading}


async def test_p270_p271_participants_group_rename_and_ungroup(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        await p.synced.wait()
        await m.synced.wait()
        await p.add_note("a", "A1", "Zeit", **group("g1", "Ressourcen"))
        await p.add_note("b", "A1", "Geld", order=2)
        await m.wait_for(lambda: {"a", "b"} <= set(m.notes.keys()))
        b = p.notes["b"]
        assert isinstance(b, Map)
        with p.doc.transaction():  # join the group
            b["cluster"] = "g1"
            b["heading"] = "Ressourcen"
        await p.flush()
        await m.wait_for(lambda: m.view()["notes"]["b"].get("cluster") == "g1")
        with p.doc.transaction():  # rename on every member, then ungroup one
            for note_id in ("a", "b"):
                note = p.notes[note_id]
                assert isinstance(note, Map)
                note["heading"] = "Was wir haben"
        await p.flush()
        with p.doc.transaction():
            del b["cluster"]
            del b["heading"]
        await p.flush()
        await m.wait_for(lambda: "cluster" not in m.view()["notes"]["b"])
        assert m.view()["notes"]["a"]["heading"] == "Was wir haben"
        assert rejected(p) == [] and p.denied == []


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ({"cluster": "g1"}, "go together"),  # a group id that points nowhere
        ({"heading": "Waise"}, "go together"),
        (group("g1", "x" * 100_000), "at most 120 characters"),  # a heading of 100 KB
        (group("g1", "<b>Zeile</b>\nzwei"), "one line of plain text"),
        (group("../../etc", "Pfad"), "letters, digits"),
        (group("g" * 65, "Lang"), "letters, digits"),
        ({"cluster": 7, "heading": "Zahl"}, "letters, digits"),
        ({"cluster": "g1", "heading": ["Liste"]}, "at most 120 characters"),
    ],
)
async def test_p270_bad_cluster_keys_are_refused_per_note(
    shared_server: LiveServer, keys: dict[str, Any], why: str
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        await p.synced.wait()
        await m.synced.wait()
        await p.request("hello", pid=secrets.token_urlsafe(24))
        await p.add_note("fine", "A2", "bleibt")
        await m.wait_for(lambda: "fine" in m.notes)
        with p.doc.transaction():  # one update: the bad note goes, the good one stands (P260)
            p.notes["bad"] = Map({"field": "A1", "text": "x", **keys})
            fine = p.notes["fine"]
            assert isinstance(fine, Map)
            fine["heading"] = "Gut"
            fine["cluster"] = "ok-1"
        await p.flush()
        await p.wait_for(lambda: len(rejected(p)) >= 1)
        event = rejected(p)[0]
        assert [n["id"] for n in event["notes"]] == ["bad"] and not event["whole"]
        assert why in event["reason"]
        await m.wait_for(lambda: m.view()["notes"]["fine"].get("cluster") == "ok-1")
        # the writer's copy of the net result may arrive after the moderator's
        await p.wait_for(lambda: "bad" not in p.notes)
        assert "bad" not in m.notes


async def test_p271_only_plain_note_fields_group(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.add_note("d", "A3", "Im Diagramm", x=0.5, y=0.5, **group("g1", "Nein"))
        await p.wait_for(lambda: any("plain note field" in d for d in p.denied))
        await p.add_note("n", "A1", "Hier", **group("g1", "Ja"))
        await p.request("clock")  # judged on its own, not in one burst with the move (P370)
        note = p.notes["n"]
        assert isinstance(note, Map)
        note["field"] = "C3"  # a move that keeps its group is refused
        note["kind"] = "action"
        await p.flush()
        await p.wait_for(lambda: sum("plain note field" in d for d in p.denied) >= 2)
        await p.wait_for(lambda: p.view()["notes"]["n"]["field"] == "A1")
        assert "d" not in p.notes


async def test_p271_grouping_in_a_locked_field_is_refused(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        await p.synced.wait()
        await m.synced.wait()
        await p.request("hello", pid=secrets.token_urlsafe(24))
        await p.add_note("a", "A1", "eins")
        await m.wait_for(lambda: "a" in m.notes)
        await ok(m, "lock.set", field="A1", locked=True)
        await p.wait_for(lambda: "A1" in p.view()["control"].get("locks", {}))
        note = p.notes["a"]
        assert isinstance(note, Map)
        with p.doc.transaction():
            note["cluster"] = "g1"
            note["heading"] = "Zu spät"
        await p.flush()
        await p.wait_for(lambda: any(r["code"] == "locked" for r in rejected(p)))
        await p.wait_for(lambda: "cluster" not in p.view()["notes"]["a"])
        # the moderator writes after the refused keys reached it too; written before, its
        # keys would race the refused ones like any two concurrent writes to one key
        await m.wait_for(lambda: not added_ranges(m.doc.get_state(), p.doc.get_state()))
        moderator_note = m.notes["a"]
        assert isinstance(moderator_note, Map)
        with m.doc.transaction():  # moderators may still group there (P36)
            moderator_note["cluster"] = "g1"
            moderator_note["heading"] = "Moderation"
        await m.flush()
        await p.wait_for(lambda: p.view()["notes"]["a"].get("heading") == "Moderation")
        assert "cluster" in m.view()["notes"]["a"]
