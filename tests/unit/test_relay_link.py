"""Two rooms of one board on one store, joined by LocalRelays on one hub: two nodes in one
process (PROTOCOL.md P320-P326)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from anyio.abc import TaskGroup

from server.app import open_relay
from server.relay.base import RelayMessage
from server.relay.link import MAX_TALLY_BYTES, PEOPLE_STALE, BoardLink
from server.relay.local import LocalHub, LocalRelay
from server.relay.redis import RedisRelay
from server.settings import Settings
from server.store.sqlite import SqliteStore
from server.sync.document import doc_view, load_doc
from server.sync.room import Room
from server.sync.vocabulary import Role
from tests.support.memchannel import channel_pair
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient
from tests.support.roomkit import BOARD, CONFIG, make_board

pytestmark = pytest.mark.anyio


@dataclass
class Node:
    room: Room
    link: BoardLink
    relay: LocalRelay
    tg: TaskGroup

    @contextlib.asynccontextmanager
    async def join(self, role: Role = "participant") -> AsyncIterator[PyClient]:
        server_side, client_side = channel_pair()
        self.tg.start_soon(self.room.serve, server_side, role)
        async with PyClient.over(client_side) as client:
            await client.synced.wait()
            try:
                yield client
            finally:
                await client_side.close(1000, "bye")
                client_side.dispose()


@contextlib.asynccontextmanager
async def two_nodes(
    tmp_path: Path, renew_seconds: float = 0.05
) -> AsyncIterator[tuple[Node, Node, SqliteStore, LocalHub]]:
    hub = LocalHub()
    async with SqliteStore(tmp_path / "shared.db") as store:
        store.shared_log = True
        await make_board(store)
        async with anyio.create_task_group() as tg:
            nodes = []
            for _ in range(2):
                loaded = await store.load(BOARD)
                doc = load_doc(loaded.state, loaded.updates)
                room = Room(BOARD, doc, store, CONFIG, loaded.last_seq)
                relay = LocalRelay(hub)
                link = BoardLink(room, relay, store, renew_seconds=renew_seconds)
                room.shared = link
                await link.start()
                tg.start_soon(room.run)
                nodes.append(Node(room, link, relay, tg))
            yield nodes[0], nodes[1], store, hub
            for node in nodes:
                await node.room.stop()
            tg.cancel_scope.cancel()


def notes_of(c: PyClient) -> set[str]:
    return set(c.notes.keys())


async def stored_notes(store: SqliteStore) -> set[str]:
    loaded = await store.load(BOARD)
    return set(doc_view(load_doc(loaded.state, loaded.updates))["notes"])


async def test_p324_a_relayed_update_is_not_judged_again_nor_stored_twice(
    tmp_path: Path,
) -> None:
    async with two_nodes(tmp_path) as (a, b, store, _):
        # b would refuse notes in A1; a accepted it, so b takes it as it is
        b.room.policy.locked_fields = lambda: frozenset({"A1"})
        async with a.join() as on_a, b.join() as on_b:
            before = (await store.log_stats(BOARD)).rows
            await on_a.add_note("n1", "A1", "checked on a")
            await on_b.wait_for(lambda: "n1" in notes_of(on_b))
            await a.room.flushed()
            await b.room.flushed()
            assert (await store.log_stats(BOARD)).rows == before + 1
            assert on_b.denied == [] and on_a.denied == []


async def test_p320_two_nodes_appending_at_once_never_clash(tmp_path: Path) -> None:
    async with two_nodes(tmp_path) as (a, b, store, _):
        assert a.room.seq == b.room.seq  # both would hand the store the same seq
        async with a.join() as on_a, b.join() as on_b:
            await on_a.add_note("from-a", "A1", "a")
            await on_b.add_note("from-b", "A2", "b")
            both = {"from-a", "from-b"}
            await on_a.wait_for(lambda: notes_of(on_a) == both)
            await on_b.wait_for(lambda: notes_of(on_b) == both)
            assert not a.room.store_failed and not b.room.store_failed
            assert await stored_notes(store) == both


async def test_p323_a_hole_in_a_nodes_count_makes_the_other_catch_up(tmp_path: Path) -> None:
    async with two_nodes(tmp_path) as (a, b, store, hub):
        async with a.join() as on_a, b.join() as on_b:
            await on_a.add_note("first", "A1", "relayed")
            await on_b.wait_for(lambda: "first" in notes_of(on_b))
            hub.down = True  # this message is lost on its way
            await on_a.add_note("lost", "A1", "stored, not relayed")
            await on_a.request("clock")  # a round trip: node a has read the note
            await a.room.flushed()
            with anyio.fail_after(5):
                while a.link._out:  # noqa: ASYNC110 - the link's queue has no event to wait on
                    await anyio.sleep(0.01)
            hub.down = False
            await on_a.add_note("next", "A1", "relayed again")
            await on_b.wait_for(lambda: notes_of(on_b) == {"first", "lost", "next"})


async def test_p326_the_owner_compacts_with_what_other_nodes_stored(tmp_path: Path) -> None:
    async with two_nodes(tmp_path) as (a, b, store, hub):
        with anyio.fail_after(5):
            while not (a.link.owner or b.link.owner):  # noqa: ASYNC110 - lease ticks
                await anyio.sleep(0.01)
        owner, other = (a, b) if a.link.owner else (b, a)
        async with other.join() as c:
            hub.down = True  # the owner never hears of this note
            seq = other.room.seq
            await c.add_note("elsewhere", "A2", "stored by the other node")
            with anyio.fail_after(5):
                while other.room.seq == seq:  # noqa: ASYNC110 - the room has no event for it
                    await anyio.sleep(0.01)
            await other.room.flushed()
            await owner.room.compact()
            hub.down = False
        assert "elsewhere" not in doc_view(owner.room.doc)["notes"]
        assert await stored_notes(store) == {"elsewhere"}
        assert (await store.log_stats(BOARD)).rows == 0


def test_a_relay_url_is_redis_or_nothing() -> None:
    assert open_relay(Settings()) is None
    relay = open_relay(Settings(relay_url="redis://127.0.0.1:6379/0"))
    assert isinstance(relay, RedisRelay)
    with pytest.raises(ValueError, match="redis://"):
        open_relay(Settings(relay_url="amqp://127.0.0.1"))


async def test_p324_presence_follows_a_client_whose_node_went_silent(tmp_path: Path) -> None:
    async with two_nodes(tmp_path) as (a, b, _, hub):
        async with b.join() as watcher:
            async with a.join() as mover:
                await mover.set_awareness(77, 1, {"user": {"name": "Mo"}})
                await watcher.wait_for(lambda: 77 in watcher.awareness)
                hub.down = True  # its node dies: nobody hears that it left
            with anyio.fail_after(5):
                while a.room.conns or a.link._out:  # noqa: ASYNC110 - no event for these
                    await anyio.sleep(0.01)
            hub.down = False
            assert 77 in watcher.awareness
            # the same client comes back through b; b's copy of its presence must yield
            async with b.join() as moved:
                await moved.set_awareness(77, 2, {"user": {"name": "Mo again"}})
                await watcher.wait_for(
                    lambda: watcher.awareness.get(77) == {"user": {"name": "Mo again"}}
                )


async def test_p331_p332_bad_head_counts_and_secret_kinds_are_dropped(tmp_path: Path) -> None:
    async with two_nodes(tmp_path) as (a, b, _, hub):
        heard: list[str] = []

        async def on_secrets(kind: str) -> None:
            heard.append(kind)

        b.link.on_secrets = on_secrets
        stranger = LocalRelay(hub)
        for kind, payload in (
            ("p", b"1234567"),  # above 6 digits
            ("p", b"-1"),
            ("p", b"\xff"),
            ("s", b"ballots"),  # not a kind a node may announce
            ("s", b"\xff\xfe"),
        ):
            await stranger.publish(BOARD, kind, 0, payload)
        a.link.secrets_changed("late")
        async with a.join() as on_a, b.join() as on_b:
            await on_a.add_note("after", "A1", "still relayed")
            await on_b.wait_for(lambda: "after" in notes_of(on_b))
            await on_b.wait_for(lambda: heard == ["late"])


async def test_p332_a_first_and_a_last_client_are_announced_at_once(tmp_path: Path) -> None:
    # lease ticks far apart: only the announcement on joining and leaving can tell them
    async with two_nodes(tmp_path, renew_seconds=60) as (_, b, _, hub):
        counts = {b"1": anyio.Event(), b"0": anyio.Event()}

        def heard(msg: RelayMessage) -> None:
            if msg.kind == "p" and msg.node == b.relay.node_id and msg.payload in counts:
                counts[msg.payload].set()

        async def gap() -> None:
            pass

        listener = LocalRelay(hub)
        sub = await listener.subscribe(BOARD, heard, gap)
        try:
            async with b.join():
                with anyio.fail_after(5):
                    await counts[b"1"].wait()
            with anyio.fail_after(5):
                await counts[b"0"].wait()
        finally:
            await sub.close()


async def test_p293_tallies_are_heard_bounded_and_forgotten_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with two_nodes(tmp_path) as (a, b, _, hub):
        stranger = LocalRelay(hub)
        await stranger.publish(BOARD, "t", 0, b"x" * (MAX_TALLY_BYTES + 1))
        a.link.tally(b"from a")

        async def heard() -> bool:
            return b.link.tallies() == [b"from a"]

        await poll_until(heard, 5, 0.01)
        assert a.link.tallies() == []  # its own is not among the others'
        later = time.monotonic() + PEOPLE_STALE
        monkeypatch.setattr(time, "monotonic", lambda: later)
        assert b.link.tallies() == []
