"""Dot voting: dots held by the server, each voter told only their own, counts on close.

`control.voting` = {state: idle|open|closed, round, fields, per_person, max_per_note,
opened_at, closed_at, results: {note: {total, by_group}}} — results only after close (P70).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import msgpack
from pycrdt import Map

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import NOTES
from ..sync.extension import Handler, RoomExtension
from ..sync.requests import check_group
from ..sync.room import Room
from .base import (
    BoardContext,
    apply_control,
    arg_int,
    arg_str,
    bound,
    control_get,
    invalid,
    now_ms,
    stored,
)

KIND = "vote"
ANONYMOUS = "anonymous"


class Voting(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx
        # voter author id -> {"group": str|None, "dots": {note id: count}}
        self.ballots: dict[str, dict[str, Any]] = {}

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {
                "vote.open": self.open,
                "vote.cast": self.cast,
                "vote.retract": self.retract,
                "vote.close": self.close,
                "vote.cancel": self.cancel,
            },
        )

    async def hello(self, conn: Connection) -> dict[str, Any]:
        if conn.author_id is None:
            return {}
        return {"vote": self.ballot_state(conn.author_id)}

    def state(self) -> dict[str, Any]:
        voting = control_get(self.room, "voting")
        return dict(voting) if isinstance(voting, dict) else {"state": "idle"}

    async def load(self) -> None:
        voting = self.state()
        stored = await self.ctx.store.get_secrets(self.room.board_id, KIND)
        prefix = f"{voting.get('round')}:"
        self.ballots = {
            key[len(prefix) :]: msgpack.unpackb(value, raw=False)
            for key, value in stored.items()
            if voting.get("state") == "open" and key.startswith(prefix)
        }

    def ballot_state(self, author_id: str | None) -> dict[str, Any]:
        voting = self.state()
        if voting.get("state") != "open" or author_id is None:
            return {"state": voting.get("state", "idle")}
        dots = self.ballots.get(author_id, {}).get("dots", {})
        used = sum(dots.values())
        return {
            "state": "open",
            "round": voting.get("round"),
            "mine": dots,
            "remaining": int(voting["per_person"]) - used,
        }

    def notify(self, author_id: str) -> None:
        state = self.ballot_state(author_id)
        for conn in self.room.connections_of(author_id):
            self.room.send_event(conn, "vote.state", state)

    async def _save(self, author_id: str) -> None:
        key = f"{self.state().get('round')}:{author_id}"
        ballot = self.ballots.get(author_id)
        value = msgpack.packb(ballot, use_bin_type=True) if ballot else None
        await self.ctx.store.put_secret(self.room.board_id, KIND, key, value)

    async def _forget_round(self, round_id: object) -> None:
        for author_id in list(self.ballots):
            key = f"{round_id}:{author_id}"
            await self.ctx.store.put_secret(self.room.board_id, KIND, key, None)
        self.ballots = {}

    # ---- ops ---------------------------------------------------------------------------

    async def open(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        if self.state().get("state") == "open":
            raise AppError(ErrorCode.CONFLICT, "a vote is already open; close it first")
        fields = req.args.get("fields")
        if not isinstance(fields, list) or not fields:
            raise invalid("'fields' must be a non-empty list of field ids")
        unknown = [f for f in fields if f not in self.ctx.field_ids]
        if unknown:
            raise AppError(ErrorCode.NOT_FOUND, f"no such fields: {unknown}")
        per_person = arg_int(req, "per_person", 1, 50)
        max_per_note = arg_int(req, "max_per_note", 1, 50, default=per_person)
        chosen = [str(f) for f in dict.fromkeys(fields)]
        voting: dict[str, Any] = {
            "state": "open",
            "round": secrets.token_hex(4),
            "fields": chosen,
            "per_person": per_person,
            "max_per_note": max_per_note,
            "opened_at": now_ms(),
        }
        self.ballots = {}
        summary = f"vote opened on {', '.join(chosen)}: {per_person} dots each"
        apply_control(room, conn, "vote.open", summary, {"voting": voting}, dict(voting))
        await stored(room)
        for other in list(room.conns):
            if other.author_id is not None:
                room.send_event(other, "vote.state", self.ballot_state(other.author_id))
        return {"round": voting["round"]}

    def _check_note(self, req: Request) -> str:
        voting = self.state()
        if voting.get("state") != "open":
            raise AppError(ErrorCode.CONFLICT, "no vote is open")
        note_id = arg_str(req, "note", 64)
        assert note_id is not None
        note = self.room.doc.get(NOTES, type=Map).get(note_id)
        if not isinstance(note, Map):
            raise AppError(ErrorCode.NOT_FOUND, f"no note {note_id!r}")
        if note.get("field") not in voting["fields"]:
            raise AppError(ErrorCode.FORBIDDEN, "this note is not part of the vote")
        return note_id

    async def cast(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        if conn.author_id is None:
            raise invalid("send hello with a 'pid' first")
        check_group(room, conn.group)  # the moderator may have stopped offering it
        note_id = self._check_note(req)
        voting = self.state()
        ballot = self.ballots.setdefault(conn.author_id, {"group": conn.group, "dots": {}})
        ballot["group"] = conn.group
        dots: dict[str, int] = ballot["dots"]
        if sum(dots.values()) >= int(voting["per_person"]):
            raise AppError(ErrorCode.LIMIT, "you have no dots left")
        if dots.get(note_id, 0) >= int(voting["max_per_note"]):
            raise AppError(ErrorCode.LIMIT, "no more dots on this note")
        dots[note_id] = dots.get(note_id, 0) + 1
        await self._save(conn.author_id)
        self.notify(conn.author_id)
        return self.ballot_state(conn.author_id)

    async def retract(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        if conn.author_id is None:
            raise invalid("send hello with a 'pid' first")
        note_id = self._check_note(req)
        ballot = self.ballots.get(conn.author_id)
        dots: dict[str, int] = ballot["dots"] if ballot else {}
        if not dots.get(note_id):
            raise AppError(ErrorCode.NOT_FOUND, "you have no dot on this note")
        dots[note_id] -= 1
        if not dots[note_id]:
            del dots[note_id]
        await self._save(conn.author_id)
        self.notify(conn.author_id)
        return self.ballot_state(conn.author_id)

    async def close(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        voting = self.state()
        if voting.get("state") != "open":
            raise AppError(ErrorCode.CONFLICT, "no vote is open")
        results: dict[str, dict[str, Any]] = {}
        voters = 0
        for ballot in self.ballots.values():
            if ballot["dots"]:
                voters += 1
            group = ballot.get("group") or ANONYMOUS
            for note_id, count in ballot["dots"].items():
                entry = results.setdefault(note_id, {"total": 0, "by_group": {}})
                entry["total"] += count
                entry["by_group"][group] = entry["by_group"].get(group, 0) + count
        voting.update(state="closed", closed_at=now_ms(), results=results, voters=voters)
        summary = f"vote closed: {voters} voters, {sum(r['total'] for r in results.values())} dots"
        apply_control(room, conn, "vote.close", summary, {"voting": voting}, {"voters": voters})
        await self._forget_round(voting["round"])
        await stored(room)
        for other in list(room.conns):
            if other.author_id is not None:
                room.send_event(other, "vote.state", {"state": "closed"})
        return {"results": results, "voters": voters}

    async def cancel(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        voting = self.state()
        if voting.get("state") != "open":
            raise AppError(ErrorCode.CONFLICT, "no vote is open")
        await self._forget_round(voting["round"])
        apply_control(room, conn, "vote.cancel", "vote cancelled", {"voting": {"state": "idle"}})
        await stored(room)
        for other in list(room.conns):
            if other.author_id is not None:
                room.send_event(other, "vote.state", {"state": "idle"})
        return {}
