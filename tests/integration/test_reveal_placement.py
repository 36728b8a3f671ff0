"""Revealed private notes in the A3 diagram land on free spots the server computes (P281)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from canvas_schema.placement import NOTE_H, NOTE_W
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def _ok(c: PyClient, op: str, **args: Any) -> dict[str, Any]:
    reply = await c.request(op, **args)
    assert reply["ok"], reply
    return reply


def _overlapping(notes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(notes):
        for b in notes[i + 1 :]:
            if abs(a["x"] - b["x"]) < NOTE_W - 1e-4 and abs(a["y"] - b["y"]) < NOTE_H - 1e-4:
                pairs.append((a["id"], b["id"]))
    return pairs


async def test_p281_revealed_diagram_notes_do_not_overlap(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, token) as a,
        PyClient.connect(shared_server.ws, board.id, token) as b,
    ):
        for c in (m, a, b):
            await c.synced.wait()
        await _ok(m, "hello", pid=secrets.token_urlsafe(24), name="Mo", group=None)
        # a note already there, where every writer's device will also put its first note
        await m.add_note("shared", "A3", "schon da", x=0.075, y=0.9, created_at=1)
        await _ok(m, "private.set", field="A3", on=True)
        for c, name in ((a, "Ada"), (b, "Ben")):
            await _ok(c, "hello", pid=secrets.token_urlsafe(24), name=name, group="youth")
            for i in range(3):
                # each device saw only its own notes: all pick the same spots
                await _ok(c, "private.put", note=f"{name}{i}", field="A3", text=name, x=0.5, y=0.5)
        revealed = await _ok(m, "private.reveal", field="A3")
        assert revealed["revealed"] == 6
        await m.wait_for(lambda: len(m.view()["notes"]) == 7)
        notes = [{"id": k, **v} for k, v in m.view()["notes"].items()]
        shown = [{**n, "y": 1 - n["y"]} for n in notes]
        assert _overlapping(shown) == []
        kept = next(n for n in notes if n["id"] == "shared")
        assert (kept["x"], kept["y"]) == (0.075, 0.9)
        # the first revealed note keeps the spot its author chose
        assert sum(1 for n in notes if (n["x"], n["y"]) == (0.5, 0.5)) == 1


async def test_p281_revealed_notes_in_plain_fields_keep_their_data(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as a,
    ):
        for c in (m, a):
            await c.synced.wait()
        await _ok(m, "hello", pid=secrets.token_urlsafe(24), name="Mo", group=None)
        await _ok(m, "private.set", field="A1", on=True)
        await _ok(a, "hello", pid=secrets.token_urlsafe(24), name="Ada", group="youth")
        await _ok(a, "private.put", note="p1", field="A1", text="eins", x=0.5, y=0.5)
        await _ok(a, "private.put", note="p2", field="A1", text="zwei", x=0.5, y=0.5)
        await _ok(m, "private.reveal", field="A1")
        await m.wait_for(lambda: len(m.view()["notes"]) == 2)
        # plain fields flow in `order`: positions there mean nothing and are not rewritten
        assert {(n["x"], n["y"]) for n in m.view()["notes"].values()} == {(0.5, 0.5)}
