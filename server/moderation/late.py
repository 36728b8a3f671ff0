"""Late notes: words a participant could not place (a field locked while they typed, or a
change refused after working offline) handed in for the moderation to accept (P264).

They are held by the server as secrets, never in the shared document, and shown to
moderators only; accepting writes the note into its field even when that field is locked.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import msgpack
from pycrdt import Doc, Map, Text

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import NOTES
from ..sync.extension import Handler, RoomExtension
from ..sync.room import Room
from .base import (
    BoardContext,
    apply_control,
    arg_field,
    arg_str,
    bound,
    invalid,
    note_ids,
    now_ms,
    stored,
)

KIND = "late"
MAX_PER_AUTHOR = 50


class LateNotes(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx
        self.notes: dict[str, dict[str, Any]] = {}  # late id -> {"owner", "note"}

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {"late.put": self.put, "late.accept": self.accept, "late.dismiss": self.dismiss},
        )

    async def hello(self, conn: Connection) -> dict[str, Any]:
        return {"late_notes": self.listing()} if conn.role == "moderator" else {}

    async def load(self) -> None:
        stored = await self.ctx.store.get_secrets(self.room.board_id, KIND)
        self.notes = {k: msgpack.unpackb(v, raw=False) for k, v in stored.items()}

    def listing(self) -> list[dict[str, Any]]:
        """Every waiting late note, oldest first (for moderators)."""
        entries = sorted(self.notes.items(), key=lambda kv: kv[1]["note"]["created_at"])
        return [{"id": lid, **entry["note"]} for lid, entry in entries]

    def notify(self) -> None:
        listing = self.listing()
        for conn in list(self.room.conns):
            if conn.role == "moderator" and conn.speaks_app:
                self.room.send_event(conn, "late.notes", {"notes": listing})

    async def _save(self, late_id: str) -> None:
        entry = self.notes.get(late_id)
        value = None if entry is None else msgpack.packb(entry, use_bin_type=True)
        await self.ctx.store.put_secret(self.room.board_id, KIND, late_id, value)
        if self.room.shared is not None:
            self.room.shared.secrets_changed(KIND)  # P331: their moderators see it too

    # ---- ops ---------------------------------------------------------------------------

    async def put(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        if conn.author_id is None:
            raise invalid("send hello with a 'pid' first")
        field = arg_field(req, self.ctx)
        limit = room.config.rules.max_note_chars
        text = arg_str(req, "text", limit * 4) or ""
        if len(text) > limit:
            raise AppError(ErrorCode.LIMIT, f"a note is at most {limit} characters")
        if not text.strip():
            raise invalid("a late note needs some text")
        mine = sum(1 for e in self.notes.values() if e["owner"] == conn.author_id)
        if mine >= MAX_PER_AUTHOR:
            raise AppError(ErrorCode.LIMIT, f"at most {MAX_PER_AUTHOR} late notes each")
        late_id = "late-" + secrets.token_hex(8)
        note = {
            "field": field,
            "text": text,
            "author": conn.name,
            "group": conn.group,
            "created_at": now_ms(),
        }
        entry: dict[str, Any] = {"owner": conn.author_id, "note": note}
        # the writer's note the words continue (typed on as its field locked)
        origin = arg_str(req, "note", 64, required=False)
        if origin:
            entry["origin"] = origin
            note["continues"] = origin
        self.notes[late_id] = entry
        await self._save(late_id)
        self.notify()
        return {"id": late_id}

    def _take(self, req: Request) -> tuple[str, dict[str, Any]]:
        late_id = arg_str(req, "note", 64) or ""
        entry = self.notes.get(late_id)
        if entry is None:
            raise AppError(ErrorCode.NOT_FOUND, "no such late note; it may be handled already")
        return late_id, entry

    async def accept(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        late_id, entry = self._take(req)
        note = dict(entry["note"])
        if late_id in note_ids(room):
            raise AppError(ErrorCode.CONFLICT, f"a note {late_id!r} already exists")
        if len(note_ids(room)) >= room.config.rules.max_notes:
            raise AppError(ErrorCode.LIMIT, "this board is full")
        field = note["field"]
        placed = late_id

        def place(doc: Doc[Any]) -> None:
            nonlocal placed
            text = note.pop("text")
            note.pop("continues", None)
            notes = doc.get(NOTES, type=Map)
            if _continue(notes, entry, field, text):
                placed = entry["origin"]
                return
            values = {k: v for k, v in note.items() if v is not None}
            values["author_id"] = entry["owner"]
            notes[late_id] = Map({"x": 0.5, "y": 0.5, **values, "text": Text(text)})

        apply_control(
            room,
            conn,
            "late.accept",
            f"late note accepted into {field}",
            {},
            {"field": field},
            place,
        )
        room.policy.refresh({placed})
        del self.notes[late_id]
        await self._save(late_id)
        await stored(room)
        self.notify()
        return {"id": placed}

    async def dismiss(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        late_id, entry = self._take(req)
        field = entry["note"]["field"]
        apply_control(
            room, conn, "late.dismiss", f"late note for {field} dismissed", {}, {"field": field}
        )
        del self.notes[late_id]
        await self._save(late_id)
        await stored(room)
        self.notify()
        return {}


def _continue(notes: Map[Any], entry: Mapping[str, Any], field: str, text: str) -> bool:
    """Add the late words to the writer's own note when they continue it: the note is
    still theirs, in that field, and its text is where the words begin (a lock came while
    they typed). Otherwise the late note becomes a note of its own."""
    origin = entry.get("origin")
    note = notes.get(origin) if isinstance(origin, str) else None
    if not isinstance(note, Map) or note.get("field") != field:
        return False
    if note.get("author_id") != entry["owner"]:
        return False
    current = note.get("text")
    if not isinstance(current, Text):
        return False
    have = str(current)
    if not text.startswith(have):
        return False
    if len(text) > len(have):
        current += text[len(have) :]
    return True
