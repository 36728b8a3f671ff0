"""Private writing: notes held by the server and sent only to their author until revealed.

Private notes never enter the shared document (so no other client can receive them,
P60); they are stored as secrets and move into `notes` in one transaction on reveal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import msgpack
from pycrdt import Doc, Map, Text

from canvas_schema.placement import layout, round4

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import NOTES
from ..sync.extension import Handler, RoomExtension
from ..sync.requests import check_group
from ..sync.room import Room
from .base import (
    BoardContext,
    apply_control,
    arg_field,
    arg_str,
    bound,
    control_get,
    invalid,
    meta_get,
    note_ids,
    now_ms,
    stored,
)

KIND = "private"
MAX_PER_AUTHOR = 200
_NOTE_ARGS = {"color": 32, "format": 64, "owner": 200, "due": 32}


class PrivateWriting(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx
        self.notes: dict[str, dict[str, Any]] = {}  # note id -> {"owner", "note"}
        self._fields: frozenset[str] = frozenset()
        self.refresh()
        room.policy.private_fields = self.fields

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {
                "private.set": self.set,
                "private.put": self.put,
                "private.delete": self.delete,
                "private.reveal": self.reveal,
            },
        )

    async def hello(self, conn: Connection) -> dict[str, Any]:
        if conn.author_id is None:
            return {}
        return {"private_notes": self.of(conn.author_id)}

    async def load(self) -> None:
        stored = await self.ctx.store.get_secrets(self.room.board_id, KIND)
        self.notes = {k: msgpack.unpackb(v, raw=False) for k, v in stored.items()}

    def fields(self) -> frozenset[str]:
        return self._fields

    def refresh(self) -> None:
        self._fields = frozenset(control_get(self.room, "private", {}))

    def of(self, author_id: str | None) -> list[dict[str, Any]]:
        return [
            {"id": nid, **entry["note"]}
            for nid, entry in sorted(self.notes.items())
            if author_id is not None and entry["owner"] == author_id
        ]

    def notify(self, author_id: str) -> None:
        notes = self.of(author_id)
        for conn in self.room.connections_of(author_id):
            self.room.send_event(conn, "private.notes", {"notes": notes})

    async def _save(self, note_id: str) -> None:
        entry = self.notes.get(note_id)
        value = None if entry is None else msgpack.packb(entry, use_bin_type=True)
        await self.ctx.store.put_secret(self.room.board_id, KIND, note_id, value)

    # ---- ops ---------------------------------------------------------------------------

    async def set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        field = arg_field(req, self.ctx)
        on = req.args.get("on")
        if not isinstance(on, bool):
            raise invalid("'on' must be true or false")
        private = dict(control_get(room, "private", {}))
        if on:
            private[field] = True
            apply_control(
                room,
                conn,
                "private.set",
                f"private writing in {field}",
                {"private": private},
                {"field": field},
            )
            self.refresh()
            return {"private": sorted(private)}
        # switching off reveals what was written: nothing is lost
        return await self._reveal(conn, field)

    async def put(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        if conn.author_id is None:
            raise invalid("send hello with a 'pid' first")
        check_group(room, conn.group)  # the moderator may have stopped offering it
        note_id = arg_str(req, "note", 64)
        assert note_id is not None
        field = arg_field(req, self.ctx)
        entry = self.notes.get(note_id)
        if entry is not None and entry["owner"] != conn.author_id:
            raise AppError(ErrorCode.FORBIDDEN, "that note belongs to someone else")
        if note_id in note_ids(room):
            raise AppError(ErrorCode.CONFLICT, f"a note {note_id!r} already exists")
        if entry is None:
            if field not in self.fields():
                raise AppError(ErrorCode.CONFLICT, f"field {field} is not in private writing mode")
            mine = sum(1 for e in self.notes.values() if e["owner"] == conn.author_id)
            if mine >= MAX_PER_AUTHOR:
                raise AppError(ErrorCode.LIMIT, f"at most {MAX_PER_AUTHOR} private notes each")
            if len(note_ids(room)) + len(self.notes) >= room.config.rules.max_notes:
                raise AppError(ErrorCode.LIMIT, "this board is full")
        text = arg_str(req, "text", room.config.rules.max_note_chars * 4, required=False) or ""
        if len(text) > room.config.rules.max_note_chars:
            raise AppError(
                ErrorCode.LIMIT, f"a note is at most {room.config.rules.max_note_chars} characters"
            )
        note: dict[str, Any] = {"field": field, "text": text}
        for key, limit in _NOTE_ARGS.items():
            value = arg_str(req, key, limit, required=False)
            if value is not None:
                note[key] = value
        for key in ("x", "y"):
            value = req.args.get(key)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise invalid(f"'{key}' must be a number")
                if not 0 <= value <= 1:
                    raise invalid(f"'{key}' must be between 0 and 1")
                note[key] = float(value)
        note["group"] = conn.group
        note["author"] = conn.name
        note["created_at"] = entry["note"]["created_at"] if entry else now_ms()
        note["updated_at"] = now_ms()
        self.notes[note_id] = {"owner": conn.author_id, "note": note}
        await self._save(note_id)
        self.notify(conn.author_id)
        return {"id": note_id}

    async def delete(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        note_id = arg_str(req, "note", 64)
        entry = self.notes.get(note_id or "")
        if entry is None or entry["owner"] != conn.author_id:
            raise AppError(ErrorCode.NOT_FOUND, "no such private note of yours")
        assert note_id is not None
        del self.notes[note_id]
        await self._save(note_id)
        self.notify(entry["owner"])
        return {}

    def _diagram_spots(self, field: str, revealed: list[str]) -> dict[str, tuple[float, float]]:
        """Places for revealed notes in a diagram, as every client will lay them out (P281).

        Each device chose its private notes' places seeing only its own notes, so they may
        coincide; the shared layout over the field's notes in `order` moves them apart.
        """
        kinds = {f.id: str(f.kind) for f in self.ctx.canvas.fields}
        if kinds.get(field) != "diagram" or not revealed:
            return {}
        rows: list[tuple[float, str, float, float]] = []
        for nid, note in self.room.doc.get(NOTES, type=Map).items():
            if isinstance(note, Map) and note.get("field") == field:
                rows.append(_layout_row(nid, dict(note.items())))
        for nid in revealed:
            rows.append(_layout_row(nid, self.notes[nid]["note"]))
        rows.sort(key=lambda r: (r[0], r[1]))
        placed = layout([(x, 1 - y) for _, _, x, y in rows])
        wanted = set(revealed)
        return {
            nid: (p.x, round4(1 - p.y))
            for (_, nid, _, _), p in zip(rows, placed, strict=True)
            if nid in wanted
        }

    async def reveal(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        return await self._reveal(conn, arg_field(req, self.ctx))

    async def _reveal(self, conn: Connection, field: str) -> dict[str, Any]:
        ids = sorted(nid for nid, e in self.notes.items() if e["note"]["field"] == field)
        anonymous = bool(meta_get(self.room, "private_anonymous", False))
        existing = note_ids(self.room)
        private = dict(control_get(self.room, "private", {}))
        private.pop(field, None)

        spots = self._diagram_spots(field, [nid for nid in ids if nid not in existing])

        def move(doc: Doc[Any]) -> None:
            notes = doc.get(NOTES, type=Map)
            for nid in ids:
                if nid in existing:
                    continue
                entry = self.notes[nid]
                data = dict(entry["note"])
                if nid in spots:
                    data["x"], data["y"] = spots[nid]
                if anonymous:
                    data["author"] = None
                else:
                    data["author_id"] = entry["owner"]
                text = data.pop("text", "")
                values = {k: v for k, v in data.items() if v is not None}
                notes[nid] = Map({**values, "text": Text(text)})

        summary = f"{len(ids)} private notes revealed in {field}"
        apply_control(
            self.room,
            conn,
            "private.reveal",
            summary,
            {"private": private},
            {"field": field, "count": len(ids)},
            move,
        )
        self.refresh()
        owners = {self.notes[nid]["owner"] for nid in ids}
        for nid in ids:
            del self.notes[nid]
            await self._save(nid)
        await stored(self.room)
        for owner in owners:
            self.notify(owner)
        return {"revealed": len(ids)}


def _num(value: Any, default: float) -> float:
    # as the client reads a note (model/board.ts `num`): finite numbers only
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return float(value)


def _layout_row(nid: str, note: dict[str, Any]) -> tuple[float, str, float, float]:
    """(order, id, x, y) of a note, read as the client reads it."""
    order = _num(note.get("order"), _num(note.get("created_at"), 0))
    x = min(max(_num(note.get("x"), 0.5), 0.0), 1.0)
    y = min(max(_num(note.get("y"), 0.5), 0.0), 1.0)
    return (order, nid, x, y)
