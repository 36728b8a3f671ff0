"""Notes of a plain field as the board shows them: a wrapping grid in board order.

Cards are at least `MIN_W` px wide and share a row's width; each is as tall as its text
needs (up to `MAX_LINES` lines, then cut with "…"), a row as tall as its tallest card.
The field grows to fit (`flow_height`), so no card lies on another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .report import Note, Report
from .svgdraw import Style, card_height

MIN_W = 176.0
MIN_H = 84.0
GAP = 10.0
MAX_LINES = 12


@dataclass(frozen=True, slots=True)
class Card:
    """Where one note's card goes: top-left corner and size."""

    note: Note
    x: float
    y: float
    w: float
    h: float


def board_order(notes: Sequence[Note]) -> list[Note]:
    """Notes in the client's order (model/board.ts `byOrder`): `order`, else `created_at`."""

    def key(n: Note) -> tuple[float, str]:
        order = n.order if n.order is not None and math.isfinite(n.order) else None
        if order is None:
            order = float(n.created_at) if n.created_at is not None else 0.0
        return (order, n.id)

    return sorted(notes, key=key)


def flow_cards(
    report: Report,
    notes: Sequence[Note],
    x0: float,
    y0: float,
    width: float,
    style: Style,
    size: float = 14.0,
) -> list[Card]:
    """Cards for `notes` (in this order) filling rows `width` px wide from (x0, y0)."""
    cols = max(1, int((width + GAP) // (MIN_W + GAP)))
    w = (width - GAP * (cols - 1)) / cols
    cards: list[Card] = []
    y = y0
    for start in range(0, len(notes), cols):
        row = notes[start : start + cols]
        heights = [max(MIN_H, card_height(report, n, w, style, size, MAX_LINES)) for n in row]
        tallest = max(heights)
        for i, (note, h) in enumerate(zip(row, heights, strict=True)):
            cards.append(Card(note, x0 + i * (w + GAP), y, w, h))
        y += tallest + GAP
    return cards


def flow_height(cards: Sequence[Card], y0: float) -> float:
    """How tall the cards stand below `y0`."""
    return max((c.y + c.h for c in cards), default=y0) - y0
