"""Messages taken as they are read (PROTOCOL.md P368), over in-memory channels that offer
each message to the room's handler the way our websocket protocol does, and a real
SQLite file."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from pycrdt import Text

from server.sync import codec
from server.sync.errors import CloseCode
from tests.support import hostile as h
from tests.support.memchannel import MemoryChannel, ReadsMemoryChannel
from tests.support.pyclient import PyClient
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio


def server_side(client: PyClient) -> ReadsMemoryChannel:
    assert client.channel is not None
    peer = client.channel.peer
    assert isinstance(peer, ReadsMemoryChannel)
    return peer


def text_of(client: PyClient, note_id: str) -> str:
    notes = client.notes
    return str(notes[note_id]["text"]) if note_id in notes else ""


async def test_p368_updates_and_presence_are_taken_as_read(tmp_path: Path) -> None:
    async with (
        running_room(tmp_path) as kit,
        kit.join(reads=True) as writer,
        kit.join(reads=True) as reader,
    ):
        channel = server_side(writer)
        await writer.add_note("n", "A1", "")
        await reader.wait_for(lambda: "n" in reader.notes)
        taken = channel.taken
        for i in range(20):
            await writer.insert_text("n", i, "x")
        await writer.set_awareness(writer.doc.client_id, 1, {"user": {"name": "Ada"}})
        await reader.wait_for(lambda: text_of(reader, "n") == "x" * 20)
        await reader.wait_for(lambda: writer.doc.client_id in reader.awareness)
        # every keystroke and the presence message skipped the read loop
        assert channel.taken - taken == 21
        await writer.request("clock")  # through the read loop: behind the keystrokes
        view = await kit.stored_view()
        assert view["notes"]["n"]["text"] == "x" * 20


async def test_p368_a_sync_step1_goes_to_the_read_loop_and_the_order_holds(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit, kit.join(reads=True) as writer:
        channel = server_side(writer)
        await writer.add_note("n", "A1", "a")
        await writer.request("clock")
        taken = channel.taken
        frames: list[bytes] = []
        for i in range(5):
            frames.append(codec.encode_sync_step1(writer.doc.get_state()))
            with writer.doc.transaction():
                text = writer.notes["n"]["text"]
                assert isinstance(text, Text)
                text.insert(1 + i, "b")
            frames.extend(writer._outbox)
            writer._outbox = []
        for frame in frames:
            await writer.send(frame)
        await writer.request("clock")
        # a Step1 is never taken, so whatever follows it while it waits is queued behind it
        assert channel.taken - taken < len(frames)
        view = await kit.stored_view()
        assert view["notes"]["n"]["text"] == "abbbbb"


async def test_p368_message_limits_hold_on_the_direct_path(tmp_path: Path) -> None:
    rate, burst, count = 40, 5, 25
    async with (
        running_room(tmp_path, messages_per_second=rate, message_burst=burst) as kit,
        kit.join(reads=True) as writer,
        kit.join() as reader,
    ):
        await writer.add_note("n", "A1", "")
        await reader.wait_for(lambda: "n" in reader.notes)
        await anyio.sleep(burst / rate + 0.05)  # a full bucket again
        started = time.monotonic()
        for i in range(count):
            await writer.insert_text("n", i, "x")
        await reader.wait_for(lambda: len(text_of(reader, "n")) == count, within=10)
        elapsed = time.monotonic() - started
        # the first `burst` are free; each further one waits its token, whichever path
        assert elapsed >= (count - burst) / rate * 0.9, elapsed
        assert not writer.closed.is_set()


@pytest.mark.parametrize(
    ("update", "code"),
    [
        (h.deep_any_with_writes(2_000), CloseCode.FORBIDDEN),
        (h.deep_any(1) + b"\x00", CloseCode.BAD_MESSAGE),
    ],
)
async def test_p368_hostile_updates_close_with_the_read_loops_codes(
    tmp_path: Path, update: bytes, code: CloseCode
) -> None:
    async with running_room(tmp_path) as kit, kit.join(reads=True) as a, kit.join() as b:
        before = kit.room.doc.get_update()
        taken = server_side(a).taken
        await a.send(codec.encode_sync_update(update))
        await a.closed.wait()
        assert server_side(a).taken == taken + 1  # refused on the direct path itself
        assert a.close_info is not None and a.close_info.code == code
        assert kit.room.doc.get_update() == before
        await b.add_note("n", "A1", "room goes on")
        await b.request("clock")
        assert set((await kit.stored_view())["notes"]) == {"n"}


async def test_p368_a_message_over_the_size_limit_closes_as_too_big(tmp_path: Path) -> None:
    async with running_room(tmp_path, max_message_bytes=1024) as kit, kit.join(reads=True) as a:
        await a.send(codec.encode_sync_update(b"\x00" * 2048))
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.MESSAGE_TOO_BIG


async def test_p368_the_handler_is_removed_when_the_connection_ends(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join(reads=True) as a:
            channel = server_side(a)
            assert channel.handler is not None
            assert isinstance(a.channel, MemoryChannel)
        with anyio.fail_after(5):
            await kit.room.wait_empty()
        assert channel.handler is None
