"""A partly refused update: the refused note leaves only ids, the rest stands
(PROTOCOL.md P260-P262). A real Room on a real SQLite file, clients over in-memory channels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec, partial
from server.sync.errors import CloseCode
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio

RESIDUE_PER_REFUSAL = 64  # as in test_refused_gone: ids only
MARK = "VERWORFEN"


async def test_p261_refused_note_of_a_mixed_update_leaves_only_ids(tmp_path: Path) -> None:
    async with running_room(tmp_path, violations_before_close=100) as kit:
        async with kit.join() as a, kit.join("moderator") as m, kit.join() as b:
            await m.add_note("locked", "A2", "fest")
            await a.wait_for(lambda: "locked" in a.notes)
            kit.room.policy.locked_fields = lambda: frozenset({"A2"})
            before = len(await kit.compacted_state())
            a.send_local = False
            for i in range(20):
                with a.doc.transaction():
                    a.notes[f"ok{i}"] = Map({"field": "A1", "text": Text(f"gut {i}")})
                    body = a.notes["locked"]["text"]
                    assert isinstance(body, Text)
                    body.insert(0, MARK + "x" * 5_000)
                update = a.doc.get_update(m.doc.get_state())
                await a.send(codec.encode_sync_update(update))

                def arrived(key: str = f"ok{i}") -> bool:
                    return key in m.notes

                await m.wait_for(arrived)
            await a.wait_for(lambda: str(a.notes["locked"]["text"]) == "fest")
            await b.wait_for(lambda: len([k for k in b.notes.keys() if k.startswith("ok")]) == 20)
            assert a.view() == b.view() == m.view() == await kit.stored_view()
            state = await kit.compacted_state()
        assert MARK.encode() not in state
        # each round: the refused note's ids, and one accepted note of ~60 bytes
        assert len(state) - before < 20 * (RESIDUE_PER_REFUSAL + 120)


@pytest.mark.parametrize(
    ("have", "want"),
    [
        ("Grüße 👋 aus Köln", "Grüße 🌍 aus Kölner Sicht"),
        ("", "neu"),
        ("alles weg", ""),
        ("ÄÖÜ", "ÄxÖÜ"),
        ("aaa", "aaaa"),
    ],
)
def test_p261_notes_are_written_back_with_the_fewest_changes(have: str, want: str) -> None:
    doc: Doc[Any] = Doc()
    notes: Map[Any] = doc.get("notes", type=Map)
    notes["n"] = Map({"field": "A1", "text": Text(have), "x": 0.2})
    values: partial.NoteValues = {
        "n": {"field": "B1", "text": partial.TextValue(want), "color": "blue"},
        "gone": None,
        "new": {"field": "C1", "text": partial.TextValue("frisch")},
    }
    body = notes["n"]["text"]
    with doc.transaction():
        partial.write_notes(doc, values)
    assert str(body) == want  # the Text read before was edited in place, not replaced
    view: dict[str, Any] = notes.to_py() or {}
    assert view["n"] == {"field": "B1", "text": want, "color": "blue"}
    assert view["new"] == {"field": "C1", "text": "frisch"}
    assert "gone" not in view
    assert partial.read_notes(doc, {"n", "gone"}) == {
        "n": {"field": "B1", "text": partial.TextValue(want), "color": "blue"},
        "gone": None,
    }


async def test_p265_deleting_notes_in_a_locked_field_counts_towards_the_close(
    tmp_path: Path,
) -> None:
    # a refused deletion brings the note back under new ids, so keystrokes others had in
    # flight for it are lost: unlike typing that raced a lock, it must not repeat forever
    async with running_room(tmp_path) as kit:  # violations_before_close=5
        async with kit.join() as a, kit.join("moderator") as m:
            for i in range(6):
                await m.add_note(f"n{i}", "A2", "Protokoll")
            await a.wait_for(lambda: "n5" in a.notes)
            kit.room.policy.locked_fields = lambda: frozenset({"A2"})
            for i in range(6):
                with a.doc.transaction():
                    del a.notes[f"n{i}"]
                await a.flush()
                if i < 4:

                    def refused_more_than(count: int = i) -> bool:
                        return len(a.denied) > count

                    await a.wait_for(refused_more_than)
            with anyio.fail_after(10):
                await a.closed.wait()
            assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
            await m.request("clock")
            stored = (await kit.stored_view())["notes"]
            assert all(f"n{i}" in stored for i in range(6))  # every deletion was refused


async def test_p265_lock_races_do_not_close_the_connection_other_refusals_do(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit:  # violations_before_close=5
        async with kit.join() as a, kit.join("moderator") as m:
            await m.add_note("n", "A2", "fest")
            await a.wait_for(lambda: "n" in a.notes)
            kit.room.policy.locked_fields = lambda: frozenset({"A2"})
            for i in range(12):
                await a.insert_text("n", 0, "x")

                def refused_more_than(count: int = i) -> bool:
                    return len(a.denied) > count

                await a.wait_for(refused_more_than)
            await a.add_note("open", "A1", "weiter")
            await m.wait_for(lambda: "open" in m.notes)
            assert not a.closed.is_set()
            for _ in range(5):
                await a.set_key("meta", "title", "nein")
            await a.closed.wait()
            assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
