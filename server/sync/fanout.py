"""Fan-out of committed updates: merged while they were committed together, each frame
encoded once for every connection that gets it (PROTOCOL.md P360, P362)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable

from pycrdt import merge_updates

from . import codec
from .connection import Connection

# these bound a merge's work; it waits only for updates already being committed (P369)
MERGE_MAX_UPDATES = 64
MERGE_MAX_BYTES = 262_144
# P369: how long committed updates may wait for the commits of those published after them
MERGE_WINDOW_SECONDS = 0.010

# (commit, update, the connection it came from: None when everyone gets it)
Outgoing = tuple[asyncio.Future[None], bytes, Connection | None]
Batch = list[tuple[bytes, Connection | None]]


def take_committed(outbox: deque[Outgoing], first: Outgoing) -> Batch:
    """`first` (committed) and the updates behind it that are committed already, taken
    from the outbox in order, within the merge bounds."""
    batch: Batch = [(first[1], first[2])]
    size = len(first[1])
    while outbox and len(batch) < MERGE_MAX_UPDATES:
        item = outbox[0]
        fut = item[0]
        if not fut.done() or fut.cancelled() or fut.exception() is not None:
            break  # not yet durable (P20), or failed: the fan-out loop handles it
        size += len(item[1])
        if size > MERGE_MAX_BYTES:
            break
        outbox.popleft()
        batch.append((item[1], item[2]))
    return batch


def more_coming(outbox: deque[Outgoing]) -> bool:
    """P369: True when the committed updates at the head of the outbox, all of which would
    still fit in one merge, are followed by one whose commit is running: its end calls
    the fan-out again, so the wait costs one commit, not a guess at what may come."""
    count = size = 0
    for fut, update, _ in outbox:
        if not fut.done():
            return count > 0
        if fut.cancelled() or fut.exception() is not None:
            return False  # a failure is handled now (P220)
        count += 1
        size += len(update)
        if count >= MERGE_MAX_UPDATES or size >= MERGE_MAX_BYTES:
            return False
    return False


class MergeWindow:
    """P369: committed updates wait for the commits behind them, at most
    MERGE_WINDOW_SECONDS from the first wait; then a timer calls `flush` once."""

    __slots__ = ("_timer", "_over")

    def __init__(self) -> None:
        self._timer: asyncio.TimerHandle | None = None
        self._over = False  # set while flush runs for a closed window

    @property
    def open(self) -> bool:
        return self._timer is not None

    def hold(self, outbox: deque[Outgoing], flush: Callable[[], None]) -> bool:
        """Whether the committed head of `outbox` waits."""
        if not self._over and more_coming(outbox):
            if self._timer is None:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(MERGE_WINDOW_SECONDS, self._closed, flush)
            return True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return False

    def _closed(self, flush: Callable[[], None]) -> None:
        self._timer = None
        self._over = True
        try:
            flush()
        finally:
            self._over = False


def broadcast(conns: Iterable[Connection], batch: Batch) -> None:
    """One frame per connection with the batch's updates, less those it sent itself (P11):
    the same bytes for everyone who sent none of them, one merge per sender otherwise."""
    senders = {sender for _, sender in batch if sender is not None}
    everything: bytes | None = None
    for conn in list(conns):
        if conn in senders:
            others = [update for update, sender in batch if sender is not conn]
            if others:
                conn.send(_frame(others))
            continue
        if everything is None:
            everything = _frame([update for update, _ in batch])
        conn.send(everything)


def _frame(updates: list[bytes]) -> bytes:
    merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
    return codec.encode_sync_update(merged)
