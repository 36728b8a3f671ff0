"""App-message requests on a room: decode, check the role, dispatch, answer (P40-P44).

`hello` and `clock` are answered here; every other op goes to the room extension that
registered it (server/sync/extension.py). This module sees a room only through the
narrow `RequestRoom` Protocol, so it does not depend on `Room`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

import anyio

from . import appmsg, codec
from .config import RoomConfig
from .connection import Connection
from .durable import SAVING_PAUSED
from .extension import Extensions
from .ops import OPS


class RequestRoom(Protocol):
    """What answering a request needs of a room."""

    @property
    def board_id(self) -> str: ...

    @property
    def config(self) -> RoomConfig: ...

    @property
    def extensions(self) -> Extensions: ...

    @property
    def seq(self) -> int: ...

    def offered_groups(self) -> frozenset[str]: ...

    def when_committed(self, mark: int, done: Callable[[bool], None]) -> bool: ...


async def handle_app_message(room: RequestRoom, conn: Connection, payload: bytes) -> None:
    """Every request gets exactly one reply (P42), and a success only once what the op
    changed in the document is stored and fanned out (P227)."""
    try:
        request = appmsg.decode_request(payload, room.config.max_app_message_bytes)
    except appmsg.BadRequestError as exc:
        conn.send(codec.encode_app(appmsg.encode_error(exc.request_id, exc.code, exc.message)))
        return
    mark = room.seq
    try:
        result = await dispatch(room, conn, request)
    except appmsg.AppError as exc:
        conn.send(codec.encode_app(appmsg.encode_error(request.id, exc.code, exc.message)))
        return
    reply = codec.encode_app(appmsg.encode_reply(request.id, result))
    answered = anyio.Event()

    def done(stored: bool) -> None:
        # called by the fan-out, before a failed commit closes the connection (P220)
        if stored:
            conn.send(reply)
        else:
            error = appmsg.encode_error(request.id, appmsg.ErrorCode.UNAVAILABLE, SAVING_PAUSED)
            conn.send(codec.encode_app(error))
        answered.set()

    if room.when_committed(mark, done):
        await answered.wait()
    else:
        conn.send(reply)


async def dispatch(
    room: RequestRoom, conn: Connection, request: appmsg.Request
) -> dict[str, Any] | None:
    roles = OPS.get(request.op)
    if roles is None:
        raise appmsg.AppError(appmsg.ErrorCode.UNKNOWN_OP, f"unknown op {request.op!r}")
    if conn.role not in roles:
        raise appmsg.AppError(
            appmsg.ErrorCode.FORBIDDEN, f"{request.op} is for the {' or '.join(roles)} only"
        )
    if request.op == "hello":
        return await hello(room, conn, request)
    if request.op == "clock":
        return {"server_ms": time.time() * 1000}
    handler = room.extensions.handler(request.op)
    if handler is None:
        raise appmsg.AppError(
            appmsg.ErrorCode.UNKNOWN_OP, f"{request.op} is not available on this server"
        )
    return await handler(conn, request)


def _admit_author(room: RequestRoom, conn: Connection, author_id: str) -> None:
    """P165: new identities are budgeted per client address."""
    admit = room.config.admit_author
    wait = admit(room.board_id, author_id, conn.client) if admit is not None else 0.0
    if wait:
        raise appmsg.AppError(
            appmsg.ErrorCode.LIMIT,
            f"too many new identities from your address; try again in {math.ceil(wait)} s",
        )


async def hello(room: RequestRoom, conn: Connection, request: appmsg.Request) -> dict[str, Any]:
    """Who the connection is: role, a pseudonymous author id from its per-board secret,
    the server clock and the limits a client should know (P43). A connection keeps its
    first pid (P140); its group must be one the board offers (P141). Nothing changes
    unless every argument is valid."""
    args = request.args
    pid, name, group = args.get("pid"), args.get("name"), args.get("group")
    author_id = conn.author_id
    if pid is not None:
        if not isinstance(pid, str) or not 16 <= len(pid) <= 128:
            raise appmsg.AppError(
                appmsg.ErrorCode.INVALID, "'pid' must be a string of 16-128 characters"
            )
        author_id = hashlib.sha256(f"{room.board_id}:{pid}".encode()).hexdigest()[:16]
        if conn.author_id is not None and author_id != conn.author_id:
            # one person per connection: a new pid would be a new voter and author
            raise appmsg.AppError(
                appmsg.ErrorCode.IDENTITY,
                "this connection already has another 'pid'; reconnect to change it",
            )
    if name is not None and (not isinstance(name, str) or len(name) > 80):
        raise appmsg.AppError(appmsg.ErrorCode.INVALID, "'name' is at most 80 characters")
    try:
        check_group(room, group)
    except appmsg.AppError:
        # P117: whoever knows the pid is that person, for their own client ids at least,
        # until their client asks again without the group
        if conn.author_id is None:
            conn.proven_author = author_id
        raise
    if author_id is not None and author_id != conn.author_id:
        _admit_author(room, conn, author_id)
    conn.author_id = author_id
    conn.name = name.strip() or None if isinstance(name, str) else None
    conn.group = group
    reply = {
        "role": conn.role,
        "author_id": conn.author_id,
        "server_ms": time.time() * 1000,
        "board": room.board_id,
        "limits": {
            "max_note_chars": room.config.rules.max_note_chars,
            "max_notes": room.config.rules.max_notes,
            "max_board_bytes": room.config.max_board_bytes,
        },
    }
    reply.update(await room.extensions.hello(conn))
    return reply


def check_group(room: RequestRoom, group: object) -> None:
    """P141: a stakeholder group is null or one of the groups the board offers now."""
    if group is None:
        return
    offered = room.offered_groups()
    if not isinstance(group, str) or group not in offered:
        choices = ", ".join(sorted(offered)) or "none (leave it out)"
        raise appmsg.AppError(
            appmsg.ErrorCode.UNKNOWN_GROUP, f"'group' must be one of this board's groups: {choices}"
        )
