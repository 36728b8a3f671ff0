"""What judging one accepted update costs the server (PROTOCOL.md P364), in a real Room
over in-memory channels and a real SQLite file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map

from tests.support.pyclient import text_is
from tests.support.roomkit import new_transactions, running_room

pytestmark = pytest.mark.anyio


async def test_p364_a_keystroke_opens_two_transactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as reader:
            await writer.add_note("n1", "A1", "hello")
            # the first keystroke builds the lazy type index (P107): a one-off, not counted
            await writer.insert_text("n1", 5, "!")
            await reader.wait_for(text_is(reader, "n1", "hello!"))
            opened: Counter[str] = Counter()
            get_state = Doc.get_state

            def counted_state(self: Doc[Any]) -> bytes:
                if self is kit.room.doc:
                    opened["state vector"] += 1
                return get_state(self)

            transactions = new_transactions(monkeypatch, kit.room)
            monkeypatch.setattr(Doc, "get_state", counted_state)
            for i in range(5):
                # at the front: a keystroke typed on after a run takes P374's one transaction
                await writer.insert_text("n1", 0, "?")
                await reader.wait_for(text_is(reader, "n1", "?" * (i + 1) + "hello!"))
            monkeypatch.undo()
            assert len(transactions) == 2 * 5
            # the state vector before each is read only when a refusal needs it
            assert opened["state vector"] == 0


async def test_p364_a_refused_update_is_still_judged_and_reverted(tmp_path: Path) -> None:
    # the read transaction must not hide a violation: a note without a canvas field
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as reader:
            await writer.add_note("ok", "A1", "fine")
            await writer.add_note("bad", "Z9", "nowhere")
            await reader.wait_for(lambda: "ok" in reader.notes)
            await writer.wait_for(lambda: "bad" not in writer.notes)
            assert "bad" not in kit.room.doc.get("notes", type=Map).keys()
            assert "bad" not in reader.notes
