"""Timeboxes on the server clock: a part timer, and a field timer nested inside it (P50, P250).

`control.timer` is the innermost timer = {target, state: idle|running|paused|done, ends_at
(epoch ms, running), remaining_ms (paused), duration_ms, lock_on_end, segment_started (epoch
ms, while this timer books time), ended_at and locked_fields (done)}. While a field timer
runs inside a part timer, the part timer sits in `control.timer_outer` with the same keys and
keeps counting down. Deadlines are epoch milliseconds, so they survive a restart (P51).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import anyio

from ..sync.appmsg import AppError, ErrorCode, Request
from ..sync.connection import Connection
from ..sync.extension import Handler, RoomExtension, Task
from ..sync.room import Room
from ..sync.vocabulary import CONTROL_TIMER, CONTROL_TIMER_OUTER
from . import timer_state
from .agenda import Agenda
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
OUTER = CONTROL_TIMER_OUTER

# (target, fields the end locked) -> lock them, snapshot
OnEnd = Callable[[str, list[str]], Awaitable[None]]
# (moderator, target, fields) -> unlock the fields this timer's end locked
OnMoreTime = Callable[[Connection, str, list[str]], None]


class Timer(RoomExtension):
    def __init__(self, room: Room, ctx: BoardContext, on_end: OnEnd, on_more: OnMoreTime) -> None:
        self.room = room
        self.ctx = ctx
        self.agenda = Agenda(room, ctx)
        self.on_end = on_end
        self.on_more = on_more
        self._changed = anyio.Event()

    def handlers(self) -> Mapping[str, Handler]:
        return bound(
            self.room,
            {
                "agenda.set": self.agenda.set,
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
        part = self.agenda.part_of(target)
        return list(self.ctx.part_fields[part]) if part is not None else []

    def state(self) -> dict[str, Any]:
        timer = control_get(self.room, CONTROL_TIMER)
        return dict(timer) if isinstance(timer, dict) else {"state": "idle"}

    def outer(self) -> dict[str, Any] | None:
        outer = control_get(self.room, OUTER)
        return dict(outer) if isinstance(outer, dict) else None

    def nests_in(self, target: str, host: str) -> bool:
        """P250: a field timer nests in a timer of the field's own part (part or agenda item)."""
        if target not in self.ctx.field_ids or host in self.ctx.field_ids:
            return False
        part = self.agenda.part_of(host)
        return part is not None and self.ctx.part_of(target) == part

    def _write(
        self,
        conn: Connection | None,
        op: str,
        summary: str,
        changes: dict[str, Any],
        details: dict[str, Any],
    ) -> None:
        apply_control(self.room, conn, op, summary, changes, details)
        self.poke()

    def _book(
        self, timer: dict[str, Any], now: float, ending: bool, changes: dict[str, Any]
    ) -> None:
        """Close the timer's booking segment: its run time goes to its agenda item."""
        started = timer.get("segment_started")
        if started is None or not timer.get("target"):
            return
        run_ms = now - float(started)
        base = changes.get("agenda")  # an earlier booking in the same write
        agenda = self.agenda.booked(str(timer["target"]), now, run_ms, ending, base)
        timer["segment_started"] = None
        if agenda is not None:
            changes["agenda"] = agenda

    # ---- ops ---------------------------------------------------------------------------

    async def start(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        target = arg_str(req, "target", 32)
        assert target is not None
        agenda_ids = {i["id"] for i in self.agenda.items()}
        if target not in self.ctx.field_ids | set(self.ctx.part_fields) | agenda_ids:
            raise AppError(ErrorCode.NOT_FOUND, f"no part, field or agenda item {target!r}")
        seconds = arg_int(req, "seconds", 1, MAX_SECONDS)
        lock_on_end = arg_bool(req, "lock_on_end", False)
        nest = req.args.get("nest")
        if nest is not None and not isinstance(nest, bool):
            raise invalid("'nest' must be true, false or left out")
        now = now_ms()
        inner, outer = self.state(), self.outer()
        host = outer if outer is not None else inner
        nestable = host.get("state") in timer_state.ACTIVE and self.nests_in(
            target, str(host.get("target"))
        )
        if nest is True and not nestable:
            raise AppError(
                ErrorCode.CONFLICT,
                "a field timer nests only in a running or paused timer of its own part; "
                "start without 'nest' to replace the current timer",
            )
        changes: dict[str, Any] = {}
        details: dict[str, Any] = {"target": target, "seconds": seconds}
        if nestable and nest is not False:
            # P250: the part timer keeps its deadline and books nothing while the field's runs
            if outer is not None:
                self._book(inner, now, False, changes)
                if inner.get("state") in (*timer_state.ACTIVE, "done"):
                    details["replaced"] = inner.get("target")
            self._book(host, now, False, changes)
            if host.get("state") == "paused":
                timer_state.resume(host, now)
                details["resumed"] = True
            changes[OUTER] = host
            details["nested_in"] = host.get("target")
        else:
            ended = [
                t for t in (outer, inner) if t is not None and t.get("state") in timer_state.ACTIVE
            ]
            booker = inner if inner.get("segment_started") is not None else outer
            if booker is not None:
                new_item = self.agenda.item_id(target)
                ending = self.agenda.item_id(str(booker.get("target"))) != new_item
                self._book(booker, now, ending, changes)
            if ended:
                details["ended"] = [t.get("target") for t in ended]
            changes[OUTER] = None
        changes[CONTROL_TIMER] = timer_state.running(target, now, seconds, lock_on_end)
        summary = f"timer {target} {seconds // 60} min"
        self._write(conn, "timer.start", summary, changes, details)
        reply: dict[str, Any] = {"ends_at": now + seconds * 1000, "server_ms": now}
        reply["nested_in"] = details.get("nested_in")
        return reply

    async def pause(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        # P251: pause and resume act on every timer of the stack: the session pauses
        inner, outer = self.state(), self.outer()
        stack = [t for t in (inner, outer) if t is not None]
        if not any(t.get("state") == "running" for t in stack):
            raise AppError(ErrorCode.CONFLICT, "the timer is not running")
        now = now_ms()
        changes: dict[str, Any] = {}
        for timer in stack:
            self._book(timer, now, False, changes)
            if timer.get("state") == "running":
                timer_state.pause(timer, now)
        changes[CONTROL_TIMER] = inner
        if outer is not None:
            changes[OUTER] = outer
        details = {"target": inner.get("target")}
        self._write(conn, "timer.pause", f"timer {inner.get('target')} paused", changes, details)
        held = next(t for t in (inner, outer) if t is not None and t.get("state") == "paused")
        return {"remaining_ms": held.get("remaining_ms")}

    async def resume(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        inner, outer = self.state(), self.outer()
        stack = [t for t in (inner, outer) if t is not None]
        if not any(t.get("state") == "paused" for t in stack):
            raise AppError(ErrorCode.CONFLICT, "the timer is not paused")
        now = now_ms()
        for timer in stack:
            if timer.get("state") == "paused":
                timer_state.resume(timer, now)
        # the innermost running timer books the time
        booker = inner if inner.get("state") == "running" else outer
        if booker is not None:
            booker["segment_started"] = now
        changes: dict[str, Any] = {CONTROL_TIMER: inner}
        if outer is not None:
            changes[OUTER] = outer
        details = {"target": inner.get("target")}
        self._write(conn, "timer.resume", f"timer {inner.get('target')} resumed", changes, details)
        return {"ends_at": booker.get("ends_at") if booker else None, "server_ms": now}

    async def extend(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        seconds = arg_int(req, "seconds", -3600, 3600)
        if seconds == 0:
            raise invalid("'seconds' must not be 0")
        on_outer = arg_bool(req, "outer", False)
        inner, outer = self.state(), self.outer()
        if on_outer and outer is None:
            raise AppError(ErrorCode.CONFLICT, "no field timer runs inside a part timer")
        timer = outer if on_outer and outer is not None else inner
        now = now_ms()
        changes: dict[str, Any] = {}
        details: dict[str, Any] = {"target": timer.get("target"), "seconds": seconds}
        unlock: list[str] = []
        if timer.get("state") == "running":
            timer["ends_at"] = max(now, float(timer["ends_at"]) + seconds * 1000)
        elif timer.get("state") == "paused":
            timer["remaining_ms"] = max(0.0, float(timer["remaining_ms"]) + seconds * 1000)
        elif timer.get("state") == "done" and seconds > 0:
            # P252: more time after the end runs the timer again and reopens what it locked
            if outer is not None and timer is inner:
                self._book(outer, now, False, changes)
                if outer.get("state") == "paused":
                    timer_state.resume(outer, now)
            unlock = timer_state.revive(timer, now, seconds, control_get(room, "locks", {}))
            agenda = self.agenda.booked(str(timer["target"]), now, 0.0, ending=False)
            if agenda is not None and "agenda" not in changes:
                changes["agenda"] = agenda
            details["revived"] = True
            if unlock:
                details["unlocked"] = unlock
        elif timer.get("state") == "done":
            raise AppError(ErrorCode.CONFLICT, "the time is up already: add time, not less")
        else:
            raise AppError(ErrorCode.CONFLICT, "no timer is running, paused or just ended")
        timer["duration_ms"] = max(0.0, float(timer.get("duration_ms") or 0) + seconds * 1000)
        if on_outer:
            changes[OUTER] = timer
            details["outer"] = True
        else:
            changes[CONTROL_TIMER] = timer
            if outer is not None:
                changes[OUTER] = outer
        sign = "+" if seconds > 0 else "-"
        summary = f"timer {sign}{abs(seconds) // 60} min"
        self._write(conn, "timer.extend", summary, changes, details)
        if unlock:
            self.on_more(conn, str(timer["target"]), unlock)
        return {"ends_at": timer.get("ends_at"), "remaining_ms": timer.get("remaining_ms")}

    async def stop(self, room: Room, conn: Connection, req: Request) -> dict[str, Any]:
        every = arg_bool(req, "all", False)
        inner, outer = self.state(), self.outer()
        now = now_ms()
        changes: dict[str, Any] = {}
        if outer is not None and not every:
            # P253: ending the field timer returns to the part timer, which books again
            if inner.get("state") not in (*timer_state.ACTIVE, "done"):
                raise AppError(ErrorCode.CONFLICT, "no field timer to end")
            self._book(inner, now, False, changes)
            if outer.get("state") == "running":
                self._book(outer, now, False, changes)
                outer["segment_started"] = now
            changes.update({CONTROL_TIMER: outer, OUTER: None})
            details = {"target": inner.get("target"), "back_to": outer.get("target")}
            summary = f"timer {inner.get('target')} ended, back to {outer.get('target')}"
            self._write(conn, "timer.stop", summary, changes, details)
            return {"back_to": outer.get("target")}
        top = outer if outer is not None else inner
        if top.get("state") not in timer_state.ACTIVE:
            raise AppError(ErrorCode.CONFLICT, "no timer is running or paused")
        booker = inner if inner.get("segment_started") is not None else top
        self._book(booker, now, True, changes)
        if "agenda" not in changes:
            agenda = self.agenda.booked(str(top.get("target")), now, 0.0, ending=True)
            if agenda is not None:
                changes["agenda"] = agenda
        changes.update({CONTROL_TIMER: {"target": top.get("target"), "state": "idle"}, OUTER: None})
        details = {"target": top.get("target")}
        if outer is not None:
            details["inner"] = inner.get("target")
        self._write(conn, "timer.stop", f"timer {top.get('target')} stopped", changes, details)
        return {}

    # ---- the clock ---------------------------------------------------------------------

    def poke(self) -> None:
        """The timer state may have changed outside these ops (restore): re-read it."""
        self._changed.set()
        self._changed = anyio.Event()

    def _done(self, timer: dict[str, Any], ended: float) -> dict[str, Any]:
        fields = self.fields_of_target(str(timer["target"])) if timer.get("lock_on_end") else []
        return timer_state.done(timer, ended, fields, control_get(self.room, "locks", {}))

    async def finish(self) -> None:
        """The earliest deadline passed: that timer is done, time booked, locks, snapshot."""
        inner, outer = self.state(), self.outer()
        timer = timer_state.due_first(inner, outer)
        if timer is None:
            return
        ended = float(timer["ends_at"])
        changes: dict[str, Any] = {}
        details: dict[str, Any] = {"target": timer["target"], "ended_at": ended}
        done = self._done(timer, ended)
        if timer is inner and outer is not None:
            # P253: the field's time is up; the part timer goes on and books from here
            self._book(inner, ended, False, changes)
            if outer.get("state") == "running":
                outer["segment_started"] = ended
            changes.update({CONTROL_TIMER: done, OUTER: outer})
            details["nested_in"] = outer.get("target")
        else:
            # the outermost timer ends the whole stack (P254)
            booker = inner if inner.get("segment_started") is not None else timer
            self._book(booker, ended, True, changes)
            if "agenda" not in changes:
                agenda = self.agenda.booked(str(timer["target"]), ended, 0.0, ending=True)
                if agenda is not None:
                    changes["agenda"] = agenda
            if timer is outer and inner.get("state") in timer_state.ACTIVE:
                details["inner"] = inner.get("target")
            changes.update({CONTROL_TIMER: done, OUTER: None})
        self._write(None, "timer.done", f"time is up for {timer['target']}", changes, details)
        log.info(
            "board %s: timer for %s ended (%.0f ms late)",
            self.room.board_id,
            timer["target"],
            now_ms() - ended,
        )
        await self.on_end(str(timer["target"]), list(done["locked_fields"]))

    def next_deadline(self) -> float | None:
        return timer_state.next_deadline(self.state(), self.outer())

    async def run(self) -> None:
        while True:
            changed = self._changed
            deadline = self.next_deadline()
            if deadline is None:
                await changed.wait()
                continue
            wait = (deadline - now_ms()) / 1000
            if wait <= 0:
                await self.finish()
                continue
            with anyio.move_on_after(wait):
                await changed.wait()
