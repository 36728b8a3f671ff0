"""A3 placement in canvas coordinates (canvas_schema/placement.py) and its TypeScript twin."""

from __future__ import annotations

import random

from canvas_schema.placement import NOTE_H, NOTE_W, Placed, free_spot, layout
from tests.support.placement_cases import TS_PATH, render_ts


def _overlap(a: Placed, b: Placed) -> bool:
    return abs(a.x - b.x) < NOTE_W - 1e-4 and abs(a.y - b.y) < NOTE_H - 1e-4


def test_p280_free_spot_is_the_first_uncovered_spot() -> None:
    first = free_spot([])
    assert first == (NOTE_W / 2, NOTE_H / 2)
    second = free_spot([first])
    assert second[1] == first[1] and second[0] >= first[0] + NOTE_W


def test_p280_free_spot_ignores_the_screen_only_positions_count() -> None:
    taken = [(0.3, 0.3), (0.7, 0.6)]
    assert free_spot(taken) == free_spot(list(taken))
    assert free_spot(taken) == free_spot(list(reversed(taken)))


def test_p281_layout_keeps_notes_that_cover_nothing() -> None:
    pts = [(0.2, 0.2), (0.8, 0.8)]
    assert [(p.x, p.y) for p in layout(pts)] == pts


def test_p281_layout_moves_identical_positions_apart() -> None:
    placed = layout([(0.5, 0.5)] * 4)
    assert placed[0] == Placed(0.5, 0.5)
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not _overlap(a, b)


def test_p281_layout_never_overlaps_until_full_then_stacks() -> None:
    rng = random.Random(7)
    pts = [(rng.random(), rng.random()) for _ in range(80)]
    placed = layout(pts)
    loose = [p for p in placed if p.on < 0]
    for i, a in enumerate(loose):
        for b in loose[i + 1 :]:
            assert not _overlap(a, b)
    stacked = [p for p in placed if p.on >= 0]
    assert stacked, "80 notes cannot all fit: some must stack"
    for p in stacked:
        base = placed[p.on]
        assert base.on < 0 and (p.x, p.y) != (base.x, base.y)


def test_p282_typescript_twin_cases_are_current() -> None:
    # the vitest in placement.test.ts checks the TypeScript answers against this file
    assert TS_PATH.read_text(encoding="utf-8") == render_ts(), (
        "run `python -m tests.support.placement_cases`"
    )
