"""One client connection inside a room: role, bounded send queue, rate limit."""

from __future__ import annotations

import itertools
import logging
import time

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .channel import Channel, ChannelClosedError
from .errors import CloseCode

log = logging.getLogger(__name__)
_ids = itertools.count(1)


class TokenBucket:
    """Sustained `rate` per second with bursts up to `burst`; wait() sleeps off a deficit,
    which slows the reader and so pushes back on the client through TCP (P8)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    async def wait(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1.0
        if self.tokens < 0:
            await anyio.sleep(-self.tokens / self.rate)


class Connection:
    def __init__(self, channel: Channel, role: str, limits_queue: int) -> None:
        self.id = next(_ids)
        self.channel = channel
        self.role = role
        self.author_id: str | None = None
        self.speaks_app = False
        self.violations = 0
        self.denied_notice_sent = False
        self.close_code: int | None = None
        self.close_reason = ""
        self._send: MemoryObjectSendStream[bytes]
        self._recv: MemoryObjectReceiveStream[bytes]
        self._send, self._recv = anyio.create_memory_object_stream[bytes](limits_queue)
        self._closed = anyio.Event()

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.role}>"

    @property
    def can_write(self) -> bool:
        return self.role != "viewer"

    @property
    def closing(self) -> bool:
        return self._closed.is_set()

    def send(self, message: bytes) -> None:
        """Queue a frame; a client that cannot keep up is closed, never waited for (P9)."""
        if self._closed.is_set():
            return
        try:
            self._send.send_nowait(message)
        except anyio.WouldBlock:
            self.close(CloseCode.SLOW_CONSUMER, "too slow to receive updates; reconnecting")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._closed.set()

    def close(self, code: int, reason: str) -> None:
        """Ask for the connection to end; the room's serve loop performs the close."""
        if self._closed.is_set():
            return
        self.close_code = code
        self.close_reason = reason
        self._closed.set()

    def end(self) -> None:
        """The peer went away: stop without sending a close frame."""
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def run_sender(self) -> None:
        async with self._recv:
            async for message in self._recv:
                if self._closed.is_set():
                    break
                try:
                    await self.channel.send(message)
                except ChannelClosedError:
                    self._closed.set()
                    break

    def stop_sender(self) -> None:
        self._send.close()
