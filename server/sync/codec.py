"""Pure y-websocket framing: lib0 varUint / varUint8Array / varString, frame types.

Bytes in, values out; nothing here sends (PROTOCOL.md P1-P4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

from .errors import MalformedMessageError

# lib0 writes up to 53-bit integers (JS safe integers): at most 8 bytes.
MAX_VAR_UINT_BYTES = 8
MAX_SAFE_INTEGER = 2**53 - 1


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    APP = 100


class SyncType(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


AUTH_PERMISSION_DENIED = 0
EMPTY_UPDATE = b"\x00\x00"


def write_var_uint(n: int) -> bytes:
    if n < 0 or n > MAX_SAFE_INTEGER:
        raise ValueError(f"varUint out of range: {n}")
    out = bytearray()
    while n > 0x7F:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    out.append(n)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def write_var_string(text: str) -> bytes:
    # the length prefix is the UTF-8 byte length, not the character count
    return write_var_bytes(text.encode("utf-8"))


class Decoder:
    """Reads lib0 values from one frame; every read is bounds-checked."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def read_var_uint(self) -> int:
        n = 0
        shift = 0
        for i in range(MAX_VAR_UINT_BYTES):
            if self.pos >= len(self.data):
                raise MalformedMessageError("truncated varUint")
            byte = self.data[self.pos]
            self.pos += 1
            n |= (byte & 0x7F) << shift
            if byte < 0x80:
                if n > MAX_SAFE_INTEGER:
                    raise MalformedMessageError("varUint larger than 2^53-1")
                if i > 0 and byte == 0:
                    # lib0 never writes a trailing zero group; it hides data in padding
                    raise MalformedMessageError("overlong varUint")
                return n
            shift += 7
        raise MalformedMessageError("varUint longer than 8 bytes")

    def read_var_bytes(self) -> bytes:
        length = self.read_var_uint()
        if length > self.remaining():
            raise MalformedMessageError(
                f"length {length} runs past the end of the frame ({self.remaining()} left)"
            )
        start = self.pos
        self.pos += length
        return self.data[start : self.pos]

    def read_var_string(self) -> str:
        raw = self.read_var_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessageError("string is not valid UTF-8") from exc

    def expect_end(self) -> None:
        if self.pos != len(self.data):
            raise MalformedMessageError(f"{self.remaining()} unexpected bytes after the message")


# ---- frames -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncStep1:
    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    update: bytes


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    update: bytes


@dataclass(frozen=True, slots=True)
class AwarenessFrame:
    payload: bytes


@dataclass(frozen=True, slots=True)
class AuthFrame:
    kind: int
    reason: str


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    pass


@dataclass(frozen=True, slots=True)
class AppFrame:
    payload: bytes


Frame = SyncStep1 | SyncStep2 | SyncUpdate | AwarenessFrame | AuthFrame | QueryAwareness | AppFrame


def decode_frame(data: bytes) -> Frame:
    """Decode one websocket binary frame (P2). Raises MalformedMessageError."""
    # the common frame, a sync update under 16 KiB, read without a Decoder; the same
    # result as below (any other shape, trailing bytes included, goes the long way)
    if len(data) > 2 and data[0] == MessageType.SYNC and data[1] == SyncType.UPDATE:
        n = data[2]
        if n < 0x80:
            if len(data) == 3 + n:
                return SyncUpdate(data[3:])
        elif len(data) > 3 and 0 < data[3] < 0x80:  # two bytes, minimal as the decoder wants
            if len(data) == 4 + ((n & 0x7F) | (data[3] << 7)):
                return SyncUpdate(data[4:])
    return decode_frame_slowly(data)


def decode_frame_slowly(data: bytes) -> Frame:
    """decode_frame without its shortcut (tests compare the two)."""
    dec = Decoder(data)
    kind = dec.read_var_uint()
    frame: Frame
    if kind == MessageType.SYNC:
        sub = dec.read_var_uint()
        payload = dec.read_var_bytes()
        if sub == SyncType.STEP1:
            frame = SyncStep1(payload)
        elif sub == SyncType.STEP2:
            frame = SyncStep2(payload)
        elif sub == SyncType.UPDATE:
            frame = SyncUpdate(payload)
        else:
            raise MalformedMessageError(f"unknown sync message type {sub}")
    elif kind == MessageType.AWARENESS:
        frame = AwarenessFrame(dec.read_var_bytes())
    elif kind == MessageType.AUTH:
        sub = dec.read_var_uint()
        frame = AuthFrame(sub, dec.read_var_string())
    elif kind == MessageType.QUERY_AWARENESS:
        frame = QueryAwareness()
    elif kind == MessageType.APP:
        frame = AppFrame(dec.read_var_bytes())
    else:
        raise MalformedMessageError(f"unknown message type {kind}")
    dec.expect_end()
    return frame


def encode_sync_step1(state_vector: bytes) -> bytes:
    return bytes((MessageType.SYNC, SyncType.STEP1)) + write_var_bytes(state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    return bytes((MessageType.SYNC, SyncType.STEP2)) + write_var_bytes(update)


def encode_sync_update(update: bytes) -> bytes:
    return bytes((MessageType.SYNC, SyncType.UPDATE)) + write_var_bytes(update)


def encode_awareness(payload: bytes) -> bytes:
    return bytes((MessageType.AWARENESS,)) + write_var_bytes(payload)


def encode_permission_denied(reason: str) -> bytes:
    return bytes((MessageType.AUTH, AUTH_PERMISSION_DENIED)) + write_var_string(reason)


def encode_query_awareness() -> bytes:
    return bytes((MessageType.QUERY_AWARENESS,))


def encode_app(payload: bytes) -> bytes:
    return write_var_uint(MessageType.APP) + write_var_bytes(payload)


# ---- awareness payloads -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's presence: state is the JSON text, "null" when the client left."""

    client_id: int
    clock: int
    state_json: str

    @property
    def is_null(self) -> bool:
        return self.state_json == "null"


def decode_awareness(payload: bytes, max_entries: int = 1024) -> list[AwarenessEntry]:
    """Decode a y-protocols awareness update; each state must be JSON (P12)."""
    dec = Decoder(payload)
    count = dec.read_var_uint()
    if count > max_entries:
        raise MalformedMessageError(f"awareness update with {count} entries")
    entries = []
    for _ in range(count):
        client_id = dec.read_var_uint()
        clock = dec.read_var_uint()
        state = dec.read_var_string()
        try:
            parsed = json.loads(state)
        except ValueError as exc:
            raise MalformedMessageError("awareness state is not JSON") from exc
        if parsed is not None and not isinstance(parsed, dict):
            raise MalformedMessageError("awareness state must be an object or null")
        entries.append(AwarenessEntry(client_id, clock, "null" if parsed is None else state))
    dec.expect_end()
    return entries


def encode_awareness_entries(entries: list[AwarenessEntry]) -> bytes:
    out = bytearray(write_var_uint(len(entries)))
    for e in entries:
        out += write_var_uint(e.client_id)
        out += write_var_uint(e.clock)
        out += write_var_string(e.state_json)
    return bytes(out)
