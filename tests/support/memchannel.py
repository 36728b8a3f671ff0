"""An in-memory Channel pair: a real implementation of the protocol, no sockets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from server.sync.channel import ChannelClosedError, MessageHandler, PendingSend, start_send


@dataclass
class MemoryChannel:
    _path: str
    _inbox: MemoryObjectReceiveStream[bytes]
    _outbox: MemoryObjectSendStream[bytes]
    close_code: int | None = None
    close_reason: str = ""
    closed: anyio.Event = field(default_factory=anyio.Event)
    peer: MemoryChannel | None = None
    _held: bytes | None = None  # taken by take_queued but not accepted: recv()'s next

    @property
    def path(self) -> str:
        return self._path

    async def recv(self) -> bytes:
        held, self._held = self._held, None
        if held is not None:
            return held
        try:
            # as the websocket channel's queue: a message already here is returned
            # without a task switch, so a burst is handled in one turn
            return self._inbox.receive_nowait()
        except anyio.WouldBlock:
            pass
        except (anyio.EndOfStream, anyio.ClosedResourceError) as exc:
            raise ChannelClosedError() from exc
        try:
            return await self._inbox.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError) as exc:
            raise ChannelClosedError() from exc

    def take_queued(self, accept: Callable[[bytes], bool], limit: int) -> list[bytes]:
        """As the websocket channel (P370): messages already here, while `accept` takes
        them; the first it refuses stays first in line."""
        out: list[bytes] = []
        while len(out) < limit and self._held is None:
            try:
                message = self._inbox.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                break
            if accept(message):
                out.append(message)
            else:
                self._held = message
        return out

    def send_read(self, messages: list[bytes]) -> None:
        """Hand `messages` over as one socket read does (P368): offered to the peer's
        direct handler together, what it does not take queued in order."""
        peer = self.peer
        taken = peer.offer_read(messages) if isinstance(peer, ReadsMemoryChannel) else 0
        self.send_burst(messages[taken:])

    async def send(self, message: bytes) -> None:
        peer = self.peer
        if isinstance(peer, ReadsMemoryChannel) and peer.offer(message):
            return
        try:
            await self._outbox.send(message)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise ChannelClosedError() from exc

    def send_burst(self, messages: list[bytes]) -> None:
        """Queue `messages` for the peer without a task switch between them, as one read
        of a socket hands a burst over (the peer's direct handler is not offered them)."""
        for message in messages:
            self._outbox.send_nowait(message)

    async def close(self, code: int, reason: str) -> None:
        self.close_code = code
        self.close_reason = reason
        for ch in (self, self.peer):
            if ch is not None:
                ch.closed.set()
        self._outbox.close()

    def dispose(self) -> None:
        """Close every stream of both ends (tests call this when done)."""
        for ch in (self, self.peer):
            if ch is not None:
                ch._outbox.close()
                ch._inbox.close()


class DirectMemoryChannel(MemoryChannel):
    """A MemoryChannel that also writes without a task switch while its buffer has room
    (P360), as the websocket channel does while its transport has."""

    def send_now(self, message: bytes) -> PendingSend | None:
        try:
            self._outbox.send_nowait(message)
        except anyio.WouldBlock:
            return start_send(self.send(message))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise ChannelClosedError() from exc
        return None


class ReadsMemoryChannel(DirectMemoryChannel):
    """A DirectMemoryChannel that also offers each message to the room's handler as the
    client sends it, while none is queued for recv() (P368), as our websocket protocol
    does with what it reads (one message per read). `taken` counts the messages the
    handler took."""

    handler: MessageHandler | None = None
    taken: int = 0

    def on_message(self, handler: MessageHandler | None) -> bool:
        self.handler = handler
        return True

    def offer(self, message: bytes) -> bool:
        return self.offer_read([message]) == 1

    def offer_read(self, messages: list[bytes]) -> int:
        handler = self.handler
        if (
            handler is None
            or self._held is not None
            or self._inbox.statistics().current_buffer_used
        ):
            return 0
        taken = handler(messages)
        self.taken += taken
        return taken


class Transport:
    """What a sink offers (P372): a transport that takes whole frames; it keeps them."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


@dataclass
class Sink:
    """Offers `fast` as our websocket protocol offers its transport; `offer` changes it
    where the protocol would (a pause, a close)."""

    fast: Transport | None = field(default_factory=Transport)
    listener: Callable[[Transport | None], None] | None = None

    def watch(self, listener: Callable[[Transport | None], None] | None) -> None:
        self.listener = listener
        if listener is not None:
            listener(self.fast)

    def offer(self, transport: Transport | None) -> None:
        self.fast = transport
        if self.listener is not None:
            self.listener(transport)


@dataclass
class SinkMemoryChannel(DirectMemoryChannel):
    """A DirectMemoryChannel whose frames may go into the sink's transport past it (P372),
    as our websocket protocol offers its transport."""

    sink: Sink = field(default_factory=Sink)


def channel_pair(
    path: str = "/ws/test",
    buffer: int = 10_000,
    direct: bool = False,
    reads: bool = False,
    sink: bool = False,
) -> tuple[MemoryChannel, MemoryChannel]:
    """(server_side, client_side); a close on either side ends both directions.
    `direct`: the server side is a DirectMemoryChannel; `reads`: a ReadsMemoryChannel;
    `sink`: a SinkMemoryChannel."""
    a_send, b_recv = anyio.create_memory_object_stream[bytes](buffer)
    b_send, a_recv = anyio.create_memory_object_stream[bytes](buffer)
    kind: type[MemoryChannel] = (
        SinkMemoryChannel
        if sink
        else ReadsMemoryChannel
        if reads
        else DirectMemoryChannel
        if direct
        else MemoryChannel
    )
    server = kind(path, a_recv, a_send)
    client = MemoryChannel(path, b_recv, b_send)
    server.peer, client.peer = client, server
    return server, client
