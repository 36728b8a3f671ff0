"""The board's join code: who is told it, its lifetime, and making a new one (P46, P142-P143).

The code is a participant credential, so only moderators and the projector link learn it
(the projector only while `meta.show_join_code`). It expires `join_code_hours` after it
was made: a loaded board then makes a new one at once; an unloaded board makes one when
a moderator or projector next says hello (the store stops accepting the old one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from ..auth import format_join_code, new_join_code
from ..store.base import StoreError
from ..sync.appmsg import Request
from ..sync.connection import Connection
from ..sync.extension import Handler, RoomExtension, Task
from ..sync.room import Room
from .base import BoardContext, apply_control, bound, meta_get

log = logging.getLogger(__name__)
SHOWN_TO = ("moderator", "projector")
RETRY_SECONDS = 30.0
DEFAULT_JOIN_CODE_HOURS = 24.0


def join_code_expiry(now: float, hours: float) -> float:
    """When a code made now expires (epoch seconds); 0 when codes live until replaced."""
    return now + hours * 3600 if hours > 0 else 0.0


class JoinCodes(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx
        self._changed = anyio.Event()
        self._renewing = anyio.Lock()

    def handlers(self) -> Mapping[str, Handler]:
        return bound(self.room, {"join.rotate": self.rotate_op})

    def tasks(self) -> Sequence[Task]:
        return (self._expire,)

    def live(self) -> bool:
        expires = self.ctx.join_code_expires_at
        return bool(self.ctx.join_code) and (not expires or time.time() < expires)

    async def load(self) -> None:
        """Codes made before they could expire get their lifetime now."""
        if self.ctx.join_code and not self.ctx.join_code_expires_at:
            expires = join_code_expiry(time.time(), self.ctx.join_code_hours)
            if expires:
                await self.ctx.store.set_join_code(self.room.board_id, self.ctx.join_code, expires)
                self.ctx.join_code_expires_at = expires

    def for_conn(self, conn: Connection) -> dict[str, Any]:
        """What `hello` and `join.code` tell this connection: nothing to participants and
        viewers (the viewer link must not be a participant credential, P142)."""
        if conn.role not in SHOWN_TO or not self.ctx.join_code:
            return {}
        if conn.role == "projector" and not meta_get(self.room, "show_join_code", True):
            return {}
        expires = self.ctx.join_code_expires_at
        return {
            "join_code": format_join_code(self.ctx.join_code),
            "join_code_expires_at": expires * 1000 if expires else None,
        }

    async def hello(self, conn: Connection) -> dict[str, Any]:
        if conn.role in SHOWN_TO:
            await self.renew()
        return self.for_conn(conn)

    async def renew(self) -> None:
        """A new code if the current one expired; once, however many ask at the same time."""
        async with self._renewing:
            if not self.live():
                await self.rotate(None, "new join code (the old one expired)")

    def announce(self) -> None:
        """P46: moderators and projectors learn a new (or hidden) code at once."""
        for other in list(self.room.conns):
            if other.role in SHOWN_TO:
                data = self.for_conn(other) or {"join_code": None, "join_code_expires_at": None}
                self.room.send_event(other, "join.code", data)

    async def rotate(self, conn: Connection | None, summary: str | None) -> str:
        """A new code; the old one fails from now on. Connections stay (P143). The
        decision log gets `summary` (None: the caller logs)."""
        code = new_join_code()
        expires = join_code_expiry(time.time(), self.ctx.join_code_hours)
        await self.ctx.store.set_join_code(self.room.board_id, code, expires)
        self.ctx.join_code = code
        self.ctx.join_code_expires_at = expires
        if summary is not None:
            # the decision log is public: it never carries the code
            apply_control(self.room, conn, "join.rotate", summary, {}, {})
        self.announce()
        self._changed.set()
        return code

    async def rotate_op(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        await self.rotate(conn, "new join code")
        return self.for_conn(conn)

    async def _expire(self) -> None:
        while True:
            self._changed = anyio.Event()
            expires = self.ctx.join_code_expires_at
            with anyio.move_on_after(max(0.0, expires - time.time()) if expires else None):
                await self._changed.wait()
                continue
            try:
                await self.renew()
            except StoreError:
                log.exception(
                    "board %s: could not replace the expired join code", self.room.board_id
                )
                await anyio.sleep(RETRY_SECONDS)
