"""What the moderator pushes to the projector full-screen: the timer, a field or the vote
results (P288-P290), kept in `control.push` so a projector that reconnects shows the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.extension import Handler, RoomExtension
from ..sync.room import Room
from ..sync.vocabulary import CONTROL_PUSH, PUSH_SHOWS
from .base import BoardContext, apply_control, arg_field, bound, control_get, invalid, now_ms


class ProjectorPush(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx

    def handlers(self) -> Mapping[str, Handler]:
        return bound(self.room, {"projector.push": self.push})

    async def push(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        show = req.args.get("show")
        previous = control_get(room, CONTROL_PUSH, {})
        seq = int(previous.get("seq", 0)) + 1 if isinstance(previous, dict) else 1
        if show is None:
            # P288: clearing keeps the counter, so a projector tells a new push from an old one
            value: dict[str, Any] = {"show": None, "seq": seq, "at": now_ms()}
            details: dict[str, Any] = {"show": None}
            apply_control(
                room, conn, "projector.push", "push cleared", {CONTROL_PUSH: value}, details
            )
            return {"seq": seq}
        if not isinstance(show, str) or show not in PUSH_SHOWS:
            raise invalid(f"'show' must be one of {', '.join(PUSH_SHOWS)} or null")
        value = {"show": show, "seq": seq, "at": now_ms()}
        details = {"show": show}
        what: str = show
        if show == "field":
            field = arg_field(req, self.ctx)
            value["field"] = details["field"] = field
            what = f"field {field}"
        elif req.args.get("field") is not None:
            raise invalid(f"'field' goes only with show 'field', not {show!r}")
        if show == "results":
            voting = control_get(room, "voting", {})
            if not isinstance(voting, dict) or voting.get("state") != "closed":
                # P289: nothing to show yet; close the vote first
                raise AppError(ErrorCode.CONFLICT, "no closed vote: close the vote, then push")
        summary = f"{what} pushed to the projector"
        apply_control(room, conn, "projector.push", summary, {CONTROL_PUSH: value}, details)
        return {"seq": seq}
