"""An unloaded room leaves nothing behind: P222, and P361's shared join frames."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

from server.store.base import BoardRecord
from server.store.sqlite import SqliteStore
from server.sync.document import load_doc
from server.sync.room import Room
from server.sync.rooms import Rooms
from tests.support.memchannel import channel_pair
from tests.support.pyclient import PyClient
from tests.support.roomkit import BOARD, CONFIG, make_board

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def swept_rooms(
    tmp_path: Path, built: list[Room], sweep_seconds: float = 0.02
) -> AsyncIterator[Rooms]:
    """Rooms that unload a board at the first sweep after its last client left."""
    async with SqliteStore(tmp_path / "unload.db") as store:
        await make_board(store)

        async def build(record: BoardRecord) -> Room:
            loaded = await store.load(record.id)
            room = Room(record.id, load_doc(loaded.state, loaded.updates), store, CONFIG, 0)
            built.append(room)
            return room

        async with Rooms(store, build, grace_seconds=0, sweep_seconds=sweep_seconds) as rooms:
            yield rooms


async def join(rooms: Rooms) -> None:
    """A fresh client joins (the room builds its full SyncStep2) and leaves."""
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            server_side, client_side = channel_pair()
            tg.start_soon(rooms.serve, BOARD, server_side, "participant")
            async with PyClient.over(client_side) as client:
                await client.synced.wait()
            await client_side.close(1000, "bye")
            client_side.dispose()


async def join_and_leave(rooms: Rooms) -> None:
    """join(); returns once the sweep has unloaded the board and gone back to sleep."""
    empty = anyio.Event()
    rooms.on_room_count = lambda n: empty.set() if n == 0 else None
    await join(rooms)
    with anyio.fail_after(10):
        await empty.wait()
    await anyio.wait_all_tasks_blocked()  # the sweep finished its round and sleeps


async def test_p222_the_sweep_holds_no_reference_to_a_room_it_unloaded(tmp_path: Path) -> None:
    built: list[Room] = []
    async with swept_rooms(tmp_path, built) as rooms:
        await join_and_leave(rooms)
        assert len(built) == 1
        gone = weakref.ref(built.pop())
        gc.collect()
        assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]


async def test_p361_an_unloaded_room_drops_its_shared_join_frames(tmp_path: Path) -> None:
    built: list[Room] = []
    async with swept_rooms(tmp_path, built) as rooms:
        await join_and_leave(rooms)
        (room,) = built  # a reference that outlives the unload must not keep the document
        assert room._step1 is None and room._full_step2 is None
        assert room._presence_frame is None


async def test_p225_once_unload_returns_the_room_is_garbage(tmp_path: Path) -> None:
    # the sweep collects and calls malloc_trim right after unload(): a task of the room
    # still finishing then would leave its megabytes to a later collection and no trim
    built: list[Room] = []
    async with swept_rooms(tmp_path, built, sweep_seconds=3600) as rooms:
        await join(rooms)
        gone = weakref.ref(built.pop())
        assert await rooms.unload(BOARD)
        gc.collect()
        assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
