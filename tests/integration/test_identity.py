"""Who a connection is, on a real server: one pid per connection, groups the board
offers (PROTOCOL.md P140-P141)."""

from __future__ import annotations

import secrets

import pytest
from pycrdt import Map, Text

from server.sync import codec
from tests.support.live import LiveServer
from tests.support.ops import control, ok, refused
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def pid() -> str:
    return secrets.token_urlsafe(24)


async def test_p140_second_hello_with_another_pid_is_refused(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        mine = pid()
        first = await ok(p, "hello", pid=mine, name="Ada", group="youth")
        error = await refused(p, "hello", "identity", pid=pid())
        assert "reconnect" in error["message"]
        # the same pid again is fine (name or group changed), and keeps the author id
        again = await ok(p, "hello", pid=mine, name="Ada L.", group="business")
        assert again["author_id"] == first["author_id"]
        # leaving pid out keeps who the connection is
        assert (await ok(p, "hello", name="Ada"))["author_id"] == first["author_id"]
        await refused(p, "hello", "identity", pid=pid(), name="Eve")


async def test_p140_vote_dots_cannot_exceed_per_person_on_one_connection(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        await ok(m, "hello", pid=pid())
        await m.add_note("n0", "B2", "Mission")
        await p.wait_for(lambda: "n0" in p.notes)
        await ok(m, "vote.open", fields=["B2"], per_person=2, max_per_note=2)
        await ok(p, "hello", pid=pid())
        cast = 0
        for _ in range(5):
            if (await p.request("vote.cast", note="n0"))["ok"]:
                cast += 1
            # a fresh pid would be a fresh voter: it must not be taken on this connection
            await refused(p, "hello", "identity", pid=pid())
        assert cast == 2
        closed = await ok(m, "vote.close")
        assert closed["results"]["n0"]["total"] == 2 and closed["voters"] == 1


async def test_p141_group_must_be_one_the_board_offers(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        await ok(m, "hello", pid=pid())
        for bad in ("Hackers", "anonymous", "", 7):
            await refused(p, "hello", "unknown_group", pid=pid(), group=bad)
        # a refused hello changes nothing: the connection has no pid yet
        await refused(p, "vote.cast", "invalid", note="n0")
        await ok(m, "board.settings", groups=["youth", "business"])
        await refused(p, "hello", "unknown_group", pid=pid(), group="administration")
        await ok(p, "hello", pid=pid(), group="youth")
        # the roster (people seen per group) only ever counts offered groups; moderators
        # are counted on a line of their own
        await m.wait_for(lambda: "youth" in control(m).get("roster", {}))
        assert set(control(m)["roster"]) == {"moderator", "youth"}


async def test_p141_private_notes_and_votes_carry_only_offered_groups(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        await ok(m, "hello", pid=pid())
        await refused(p, "hello", "unknown_group", pid=pid(), group="Fake Group")
        await ok(p, "hello", pid=pid(), name="Pia", group="youth")
        await ok(m, "private.set", field="B1", on=True)
        await m.add_note("n0", "B2", "Mission")
        await p.wait_for(lambda: "n0" in p.notes and "B1" in control(p).get("private", {}))
        await ok(p, "private.put", note="pn1", field="B1", text="vorher", group="Fake Group")
        await ok(m, "vote.open", fields=["B2"], per_person=3)
        await ok(p, "vote.cast", note="n0")
        # the moderator stops offering the group: what the connection said no longer counts
        await ok(m, "board.settings", groups=["business"])
        await refused(p, "private.put", "unknown_group", note="pn2", field="B1", text="x")
        await refused(p, "vote.cast", "unknown_group", note="n0")
        await ok(p, "hello", group="business")
        await ok(p, "vote.cast", note="n0")
        closed = await ok(m, "vote.close")
        assert closed["results"]["n0"]["by_group"] == {"business": 2}
        await ok(m, "private.reveal", field="B1")
        await p.wait_for(lambda: "pn1" in p.notes)
        assert p.view()["notes"]["pn1"]["group"] == "youth"


async def test_p117_p141_a_writer_whose_group_was_dropped_keeps_their_client_id(
    shared_server: LiveServer,
) -> None:
    """Offline with a group the moderator stopped offering: the browser's hello with that
    group is refused, and its offline edits come before it asks again without it."""
    board = shared_server.create_board()
    mine = pid()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "hello", pid=pid())
        await ok(m, "board.settings", groups=["youth", "business"])
        token = board.tokens["participant"]
        async with PyClient.connect(shared_server.ws, board.id, token) as w:
            await w.synced.wait()
            await ok(w, "hello", pid=mine, group="youth")
            await w.add_note("W0", "A1", "online")
            await w.request("clock")
            replica = w.replica()
        with replica.transaction():
            replica.get("notes", type=Map)["W1"] = Map({"field": "A1", "text": Text("offline")})
        await ok(m, "board.settings", groups=["business"])
        async with PyClient.connect(shared_server.ws, board.id, token) as back:
            await back.synced.wait()
            await refused(back, "hello", "unknown_group", pid=mine, group="youth")
            offline = replica.get_update(back.doc.get_state())
            await back.send(codec.encode_sync_update(offline))
            await back.request("clock")
            assert not back.closed.is_set()
            # otherwise the refused hello gave the connection no identity
            await refused(back, "vote.cast", "invalid", note="W0")
        await m.wait_for(lambda: "W1" in m.notes)
