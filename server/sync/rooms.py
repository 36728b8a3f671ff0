"""Rooms: get-or-create under a per-board lock, evict idle rooms after a grace period.

Usage:

    async with Rooms(store, build_room) as rooms:
        await rooms.serve(board_id, channel, role)
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

import anyio
from anyio.abc import TaskGroup

from .. import heap
from ..store.base import BoardRecord, DocStore, StoreError
from .channel import Channel
from .errors import CloseCode, SyncError
from .room import Room
from .vocabulary import Role

log = logging.getLogger(__name__)

RoomFactory = Callable[[BoardRecord], Awaitable[Room]]
T = TypeVar("T")


class BoardNotFoundError(SyncError):
    code = CloseCode.BOARD_NOT_FOUND


class Rooms:
    def __init__(
        self,
        store: DocStore,
        build_room: RoomFactory,
        grace_seconds: float = 30.0,
        sweep_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self.build_room = build_room
        self.grace_seconds = grace_seconds
        self.sweep_seconds = sweep_seconds
        self.rooms: dict[str, Room] = {}
        self._locks: dict[str, anyio.Lock] = {}
        self._tg: TaskGroup | None = None
        self.on_room_count: Callable[[int], None] | None = None

    async def __aenter__(self) -> Rooms:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._sweep)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._tg is not None
        with anyio.CancelScope(shield=True):
            await self.unload_all()
        self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(exc_type, exc, tb)

    def _lock(self, board_id: str) -> anyio.Lock:
        lock = self._locks.get(board_id)
        if lock is None:
            lock = self._locks[board_id] = anyio.Lock()
        return lock

    async def acquire(self, board_id: str) -> Room:
        """The loaded room, loading it once even when many join at the same moment (P7).
        Pair with release()."""
        async with self._lock(board_id):
            room = self.rooms.get(board_id)
            if room is None:
                record = await self.store.get_board(board_id)
                if record is None:
                    raise BoardNotFoundError("no such board")
                room = await self.build_room(record)
                assert self._tg is not None
                self._tg.start_soon(room.run)
                self.rooms[board_id] = room
                self._count()
                await self._touch(board_id)
            room.users += 1
            return room

    def release(self, room: Room) -> None:
        room.users -= 1
        room.last_left = time.monotonic()

    async def serve(self, board_id: str, channel: Channel, role: Role, client: str = "") -> None:
        room = await self.acquire(board_id)
        try:
            await room.serve(channel, role, client)
        finally:
            self.release(room)

    def get_loaded(self, board_id: str) -> Room | None:
        return self.rooms.get(board_id)

    async def unload(self, board_id: str, force: bool = False) -> bool:
        async with self._lock(board_id):
            room = self.rooms.get(board_id)
            if room is None:
                return False
            if room.users > 0 and not force:
                return False  # someone joined while we waited for the lock
            for conn in list(room.conns):
                conn.close(CloseCode.SHUTTING_DOWN, "the board is closing")
            await room.stop()
            if room.unsaved and not force:
                log.error("board %s: kept in memory because it could not be saved", board_id)
                return False
            await self._touch(board_id)  # its last connection ended about now
            del self.rooms[board_id]
            room.close()
            self._drop_lock(board_id)
            self._count()
            return True

    async def drain(self) -> None:
        """Send every client away with 4501 (P221) and wait until they are gone."""
        for room in list(self.rooms.values()):
            for conn in list(room.conns):
                conn.close(CloseCode.SHUTTING_DOWN, "the server is restarting; reconnecting")
        for room in list(self.rooms.values()):
            await room.wait_empty()

    async def run_if_unloaded(
        self, board_id: str, fn: Callable[[], Awaitable[T]]
    ) -> tuple[bool, T | None]:
        """Run fn() unless the board is loaded, holding its lock so that nobody loads it
        meanwhile (retention never deletes a board in use, P201).

        Returns:
            (False, None) if the board was loaded; else (True, what fn returned).
        """
        async with self._lock(board_id):
            if board_id in self.rooms:
                return False, None
            result = await fn()
            self._drop_lock(board_id)
            return True, result

    def _drop_lock(self, board_id: str) -> None:
        # called while holding it: nobody else waits, so nobody can hold a stale one
        if self._lock(board_id).statistics().tasks_waiting == 0:
            self._locks.pop(board_id, None)

    async def _touch(self, board_id: str) -> None:
        try:
            await self.store.touch_board(board_id, time.time())
        except StoreError as exc:
            # the board works on; retention sees it as idle a little earlier
            log.warning("board %s: last use not recorded: %s", board_id, exc)

    async def unload_all(self) -> None:
        for board_id in list(self.rooms):
            await self.unload(board_id, force=True)

    async def _sweep(self) -> None:
        while True:
            await anyio.sleep(self.sweep_seconds)
            unloaded = await self._unload_idle()
            if unloaded:
                # the server collects rarely (see cli/admin.py); an unloaded board is megabytes of
                # cyclic garbage, so give it back now (P222), and the freed pages to the
                # system, or fragmentation lets RSS creep up all day (P225)
                gc.collect()
                heap.give_back()

    async def _unload_idle(self) -> int:
        # its own frame: a loop variable in _sweep would hold the last room it looked at,
        # document and all, until the next sweep found a loaded board (P222)
        now = time.monotonic()
        unloaded = 0
        for board_id, room in list(self.rooms.items()):
            if room.users == 0 and now - room.last_left >= self.grace_seconds:
                try:
                    unloaded += await self.unload(board_id)
                except Exception:
                    log.exception("board %s: unloading failed; kept in memory", board_id)
        return unloaded

    def _count(self) -> None:
        if self.on_room_count is not None:
            self.on_room_count(len(self.rooms))
