"""Yjs client ids are held by one writer (PROTOCOL.md P117): structs written ahead under
another writer's id would take its next ids, and its own edits would vanish as duplicates.
A real Room on a real SQLite file, clients over in-memory channels."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import anyio
import pytest
from pycrdt import Doc, Map, Text, merge_updates

from server.sync import codec
from server.sync.errors import CloseCode
from tests.support.ops import ok
from tests.support.pyclient import PyClient
from tests.support.roomkit import RoomKit, running_room

pytestmark = pytest.mark.anyio


def ahead_under(kit: RoomKit, client_id: int, note_id: str, text: str) -> bytes:
    """A note written under `client_id` at its next clocks, as the room has them."""
    fake: Doc[Any] = Doc(client_id=client_id)
    fake.apply_update(kit.room.doc.get_update())
    have = fake.get_state()
    with fake.transaction():
        fake.get("notes", type=Map)[note_id] = Map({"field": "A1", "text": Text(text)})
    return fake.get_update(have)


async def refused_with_4510(c: PyClient) -> None:
    with anyio.fail_after(5):
        await c.closed.wait()
    assert c.close_info is not None and c.close_info.code == CloseCode.CLIENT_ID_IN_USE


@pytest.mark.parametrize("says_hello", [True, False])
async def test_p117_a_participant_cannot_write_ahead_under_another_writers_client_id(
    tmp_path: Path, says_hello: bool
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as h, kit.join() as w, kit.join() as b:
            if says_hello:
                await ok(w, "hello", pid=secrets.token_urlsafe(24))
            await w.add_note("W0", "A1", "erste Notiz")
            await h.wait_for_note("W0")
            # w's next note leaves before w hears of anything h sends
            earlier = w.replica()
            await h.send(codec.encode_sync_update(ahead_under(kit, w.doc.client_id, "H", "Spam")))
            await refused_with_4510(h)
            await w.send_typed_ahead(
                earlier,
                lambda d: d.get("notes", type=Map).__setitem__(
                    "W1", Map({"field": "A1", "text": Text("wichtiger Gedanke")})
                ),
            )
            await w.request("clock")
            await b.request("clock")
            stored = await kit.stored_view()
            assert "H" not in stored["notes"]
            assert stored["notes"]["W1"]["text"] == "wichtiger Gedanke"
            assert w.view() == b.view() == stored


async def test_p117_a_persons_client_id_stays_theirs_while_they_are_away(tmp_path: Path) -> None:
    pid = secrets.token_urlsafe(24)
    async with running_room(tmp_path) as kit:
        async with kit.join() as w:
            await ok(w, "hello", pid=pid)
            await w.add_note("W0", "A1", "vor der Pause")
            replica = w.replica()
        async with kit.join() as h:
            await ok(h, "hello", pid=secrets.token_urlsafe(24))
            await h.send(codec.encode_sync_update(ahead_under(kit, replica.client_id, "H", "x")))
            await refused_with_4510(h)
        # the person comes back with the same replica and goes on
        async with kit.join(doc=replica) as back:
            await ok(back, "hello", pid=pid)
            await back.add_note("W1", "A1", "nach der Pause")
            await back.request("clock")
            assert (await kit.stored_view())["notes"]["W1"]["text"] == "nach der Pause"
            assert not back.closed.is_set()


async def test_p117_a_reconnect_beside_the_old_half_open_connection(tmp_path: Path) -> None:
    # the server has not yet noticed that the old connection is gone
    pid = secrets.token_urlsafe(24)
    async with running_room(tmp_path) as kit:
        async with kit.join() as old, kit.join() as stock_old:
            await ok(old, "hello", pid=pid)
            await old.add_note("own0", "A1", "Person")
            await stock_old.add_note("S0", "A1", "Stock")
            await stock_old.request("clock")
            # the same person on a new connection goes on at once
            async with kit.join(doc=old.replica()) as new:
                await ok(new, "hello", pid=pid)
                await new.add_note("own1", "A1", "weiter")
                await new.request("clock")
                assert not new.closed.is_set()
            # a client that never said who it is has to wait for the old one to end
            async with kit.join(doc=stock_old.replica()) as stock_new:
                await stock_new.add_note("S1", "A1", "zu früh")
                await refused_with_4510(stock_new)
            stock_doc = stock_old.replica()
        async with kit.join(doc=stock_doc) as stock_again:
            await stock_again.add_note("S1", "A1", "danach")
            await stock_again.request("clock")
            assert not stock_again.closed.is_set()
        stored = (await kit.stored_view())["notes"]
        assert stored["own1"]["text"] == "weiter" and stored["S1"]["text"] == "danach"


async def test_p117_nobody_writes_under_the_servers_client_id(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as h:
            server_id = kit.room.doc.client_id
            await h.send(codec.encode_sync_update(ahead_under(kit, server_id, "H", "Server?")))
            await refused_with_4510(h)
            assert "H" not in (await kit.stored_view())["notes"]


async def test_p117_others_structs_the_room_has_and_deleting_their_text_pass(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as w, kit.join() as h:
            await w.add_note("W0", "A1", "löschbar")
            await h.wait_for_note("W0")
            # h's own note, sent with w's note again (a duplicate) and a deletion of w's text
            copy: Doc[Any] = Doc(client_id=h.doc.client_id)
            copy.apply_update(h.doc.get_update())
            with copy.transaction():
                notes = copy.get("notes", type=Map)
                body = notes["W0"]["text"]
                assert isinstance(body, Text)
                del body[0:3]  # UTF-8 bytes: "lö"
                notes["H0"] = Map({"field": "A1", "text": Text("eigene")})
            await h.send(codec.encode_sync_update(copy.get_update()))
            await h.request("clock")
            assert not h.closed.is_set()
            await w.request("clock")
            stored = (await kit.stored_view())["notes"]
            assert stored["W0"]["text"] == "schbar" and stored["H0"]["text"] == "eigene"


async def test_p117_a_refused_update_claims_no_client_id(tmp_path: Path) -> None:
    # its first part named an id nobody held yet (seen in presence), its second one
    # held by someone else: the first claim stayed, and the owner of that id was
    # refused on every reconnect (found by an attack session)
    async with running_room(tmp_path) as kit:
        async with kit.join() as held, kit.join() as victim, kit.join() as h:
            await held.add_note("H0", "A1", "meins")
            await h.wait_for_note("H0")
            first = ahead_under(kit, victim.doc.client_id, "X", "x")
            second = ahead_under(kit, held.doc.client_id, "Y", "y")
            await h.send(codec.encode_sync_update(merge_updates(first, second)))
            await refused_with_4510(h)
            await victim.add_note("V0", "A1", "erste Notiz")
            await victim.request("clock")
            assert not victim.closed.is_set()
            assert (await kit.stored_view())["notes"]["V0"]["text"] == "erste Notiz"


async def test_p117_one_connection_claims_a_bounded_number_of_client_ids(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as h:
            parts = [ahead_under(kit, 7_000_000 + i, f"n{i}", "x") for i in range(17)]
            await h.send(codec.encode_sync_update(merge_updates(*parts[:16])))
            await h.request("clock")
            assert not h.closed.is_set()
            await h.send(codec.encode_sync_update(parts[16]))
            await refused_with_4510(h)
        assert len(kit.room.client_ids.holders) == 0  # released with the connection
