"""Locks, focus, board settings, link rotation and snapshots: moderator ops on the board."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pycrdt import Doc, Map

from ..auth import hash_token, new_token
from ..store.base import ROLES
from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.document import META
from ..sync.errors import CloseCode
from ..sync.extension import Handler, RoomExtension
from ..sync.room import Room
from .base import (
    BoardContext,
    apply_control,
    arg_bool,
    arg_field,
    arg_str,
    bound,
    control_get,
    invalid,
    meta_get,
    now_ms,
)
from .joincode import JoinCodes


class BoardOps(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext, join: JoinCodes) -> None:
        self.room = room
        self.ctx = ctx
        self.join = join
        self.locks: frozenset[str] = frozenset(control_get(room, "locks", {}))
        room.policy.locked_fields = lambda: self.locks
        room.policy.groups = self.offered_groups

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {
                "lock.set": self.lock_set,
                "focus.set": self.focus_set,
                "view.set": self.view_set,
                "board.settings": self.settings,
                "link.rotate": self.link_rotate,
                "snapshot.create": self.snapshot_create,
                "snapshot.restore": self.snapshot_restore,
            },
        )

    def offered_groups(self) -> frozenset[str]:
        """The groups people may choose (P37, P141): `meta.groups`, or all of the canvas's
        when the board names none."""
        groups = meta_get(self.room, "groups")
        if isinstance(groups, list) and groups:
            return frozenset(str(g) for g in groups)
        return frozenset(g.id for g in self.ctx.canvas.groups)

    def refresh(self) -> None:
        self.locks = frozenset(control_get(self.room, "locks", {}))

    def fields_of(self, req: Request) -> tuple[list[str], str]:
        if req.args.get("part") is not None:
            part = arg_str(req, "part", 4)
            if part not in self.ctx.part_fields:
                raise AppError(ErrorCode.NOT_FOUND, f"no part {part!r} on this canvas")
            return list(self.ctx.part_fields[part]), f"part {part}"
        field = arg_field(req, self.ctx)
        return [field], f"field {field}"

    def set_locks(
        self,
        conn: Connection | None,
        fields: list[str],
        locked: bool,
        what: str,
        cause: str | None = None,
    ) -> None:
        locks = dict(control_get(self.room, "locks", {}))
        for field in fields:
            if locked:
                locks[field] = True
            else:
                locks.pop(field, None)
        op = "lock.set"
        summary = f"{what} {'locked' if locked else 'unlocked'}"
        details: dict[str, Any] = {"fields": fields, "locked": locked}
        if cause is not None:
            details["cause"] = cause  # the timer op that locked or reopened them (P252)
        apply_control(self.room, conn, op, summary, {"locks": locks}, details)
        self.locks = frozenset(locks)

    async def lock_set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        fields, what = self.fields_of(req)
        locked = arg_bool(req, "locked")
        self.set_locks(conn, fields, locked, what)
        return {"locks": sorted(self.locks)}

    async def focus_set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        field = None if req.args.get("field") is None else arg_field(req, self.ctx)
        follow = arg_bool(req, "follow", False)
        previous = control_get(room, "focus", {})
        focus = {
            "field": field,
            "seq": int(previous.get("seq", 0)) + 1,
            "follow": follow,
            "at": now_ms(),
        }
        summary = f"focus on {field}" if field else "focus released"
        details = {"field": field, "follow": follow}
        apply_control(room, conn, "focus.set", summary, {"focus": focus}, details)
        return {"seq": focus["seq"]}

    async def view_set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        # P284: a field's notes shown compact (first lines, the rest behind "more")
        field = arg_field(req, self.ctx)
        compact = arg_bool(req, "compact")
        views = dict(control_get(room, "compact", {}))
        if compact:
            views[field] = True
        else:
            views.pop(field, None)
        summary = f"{field} shown {'compact' if compact else 'in full'}"
        details = {"field": field, "compact": compact}
        apply_control(room, conn, "view.set", summary, {"compact": views}, details)
        return {"compact": sorted(views)}

    async def settings(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if "title" in req.args:
            title = (arg_str(req, "title", 200) or "").strip()
            if not title:
                raise invalid("'title' must not be empty")
            changes["title"] = title
        for key in ("anonymous_allowed", "private_anonymous", "show_join_code"):
            if key in req.args:
                changes[key] = arg_bool(req, key)
        if "groups" in req.args:
            groups = req.args["groups"]
            known = {g.id for g in self.ctx.canvas.groups}
            if not isinstance(groups, list) or not all(g in known for g in groups):
                raise invalid(f"'groups' must be a list of: {', '.join(sorted(known))}")
            changes["groups"] = list(dict.fromkeys(groups))
        if not changes:
            raise invalid("nothing to change")

        def set_meta(doc: Doc[Any]) -> None:
            meta = doc.get(META, type=Map)
            for key, value in changes.items():
                meta[key] = value

        apply_control(room, conn, "board.settings", "settings changed", {}, changes, set_meta)
        if "show_join_code" in changes:
            self.join.announce()
        if "title" in changes:
            await self.ctx.store.set_title(room.board_id, changes["title"])
        return {"changed": sorted(changes)}

    async def link_rotate(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        role = arg_str(req, "role", 16)
        if role not in ROLES:
            raise invalid(f"'role' must be one of: {', '.join(ROLES)}")
        token = new_token()
        await self.ctx.store.set_token_hash(room.board_id, role, hash_token(token))
        self.ctx.record.token_hashes[role] = hash_token(token)
        reply: dict[str, Any] = {"role": role, "token": token}
        apply_control(room, conn, "link.rotate", f"new {role} link", {}, {"role": role})
        if role == "participant":
            # the code is a participant credential too: it goes with the link (P45)
            await self.join.rotate(conn, None)
            reply.update(self.join.for_conn(conn))
        for other in list(room.conns):
            if other.role == role and other is not conn:
                room.send_event(other, "link.rotated", {"role": role})
                other.close(
                    CloseCode.FORBIDDEN,
                    "this link was replaced by the moderator; ask for the new link",
                )
        return reply

    async def snapshot_create(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        label = (arg_str(req, "label", 200, required=False) or "").strip()
        info = await self.ctx.snapshot(label, "manual")
        apply_control(room, conn, "snapshot.create", f"snapshot {label!r}", {}, {"sid": info.sid})
        return {"sid": info.sid, "notes": info.notes, "created_at": info.created_at}

    async def snapshot_restore(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        sid = arg_str(req, "sid", 64)
        assert sid is not None
        return await self.restore(sid, conn)

    async def restore(
        self, sid: str, conn: Connection | None, by: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Make the board equal a snapshot in place; a snapshot of "now" first, so
        restoring that one undoes it (P81)."""
        if await self.ctx.store.get_snapshot(self.room.board_id, sid) is None:
            raise AppError(ErrorCode.NOT_FOUND, f"no snapshot {sid!r}")
        before = await self.ctx.snapshot("", "before-restore")
        await self.ctx.restore(sid)
        details = {"sid": sid, "before": before.sid}
        apply_control(self.room, conn, "snapshot.restore", "board restored", {}, details, by=by)
        self.refresh()
        return {"before": before.sid}
