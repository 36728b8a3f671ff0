"""The transport a Room talks to: three methods, adapters live at the edge (P5)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from typing import Any, Protocol, runtime_checkable

# the messages of one read, in order -> how many of the first were handled (P368)
MessageHandler = Callable[[list[bytes]], int]


class ChannelClosedError(Exception):
    """The peer went away; raised by recv() and send()."""


class Channel(Protocol):
    """One client connection as the room sees it.

    recv() returns the next binary frame or raises ChannelClosedError;
    send() writes one binary frame; close() ends the connection with a code.
    """

    @property
    def path(self) -> str: ...

    async def recv(self) -> bytes: ...

    async def send(self, message: bytes) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


@runtime_checkable
class DirectChannel(Protocol):
    """A channel that can write a frame without a task switch (P360)."""

    def send_now(self, message: bytes) -> PendingSend | None:
        """Write `message` at once if the transport takes it without waiting and return
        None; else return what is left of the send, to be awaited before the next one.
        Raises ChannelClosedError as send() does."""
        ...


class FastSink(Protocol):
    """P372: offers a transport to write whole websocket frames (wsframe) into, as they
    are, while that is right for the connection, and None while it is not (the
    handshake, a pause, a close)."""

    def watch(self, listener: Callable[[Any], None] | None) -> None:
        """Call `listener` with the transport (or None) now and whenever that changes;
        None stops the calls."""
        ...


@runtime_checkable
class FastWrites(Protocol):
    """A channel whose frames may skip its own send path while its sink allows (P372)."""

    @property
    def sink(self) -> FastSink | None: ...


@runtime_checkable
class DirectReads(Protocol):
    """A channel that can offer the messages of a read to a handler as they are read,
    without waking the task that waits in recv() (P368)."""

    def on_message(self, handler: MessageHandler | None) -> bool:
        """Offer the binary messages of every read, while none waits for recv(), to
        `handler`, which returns how many of the first it handled; the rest reach recv()
        in order. The handler never raises. Returns False when this channel cannot do so
        (then recv() gets everything). None removes the handler."""
        ...


@runtime_checkable
class QueuedReads(Protocol):
    """A channel that can hand over messages already read without waiting (P370)."""

    def take_queued(self, accept: Callable[[bytes], bool], limit: int) -> list[bytes]:
        """Up to `limit` binary messages from the head of what waits for recv(), as long
        as `accept` takes each; the first it refuses, or anything not binary, stays first
        in line for recv()."""
        ...


def start_send(coro: Coroutine[Any, Any, None]) -> PendingSend | None:
    """Run `coro` up to its first suspension in the caller's task (as Python 3.12's eager
    tasks do): None if it finished, else an awaitable that finishes it. A write into a
    transport with room left never suspends, so a fan-out needs no task per connection."""
    try:
        first = coro.send(None)
    except StopIteration:
        return None
    return PendingSend(coro, first)


class PendingSend:
    """The rest of a send that suspended outside a task: awaiting it hands the future it
    waits on to the awaiting task, and forwards results and exceptions."""

    def __init__(self, coro: Coroutine[Any, Any, None], first: Any) -> None:
        self._coro = coro
        self._first = first

    def close(self) -> None:
        """Abandon the send (the connection is gone)."""
        self._coro.close()

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self._coro, self._first
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:
                try:
                    value = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    value = coro.send(sent)
                except StopIteration:
                    return
