"""Values held back from the document (private notes, ballots, late notes) when nodes
share a board.

Each node keeps them in memory, but another node may have changed them in the store since:
every op that reads or writes them, and hello, reads them again first (P329). The op then
runs on the node it arrived at, once: a request reaches one node only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import anyio

from ..sync.appmsg import Request
from ..sync.connection import Connection
from ..sync.extension import Handler, RoomExtension, Task
from . import Facilitation

Reload = Callable[[], Awaitable[None]]


class FreshSecrets(RoomExtension):
    """Registered in place of `inner`: its ops and hello start from the store's values."""

    def __init__(self, inner: RoomExtension, reload: Reload, lock: anyio.Lock) -> None:
        self.inner = inner
        self.reload = reload
        self.lock = lock  # a reload must not replace values an op on this node is writing

    def handlers(self) -> Mapping[str, Handler]:
        return {op: self._wrap(handler) for op, handler in self.inner.handlers().items()}

    def _wrap(self, handler: Handler) -> Handler:
        async def run(conn: Connection, req: Request) -> dict[str, Any] | None:
            async with self.lock:
                await self.reload()
                return await handler(conn, req)

        return run

    def tasks(self) -> Sequence[Task]:
        return self.inner.tasks()

    async def hello(self, conn: Connection) -> dict[str, Any]:
        async with self.lock:
            await self.reload()
            return await self.inner.hello(conn)

    async def emptied(self) -> None:
        await self.inner.emptied()


def read_secrets_first(facilitation: Facilitation) -> list[RoomExtension]:
    """The facilitation's extensions, private writing, voting and late notes wrapped (P329,
    P331)."""
    lock = facilitation.secrets_lock

    async def reload() -> None:
        await facilitation.private.load()
        await facilitation.voting.load()
        await facilitation.late.load()

    held = (facilitation.private, facilitation.voting, facilitation.late)
    return [
        FreshSecrets(ext, reload, lock) if any(ext is h for h in held) else ext
        for ext in facilitation.extensions()
    ]
