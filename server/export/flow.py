"""Notes of a plain field as the board shows them: a wrapping grid in board order.

Cards are at least `MIN_W` px wide and share a row's width; each is as tall as its text
needs (up to `MAX_LINES` lines, then cut with "…"), a row as tall as its tallest card.
A group (P273) is a frame across the field where its first member would stand: its
heading, then its members in their own rows. The field grows to fit (`flow_height`), so
no card lies on another.
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
GROUP_PAD = 8.0
GROUP_HEAD = 30.0


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


@dataclass(frozen=True, slots=True)
class Frame:
    """Where one group's frame goes; its heading sits at the top, its cards inside."""

    group: str
    heading: str
    count: int
    x: float
    y: float
    w: float
    h: float


def flow_entries(notes: Sequence[Note]) -> list[Note | list[Note]]:
    """Notes (in board order) as they flow: loose notes, and each group as the list of its
    members where its first member stands (model/groups.ts `flowEntries`)."""
    out: list[Note | list[Note]] = []
    groups: dict[str, list[Note]] = {}
    for note in notes:
        if note.cluster is None:
            out.append(note)
            continue
        members = groups.get(note.cluster)
        if members is None:
            members = groups[note.cluster] = []
            out.append(members)
        members.append(note)
    return out


def _rows(
    report: Report,
    notes: Sequence[Note],
    x0: float,
    y0: float,
    width: float,
    style: Style,
    size: float,
    cards: list[Card],
) -> float:
    """Add cards for `notes` in rows `width` px wide from (x0, y0); returns the y below."""
    cols = max(1, int((width + GAP) // (MIN_W + GAP)))
    w = (width - GAP * (cols - 1)) / cols
    y = y0
    for start in range(0, len(notes), cols):
        row = notes[start : start + cols]
        heights = [max(MIN_H, card_height(report, n, w, style, size, MAX_LINES)) for n in row]
        for i, (note, h) in enumerate(zip(row, heights, strict=True)):
            cards.append(Card(note, x0 + i * (w + GAP), y, w, h))
        y += max(heights) + GAP
    return y


def flow_layout(
    report: Report,
    notes: Sequence[Note],
    x0: float,
    y0: float,
    width: float,
    style: Style,
    size: float = 14.0,
) -> tuple[list[Card], list[Frame]]:
    """Cards and group frames for `notes` (in board order) from (x0, y0), `width` px wide."""
    cards: list[Card] = []
    frames: list[Frame] = []
    loose: list[Note] = []
    y = y0
    for entry in flow_entries(notes):
        if not isinstance(entry, list):
            loose.append(entry)
            continue
        y = _rows(report, loose, x0, y, width, style, size, cards)
        loose = []
        inner = width - 2 * GROUP_PAD
        bottom = _rows(report, entry, x0 + GROUP_PAD, y + GROUP_HEAD, inner, style, size, cards)
        h = bottom - GAP + GROUP_PAD - y
        frames.append(Frame(entry[0].cluster or "", entry[0].heading, len(entry), x0, y, width, h))
        y += h + GAP
    _rows(report, loose, x0, y, width, style, size, cards)
    return cards, frames


def flow_cards(
    report: Report,
    notes: Sequence[Note],
    x0: float,
    y0: float,
    width: float,
    style: Style,
    size: float = 14.0,
) -> list[Card]:
    """Cards for `notes` (in board order) from (x0, y0), `width` px wide, groups included."""
    return flow_layout(report, notes, x0, y0, width, style, size)[0]


def flow_height(cards: Sequence[Card], y0: float, frames: Sequence[Frame] = ()) -> float:
    """How tall the cards and group frames stand below `y0`."""
    bottoms = [c.y + c.h for c in cards] + [f.y + f.h for f in frames]
    return max(bottoms, default=y0) - y0
