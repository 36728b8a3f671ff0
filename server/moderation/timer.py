"""Agenda and timeboxes: one board timer on the server clock, planned versus actual time.

`control.timer` = {target, state: idle|running|paused|done, ends_at (epoch ms, running),
remaining_ms (paused), duration_ms, lock_on_end, segment_started (epoch ms)}.
`control.agenda` = [{id, kind, part, label, minutes, started_at, ended_at, actual_ms}].
Deadlines are epoch milliseconds, so they survive a restart (P51).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from canvas_schema import Canvas

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.extension import Handler, RoomExtension, Task
from ..sync.room import Room
from .base import (
    BoardContext,
    apply_control,
    arg_bool,
    arg_int,
    arg_str,
    bound,
    control_get,
    invalid,
    now_ms,
)

log = logging.getLogger(__name__)
MAX_SECONDS = 4 * 3600


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


class Timer(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext, on_end: Any) -> None:
        self.room = room
        self.ctx = ctx
        self.on_end = on_end  # async (target, lock_on_end) -> None
        self._changed = anyio.Event()

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {
                "agenda.set": self.agenda_set,
                "timer.start": self.start,
                "timer.pause": self.pause,
                "timer.resume": self.resume,
                "timer.extend": self.extend,
                "timer.stop": self.stop,
            },
        )

    def tasks(self) -> Sequence[Task]:
        return (self.run,)

    # ---- state helpers -----------------------------------------------------------------

    def fields_of_target(self, target: str) -> list[str]:
        """The fields a timer target covers: a field, a part, or an agenda item's part."""
        if target in self.ctx.field_ids:
            return [target]
        if target in self.ctx.part_fields:
            return list(self.ctx.part_fields[target])
        for item in control_get(self.room, "agenda", []):
            if item["id"] == target and item.get("part") in self.ctx.part_fields:
                return list(self.ctx.part_fields[item["part"]])
        return []  # a break or an intro covers no field

    def state(self) -> dict[str, Any]:
        timer = control_get(self.room, "timer")
        return dict(timer) if isinstance(timer, dict) else {"state": "idle"}

    def _agenda_item_id(self, target: str) -> str | None:
        agenda = control_get(self.room, "agenda", [])
        if any(item["id"] == target for item in agenda):
            return target
        part = self.ctx.part_of(target)
        for item in agenda:
            if part is not None and item.get("part") == part:
                return str(item["id"])
        return None

    def _agenda_with(self, target: str, now: float, run_ms: float, ending: bool) -> Any:
        """The agenda with time accrued to the item the target belongs to."""
        item_id = self._agenda_item_id(target)
        agenda = [dict(i) for i in control_get(self.room, "agenda", [])]
        for item in agenda:
            if item["id"] == item_id:
                if item.get("started_at") is None:
                    item["started_at"] = now - run_ms
                item["actual_ms"] = float(item.get("actual_ms") or 0) + max(0.0, run_ms)
                if ending:
                    item["ended_at"] = now
        return agenda if item_id is not None else None

    def _write(
        self,
        conn: Connection | None,
        op: str,
        summary: str,
        timer: dict[str, Any],
        seconds: int | None = None,
        **extra: Any,
    ) -> None:
        changes: dict[str, Any] = {"timer": timer, **extra}
        details: dict[str, Any] = {"target": timer.get("target")}
        if seconds is not None:
            details["seconds"] = seconds
        apply_control(self.room, conn, op, summary, changes, details)
        self._changed.set()
        self._changed = anyio.Event()

    def _running_ms(self, timer: dict[str, Any], now: float) -> float:
        started = timer.get("segment_started")
        return now - float(started) if started is not None else 0.0

    def _close_segment(self, timer: dict[str, Any], now: float, ending: bool) -> Any:
        if timer.get("state") != "running" or not timer.get("target"):
            return None
        return self._agenda_with(str(timer["target"]), now, self._running_ms(timer, now), ending)

    # ---- ops ---------------------------------------------------------------------------

    async def agenda_set(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        items = req.args.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= 30:
            raise invalid("'items' must be a list of 1 to 30 agenda items")
        old = {i["id"]: i for i in control_get(room, "agenda", [])}
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

    async def start(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        target = arg_str(req, "target", 32)
        assert target is not None
        agenda_ids = {i["id"] for i in control_get(room, "agenda", [])}
        if target not in self.ctx.field_ids | set(self.ctx.part_fields) | agenda_ids:
            raise AppError(ErrorCode.NOT_FOUND, f"no part, field or agenda item {target!r}")
        seconds = arg_int(req, "seconds", 1, MAX_SECONDS)
        lock_on_end = arg_bool(req, "lock_on_end", False)
        now = now_ms()
        previous = self.state()
        agenda = self._close_segment(previous, now, ending=previous.get("target") != target)
        timer = {
            "target": target,
            "state": "running",
            "ends_at": now + seconds * 1000,
            "remaining_ms": None,
            "duration_ms": seconds * 1000,
            "lock_on_end": lock_on_end,
            "segment_started": now,
        }
        extra = {"agenda": agenda} if agenda is not None else {}
        summary = f"timer {target} {seconds // 60} min"
        self._write(conn, "timer.start", summary, timer, seconds, **extra)
        return {"ends_at": timer["ends_at"], "server_ms": now}

    async def pause(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        timer = self.state()
        if timer.get("state") != "running":
            raise AppError(ErrorCode.CONFLICT, "the timer is not running")
        now = now_ms()
        agenda = self._close_segment(timer, now, ending=False)
        timer.update(
            state="paused",
            remaining_ms=max(0.0, float(timer["ends_at"]) - now),
            ends_at=None,
            segment_started=None,
        )
        extra = {"agenda": agenda} if agenda is not None else {}
        self._write(conn, "timer.pause", f"timer {timer['target']} paused", timer, **extra)
        return {"remaining_ms": timer["remaining_ms"]}

    async def resume(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        timer = self.state()
        if timer.get("state") != "paused":
            raise AppError(ErrorCode.CONFLICT, "the timer is not paused")
        now = now_ms()
        timer.update(
            state="running",
            ends_at=now + float(timer.get("remaining_ms") or 0),
            remaining_ms=None,
            segment_started=now,
        )
        self._write(conn, "timer.resume", f"timer {timer['target']} resumed", timer)
        return {"ends_at": timer["ends_at"], "server_ms": now}

    async def extend(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        seconds = arg_int(req, "seconds", -3600, 3600)
        if seconds == 0:
            raise invalid("'seconds' must not be 0")
        timer = self.state()
        now = now_ms()
        if timer.get("state") == "running":
            timer["ends_at"] = max(now, float(timer["ends_at"]) + seconds * 1000)
        elif timer.get("state") == "paused":
            timer["remaining_ms"] = max(0.0, float(timer["remaining_ms"]) + seconds * 1000)
        else:
            raise AppError(ErrorCode.CONFLICT, "no timer is running or paused")
        timer["duration_ms"] = float(timer.get("duration_ms") or 0) + seconds * 1000
        sign = "+" if seconds > 0 else "-"
        self._write(conn, "timer.extend", f"timer {sign}{abs(seconds) // 60} min", timer, seconds)
        return {"ends_at": timer.get("ends_at"), "remaining_ms": timer.get("remaining_ms")}

    async def stop(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        timer = self.state()
        if timer.get("state") not in ("running", "paused"):
            raise AppError(ErrorCode.CONFLICT, "no timer is running or paused")
        now = now_ms()
        agenda = self._close_segment(timer, now, ending=True)
        if agenda is None and timer.get("state") == "paused":
            agenda = self._agenda_with(str(timer["target"]), now, 0.0, ending=True)
        stopped = {"target": timer.get("target"), "state": "idle"}
        extra = {"agenda": agenda} if agenda is not None else {}
        self._write(conn, "timer.stop", f"timer {timer.get('target')} stopped", stopped, **extra)
        return {}

    # ---- the clock ---------------------------------------------------------------------

    def poke(self) -> None:
        """The timer state may have changed outside these ops (restore): re-read it."""
        self._changed.set()
        self._changed = anyio.Event()

    async def finish(self) -> None:
        """The deadline passed: done, time recorded, optional lock and snapshot."""
        timer = self.state()
        if timer.get("state") != "running":
            return
        now = now_ms()
        ended = float(timer["ends_at"])
        run_ms = ended - float(timer.get("segment_started") or ended)
        agenda = self._agenda_with(str(timer["target"]), ended, run_ms, ending=True)
        done = {
            "target": timer["target"],
            "state": "done",
            "ended_at": ended,
            "duration_ms": timer.get("duration_ms"),
            "lock_on_end": timer.get("lock_on_end", False),
        }
        extra = {"agenda": agenda} if agenda is not None else {}
        self._write(None, "timer.done", f"time is up for {timer['target']}", done, **extra)
        log.info(
            "board %s: timer for %s ended (%.0f ms late)",
            self.room.board_id,
            timer["target"],
            now - ended,
        )
        await self.on_end(str(timer["target"]), bool(timer.get("lock_on_end")))

    async def run(self) -> None:
        while True:
            changed = self._changed
            timer = self.state()
            if timer.get("state") == "running":
                wait = (float(timer["ends_at"]) - now_ms()) / 1000
                if wait <= 0:
                    await self.finish()
                    continue
                with anyio.move_on_after(wait):
                    await changed.wait()
            else:
                await changed.wait()
