"""The group's decisions: written by the moderator, kept in `control.decisions`, logged (P230).

`control.decisions` = [{id, text, field, note, at, by, edited_at}] is the current list the
protocol leads its decision section with. The log stays append-only: `decision`,
`decision.edit` and `decision.delete` entries are added, never rewritten, so what the group
decided at the time stays readable beside its later correction. The list lives outside the
log because the log is trimmed (`MAX_LOG_ENTRIES`) and a decision must never be.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from pycrdt import Map

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import NOTES
from ..sync.extension import Handler, RoomExtension
from ..sync.room import Room
from ..sync.vocabulary import CONTROL_DECISIONS, DECISION_MAX_CHARS
from .base import (
    BoardContext,
    apply_control,
    arg_field,
    arg_str,
    bound,
    control_get,
    invalid,
    now_ms,
    who,
)

MAX_DECISIONS = 200


class Decisions(RoomExtension):
    """Handles `decision.add {text, field?, note?}`, `decision.edit {decision, text, field?,
    note?}` and `decision.delete {decision}` (P230-P232)."""

    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {"decision.add": self.add, "decision.edit": self.edit, "decision.delete": self.delete},
        )

    def items(self) -> list[dict[str, Any]]:
        return [dict(d) for d in control_get(self.room, CONTROL_DECISIONS, [])]

    def _text(self, req: Request) -> str:
        raw = arg_str(req, "text", DECISION_MAX_CHARS)
        text = (raw or "").strip()
        if not text:
            raise invalid("'text' must say what was decided")
        return text

    def _link(self, req: Request) -> tuple[str | None, str | None]:
        """(field, note): both optional; a note sets the field to its own."""
        field = arg_field(req, self.ctx) if req.args.get("field") is not None else None
        note = arg_str(req, "note", 64, required=False)
        if note is None:
            return field, None
        raw = self.room.doc.get(NOTES, type=Map).get(note)
        if not isinstance(raw, Map):
            raise AppError(ErrorCode.NOT_FOUND, f"no note {note!r} on this board")
        note_field = raw.get("field")
        if field is not None and note_field != field:
            raise invalid(f"note {note!r} is not in field {field!r}: link the note alone")
        return note_field if isinstance(note_field, str) else field, note

    def _find(self, req: Request) -> tuple[list[dict[str, Any]], int]:
        ident = arg_str(req, "decision", 32)
        items = self.items()
        for n, item in enumerate(items):
            if item.get("id") == ident:
                return items, n
        raise AppError(ErrorCode.NOT_FOUND, f"no decision {ident!r}: it may have been deleted")

    async def add(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        text = self._text(req)
        field, note = self._link(req)
        items = self.items()
        if len(items) >= MAX_DECISIONS:
            raise AppError(ErrorCode.LIMIT, f"at most {MAX_DECISIONS} decisions per board")
        ident = secrets.token_hex(6)
        item = {
            "id": ident,
            "text": text,
            "field": field,
            "note": note,
            "at": now_ms(),
            "by": who(conn),
            "edited_at": None,
        }
        details = {"id": ident, "text": text, "field": field, "note": note}
        apply_control(
            room, conn, "decision", "decision", {CONTROL_DECISIONS: [*items, item]}, details
        )
        return {"id": ident}

    async def edit(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        items, n = self._find(req)
        text = self._text(req)
        field, note = self._link(req)
        before = items[n].get("text")
        items[n] = {**items[n], "text": text, "field": field, "note": note, "edited_at": now_ms()}
        details = {"id": items[n]["id"], "text": text, "before": before}
        details |= {"field": field, "note": note}
        apply_control(
            room, conn, "decision.edit", "decision edited", {CONTROL_DECISIONS: items}, details
        )
        return {"id": items[n]["id"]}

    async def delete(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        items, n = self._find(req)
        gone = items.pop(n)
        details = {"id": gone["id"], "text": gone.get("text")}
        apply_control(
            room, conn, "decision.delete", "decision deleted", {CONTROL_DECISIONS: items}, details
        )
        return {"id": gone["id"]}
