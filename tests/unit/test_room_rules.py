"""Room rules that no other test named: P4, P5, P7, P21, P40, P41 (PROTOCOL.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from server.store.base import BoardRecord
from server.store.sqlite import SqliteStore
from server.sync import appmsg, codec
from server.sync.document import load_doc
from server.sync.errors import CloseCode
from server.sync.room import Room
from server.sync.rooms import Rooms
from tests.support import interpreted
from tests.support.memchannel import channel_pair
from tests.support.pyclient import PyClient
from tests.support.roomkit import BOARD, CONFIG, make_board, running_room

pytestmark = pytest.mark.anyio


async def test_p4_auth_frames_from_a_client_are_ignored(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.send(codec.encode_permission_denied("let me in"))
        await a.add_note("after", "A1", "still connected")
        await b.wait_for(lambda: "after" in b.notes)
        assert not a.closed.is_set() and a.denied == []


async def test_p5_the_room_speaks_only_through_the_channel(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        server_side, client_side = channel_pair()
        kit.tg.start_soon(kit.room.serve, server_side, "participant")
        async with PyClient.over(client_side) as client:
            with anyio.fail_after(5):
                await client.synced.wait()
            await client.send(b"\x2a")  # an unknown message type
            with anyio.fail_after(5):
                await server_side.closed.wait()
        assert server_side.close_code == CloseCode.BAD_MESSAGE
        client_side.dispose()


async def test_p7_a_board_is_loaded_once_however_many_join_at_once(tmp_path: Path) -> None:
    builds: list[str] = []
    async with SqliteStore(tmp_path / "p7.db") as store:
        await make_board(store)

        async def build(record: BoardRecord) -> Room:
            builds.append(record.id)
            loaded = await store.load(record.id)
            await anyio.sleep(0.05)  # a slow load invites a second one
            doc = load_doc(loaded.state, loaded.updates)
            return Room(record.id, doc, store, CONFIG, loaded.last_seq)

        async with Rooms(store, build) as rooms:
            got: list[Room] = []

            async def join() -> None:
                got.append(await rooms.acquire(BOARD))

            async with anyio.create_task_group() as tg:
                for _ in range(10):
                    tg.start_soon(join)
            assert builds == [BOARD] and len({id(r) for r in got}) == 1
            assert got[0].users == 10
            for room in got:
                rooms.release(room)


class GatedStore(SqliteStore):
    """SQLite whose appends complete only once `gate` is set: a slow disk, for real."""

    gate: asyncio.Event

    def append(self, board_id: str, seq: int, update: bytes, actor: str) -> asyncio.Future[None]:
        stored = super().append(board_id, seq, update, actor)

        async def later() -> None:
            await stored
            await self.gate.wait()

        return asyncio.ensure_future(later())


async def test_p21_sync_step2_waits_until_every_applied_update_is_committed(
    tmp_path: Path,
) -> None:
    store = GatedStore(tmp_path / "p21.db")
    store.gate = asyncio.Event()
    async with store:
        await make_board(store)
        loaded = await store.load(BOARD)
        room = Room(BOARD, load_doc(loaded.state, loaded.updates), store, CONFIG, 0)
        async with anyio.create_task_group() as tg:
            tg.start_soon(room.run)
            a_server, a_client = channel_pair()
            b_server, b_client = channel_pair()
            tg.start_soon(room.serve, a_server, "participant")
            async with PyClient.over(a_client) as a:
                await a.synced.wait()
                await a.add_note("n1", "A1", "not yet on disk")
                await anyio.wait_all_tasks_blocked()
                tg.start_soon(room.serve, b_server, "participant")
                async with PyClient.over(b_client) as b:
                    with anyio.move_on_after(0.5):
                        await b.synced.wait()
                    assert not b.synced.is_set()  # the answer waits for the commit
                    store.gate.set()
                    with anyio.fail_after(5):
                        await b.synced.wait()
                    assert "n1" in b.notes
            for channel in (a_client, b_client):
                await channel.close(1000, "bye")
                channel.dispose()
            await room.stop()
            tg.cancel_scope.cancel()


async def test_p40_app_message_over_the_limit_is_refused_and_the_connection_stays(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path, max_app_message_bytes=256) as kit, kit.join() as a:
        await a.send(codec.encode_app(appmsg.encode_request(7, "hello", name="x" * 400)))
        await a.wait_for(lambda: any(m.get("re", 0) is None for m in a.app_messages))
        reply = next(m for m in a.app_messages if m.get("re", 0) is None)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid"
        assert "exceeds 256" in reply["error"]["message"]
        assert (await a.request("clock"))["ok"] is True


async def test_p41_a_client_that_never_spoke_type_100_never_receives_it(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as stock, kit.join() as app:
        assert (await app.request("clock"))["ok"] is True
        for client in (stock, app):
            await client.set_key("meta", "title", "refused")
        await stock.wait_for(lambda: stock.denied)
        await app.wait_for(lambda: any(m.get("ev") == "rejected" for m in app.app_messages))
        assert stock.app_messages == []
        assert all(f[0] != codec.MessageType.APP for f in stock.frames)


async def test_p366_an_update_the_policy_could_not_read_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if interpreted.elsewhere(request):  # it replaces a compiled method (P371)
        return
    # the policy reads pycrdt's raw events; if that ever fails, nothing is judged blind
    from server.sync.policy import UpdatePolicy

    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.add_note("before", "A1", "kept")
        await b.wait_for(lambda: "before" in b.notes)

        def unreadable(self: UpdatePolicy, events: list[object]) -> None:
            raise RuntimeError("an event pycrdt changed")

        monkeypatch.setattr(UpdatePolicy, "_read_note_events", unreadable)
        await a.add_note("blind", "A1", "not judged")
        await a.wait_for(lambda: any("could not read" in d for d in a.denied))
        await a.wait_for(lambda: "blind" not in a.notes)
        monkeypatch.undo()
        await a.add_note("after", "A1", "judged again")
        await b.wait_for(lambda: "after" in b.notes)
        assert "blind" not in b.notes and "before" in b.notes
