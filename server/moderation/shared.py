"""Values held back from the document (private notes, ballots) when nodes share a board.

Each node keeps them in memory, but another node may have changed them in the store since:
every op that reads or writes them, and hello, reads them again first (P329). The op then
runs on the node it arrived at, once: a request reaches one node only.
"""

from __future__ import annotations

from typing import Any

import anyio

from ..sync.appmsg import Request
from ..sync.connection import Connection
from ..sync.room import AppHandler, Room
from . import Facilitation

SECRET_OPS = (
    "private.set",
    "private.put",
    "private.delete",
    "private.reveal",
    "vote.open",
    "vote.cast",
    "vote.retract",
    "vote.close",
    "vote.cancel",
)


def read_secrets_first(room: Room, facilitation: Facilitation) -> None:
    """Wrap the secret ops and hello so that each starts from the store's values."""
    lock = anyio.Lock()  # a reload must not replace values an op on this node is writing

    async def reload() -> None:
        await facilitation.private.load()
        await facilitation.voting.load()

    def wrap(handler: AppHandler) -> AppHandler:
        async def run(room: Room, conn: Connection, req: Request) -> dict[str, Any] | None:
            async with lock:
                await reload()
                return await handler(room, conn, req)

        return run

    for op in SECRET_OPS:
        handler = room.app_handlers.get(op)
        if handler is not None:
            room.app_handlers[op] = wrap(handler)

    async def fresh(room: Room, conn: Connection) -> dict[str, Any]:
        async with lock:
            await reload()
        return {}

    room.hello_hooks.insert(0, fresh)  # before the hook that hands out the author's values
