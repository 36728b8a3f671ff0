"""Byte budgets of a board, of its presence fan-out (PROTOCOL.md P122-P124) and of the
updates that wait for ids over the whole process (P115)."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio

from .codec import AwarenessEntry


class BoardSize:
    """The stored size of one board, kept cheap: an upper bound (the last exact measure plus
    every byte published since), measured exactly only when that bound passes the cap, and
    at most once per `min_interval` seconds (a board near its cap would otherwise encode
    its whole state on every keystroke)."""

    def __init__(self, cap: int, measure: Callable[[], int], min_interval: float = 1.0) -> None:
        self.cap = cap
        self._measure = measure
        self.min_interval = min_interval
        self.bound = measure()
        self._measured_at = time.monotonic()

    def measured(self, size: int) -> None:
        """An exact size is known (after a compaction or a reload)."""
        self.bound = size
        self._measured_at = time.monotonic()

    def grew(self, nbytes: int) -> None:
        self.bound += nbytes

    def restore(self, bound: int) -> None:
        """A refused update was reverted: the bound from before it holds again."""
        self.bound = min(self.bound, bound)

    def over_cap(self, pending: int) -> bool:
        """Would the board pass its cap with `pending` more bytes (already applied)?"""
        if self.bound + pending <= self.cap:
            return False
        now = time.monotonic()
        if now - self._measured_at < self.min_interval:
            return True  # measured a moment ago and near the cap: stay on the safe side
        self.measured(self._measure())
        return self.bound > self.cap


class PresenceOutbox:
    """Accepted presence changes wait here and leave together, at most once per `interval`
    seconds: one awareness frame per connection per interval holding each client id's
    latest entry, however many changes arrived (P124). The first change after a quiet
    interval leaves at once."""

    def __init__(self, interval: float, send: Callable[[list[AwarenessEntry]], None]) -> None:
        self.interval = interval
        self._send = send
        self._pending: dict[int, AwarenessEntry] = {}
        self._ready = anyio.Event()

    def add(self, entries: list[AwarenessEntry]) -> None:
        if self.interval <= 0:
            self._send(entries)
            return
        for entry in entries:
            self._pending[entry.client_id] = entry
        self._ready.set()

    async def run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready = anyio.Event()
            entries, self._pending = list(self._pending.values()), {}
            if entries:
                self._send(entries)
            await anyio.sleep(self.interval)


class HeldBytes:
    """P115: the bytes of updates waiting for ids (P114) over every board of the process.
    Each connection may hold its own bound; this one keeps thousands of them from holding
    it all at once."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0

    def change(self, before: int, after: int) -> bool:
        """A connection's waiting bytes go from `before` to `after`; False, and nothing
        changed, when that would pass the cap."""
        if after > before and self.used + after - before > self.cap:
            return False
        self.used += after - before
        return True
