"""One client connection inside a room: role, bounded send queue, rate limit."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from typing import Any

from pycrdt import merge_updates

from . import codec
from .channel import Channel, ChannelClosedError, DirectChannel, FastSink, FastWrites, PendingSend
from .errors import CloseCode
from .vocabulary import Role
from .wsframe import CACHED_FRAME_BYTES, LAST

log = logging.getLogger(__name__)
_ids = itertools.count(1)
_UPDATE_PREFIX = bytes((codec.MessageType.SYNC, codec.SyncType.UPDATE))


class TokenBucket:
    """Sustained `rate` per second with bursts up to `burst`; the reader sleeps off what
    take() says is owed, which pushes back on the client through TCP (P8, P123).
    Tokens are messages or bytes, as the caller counts them."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, cost: float = 1.0) -> float:
        """Take `cost` tokens; returns the seconds to sleep off a deficit (0.0 if none).
        A plain call: the read loop awaits only when there is something to wait for."""
        self._refill()
        self.tokens -= cost
        return -self.tokens / self.rate if self.tokens < 0 else 0.0

    def take_free(self, cost: float) -> bool:
        """Take `cost` tokens only if that leaves no deficit; False takes nothing."""
        self._refill()
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def give_back(self, cost: float) -> None:
        self.tokens += cost


def coalesce(frames: list[bytes]) -> list[bytes]:
    """Merge runs of document updates waiting for the same client into one frame each
    (fewer frames for a client that fell a little behind; same document afterwards)."""
    out: list[bytes] = []
    run: list[bytes] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(codec.encode_sync_update(run[0]))
        elif run:
            out.append(codec.encode_sync_update(merge_updates(*run)))
        run.clear()

    for frame in frames:
        if frame.startswith(_UPDATE_PREFIX):
            decoded = codec.decode_frame(frame)
            assert isinstance(decoded, codec.SyncUpdate)
            run.append(decoded.update)
        else:
            flush()
            out.append(frame)
    flush()
    return out


class Connection:
    def __init__(self, channel: Channel, role: Role, limits_queue: int, client: str = "") -> None:
        self.id = next(_ids)
        self.channel = channel
        self.role = role
        self.client = client  # address key for per-address limits (P160)
        self.author_id: str | None = None
        # P117: the author a valid pid proved in a hello refused for another reason (a
        # group no longer offered); only the client-id check reads it
        self.proven_author: str | None = None
        self.name: str | None = None
        self.group: str | None = None
        self.speaks_app = False
        self.violations = 0
        self.denied_notice_sent = False
        # P114: updates that wait for ids the room lacks, in the order they came
        self.held: list[bytes] = []
        self.held_bytes = 0  # what they count towards the process's bound (P115)
        self.held_tries = 0  # retries of held updates since none were left
        self.claimed_ids = 0  # Yjs client ids this connection took (P117)
        self.close_code: int | None = None
        self.close_reason = ""
        self._limit = limits_queue
        self._queue: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None  # set while the sender sleeps
        self._closed = asyncio.Event()
        self._ended = False  # _closed is set: read on every delivery, where a flag is cheaper
        self._sending = True
        # P360: frames go straight into the transport while it has room; the sender task
        # runs only when a write has to wait, and frames queue behind it meanwhile
        self._direct = channel.send_now if isinstance(channel, DirectChannel) else None
        self._busy = False  # the sender task holds frames or an unfinished write
        self._rest: PendingSend | None = None  # a direct write that has to wait
        # P372: a delivery writes its frame into this transport, past the channel's send
        # path, while the channel's sink offers one (most deliveries)
        self._fast: Any = None
        sink: FastSink | None = channel.sink if isinstance(channel, FastWrites) else None
        if sink is not None:
            sink.watch(self._offered)

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.role}>"

    @property
    def can_write(self) -> bool:
        return self.role in ("moderator", "participant")  # viewers and projectors read (P10)

    @property
    def closing(self) -> bool:
        return self._ended

    def send(self, message: bytes) -> None:
        """Queue a frame; a client that cannot keep up is closed, never waited for (P9)."""
        if self._ended or not self._sending:
            return
        if self._direct is not None and not self._busy and not self._queue:
            fast = self._fast
            if fast is not None and len(message) <= CACHED_FRAME_BYTES:
                fast.write(LAST.frame_of(message))
                return
            try:
                rest = self._direct(message)
            except ChannelClosedError:
                self._gone()
                return
            if rest is not None:
                self._busy = True
                self._rest = rest
                self._wake()
            return
        if len(self._queue) >= self._limit:
            self.close(CloseCode.SLOW_CONSUMER, "too slow to receive updates; reconnecting")
            return
        self._queue.append(message)
        self._wake()

    def _offered(self, transport: Any) -> None:
        self._fast = transport

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self, code: int, reason: str) -> None:
        """Ask for the connection to end; the room's serve loop performs the close."""
        if self._ended:
            return
        self.close_code = code
        self.close_reason = reason
        self._end()

    def end(self) -> None:
        """The peer went away: stop without sending a close frame."""
        self._end()

    def _end(self) -> None:
        self._ended = True
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def _gone(self) -> None:
        self._end()
        self._sending = False
        self._queue.clear()
        rest, self._rest = self._rest, None
        if rest is not None:
            rest.close()

    async def run_sender(self) -> None:
        """Send queued frames until stop_sender(); then drain what is left and return."""
        while True:
            if not self._queue and self._rest is None:
                self._busy = False
                if not self._sending:
                    return
                # a bare future is cheaper than an Event on this per-delivery path
                self._waiter = asyncio.get_running_loop().create_future()
                await self._waiter
                self._waiter = None
                continue
            self._busy = True
            try:
                rest, self._rest = self._rest, None
                if rest is not None:
                    await rest
                while self._queue:
                    frames = list(self._queue)
                    self._queue.clear()
                    if len(frames) > 1:
                        frames = coalesce(frames)
                    for frame in frames:
                        await self.channel.send(frame)
            except ChannelClosedError:
                self._gone()
                return
            finally:
                self._busy = False

    def stop_sender(self) -> None:
        self._sending = False
        self._wake()
