"""The transport a Room talks to: three methods, adapters live at the edge (P5)."""

from __future__ import annotations

from typing import Protocol


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
