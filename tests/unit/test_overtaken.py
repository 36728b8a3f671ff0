"""A write that loses to a concurrent one is told to its writer (PROTOCOL.md P266), over
in-memory channels and a real SQLite file.

Yjs keeps one value per map key: of two concurrent writes, the one from the higher client
id stands. When that one is a participant's refused write (deleted again by the server),
the moderator's concurrent write to the same key shows nowhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map

from server.sync import codec
from tests.support.pyclient import PyClient
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio


def rejected(client: PyClient) -> list[dict[str, Any]]:
    return [m for m in client.app_messages if m.get("ev") == "rejected"]


def color_write(base: bytes, client_id: int, color: str) -> bytes:
    """An update that sets note n's colour, written by a replica of `base`."""
    doc: Doc[Any] = Doc(client_id=client_id)
    doc.apply_update(base)
    before = doc.get_state()
    doc.get("notes", type=Map)["n"]["color"] = color
    return doc.get_update(before)


@pytest.mark.parametrize(("participant_id", "moderator_id"), [(900, 100), (100, 900)])
async def test_p266_a_write_that_lost_to_a_refused_one_is_told(
    tmp_path: Path, participant_id: int, moderator_id: int
) -> None:
    async with (
        running_room(tmp_path) as kit,
        kit.join("moderator") as mod,
        kit.join() as part,
    ):
        await mod.request("clock")  # both speak the app protocol
        await part.request("clock")
        await mod.add_note("n", "A1", "hello", color="yellow")
        await part.wait_for(lambda: "n" in part.notes)
        base = kit.room.doc.get_update()
        # written at the same moment: neither has seen the other's
        refused = color_write(base, participant_id, "x" * 40)  # over 32 characters
        wanted = color_write(base, moderator_id, "blue")
        await part.send(codec.encode_sync_update(refused))
        await part.wait_for(lambda: bool(rejected(part)))
        await mod.send(codec.encode_sync_update(wanted))
        await mod.request("clock")  # the server has judged the moderator's write
        notes = kit.room.doc.get("notes", type=Map)
        told = rejected(mod)
        if moderator_id < participant_id:
            # the refused write stands after the moderator's in Yjs' order: the moderator's
            # colour is gone, and the moderator hears of it
            assert notes["n"]["color"] == "yellow"
            assert len(told) == 1
            assert told[0]["code"] == "conflict"
            assert told[0]["params"] == {"why": "overtaken"}
            assert [n["id"] for n in told[0]["notes"]] == ["n"]
            assert told[0]["whole"] is False
            moderator = next(c for c in kit.room.conns if c.role == "moderator")
            assert moderator.violations == 0  # a lost race is no offence
        else:
            assert notes["n"]["color"] == "blue"
            assert told == []


async def test_p266_a_plain_edit_is_not_taken_for_an_overtaken_one(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join("moderator") as mod:
        await mod.request("clock")
        await mod.add_note("n", "A1", "hello", color="yellow")
        await mod.request("clock")  # the server holds the note
        base = kit.room.doc.get_update()
        await mod.send(codec.encode_sync_update(color_write(base, 555, "green")))
        await mod.insert_text("n", 5, " world")
        await mod.request("clock")
        assert rejected(mod) == []
        assert kit.room.doc.get("notes", type=Map)["n"]["color"] == "green"
