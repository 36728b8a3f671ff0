"""What a room needs of the relay when several nodes serve one board (P320-P329)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol


class Shared(Protocol):
    """The room's link to other nodes serving the same board (P320-P329)."""

    @property
    def owner(self) -> bool:
        """True while this node holds the board's lease: it compacts and runs the tasks."""
        ...

    def committed(self, frame: bytes) -> None:
        """A local update is durable: relay its sync-update frame (P324)."""
        ...

    def presence(self, payload: bytes) -> None:
        """Local presence entries were accepted: relay the awareness payload."""
        ...

    def secrets_changed(self, kind: str) -> None:
        """Values held back from the document changed here: tell the other nodes (P331)."""
        ...

    def people_changed(self) -> None:
        """A connection came or went: the other nodes hear of a first or last one at once
        (P332), not only at the next lease tick."""
        ...

    def tally(self, payload: bytes) -> None:
        """What this node's participants wrote and voted changed: tell the other nodes'
        counters (P293). Sent again now and then, or it goes stale there."""
        ...

    def tallies(self) -> list[bytes]:
        """The other nodes' latest tallies, those heard of lately (P293); unchecked."""
        ...

    async def run(self, tasks: list[Callable[[], Coroutine[Any, Any, None]]]) -> None:
        """Relay and hold the lease while the room runs; run `tasks` only while owner."""
        ...

    def compact(self) -> asyncio.Future[None]:
        """Compact the board with what other nodes stored (P326)."""
        ...
