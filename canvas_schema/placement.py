"""Where notes sit in the A3 diagram, in canvas coordinates: the same answer on every device.

Coordinates are the note's centre as a share of the diagram (0..1, y pointing down as
displayed); a note covers a fixed footprint (`NOTE_W` x `NOTE_H` of the diagram), so the
result depends only on the positions, never on a screen. `client/src/model/placement.ts`
is the TypeScript twin; both are checked against `placement_cases.json`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NOTE_W = 0.15
NOTE_H = 0.2
EPS = 1e-6
# a note stacked on another is offset by these shares of a note: the one below shows its
# author line and first line of text
STACK_DX = 0.06
STACK_DY = 0.34

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Placed:
    """A note as displayed: its centre, and the index of the note it is stacked on (or -1)."""

    x: float
    y: float
    on: int = -1


def round4(v: float) -> float:
    """Half-up rounding to 4 places, as `Math.round` does it (Python's `round` is half-even)."""
    return math.floor(v * 10000 + 0.5) / 10000


def _axis(size: float) -> list[float]:
    n = 2 * max(1, math.floor(1 / size)) - 1
    if n == 1:
        return [0.5]
    return [size / 2 + i * (1 - size) / (n - 1) for i in range(n)]


def candidates(w: float = NOTE_W, h: float = NOTE_H) -> list[Point]:
    """Spots a new note may take, top to bottom, left to right (half a note apart)."""
    return [(x, y) for y in _axis(h) for x in _axis(w)]


def _clamp(v: float, size: float) -> float:
    return min(max(v, size / 2), 1 - size / 2)


def _overlaps(a: Point, b: Point, w: float, h: float) -> bool:
    return abs(a[0] - b[0]) < w - EPS and abs(a[1] - b[1]) < h - EPS


def free_spot(taken: Sequence[Point], w: float = NOTE_W, h: float = NOTE_H) -> Point:
    """The first spot no note covers; when all are covered, the one fewest notes cover.

    Args:
        taken: centres of the notes already there (display coordinates, clamped as shown).
    Returns:
        The new note's centre, rounded to 4 places.
    """
    boxes = [(_clamp(x, w), _clamp(y, h)) for x, y in taken]
    best, best_count = (0.5, 0.5), -1
    for c in candidates(w, h):
        count = sum(1 for b in boxes if _overlaps(c, b, w, h))
        if count == 0:
            return (round4(c[0]), round4(c[1]))
        if best_count < 0 or count < best_count:
            best, best_count = c, count
    return (round4(best[0]), round4(best[1]))


def _shift(v: float, d: float, size: float) -> float:
    # offset down/right, or up/left where the edge leaves no room
    return v + d if v + d <= 1 - size / 2 + EPS else max(size / 2, v - d)


def _stack(placed: list[Placed], p: Point, w: float, h: float) -> Placed:
    """On the note with the fewest stacked on it (the nearest, then the first), offset."""
    depths: dict[int, int] = {}
    for q in placed:
        if q.on >= 0:
            depths[q.on] = depths.get(q.on, 0) + 1
    best, best_key = -1, (0, 0.0)
    for i, q in enumerate(placed):
        if q.on >= 0:
            continue
        dx, dy = q.x - p[0], q.y - p[1]
        key = (depths.get(i, 0), dx * dx + dy * dy)
        if best < 0 or key < best_key:
            best, best_key = i, key
    base = placed[best]
    depth = best_key[0] + 1
    sx = _shift(base.x, STACK_DX * w * depth, w)
    sy = _shift(base.y, STACK_DY * h * depth, h)
    return Placed(sx, sy, best)


def layout(notes: Sequence[Point], w: float = NOTE_W, h: float = NOTE_H) -> list[Placed]:
    """Display positions for the notes in `order`: none hides another.

    A note keeps its position when it covers no earlier note; otherwise it moves to the
    nearest free spot; when none is left it is stacked, offset, on the note with the fewest
    stacked on it, so every note's top stays in sight.
    """
    spots = candidates(w, h)
    free = [True] * len(spots)
    placed: list[Placed] = []
    for x, y in notes:
        p = (_clamp(x, w), _clamp(y, h))
        hit = next((i for i, q in enumerate(placed) if _overlaps(p, (q.x, q.y), w, h)), -1)
        if hit < 0:
            out = Placed(p[0], p[1])
        else:
            near, near_d = -1, 0.0
            for i, c in enumerate(spots):
                if not free[i]:
                    continue
                dx, dy = c[0] - p[0], c[1] - p[1]
                d = dx * dx + dy * dy
                if near < 0 or d < near_d - EPS:
                    near, near_d = i, d
            if near >= 0:
                out = Placed(spots[near][0], spots[near][1])
            else:
                out = _stack(placed, p, w, h)
        for i, c in enumerate(spots):
            if free[i] and _overlaps(c, (out.x, out.y), w, h):
                free[i] = False
        placed.append(out)
    return [Placed(round4(q.x), round4(q.y), q.on) for q in placed]
