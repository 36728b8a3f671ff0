"""The group's decisions over real websockets: the moderator writes, edits and deletes them,
everyone reads them, nobody else may write, bad input changes nothing (PROTOCOL.md P230-P232)."""

from __future__ import annotations

import secrets

import pytest

from server.moderation.decisions import MAX_DECISIONS
from server.sync.vocabulary import DECISION_MAX_CHARS, Role
from tests.support.live import LiveServer
from tests.support.ops import control, refused
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def hello(c: PyClient, name: str) -> None:
    reply = await c.request("hello", pid=secrets.token_urlsafe(24), name=name, group=None)
    assert reply["ok"], reply


async def test_p230_moderator_writes_a_decision_everyone_reads_it(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        await hello(m, "Moderation")
        await p.add_note("n1", "A2", "Wir treffen uns monatlich")
        await m.wait_for(lambda: "n1" in m.view()["notes"])
        first = await m.request("decision.add", text="  Wir gründen einen Beirat. ", field="A1")
        assert first["ok"], first
        linked = await m.request("decision.add", text="Monatliche Treffen", note="n1")
        assert linked["ok"], linked
        await p.wait_for(lambda: len(control(p).get("decisions", [])) == 2)
        one, two = control(p)["decisions"]
        assert one["id"] == first["id"] and one["text"] == "Wir gründen einen Beirat."
        assert (one["field"], one["note"]) == ("A1", None)
        assert one["by"] == {"role": "moderator", "name": "Moderation"}
        # a note brings its field with it
        assert (two["field"], two["note"]) == ("A2", "n1")
        log = control(p)["log"]
        assert [e["op"] for e in log] == ["decision", "decision"]
        assert log[0]["details"] == {
            "id": first["id"],
            "text": "Wir gründen einen Beirat.",
            "field": "A1",
            "note": None,
        }


async def test_p231_edit_and_delete_append_to_the_log(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        ident = (await m.request("decision.add", text="Beirat ab Mai"))["id"]
        edited = await m.request("decision.edit", decision=ident, text="Beirat ab Juni", field="C1")
        assert edited["ok"], edited
        await m.wait_for(lambda: control(m)["decisions"][0]["text"] == "Beirat ab Juni")
        item = control(m)["decisions"][0]
        assert item["field"] == "C1" and item["edited_at"] >= item["at"]
        assert (await m.request("decision.delete", decision=ident))["ok"]
        await m.wait_for(lambda: control(m)["decisions"] == [])
        log = control(m)["log"]
        assert [e["op"] for e in log] == ["decision", "decision.edit", "decision.delete"]
        # the first entry still says what was decided at the time
        assert log[0]["details"]["text"] == "Beirat ab Mai"
        assert log[1]["details"]["before"] == "Beirat ab Mai"
        assert log[2]["details"]["text"] == "Beirat ab Juni"
        await refused(m, "decision.edit", "not_found", decision=ident, text="zu spät")
        await refused(m, "decision.delete", "not_found", decision=ident)


@pytest.mark.parametrize("role", ["participant", "viewer", "projector"])
async def test_p230_only_the_moderator_writes_decisions(
    shared_server: LiveServer, role: Role
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens[role]) as c,
    ):
        await m.synced.wait()
        await c.synced.wait()
        ident = (await m.request("decision.add", text="Beschluss"))["id"]
        await c.wait_for(lambda: len(control(c).get("decisions", [])) == 1)
        await refused(c, "decision.add", "forbidden", text="Meiner")
        await refused(c, "decision.edit", "forbidden", decision=ident, text="Anders")
        await refused(c, "decision.delete", "forbidden", decision=ident)
        assert [d["text"] for d in control(m)["decisions"]] == ["Beschluss"]


async def test_p230_bad_input_is_refused_and_changes_nothing(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await m.request("hello", pid=secrets.token_urlsafe(24))
        await m.add_note("n1", "A1", "Notiz")
        await refused(m, "decision.add", "invalid")
        await refused(m, "decision.add", "invalid", text="   \n ")
        await refused(m, "decision.add", "invalid", text=["Liste"])
        await refused(m, "decision.add", "invalid", text="x" * (DECISION_MAX_CHARS + 1))
        await refused(m, "decision.add", "not_found", text="ok", field="Z9")
        await refused(m, "decision.add", "invalid", text="ok", field={"id": "A1"})
        await refused(m, "decision.add", "not_found", text="ok", note="no-such-note")
        await refused(m, "decision.add", "invalid", text="ok", note="n1", field="B1")
        await refused(m, "decision.edit", "invalid", text="ok")
        assert control(m).get("decisions") is None
        assert control(m).get("log") is None
        assert (await m.request("decision.add", text="x" * DECISION_MAX_CHARS))["ok"]


async def test_p230_decisions_are_bounded(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        for n in range(MAX_DECISIONS):
            reply = await m.request("decision.add", text=f"Beschluss {n}")
            assert reply["ok"], reply
        await refused(m, "decision.add", "limit", text="einer zu viel")
        await m.wait_for(lambda: len(control(m)["decisions"]) == MAX_DECISIONS)
