"""Live counters for moderators (PROTOCOL.md P293): counts of writers and voters among the
participants here, sent to moderators only."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.ops import control, ok
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def hello(c: PyClient, name: str, group: str | None = "administration") -> str:
    reply = await ok(c, "hello", pid=secrets.token_urlsafe(24), name=name, group=group)
    author: str = reply["author_id"]
    return author


def last_counts(c: PyClient) -> dict[str, Any] | None:
    found = [m for m in c.app_messages if m.get("ev") == "counts"]
    return found[-1] if found else None


def counted(c: PyClient, **want: Any) -> bool:
    got = last_counts(c)
    return got is not None and all(got.get(k) == v for k, v in want.items())


async def test_p293_counts_writers_and_voters_for_moderators_only(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, token) as a,
        PyClient.connect(shared_server.ws, board.id, token) as b,
        PyClient.connect(shared_server.ws, board.id, token) as c,
        PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as v,
    ):
        for x in (m, a, b, c, v):
            await x.synced.wait()
        await hello(m, "Moderation")
        ada = await hello(a, "Ada")
        await hello(b, "Ben", "civil-society")
        await hello(c, "Cem", "youth")
        await ok(v, "hello")
        await m.wait_for(lambda: counted(m, present=3, written={}))

        # shared notes count their distinct authors among the people here
        await a.add_note("a1", "A1", "eins", author_id=ada)
        await a.add_note("a2", "A1", "zwei", author_id=ada)
        await m.add_note("m1", "A1", "vom Moderator")
        await m.wait_for(lambda: counted(m, written={"A1": 1}))

        # private notes count too, without their text or author reaching the moderator
        await ok(m, "private.set", field="B1", on=True)
        await b.wait_for(lambda: "B1" in control(b).get("private", {}))
        await ok(b, "private.put", note="p1", field="B1", text="geheim")
        await ok(c, "private.put", note="p2", field="B1", text="auch geheim")
        await m.wait_for(lambda: counted(m, written={"A1": 1, "B1": 2}))
        sent = [msg for msg in m.app_messages if msg.get("ev") == "counts"]
        assert "geheim" not in repr(sent)
        assert ada not in repr(sent)

        # while a vote is open: how many voted, overall and per field
        await ok(m, "vote.open", fields=["A1"], per_person=2)
        await a.wait_for(lambda: control(a).get("voting", {}).get("state") == "open")
        await m.wait_for(lambda: counted(m, voted=0, voted_fields={}))
        await ok(a, "vote.cast", note="a1")
        await ok(c, "vote.cast", note="m1")
        await m.wait_for(lambda: counted(m, voted=2, voted_fields={"A1": 2}))
        await ok(c, "vote.retract", note="m1")
        await m.wait_for(lambda: counted(m, voted=1))
        await ok(m, "vote.close")
        await m.wait_for(lambda: counted(m, present=3) and "voted" not in (last_counts(m) or {}))

    # someone who leaves is no longer counted
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m2,
        PyClient.connect(shared_server.ws, board.id, token) as d,
    ):
        await m2.synced.wait()
        await d.synced.wait()
        await hello(m2, "Moderation")
        await hello(d, "Dana")
        await m2.wait_for(lambda: counted(m2, present=1, written={}))
        assert last_counts(d) is None


async def test_p293_counts_never_reach_participants_viewers_or_projectors(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as v,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as j,
    ):
        for x in (m, p, v, j):
            await x.synced.wait()
        await hello(m, "Moderation")
        author = await hello(p, "Ada")
        await ok(v, "hello")
        await ok(j, "hello")
        await p.add_note("n1", "A2", "Text", author_id=author)
        await m.wait_for(lambda: counted(m, present=1, written={"A2": 1}))
        # the moderator has had two copies by now; the others had as long to get one
        await m.add_note("n2", "A2", "noch einer")
        await p.wait_for(lambda: len(p.notes) == 2)
        for other in (p, v, j):
            assert all(msg.get("ev") != "counts" for msg in other.app_messages)
