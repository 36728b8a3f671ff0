"""App messages (outer type 100): msgpack maps, size-bounded and validated (PROTOCOL.md P40-P45).

Client -> server: {"id": n, "op": "name", ...args}.
Server -> client: {"re": n, "ok": true, ...result} | {"re": n, "ok": false, "error": {...}}
or events {"ev": "name", ...}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgpack

from .vocabulary import EVENTS

MAX_REQUEST_ID = 2**31


class ErrorCode(StrEnum):
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    LIMIT = "limit"
    LOCKED = "locked"
    CONFLICT = "conflict"
    UNKNOWN_OP = "unknown_op"
    IDENTITY = "identity"  # P140: another pid on a connection that already has one
    UNKNOWN_GROUP = "unknown_group"  # P141: a group the board does not offer
    UNAVAILABLE = "unavailable"  # P227: the op's change could not be stored (P220)


class AppError(Exception):
    """A refused request: code and a message that says what to do."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    id: int
    op: str
    args: dict[str, Any] = field(default_factory=dict)


class BadRequestError(AppError):
    """The message could not be read at all; `request_id` is set when it was readable."""

    def __init__(self, message: str, request_id: int | None = None) -> None:
        super().__init__(ErrorCode.INVALID, message)
        self.request_id = request_id


def decode_request(payload: bytes, max_bytes: int) -> Request:
    if len(payload) > max_bytes:
        raise BadRequestError(f"app message of {len(payload)} bytes exceeds {max_bytes}")
    try:
        data = msgpack.unpackb(
            payload,
            raw=False,
            strict_map_key=True,
            max_str_len=max_bytes,
            max_bin_len=max_bytes,
            max_array_len=1024,
            max_map_len=256,
            max_ext_len=0,
        )
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise BadRequestError(f"app message is not valid msgpack: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequestError("app message must be a map")
    rid = data.pop("id", None)
    if not isinstance(rid, int) or isinstance(rid, bool) or not 0 <= rid < MAX_REQUEST_ID:
        raise BadRequestError("app message needs an integer 'id' in 0..2^31-1")
    op = data.pop("op", None)
    if not isinstance(op, str) or not 0 < len(op) <= 64:
        raise BadRequestError("app message needs a string 'op'", rid)
    return Request(rid, op, data)


def _pack(data: dict[str, Any]) -> bytes:
    out = msgpack.packb(data, use_bin_type=True)
    assert isinstance(out, bytes)
    return out


def encode_reply(request_id: int, result: dict[str, Any] | None = None) -> bytes:
    return _pack({"re": request_id, "ok": True, **(result or {})})


def encode_error(request_id: int | None, code: ErrorCode, message: str) -> bytes:
    return _pack({"re": request_id, "ok": False, "error": {"code": str(code), "message": message}})


def encode_event(event: str, data: dict[str, Any] | None = None) -> bytes:
    """Pack an event; its name and fields must be declared in `vocabulary.EVENTS`."""
    fields = data or {}
    spec = EVENTS.get(event)
    if spec is None or not set(spec.required) <= fields.keys() <= spec.fields:
        raise ValueError(
            f"event {event!r} with fields {sorted(fields)} is not declared in "
            "server/sync/vocabulary.py EVENTS; declare it there (the client is generated from it)"
        )
    return _pack({"ev": event, **fields})


def decode_server_message(payload: bytes) -> dict[str, Any]:
    """For tests and tools: read a server reply or event."""
    data = msgpack.unpackb(payload, raw=False)
    if not isinstance(data, dict):
        raise ValueError("server app message is not a map")
    return data


def encode_request(request_id: int, op: str, **args: Any) -> bytes:
    """For tests and tools: build a client request."""
    return _pack({"id": request_id, "op": op, **args})
