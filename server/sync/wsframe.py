"""Websocket binary frames built once per broadcast (P365, P372): small enough to compile,
shared by our websocket protocol and a connection's direct write."""

from __future__ import annotations

from typing import Final

# payloads up to this size are framed once per broadcast; bigger ones go out as header and
# payload (their copy would cost more than a second write call)
CACHED_FRAME_BYTES: Final = 65_536


def frame_header(length: int) -> bytes:
    """The header of an unmasked, final, binary websocket frame (RFC 6455 5.2)."""
    if length < 126:
        return bytes((0x82, length))
    if length < 65_536:
        return bytes((0x82, 126, length >> 8, length & 0xFF))
    return bytes((0x82, 127)) + length.to_bytes(8, "big")


def binary_frame(payload: bytes) -> bytes:
    """An unmasked, final, binary websocket frame holding `payload`."""
    return frame_header(len(payload)) + payload


class LastFrame:
    """The frame of the last small payload written: a broadcast hands the same bytes
    object to every connection in turn. Only small ones are kept: a module that held a
    board's whole state after the board was unloaded would hold its memory."""

    def __init__(self) -> None:
        self._payload = b""
        self._frame = binary_frame(b"")

    def frame_of(self, payload: bytes) -> bytes:
        if payload is not self._payload:
            self._payload = payload
            self._frame = binary_frame(payload)
        return self._frame


LAST: Final = LastFrame()
