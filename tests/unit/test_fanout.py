"""Fan-out without a task per connection, shared join frames, merged committed updates
(PROTOCOL.md P360-P362), over in-memory channels and a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec
from server.sync.connection import Connection
from server.sync.errors import CloseCode
from server.sync.fanout import MERGE_MAX_UPDATES
from server.sync.wsframe import CACHED_FRAME_BYTES, binary_frame
from tests.support.memchannel import SinkMemoryChannel, channel_pair
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio


def _updates(frames: list[bytes]) -> list[bytes]:
    return [f for f in frames if isinstance(codec.decode_frame(f), codec.SyncUpdate)]


async def test_p360_a_frame_goes_straight_into_a_transport_with_room() -> None:
    server_side, client_side = channel_pair(direct=True)
    conn = Connection(server_side, "participant", 10)
    conn.send(b"\x01first")  # no sender task runs: only a direct write can deliver it
    assert client_side._inbox.receive_nowait() == b"\x01first"
    queued_side, queued_client = channel_pair(direct=False)
    Connection(queued_side, "participant", 10).send(b"\x01first")
    with pytest.raises(anyio.WouldBlock):
        queued_client._inbox.receive_nowait()  # the plain channel waits for the sender task
    for ch in (server_side, queued_side):
        ch.dispose()


async def test_p372_a_delivery_goes_into_the_sinks_transport_while_it_is_offered() -> None:
    channel, client_side = channel_pair(sink=True)
    assert isinstance(channel, SinkMemoryChannel)
    transport = channel.sink.fast
    assert transport is not None
    conn = Connection(channel, "participant", 10)
    conn.send(b"\x01first")
    assert transport.written == [binary_frame(b"\x01first")]  # framed, past the channel
    channel.sink.offer(None)  # a pause, a close: the channel's own path
    conn.send(b"\x01second")
    assert client_side._inbox.receive_nowait() == b"\x01second"
    channel.sink.offer(transport)
    big = b"\x01" + bytes(CACHED_FRAME_BYTES)  # too big to frame once: the channel's path
    conn.send(big)
    assert client_side._inbox.receive_nowait() == big
    conn.close(CloseCode.FORBIDDEN, "bye")
    conn.send(b"\x01after the close")
    assert transport.written == [binary_frame(b"\x01first")]
    channel.dispose()


async def test_p360_frames_wait_behind_a_write_that_waits_in_order() -> None:
    server_side, client_side = channel_pair(buffer=1, direct=True)
    conn = Connection(server_side, "participant", 100)
    frames = [bytes([codec.MessageType.AWARENESS]) + str(i).encode() for i in range(20)]
    for frame in frames:  # the first fills the buffer, the second waits, the rest queue
        conn.send(frame)
    got: list[bytes] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(conn.run_sender)
        with anyio.fail_after(5):
            while len(got) < len(frames):
                got.append(await client_side.recv())
        conn.stop_sender()
    assert got == frames
    server_side.dispose()


async def test_p360_p9_slow_consumer_is_closed_on_the_direct_path(tmp_path: Path) -> None:
    async with (
        running_room(tmp_path, send_queue_messages=5) as kit,
        kit.join() as a,
        kit.join() as b,
    ):
        server_side, client_side = channel_pair(buffer=1, direct=True)
        kit.tg.start_soon(kit.room.serve, server_side, "participant")
        for i in range(30):
            await a.add_note(f"n{i}", "A1", "x")
            # one frame per note: the next waits until this one was fanned out, or a
            # burst would leave in a few frames (P369) and not fill the queue
            await b.wait_for_note(f"n{i}")
        with anyio.fail_after(5):
            await server_side.closed.wait()
        assert server_side.close_code == CloseCode.SLOW_CONSUMER
        server_side.dispose()
        await a.add_note("still", "A1", "fine")


async def test_p360_direct_connections_converge(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join(direct=True) as a, kit.join(direct=True) as b:
            for i in range(10):
                await a.add_note(f"a{i}", "A1", f"von a {i}")
                await b.add_note(f"b{i}", "A2", f"von b {i}")
            await a.wait_for(lambda: "b9" in a.notes)
            await b.wait_for(lambda: "a9" in b.notes)
            assert a.view() == b.view() == await kit.stored_view()


def _step2(frames: list[bytes]) -> bytes:
    return next(f for f in frames if isinstance(codec.decode_frame(f), codec.SyncStep2))


async def test_p361_joiners_share_one_sync_step2_until_the_document_changes(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        assert _step2(a.frames) is _step2(b.frames)  # built once, the same bytes object
        await a.add_note("n1", "A1", "neu")
        await b.wait_for(lambda: "n1" in b.notes)
        async with kit.join() as c:
            assert _step2(c.frames) is not _step2(a.frames)
            assert c.view()["notes"]["n1"]["text"] == "neu"
            assert c.view() == a.view()


async def test_p361_a_relayed_update_renews_the_shared_frames(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        other: Doc[Any] = Doc()
        other.apply_update(kit.room.doc.get_update())
        updates: list[bytes] = []
        sub = other.observe(lambda event: updates.append(event.update))
        with other.transaction():
            notes = other.get("notes", type=Map)
            notes["r1"] = Map({"field": "A1", "text": Text("vom Nachbarn")})
        other.unobserve(sub)
        kit.room.apply_relayed(updates[0])
        async with kit.join() as b:
            assert b.view()["notes"]["r1"]["text"] == "vom Nachbarn"
            assert _step2(b.frames) is not _step2(a.frames)


async def test_p361_presence_snapshot_is_shared_and_follows_changes(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        await a.set_awareness(101, 1, {"name": "Ada"})
        await a.wait_for(lambda: 101 in a.awareness)
        async with kit.join() as b, kit.join() as c:

            def snapshot(frames: list[bytes]) -> bytes:
                return next(
                    f for f in frames if isinstance(codec.decode_frame(f), codec.AwarenessFrame)
                )

            assert snapshot(b.frames) is snapshot(c.frames)
            await b.set_awareness(102, 1, {"name": "Bo"})
            await a.wait_for(lambda: any(s.get("name") == "Bo" for s in a.awareness.values()))
            async with kit.join() as d:
                await d.wait_for(lambda: len(d.awareness) >= 2)
                names = {s.get("name") for s in d.awareness.values()}
                assert {"Ada", "Bo"} <= names


async def test_p362_committed_updates_leave_as_one_frame(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join(direct=True) as a:
        before = len(_updates(a.frames))
        count = 20

        def add(i: int) -> Any:
            def fn(doc: Doc[Any]) -> None:
                doc.get("notes", type=Map)[f"s{i}"] = Map({"field": "A1", "text": Text(str(i))})

            return fn

        for i in range(count):  # one after the other, before the store commits any
            kit.room.transact(add(i))
        await a.wait_for(lambda: f"s{count - 1}" in a.notes)
        assert all(f"s{i}" in a.notes for i in range(count))
        assert len(_updates(a.frames)) - before == 1
        assert a.view() == await kit.stored_view()


def _note_update(state: bytes, note_id: str, text: str) -> bytes:
    """An update that adds one note, written by a fresh replica of `state`."""
    other: Doc[Any] = Doc()
    other.apply_update(state)
    updates: list[bytes] = []
    sub = other.observe(lambda event: updates.append(event.update))
    with other.transaction():
        other.get("notes", type=Map)[note_id] = Map({"field": "A1", "text": Text(text)})
    other.unobserve(sub)
    return updates[0]


async def test_p362_p11_updates_of_several_senders_merge_without_echo(tmp_path: Path) -> None:
    async with (
        running_room(tmp_path) as kit,
        kit.join(direct=True) as a,
        kit.join(direct=True) as b,
        kit.join(direct=True) as c,
    ):

        def server_side(client: Any) -> Connection:
            return next(conn for conn in kit.room.conns if conn.channel is client.channel.peer)

        from_a, from_b = server_side(a), server_side(b)
        state = kit.room.doc.get_update()
        seen = [len(_updates(who.frames)) for who in (a, b, c)]
        # one after the other, before the store commits either
        kit.room.apply_client_update(from_a, _note_update(state, "x1", "von a"))
        kit.room.apply_client_update(from_b, _note_update(state, "x2", "von b"))
        await c.wait_for(lambda: "x1" in c.notes and "x2" in c.notes)
        await a.wait_for(lambda: "x2" in a.notes)
        await b.wait_for(lambda: "x1" in b.notes)
        assert "x1" not in a.notes and "x2" not in b.notes  # nothing came back to its sender
        assert [len(_updates(w.frames)) for w in (a, b, c)] == [n + 1 for n in seen]


async def test_p362_a_merge_is_bounded(tmp_path: Path) -> None:
    room = running_room(tmp_path, compact_after_rows=10_000)
    async with room as kit, kit.join(direct=True) as a:
        before = len(_updates(a.frames))
        count = MERGE_MAX_UPDATES * 2 + 1
        for i in range(count):

            def fn(doc: Doc[Any], i: int = i) -> None:
                doc.get("meta", type=Map)["title"] = f"Titel {i}"

            kit.room.transact(fn)
        await a.wait_for(lambda: a.view()["meta"]["title"] == f"Titel {count - 1}")
        assert len(_updates(a.frames)) - before >= 3
