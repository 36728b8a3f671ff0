"""A timer record in `control` and its changes, as plain values (P50, P250-P254).

Pure: each function reads or changes the dict it is given; the `Timer` extension decides
which to call, books the time to the agenda and writes the result.
"""

from __future__ import annotations

from typing import Any

ACTIVE = ("running", "paused")

Record = dict[str, Any]


def running(target: str, now: float, seconds: int, lock_on_end: bool) -> Record:
    """A timer just started on `target` for `seconds`; it books time from `now`."""
    return {
        "target": target,
        "state": "running",
        "ends_at": now + seconds * 1000,
        "remaining_ms": None,
        "duration_ms": seconds * 1000,
        "lock_on_end": lock_on_end,
        "segment_started": now,
    }


def pause(timer: Record, now: float) -> None:
    remaining = max(0.0, float(timer["ends_at"]) - now)
    timer.update(state="paused", remaining_ms=remaining, ends_at=None, segment_started=None)


def resume(timer: Record, now: float) -> None:
    ends_at = now + float(timer.get("remaining_ms") or 0)
    timer.update(state="running", ends_at=ends_at, remaining_ms=None)


def revive(timer: Record, now: float, seconds: int, locks: dict[str, Any]) -> list[str]:
    """P252: a timer that is done runs `seconds` more; returns the fields its end locked
    that are still locked (to reopen)."""
    timer.update(
        state="running",
        ends_at=now + seconds * 1000,
        remaining_ms=None,
        segment_started=now,
        duration_ms=0,
    )
    timer.pop("ended_at", None)
    return [f for f in timer.pop("locked_fields", None) or [] if locks.get(f)]


def done(timer: Record, ended: float, fields: list[str], locks: dict[str, Any]) -> Record:
    """The record of `timer` once its time is up at `ended`; `fields` are the ones its
    end locks, `locks` the locks before."""
    return {
        "target": timer["target"],
        "state": "done",
        "ended_at": ended,
        "duration_ms": timer.get("duration_ms"),
        "lock_on_end": timer.get("lock_on_end", False),
        # only what this end locks may reopen with more time (P252), never a lock by hand
        "locked_fields": [f for f in fields if not locks.get(f)],
    }


def _running(timers: tuple[Record | None, ...]) -> list[Record]:
    return [
        t
        for t in timers
        if t is not None and t.get("state") == "running" and t.get("ends_at") is not None
    ]


def due_first(inner: Record, outer: Record | None) -> Record | None:
    """The running timer whose deadline comes first, if any runs."""
    ticking = _running((inner, outer))
    return min(ticking, key=lambda t: float(t["ends_at"])) if ticking else None


def next_deadline(inner: Record, outer: Record | None) -> float | None:
    """The earliest deadline (epoch ms) of the running timers."""
    first = due_first(inner, outer)
    return float(first["ends_at"]) if first is not None else None
