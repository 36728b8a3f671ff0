"""On a real server: a catch-up update is judged per note (PROTOCOL.md P260-P263)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec
from tests.support.live import Board, LiveServer
from tests.support.ops import ok
from tests.support.pyclient import REMOTE, PyClient

pytestmark = pytest.mark.anyio

OPEN_FIELDS = ("B1", "B2", "C1", "C2")


def events(c: PyClient, name: str) -> list[dict[str, Any]]:
    return [m for m in c.app_messages if m.get("ev") == name]


def stored_text(server: LiveServer, board: Board) -> str:
    r = httpx.get(
        f"{server.http}/api/boards/{board.id}/export.json",
        headers={"authorization": f"Bearer {board.tokens['moderator']}"},
        timeout=30,
    )
    r.raise_for_status()
    return r.text


async def catch_up(c: PyClient, offline: Doc[Any]) -> None:
    """Send what `offline` holds beyond the server's state as one SyncStep2, as a client
    does after reconnecting."""
    update = offline.get_update(c.doc.get_state())
    c.send_local = False
    with c.doc.transaction(origin=REMOTE):
        c.doc.apply_update(update)
    await c.send(codec.encode_sync_step2(update))


async def test_p260_p263_offline_catch_up_keeps_eleven_open_notes_and_parks_the_locked_one(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    secret = "NUR-ENTWURF-" + secrets.token_hex(6)
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "hello", pid=secrets.token_urlsafe(24))
        await m.add_note("a1", "A1", "Ausgangslage")
        # the participant's replica as it was when it went offline
        offline: Doc[Any] = Doc()
        offline.apply_update(m.doc.get_update())
        await ok(m, "lock.set", field="A1", locked=True)
        # offline: one edit in the field locked meanwhile, eleven notes in open fields
        notes = offline.get("notes", type=Map)
        with offline.transaction():
            body = notes["a1"]["text"]
            assert isinstance(body, Text)
            body.insert(len(str(body).encode()), " " + secret)
            for i in range(11):
                fld = OPEN_FIELDS[i % len(OPEN_FIELDS)]
                notes[f"open{i}"] = Map({"field": fld, "text": Text(f"Idee {i}"), "x": 0.5})
        async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
            await p.synced.wait()
            await ok(p, "hello", pid=secrets.token_urlsafe(24))
            await catch_up(p, offline)
            await p.wait_for(lambda: bool(events(p, "rejected")))
            event = events(p, "rejected")[0]
            assert event["code"] == "locked"
            assert event["params"] == {"field": "A1"}
            assert event["whole"] is False
            assert event["notes"] == [{"id": "a1", "code": "locked", "params": {"field": "A1"}}]
            assert event["parked"] == [
                {"id": "a1", "field": "A1", "text": f"Ausgangslage {secret}"}
            ]

            def settled(c: PyClient) -> bool:
                view = c.view()["notes"]
                opened = {k for k in view if k.startswith("open")}
                return len(opened) == 11 and view["a1"]["text"] == "Ausgangslage"

            await m.wait_for(lambda: settled(m))
            await p.wait_for(lambda: settled(p))
            await ok(m, "clock")
            await p.wait_for(lambda: p.view() == m.view())
            assert {m.view()["notes"][f"open{i}"]["text"] for i in range(11)} == {
                f"Idee {i}" for i in range(11)
            }
    # the refused words are nowhere on the server (P120), the eleven notes are
    text = stored_text(server, board)
    assert secret not in text
    assert all(f"Idee {i}" in text for i in range(11))


async def test_p262_p267_a_partner_and_an_action_written_offline_come_back_with_every_word(
    start_server: Callable[..., LiveServer],
) -> None:
    # a partner (table) and an action written offline into fields locked meanwhile: their
    # resources, tasks, owner ... go back with the text; the open note typed on before the
    # refusal arrived keeps what was typed (P267)
    server = start_server()
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "hello", pid=secrets.token_urlsafe(24))
        async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
            await p.synced.wait()
            await ok(p, "hello", pid=secrets.token_urlsafe(24))
            offline = p.replica()
            for fld in ("B4", "C3"):
                await ok(m, "lock.set", field=fld, locked=True)
            notes = offline.get("notes", type=Map)
            with offline.transaction():
                notes["partner"] = Map(
                    {
                        "kind": "partner",
                        "field": "B4",
                        "text": Text("Stadtteilverein"),
                        "resources": Text("Räume am Abend"),
                        "competences": Text(""),
                        "tasks": Text("Einladung verteilen"),
                    }
                )
                notes["action"] = Map(
                    {"kind": "action", "field": "C3", "text": Text(""), "owner": "Amt 61"}
                )
                notes["open"] = Map({"field": "B1", "text": Text("Idee")})
            await catch_up(p, offline)
            await p.wait_for(lambda: bool(events(p, "rejected")))
            await p.send_typed_ahead(offline, lambda d: _append(d, "open", " mit Bank"))
            event = events(p, "rejected")[0]
            assert sorted(n["id"] for n in event["notes"]) == ["action", "partner"]
            assert sorted(event["parked"], key=lambda d: str(d["id"])) == [
                {"id": "action", "field": "C3", "text": "", "keys": {"owner": "Amt 61"}},
                {
                    "id": "partner",
                    "field": "B4",
                    "text": "Stadtteilverein",
                    "keys": {"resources": "Räume am Abend", "tasks": "Einladung verteilen"},
                },
            ]
            await ok(p, "clock")
            await ok(m, "clock")
            await m.wait_for(lambda: m.view() == p.view())
            view = m.view()["notes"]
            assert view["open"]["text"] == "Idee mit Bank"
            assert "partner" not in view and "action" not in view
    text = stored_text(server, board)
    assert "Idee mit Bank" in text and "Einladung" not in text and "Amt 61" not in text


def _append(doc: Doc[Any], note_id: str, words: str) -> None:
    body = doc.get("notes", type=Map)[note_id]["text"]
    assert isinstance(body, Text)
    body.insert(len(str(body).encode()), words)


async def test_p31_a_write_to_control_still_refuses_the_whole_update(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await ok(p, "hello", pid=secrets.token_urlsafe(24))
        with p.doc.transaction():
            p.notes["fine"] = Map({"field": "B1", "text": Text("gut")})
            p.doc.get("control", type=Map)["locks"] = {"B1": False}
        await p.flush()
        await p.wait_for(lambda: bool(events(p, "rejected")))
        event = events(p, "rejected")[0]
        assert event["whole"] is True
        assert event["code"] == "forbidden"
        assert event["params"] == {"root": "control"}
        await p.wait_for(lambda: "fine" not in p.notes)


async def test_p261_partly_refused_update_keeps_edits_and_deletions_of_open_notes(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        await ok(p, "hello", pid=secrets.token_urlsafe(24))
        await m.add_note("locked", "A2", "fest")
        await m.add_note("edit", "B1", "Zäune")
        await m.add_note("gone", "B2", "weg damit")
        await p.wait_for(lambda: {"locked", "edit", "gone"} <= set(p.notes.keys()))
        await ok(m, "lock.set", field="A2", locked=True)
        await p.wait_for(lambda: "A2" in p.view()["control"].get("locks", {}))
        p.send_local = False  # the three changes leave as one update
        with p.doc.transaction():
            edit = p.notes["edit"]["text"]
            assert isinstance(edit, Text)
            edit.insert(0, "Grüne ")
            del p.notes["gone"]
            del p.notes["locked"]
        update = p.doc.get_update(m.doc.get_state())
        await p.send(codec.encode_sync_update(update))
        await m.wait_for(lambda: "gone" not in m.notes)
        await m.wait_for(lambda: m.view()["notes"]["edit"]["text"] == "Grüne Zäune")
        await p.wait_for(lambda: "locked" in p.notes)
        event = events(p, "rejected")[0]
        assert event["notes"] == [{"id": "locked", "code": "locked", "params": {"field": "A2"}}]
        assert "parked" not in event  # a deletion leaves no words to keep
        await ok(m, "clock")
        await p.wait_for(lambda: p.view() == m.view())


async def test_p264_a_late_note_reaches_moderators_and_is_accepted_into_a_locked_field(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as q,
    ):
        for c in (m, p, q):
            await c.synced.wait()
        await ok(m, "hello", pid=secrets.token_urlsafe(24))
        await ok(q, "hello", pid=secrets.token_urlsafe(24))
        author = (await ok(p, "hello", pid=secrets.token_urlsafe(24), name="Pia"))["author_id"]
        await ok(m, "lock.set", field="C1", locked=True)
        refused = await p.request("late.put", field="C1", text="   ")
        assert refused["error"]["code"] == "invalid"
        late_id = (await ok(p, "late.put", field="C1", text="zu spät, aber wichtig"))["id"]
        await m.wait_for(lambda: bool(events(m, "late.notes")))
        listed = events(m, "late.notes")[-1]["notes"]
        assert [(n["id"], n["field"], n["text"], n["author"]) for n in listed] == [
            (late_id, "C1", "zu spät, aber wichtig", "Pia")
        ]
        assert not events(q, "late.notes")  # other participants never see it
        denied = await q.request("late.accept", note=late_id)
        assert denied["error"]["code"] == "forbidden"
        await ok(m, "late.accept", note=late_id)
        for c in (m, p, q):

            def accepted(client: PyClient = c) -> bool:
                return late_id in client.notes

            await c.wait_for(accepted)
        note = q.view()["notes"][late_id]
        assert (note["field"], note["text"], note["author_id"]) == (
            "C1",
            "zu spät, aber wichtig",
            author,
        )
        assert "C1" in q.view()["control"]["locks"]  # the field stays locked
        await m.wait_for(lambda: events(m, "late.notes")[-1]["notes"] == [])
        again = await m.request("late.accept", note=late_id)
        assert again["error"]["code"] == "not_found"


async def test_p264_a_late_note_that_continues_the_writers_note_completes_it(
    start_server: Callable[..., LiveServer],
) -> None:
    """A lock came while Pia typed: the note stands with what arrived, her draft holds
    all of it. Accepting her late note completes her note instead of adding a second,
    nearly the same; words that do not continue it still make a note of their own."""
    server = start_server()
    board = server.create_board()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        await ok(m, "hello", pid=secrets.token_urlsafe(24))
        pia = (await ok(p, "hello", pid=secrets.token_urlsafe(24), name="Pia"))["author_id"]
        await p.add_note("mine", "C1", "Wir brauchen mehr und wer", author_id=pia)
        await m.wait_for(lambda: "mine" in m.notes)
        await ok(m, "lock.set", field="C1", locked=True)
        longer = "Wir brauchen mehr und wer sich kümmert"
        late_id = (await ok(p, "late.put", field="C1", text=longer, note="mine"))["id"]
        await m.wait_for(lambda: bool(events(m, "late.notes")))
        assert events(m, "late.notes")[-1]["notes"][0]["continues"] == "mine"
        assert (await ok(m, "late.accept", note=late_id))["id"] == "mine"
        await p.wait_for(lambda: p.view()["notes"]["mine"]["text"] == longer)
        assert late_id not in p.notes and len(p.notes) == 1
        # not a continuation (the note says something else now): a note of its own
        other = (await ok(p, "late.put", field="C1", text="Ganz anders", note="mine"))["id"]
        assert (await ok(m, "late.accept", note=other))["id"] == other
        await p.wait_for(lambda: other in p.notes)
        assert p.view()["notes"]["mine"]["text"] == longer


async def test_p262_a_full_board_refuses_the_catch_up_whole_and_hands_every_word_back(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_LIMIT_MAX_BOARD_BYTES="20000")
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await ok(p, "hello", pid=secrets.token_urlsafe(24))
        offline: Doc[Any] = Doc()
        offline.apply_update(p.doc.get_update())
        notes = offline.get("notes", type=Map)
        with offline.transaction():
            for i in range(6):
                notes[f"n{i}"] = Map({"field": "B1", "text": Text(f"Notiz {i} " + "w" * 4000)})
        await catch_up(p, offline)
        await p.wait_for(lambda: bool(events(p, "rejected")))
        event = events(p, "rejected")[0]
        assert (event["code"], event["whole"]) == ("limit", True)
        assert "bytes" in event["params"]
        assert sorted(d["id"] for d in event["parked"]) == [f"n{i}" for i in range(6)]
        assert all(d["text"].startswith("Notiz") for d in event["parked"])
        await p.wait_for(lambda: not p.view()["notes"])
