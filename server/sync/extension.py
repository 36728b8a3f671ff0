"""RoomExtension: the typed seam through which features plug into a room.

A room calls every registered extension at hello, when the last connection left, for its
background tasks and to answer the app-message ops the extension names. Extensions are
registered at the composition root (`server/app.py`); several coexist, and an op two of
them claim is refused at registration instead of one silently replacing the other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from .appmsg import Request
from .connection import Connection

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Request], Awaitable[dict[str, Any] | None]]
Task = Callable[[], Coroutine[Any, Any, None]]
E = TypeVar("E")


class RoomExtension(Protocol):
    """What a room asks of a feature; every hook has a do-nothing default, so an
    extension subclasses this Protocol and overrides only what it needs."""

    def handlers(self) -> Mapping[str, Handler]:
        """The app-message ops this extension answers (P40-P44), op -> handler."""
        return {}

    def tasks(self) -> Sequence[Task]:
        """Coroutines the room runs for as long as it is loaded; with several nodes, on
        the board's owner only (P327)."""
        return ()

    def node_tasks(self) -> Sequence[Task]:
        """Coroutines the room runs for as long as it is loaded, on every node."""
        return ()

    async def hello(self, conn: Connection) -> dict[str, Any]:
        """Keys this extension adds to the `hello` reply of `conn` (P43)."""
        return {}

    async def emptied(self) -> None:
        """The last connection left the room."""
        return None


class Extensions:
    """The extensions of one room, in registration order."""

    def __init__(self) -> None:
        self._items: list[RoomExtension] = []
        self._handlers: dict[str, Handler] = {}

    def add(self, extension: RoomExtension) -> None:
        """Register `extension`; raises ValueError if it claims an op already claimed."""
        handlers = dict(extension.handlers())
        taken = sorted(set(handlers) & set(self._handlers))
        if taken:
            raise ValueError(f"ops already handled by another extension: {', '.join(taken)}")
        self._items.append(extension)
        self._handlers.update(handlers)

    def handler(self, op: str) -> Handler | None:
        return self._handlers.get(op)

    def find(self, kind: type[E]) -> E | None:
        """The registered extension of class `kind`, for code outside the room (routes)."""
        for item in self._items:
            if isinstance(item, kind):
                return item
        return None

    def tasks(self) -> list[Task]:
        return [task for item in self._items for task in item.tasks()]

    def node_tasks(self) -> list[Task]:
        return [task for item in self._items for task in item.node_tasks()]

    async def hello(self, conn: Connection) -> dict[str, Any]:
        reply: dict[str, Any] = {}
        for item in self._items:
            reply.update(await item.hello(conn))
        return reply

    async def emptied(self) -> None:
        for item in self._items:
            try:
                await item.emptied()
            except Exception:  # one extension's failure must not skip the next one
                log.exception("extension %s failed after the last connection left", item)

    def clear(self) -> None:
        self._items.clear()
        self._handlers.clear()
