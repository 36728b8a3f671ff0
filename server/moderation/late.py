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
        self.notes[late_id] = {"owner": conn.author_id, "note": note}
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

        def place(doc: Doc[Any]) -> None:
            text = note.pop("text")
            values = {k: v for k, v in note.items() if v is not None}
            values["author_id"] = entry["owner"]
            doc.get(NOTES, type=Map)[late_id] = Map(
                {"x": 0.5, "y": 0.5, **values, "text": Text(text)}
            )

        apply_control(
            room,
            conn,
            "late.accept",
            f"late note accepted into {field}",
            {},
            {"field": field},
            place,
        )
        room.policy.refresh({late_id})
        del self.notes[late_id]
        await self._save(late_id)
        await stored(room)
        self.notify()
        return {"id": late_id}

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
