"""uvicorn's sans-I/O websocket protocol with a write path for frames built once (P365).

A broadcast sends the same bytes to every connection of a board. Through ASGI each
connection frames them again (a `Frame`, its header, a copy) inside a coroutine per
send; here the frame is built once per broadcast and written into each transport as
is. Everything else (handshake, close, pings, flow control) stays uvicorn's.

Reading is also paused less often: uvicorn pauses a socket after every message and
resumes it when the app takes the message, two event-loop changes per update; this
protocol pauses only when the messages waiting for the app pass a byte bound, so a
client that floods is still held back by TCP (P9, P160).

And the common read is parsed here: a chunk that holds only whole, final, masked binary
frames within the size limit, arriving while websockets' parser waits at a frame
boundary, is unmasked and handed to the app directly. Anything else (a frame split
across reads, text, control frames, fragments, a bad or oversized header) goes to
websockets as before, untouched, so its checks and close codes still apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import OPEN

from .sync.wsframe import CACHED_FRAME_BYTES, LAST, frame_header

try:
    from websockets.speedups import apply_mask
except ImportError:  # websockets built without its C extension
    from websockets.utils import apply_mask

EXTENSION = "cocanvas.frames"
READ_AHEAD_BYTES = 65_536  # queued for the app before the socket is paused
DIRECT_PER_READ = 64  # messages of one read offered to the app's handler; the rest queue
DIRECT_CALLS = 8  # handler calls per read: one per read of whole frames, one per message else


class FrameWriter:
    """What the app finds in `scope["extensions"]["cocanvas.frames"]`."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: DirectWebSocketProtocol) -> None:
        self._protocol = protocol

    def send(self, payload: bytes) -> bool:
        """Write `payload` as one binary message if the connection is open and its
        transport takes it without waiting; False means: use the ASGI send instead.
        A broadcast hands the same bytes object to every connection in turn, so a small
        payload is framed once; a big one goes out as header and payload, uncopied."""
        p = self._protocol
        if not p.frames_fit():
            return False
        if len(payload) <= CACHED_FRAME_BYTES:
            p.transport.write(LAST.frame_of(payload))
        else:
            p.transport.writelines((frame_header(len(payload)), payload))
        return True

    @property
    def sink(self) -> DirectWebSocketProtocol:
        """P372: what tells a connection the transport its frames may go into."""
        return self._protocol

    def on_message(self, handler: Callable[[list[bytes]], int] | None) -> None:
        """P368: offer the binary messages of each read to `handler` as they are read,
        while no message waits in the queue for the app's receive (so the order holds);
        it returns how many of the first it handled, the rest are queued in order. At
        most DIRECT_PER_READ of one read are offered; the handler bounds its own work."""
        self._protocol.direct_handler = handler

    def take_queued(self, accept: Callable[[bytes], bool], limit: int) -> list[bytes]:
        """P370: binary messages waiting for the app's receive, taken without waiting."""
        return self._protocol.take_queued(accept, limit)


class DirectWebSocketProtocol(WebSocketsSansIOProtocol):
    """`websockets-sansio` plus the frame writer, the bounded read-ahead and the fast read."""

    frames_read_here = 0  # frames the fast read delivered, over all connections (tests)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued_bytes = 0
        self.direct_handler: Callable[[list[bytes]], int] | None = None
        # a message take_queued took from the queue but the app did not accept: it is
        # the next one receive() returns (already counted off the read-ahead)
        self._held: Any = None
        self._calls_left = DIRECT_CALLS
        # P372: the transport while whole frames may be written into it as they are
        # (frames_fit), else None. Every entry from the event loop that may change that
        # clears it first; those after which it may hold again look again. The listener
        # (the room's connection) keeps a copy where a delivery reads it cheaply.
        self.fast: Any = None
        self._fast_listener: Callable[[Any], None] | None = None

    def watch(self, listener: Callable[[Any], None] | None) -> None:
        self._fast_listener = listener
        if listener is not None:
            listener(self.fast)

    def _set_fast(self, transport: Any) -> None:
        if transport is not self.fast:
            self.fast = transport
            listener = self._fast_listener
            if listener is not None:
                listener(transport)

    def frames_fit(self) -> bool:
        """Whether a frame built here may go straight into the transport now: the
        handshake is done, no close was sent or received, the transport is not asking
        to pause, and no extension or fragmented message changes how frames look."""
        return not (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or not self.writable.is_set()
            or self.conn.state is not OPEN
            or self.conn.expect_continuation_frame
            or self.conn.extensions
        )

    def _look_again(self) -> None:
        self._set_fast(self.transport if self.frames_fit() else None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_fast(None)
        self._fast_listener = None  # it holds the room's connection
        self.direct_handler = None  # so does this
        super().connection_lost(exc)

    def eof_received(self) -> None:
        self._set_fast(None)
        super().eof_received()

    def pause_writing(self) -> None:
        self._set_fast(None)
        super().pause_writing()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._look_again()

    def shutdown(self) -> None:
        self._set_fast(None)
        super().shutdown()

    def keepalive_timeout(self) -> None:
        self._set_fast(None)
        super().keepalive_timeout()

    async def send(self, message: Any) -> None:
        # the app's own sends: the accept, a close, and frames that had to wait
        self._set_fast(None)
        try:
            await super().send(message)
        finally:
            self._look_again()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # the app's task exists but has not run yet
            scope["extensions"][EXTENSION] = FrameWriter(self)

    def data_received(self, data: bytes) -> None:
        # a read may hold a close, or bring the handshake: the state is looked at after
        self._set_fast(None)
        try:
            self._calls_left = DIRECT_CALLS
            if self._at_frame_boundary() and self._take_frames(data):
                return
            super().data_received(data)
        finally:
            self._look_again()

    def _at_frame_boundary(self) -> bool:
        """True when websockets would read `data` as the start of a new frame: the
        connection is open, no fragmented message is under way, nothing is buffered and
        its parser waits in `at_eof` (any other place means it is inside a frame)."""
        conn = self.conn
        if (
            not self.handshake_complete
            or self.close_sent
            or self.frames
            or conn.state is not OPEN
            or conn.current_size is not None
            or conn.reader.buffer
        ):
            return False
        gen: Any = conn.parser
        while (inner := getattr(gen, "gi_yieldfrom", None)) is not None:
            gen = inner
        return getattr(gen, "__name__", "") == "at_eof"

    def _take_frames(self, data: bytes) -> bool:
        """Deliver every frame of `data` if it is only whole, final, masked binary frames
        within the size limit; else take nothing and return False."""
        limit = self._frame_limit()
        view = memoryview(data)
        payloads: list[bytes] = []
        pos, end = 0, len(data)
        while pos < end:
            if end - pos < 6 or data[pos] != 0x82 or not data[pos + 1] & 0x80:
                return False  # a short header, another opcode or flags, or no mask
            length = data[pos + 1] & 0x7F
            pos += 2
            if length == 126:
                if end - pos < 6:
                    return False
                length = int.from_bytes(data[pos : pos + 2], "big")
                pos += 2
            elif length == 127:
                if end - pos < 12:
                    return False
                length = int.from_bytes(data[pos : pos + 8], "big")
                pos += 8
            if length > limit or end - pos - 4 < length:
                return False  # too big for websockets' limit, or not all here yet
            mask = data[pos : pos + 4]
            pos += 4
            payloads.append(apply_mask(view[pos : pos + length], mask))
            pos += length
        DirectWebSocketProtocol.frames_read_here += len(payloads)
        taken = 0 if self.close_sent else self._offer(payloads)
        for payload in payloads[taken:]:
            self._enqueue(payload)
        return True

    def _offer(self, payloads: list[bytes]) -> int:
        """How many of the first payloads the app's handler took (P368)."""
        handler = self.direct_handler
        if (
            handler is None
            or self._calls_left <= 0
            or self._held is not None
            or not self.queue.empty()
        ):
            return 0
        self._calls_left -= 1
        return handler(payloads[:DIRECT_PER_READ])

    def _frame_limit(self) -> int:
        limits = [
            size
            for size in (self.conn.max_message_size, self.conn.max_fragment_size)
            if size is not None
        ]
        return min(limits) if limits else 1 << 62

    def send_receive_event_to_app(self) -> None:
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # as uvicorn: past websocket.close, reads only wait for the close reply
        if self.curr_msg_data_type == "text":
            try:
                text = data.decode()
            except UnicodeDecodeError:
                self.logger.exception("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
            self._enqueue(data, {"type": "websocket.receive", "text": text})
        elif self._offer([data]) == 0:
            self._enqueue(data)

    def _enqueue(self, data: bytes, message: Any = None) -> None:
        if self.close_sent:
            return  # the handler may have closed the connection
        if message is None:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        else:
            self.queue.put_nowait(message)
        self._queued_bytes += len(data)
        if self._queued_bytes >= READ_AHEAD_BYTES and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        held = self._held
        if held is not None:
            self._held = None
            return held
        message = await self.queue.get()
        self._took(message)
        return message

    def take_queued(self, accept: Callable[[bytes], bool], limit: int) -> list[bytes]:
        out: list[bytes] = []
        while len(out) < limit and self._held is None and not self.queue.empty():
            message = self.queue.get_nowait()
            self._took(message)
            body = message.get("bytes")
            if message.get("type") != "websocket.receive" or not isinstance(body, bytes):
                self._held = message
            elif accept(body):
                out.append(body)
            else:
                self._held = message
        return out

    def _took(self, message: Any) -> None:
        """A message left the queue: it no longer counts towards the read-ahead."""
        body = message.get("bytes") or message.get("text") or b""
        self._queued_bytes -= len(body) if isinstance(body, bytes | str) else 0
        if self.queue.empty():
            self._queued_bytes = 0
            if self.read_paused:
                self.read_paused = False
                self.transport.resume_reading()
