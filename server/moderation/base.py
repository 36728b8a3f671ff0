"""Shared pieces of the moderator powers: board context, argument checks, control writes."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc, Map

from canvas_schema import Canvas

from ..store.base import BoardRecord, DocStore, SnapshotInfo
from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import CONTROL, META, NOTES
from ..sync.durable import SAVING_PAUSED
from ..sync.extension import Handler
from ..sync.room import Room
from ..sync.vocabulary import SnapshotKind

MAX_LOG_ENTRIES = 2_000

RoomHandler = Callable[[Room, Connection, Request], Awaitable[dict[str, Any]]]


@dataclass
class BoardContext:
    """What the facilitation layer needs beyond the room; built by the app."""

    record: BoardRecord
    canvas: Canvas
    store: DocStore
    snapshot: Callable[[str, SnapshotKind], Awaitable[SnapshotInfo]]  # (label, kind) -> info
    restore: Callable[[str], Awaitable[None]]  # sid -> board equals that snapshot
    part_fields: dict[str, list[str]] = field(default_factory=dict)
    join_code: str = ""
    join_code_expires_at: float = 0.0  # epoch seconds; 0: never
    join_code_hours: float = 24.0
    keep_auto_snapshots: int = 100

    def __post_init__(self) -> None:
        if not self.join_code:
            self.join_code = self.record.join_code
            self.join_code_expires_at = self.record.join_code_expires_at
        for part in self.canvas.parts:
            self.part_fields[part.id] = [f.id for f in part.fields]

    @property
    def field_ids(self) -> set[str]:
        return {f.id for f in self.canvas.fields}

    def part_of(self, target: str) -> str | None:
        for part, fields in self.part_fields.items():
            if target == part or target in fields:
                return part
        return None


def bound(room: Room, handlers: Mapping[str, RoomHandler]) -> dict[str, Handler]:
    """Room-taking op handlers as the (conn, request) handlers a RoomExtension offers."""
    return {op: functools.partial(handler, room) for op, handler in handlers.items()}


def now_ms() -> float:
    return time.time() * 1000


def invalid(message: str) -> AppError:
    return AppError(ErrorCode.INVALID, message)


def arg_str(req: Request, name: str, max_len: int, required: bool = True) -> str | None:
    value = req.args.get(name)
    if value is None:
        if required:
            raise invalid(f"'{name}' is required")
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid(f"'{name}' must be a string of at most {max_len} characters")
    return value


def arg_int(req: Request, name: str, lo: int, hi: int, default: int | None = None) -> int:
    value = req.args.get(name, default)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise invalid(f"'{name}' must be a whole number from {lo} to {hi}")
    return value


def arg_bool(req: Request, name: str, default: bool | None = None) -> bool:
    value = req.args.get(name, default)
    if not isinstance(value, bool):
        raise invalid(f"'{name}' must be true or false")
    return value


def arg_field(req: Request, ctx: BoardContext, name: str = "field") -> str:
    value = arg_str(req, name, 16)
    assert value is not None
    if value not in ctx.field_ids:
        raise AppError(ErrorCode.NOT_FOUND, f"no field {value!r} on this canvas")
    return value


def control_get(room: Room, key: str, default: Any = None) -> Any:
    control = room.doc.get(CONTROL, type=Map)
    value = control.get(key)
    if isinstance(value, Array):
        return value.to_py()
    return default if value is None else value


def meta_get(room: Room, key: str, default: Any = None) -> Any:
    value = room.doc.get(META, type=Map).get(key)
    return default if value is None else value


def note_ids(room: Room) -> set[str]:
    return set(room.doc.get(NOTES, type=Map).keys())


def who(conn: Connection) -> dict[str, Any]:
    return {"role": conn.role, "name": conn.name}


async def stored(room: Room) -> None:
    """P227: return once the op's document change is committed and fanned out, so that
    an event announcing it follows it; refuse the op when it could not be stored."""
    if not await room.fanned_out():
        raise AppError(ErrorCode.UNAVAILABLE, SAVING_PAUSED)


def apply_control(
    room: Room,
    conn: Connection | None,
    op: str,
    summary: str,
    changes: dict[str, Any],
    details: dict[str, Any] | None = None,
    extra: Callable[[Doc[Any]], None] | None = None,
    by: dict[str, Any] | None = None,
) -> None:
    """Write control values and a decision-log entry in one server transaction."""
    if by is None:
        by = who(conn) if conn is not None else {"role": "server", "name": None}
    entry = {
        "at": now_ms(),
        "by": by,
        "op": op,
        "summary": summary,
        "details": details or {},
    }

    def change(doc: Doc[Any]) -> None:
        control = doc.get(CONTROL, type=Map)
        for key, value in changes.items():
            if value is None:
                if key in control:
                    del control[key]
            else:
                control[key] = value
        log = control.get("log")
        if not isinstance(log, Array):
            log = Array()
            control["log"] = log
        log.append(entry)
        if len(log) > MAX_LOG_ENTRIES:
            del log[0 : len(log) - MAX_LOG_ENTRIES]
        if extra is not None:
            extra(doc)

    room.transact(change, actor=f"{conn.role}:{conn.id}" if conn else "server")
