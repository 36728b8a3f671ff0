"""A real Room on a real SQLite file, joined over in-memory channels."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import TaskGroup
from pycrdt import Doc, Transaction

from canvas_schema import load_canvas
from server.moderation.base import BoardContext
from server.store.base import BoardRecord, SnapshotInfo
from server.store.sqlite import SqliteStore
from server.sync.document import initial_update, load_doc
from server.sync.extension import RoomExtension
from server.sync.policy import Rules
from server.sync.room import Room, RoomConfig
from server.sync.vocabulary import Role, SnapshotKind
from tests.support.memchannel import channel_pair
from tests.support.pyclient import PyClient

FIELDS = {
    "A1": "notes",
    "A2": "notes",
    "A3": "diagram",
    "B3": "formats",
    "B4": "table",
    "C3": "actions",
}
CONFIG = RoomConfig(
    max_message_bytes=65_536,
    max_app_message_bytes=4096,
    messages_per_second=10_000,
    message_burst=10_000,
    max_connections=50,
    send_queue_messages=1000,
    max_awareness_bytes=2048,
    violations_before_close=5,
    compact_after_rows=100,
    compact_after_bytes=1_000_000,
    rules=Rules(FIELDS, max_notes=50, max_note_chars=200),
)
BOARD = "testboard"


@dataclass
class RoomKit:
    room: Room
    store: SqliteStore
    tg: TaskGroup

    @contextlib.asynccontextmanager
    async def join(
        self,
        role: Role = "participant",
        direct: bool = False,
        reads: bool = False,
        doc: Doc[Any] | None = None,
    ) -> AsyncIterator[PyClient]:
        server_side, client_side = channel_pair(direct=direct, reads=reads)
        self.tg.start_soon(self.room.serve, server_side, role)
        async with PyClient.over(client_side, doc) as client:
            await client.synced.wait()
            try:
                yield client
            finally:
                await client_side.close(1000, "bye")
                client_side.dispose()

    def board_context(self) -> BoardContext:
        """What facilitation extensions need of the board; snapshots are not part of it."""

        async def no_snapshot(label: str, kind: SnapshotKind) -> SnapshotInfo:
            raise AssertionError("no snapshots here")

        async def no_restore(sid: str) -> None:
            raise AssertionError("no restores here")

        record = BoardRecord(BOARD, "ko-kreation", 1, "Kit", "de", 0.0)
        return BoardContext(record, load_canvas("ko-kreation"), self.store, no_snapshot, no_restore)

    async def compacted_state(self) -> bytes:
        """The board's stored state once every update is committed and compacted."""
        await self.room.flushed()
        await self.room.compact()
        loaded = await self.store.load(BOARD)
        return loaded.state or b""

    async def stored_view(self) -> dict[str, Any]:
        loaded = await self.store.load(BOARD)
        from server.sync.document import doc_view

        return doc_view(load_doc(loaded.state, loaded.updates))


async def make_board(store: SqliteStore) -> None:
    record = BoardRecord(BOARD, "ko-kreation", 1, "Kit", "de", time.time(), {})
    await store.create_board(record, initial_update({"title": "Kit", "canvas": "ko-kreation"}))


@contextlib.asynccontextmanager
async def running_room(tmp_path: Path, **overrides: Any) -> AsyncIterator[RoomKit]:
    async with extended_room(tmp_path, (), **overrides) as kit:
        yield kit


@contextlib.asynccontextmanager
async def extended_room(
    tmp_path: Path, extensions: Sequence[RoomExtension], **overrides: Any
) -> AsyncIterator[RoomKit]:
    """A running room with `extensions` registered before it runs."""
    config = dataclasses.replace(CONFIG, **overrides)
    async with SqliteStore(tmp_path / "kit.db") as store:
        await make_board(store)
        loaded = await store.load(BOARD)
        room = Room(BOARD, load_doc(loaded.state, loaded.updates), store, config, loaded.last_seq)
        for extension in extensions:
            room.extend(extension)
        async with anyio.create_task_group() as tg:
            tg.start_soon(room.run)
            yield RoomKit(room, store, tg)
            await room.stop()
            tg.cancel_scope.cancel()


def new_transactions(monkeypatch: pytest.MonkeyPatch, room: Room) -> list[Transaction]:
    """Record every transaction opened on the room's document from now on (nested ones
    not), until `monkeypatch.undo()`. Reads `room._doc`: `room.doc` would apply the
    keystrokes waiting for it (P375) and so open one itself."""
    opened: list[Transaction] = []
    enter = Transaction.__enter__

    def counting(self: Transaction, *args: Any) -> Transaction:
        if self._doc is room._doc and self._txn is None:
            opened.append(self)
        return enter(self, *args)

    monkeypatch.setattr(Transaction, "__enter__", counting)
    return opened
