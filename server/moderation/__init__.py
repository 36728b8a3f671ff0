"""Server-enforced moderator powers on a Room: agenda and timer, locks, focus, private
writing, dot voting, links, snapshots, and the decision log.

    facilitation = Facilitation(room, ctx)
    for extension in facilitation.extensions():
        room.extend(extension)
    await facilitation.load()   # before the first client is served
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import anyio
import msgpack
from pycrdt import Doc, Map

from ..sync.connection import Connection
from ..sync.document import CONTROL, load_doc
from ..sync.extension import RoomExtension, Task
from ..sync.revert import read_state_vector
from ..sync.room import Room
from ..sync.vocabulary import SnapshotKind
from .base import BoardContext as BoardContext
from .base import control_get
from .board import BoardOps
from .counters import Counters
from .decisions import Decisions
from .joincode import JoinCodes
from .late import LateNotes
from .private import PrivateWriting
from .push import ProjectorPush
from .timer import Timer
from .voting import Voting

log = logging.getLogger(__name__)
AUTO_SNAPSHOT_SECONDS = 600.0
SEEN = "seen"
AUTOMATIC: tuple[SnapshotKind, ...] = ("auto", "last-leave", "before-restore")


class Facilitation(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx
        self.join = JoinCodes(room, ctx)
        self.board = BoardOps(room, ctx, self.join)
        self.timer = Timer(room, ctx, self._timer_ended, self._more_time)
        self.private = PrivateWriting(room, ctx)
        self.voting = Voting(room, ctx)
        self.late = LateNotes(room, ctx)
        self.decisions = Decisions(room, ctx)
        self.push = ProjectorPush(room, ctx)
        self.counters = Counters(room, self.private, self.voting)
        self.seen: dict[str, str] = {}  # author id -> group ("anonymous" without one)
        self._snapshot_seq = room.seq
        self._snapshot_at = time.monotonic()
        self._loaded_state = read_state_vector(room.doc.get_state())
        self.secrets_lock = anyio.Lock()  # a reload must not replace values an op is writing

    def extensions(self) -> list[RoomExtension]:
        """Every part as a room extension, in the order their hello keys are merged."""
        return [
            self.join,
            self.late,
            self.board,
            self.timer,
            self.private,
            self.voting,
            self.decisions,
            self.push,
            self.counters,
            self,
        ]

    def tasks(self) -> Sequence[Task]:
        return (self._auto_snapshots,)

    async def load(self) -> None:
        await self.join.load()
        await self.private.load()
        await self.voting.load()
        await self.late.load()
        stored = await self.ctx.store.get_secrets(self.room.board_id, SEEN)
        self.seen = {k: msgpack.unpackb(v, raw=False) for k, v in stored.items()}

    async def hello(self, conn: Connection) -> dict[str, Any]:
        if conn.author_id is not None and conn.can_write:
            # moderators on their own line: the protocol lists them apart (roster P45)
            key = "moderator" if conn.role == "moderator" else conn.group or "anonymous"
            await self._count(conn.author_id, key)
        return {}

    async def _count(self, author_id: str, group: str) -> None:
        if self.seen.get(author_id) == group:
            return
        self.seen[author_id] = group
        await self.ctx.store.put_secret(
            self.room.board_id, SEEN, author_id, msgpack.packb(group, use_bin_type=True)
        )
        roster: dict[str, int] = {}
        for g in self.seen.values():
            roster[g] = roster.get(g, 0) + 1

        def write(doc: Doc[Any]) -> None:
            doc.get(CONTROL, type=Map)["roster"] = roster

        self.room.transact(write)

    async def _timer_ended(self, target: str, fields: list[str]) -> None:
        if fields:
            self.board.set_locks(None, fields, True, f"{target} (time is up)", "timer.done")
        # the label is data (the timer target); clients put it into words
        await self.snapshot(target, "part-end")

    def _more_time(self, conn: Connection, target: str, fields: list[str]) -> None:
        self.board.set_locks(conn, fields, False, f"{target} (more time)", "timer.extend")

    async def snapshot(self, label: str, kind: SnapshotKind) -> None:
        try:
            await self.ctx.snapshot(label, kind)
            if kind in AUTOMATIC:
                keep = self.ctx.keep_auto_snapshots
                await self.ctx.store.prune_snapshots(self.room.board_id, AUTOMATIC, keep)
        except Exception:
            log.exception("board %s: %s snapshot failed", self.room.board_id, kind)
            return
        self._snapshot_seq = self.room.seq
        self._snapshot_at = time.monotonic()

    async def _auto_snapshots(self) -> None:
        while True:
            await anyio.sleep(30)
            due = time.monotonic() - self._snapshot_at >= AUTO_SNAPSHOT_SECONDS
            if due and self.room.seq != self._snapshot_seq:
                await self.snapshot("", "auto")

    async def emptied(self) -> None:
        if self.room.shared is not None:
            return  # P332: the owner takes it, once the board is empty on every node
        if self.room.seq != self._snapshot_seq:
            await self.snapshot("", "last-leave")

    async def secrets_changed(self, kind: str) -> None:
        """Another node changed held-back values of `kind`: read them again (P331)."""
        if kind == "late":
            async with self.secrets_lock:
                await self.late.load()
            self.late.notify()

    async def all_left(self) -> None:
        """With several nodes: everyone has left the board everywhere and this node owns
        it. Relayed changes leave `room.seq` alone, and another node may have taken this
        very state already, so the document is compared with the newest snapshot (P332)."""
        now = read_state_vector(self.room.doc.get_state())
        if now == self._loaded_state:
            return
        newest = await self._newest_snapshot_state()
        if newest is not None and read_state_vector(newest) == now:
            return
        await self.snapshot("", "last-leave")

    async def _newest_snapshot_state(self) -> bytes | None:
        infos = await self.ctx.store.list_snapshots(self.room.board_id)
        if not infos:
            return None
        newest = max(infos, key=lambda i: i.created_at)
        found = await self.ctx.store.get_snapshot(self.room.board_id, newest.sid)
        return None if found is None else load_doc(found[1], []).get_state()

    def refresh(self) -> None:
        self.board.refresh()
        self.private.refresh()
        self.timer.poke()

    def locks(self) -> Any:
        return control_get(self.room, "locks", {})
