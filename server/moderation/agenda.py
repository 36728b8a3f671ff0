"""The agenda: planned minutes per item, and the time timers book to it (P50).

`control.agenda` = [{id, kind, part, label, minutes, started_at, ended_at, actual_ms}].
"""

from __future__ import annotations

from typing import Any

from canvas_schema import Canvas

from ..sync.appmsg import Request
from ..sync.connection import Connection
from ..sync.room import Room
from .base import BoardContext, apply_control, control_get, invalid

MAX_ITEMS = 30


def default_agenda(canvas: Canvas) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "kind": str(item.kind),
            "part": item.part,
            "label": None,
            "minutes": item.minutes,
            "started_at": None,
            "ended_at": None,
            "actual_ms": 0,
        }
        for item in canvas.agenda
    ]


class Agenda:
    """Reads and books `control.agenda`; handles `agenda.set`."""

    def __init__(self, room: Room, ctx: BoardContext) -> None:
        self.room = room
        self.ctx = ctx

    def items(self) -> list[dict[str, Any]]:
        return [dict(i) for i in control_get(self.room, "agenda", [])]

    def part_of(self, target: str) -> str | None:
        """The part a timer target belongs to: a part, a field's part, an agenda item's part."""
        part = self.ctx.part_of(target)
        if part is not None:
            return part
        for item in self.items():
            if item["id"] == target and item.get("part") in self.ctx.part_fields:
                return str(item["part"])
        return None

    def item_id(self, target: str) -> str | None:
        """The agenda item a target's time is booked to."""
        agenda = self.items()
        if any(item["id"] == target for item in agenda):
            return target
        part = self.ctx.part_of(target)
        for item in agenda:
            if part is not None and item.get("part") == part:
                return str(item["id"])
        return None

    def booked(
        self,
        target: str,
        now: float,
        run_ms: float,
        ending: bool,
        base: list[dict[str, Any]] | None = None,
    ) -> Any:
        """The agenda (`base`, else the stored one) with `run_ms` added to the target's item,
        or None when the target has no item."""
        item_id = self.item_id(target)
        if item_id is None:
            return None
        agenda = [dict(i) for i in base] if base is not None else self.items()
        for item in agenda:
            if item["id"] == item_id:
                if item.get("started_at") is None:
                    item["started_at"] = now - run_ms
                item["actual_ms"] = float(item.get("actual_ms") or 0) + max(0.0, run_ms)
                item["ended_at"] = now if ending else None
        return agenda

    async def set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        items = req.args.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
            raise invalid(f"'items' must be a list of 1 to {MAX_ITEMS} agenda items")
        old = {i["id"]: i for i in self.items()}
        agenda, seen = [], set()
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise invalid(f"items[{n}] must be a map")
            item_id = item.get("id")
            minutes = item.get("minutes")
            label = item.get("label")
            if not isinstance(item_id, str) or not 0 < len(item_id) <= 32 or item_id in seen:
                raise invalid(f"items[{n}].id must be a unique string of 1-32 characters")
            if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
                raise invalid(f"items[{n}].minutes must be a whole number from 1 to 240")
            if label is not None and (not isinstance(label, str) or len(label) > 80):
                raise invalid(f"items[{n}].label must be at most 80 characters")
            seen.add(item_id)
            prev = old.get(item_id, {})
            part = item.get("part", prev.get("part"))
            if item_id in self.ctx.part_fields:
                part = item_id
            if part is not None and part not in self.ctx.part_fields:
                raise invalid(f"items[{n}].part must be a part of this canvas")
            kind = prev.get("kind") or ("part" if part else "break")
            agenda.append(
                {
                    "id": item_id,
                    "kind": kind,
                    "part": part,
                    "label": label,
                    "minutes": minutes,
                    "started_at": prev.get("started_at"),
                    "ended_at": prev.get("ended_at"),
                    "actual_ms": prev.get("actual_ms", 0),
                }
            )
        total = sum(i["minutes"] for i in agenda)
        apply_control(room, conn, "agenda.set", f"agenda: {len(agenda)} items", {"agenda": agenda})
        return {"total_minutes": total}
