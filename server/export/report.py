"""The board as the exports see it: frozen report values that every renderer reads.

`build.build_report` makes a `Report` from the raw board view; renderers only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from canvas_schema import Axis, AxisTick, FieldKind
from canvas_schema import Layout as Layout

from . import labels

OTHER = "other"
ANONYMOUS = "anonymous"
NEUTRAL_GROUP_COLOR = "#5f6b76"
# part borders, given to the canvas's parts in their order (Ko-Kreation: A blue, B purple,
# C green); a canvas with more parts starts over
PART_PALETTE = ("#1d5f8a", "#74398a", "#2d6a37", "#8a5a1d", "#8a2846", "#2c6e7f")


def part_color(index: int) -> str:
    """The border colour of the canvas's `index`-th part (0-based)."""
    return PART_PALETTE[index % len(PART_PALETTE)]


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    color: str


@dataclass(frozen=True)
class Note:
    """One note, normalised. `field` is a canvas field id or `OTHER`."""

    id: str
    field: str
    raw_field: str
    part: str
    kind: str
    text: str
    group: str | None
    group_label: str
    group_color: str
    author: str | None
    author_id: str | None
    anonymous: bool
    votes: int | None
    votes_by_group: tuple[tuple[str, int], ...]
    x: float | None
    y: float | None
    color: str | None
    color_value: str
    owner: str
    due: str
    due_date: date | None
    done: bool | None
    resources: str
    competences: str
    tasks: str
    format: str | None
    format_title: str
    order: float | None
    created_at: int | None
    updated_at: int | None
    # the group (P270) in a plain field: its id and the heading this note carries
    cluster: str | None = None
    heading: str = ""


@dataclass(frozen=True)
class TickView:
    """A canvas tick (its `at` clamped to [0, 1]) with its label in the report's locale."""

    tick: AxisTick
    label: str

    @property
    def at(self) -> float:
        return self.tick.at


@dataclass(frozen=True)
class AxisView:
    """A canvas `Axis` with its texts in the report's locale; ticks in ascending order."""

    axis: Axis
    label: str
    ticks: tuple[TickView, ...]


@dataclass(frozen=True)
class FieldView:
    id: str
    part: str
    kind: FieldKind
    label: str
    prompt: str
    layout: Layout | None
    columns: tuple[tuple[str, str], ...]
    axes: tuple[AxisView, AxisView] | None
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class PartView:
    id: str
    label: str
    subtitle: str
    fields: tuple[FieldView, ...]
    color: str = PART_PALETTE[0]  # border colour, from the part's place in the canvas


@dataclass(frozen=True)
class AgendaItem:
    id: str
    kind: str
    part: str | None
    label: str
    planned_minutes: float | None
    actual_ms: int | None
    started_at: int | None
    ended_at: int | None
    running: bool = False


@dataclass(frozen=True)
class LogEntry:
    at: int | None
    role: str
    name: str | None
    op: str
    summary: str
    details: dict[str, Any] | None


@dataclass(frozen=True)
class Decision:
    """One of the group's decisions (P230) with its link in words."""

    id: str
    text: str
    at: int | None
    role: str
    name: str | None
    field: str | None
    note: str | None
    link: str  # "A1 Begriffsklärung" or the note's text, shortened; "" when unlinked
    edited_at: int | None


@dataclass(frozen=True)
class RosterEntry:
    group: str
    label: str
    count: int
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Voting:
    state: str
    fields: tuple[str, ...]
    per_person: int | None
    shown: bool


@dataclass(frozen=True)
class Report:
    locale: str
    title: str
    board_key: str
    board_id: str | None
    canvas_id: str
    canvas_version: int | None
    canvas_title: str
    created_at: int | None
    exported_at: float
    source_label: str | None
    anonymize: bool
    anonymous_allowed: bool | None
    tz: tzinfo
    grid: tuple[int, int]
    groups: tuple[Group, ...]
    parts: tuple[PartView, ...]
    other: FieldView | None
    agenda: tuple[AgendaItem, ...]
    roster: tuple[RosterEntry, ...]
    log: tuple[LogEntry, ...]
    voting: Voting
    decisions: tuple[Decision, ...] = ()

    def fields(self) -> list[FieldView]:
        """All fields in canvas order, then the `other` pseudo field if it has notes."""
        out = [f for p in self.parts for f in p.fields]
        if self.other is not None:
            out.append(self.other)
        return out

    def notes(self) -> list[Note]:
        return [n for f in self.fields() for n in f.notes]

    def t(self, key: str, **values: object) -> str:
        return labels.t(self.locale, key, **values)

    def group_label(self, group_id: str) -> str:
        if group_id == ANONYMOUS:  # a voter or author who chose no group
            return self.t("note.no_group")
        for g in self.groups:
            if g.id == group_id:
                return g.label
        return group_id

    def when(self, ms: int | None, with_time: bool = True) -> str:
        """A time people read: `03.03.2026, 11:02` (de) or `2026-03-03 11:02` (en)."""
        if ms is None:
            return ""
        moment = datetime.fromtimestamp(ms / 1000, self.tz)
        if self.locale == "de":
            return moment.strftime("%d.%m.%Y, %H:%M" if with_time else "%d.%m.%Y")
        return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")

    def clock(self, ms: int | None) -> str:
        if ms is None:
            return ""
        return datetime.fromtimestamp(ms / 1000, self.tz).strftime("%H:%M")

    def day(self, d: date | None, raw: str = "") -> str:
        if d is None:
            return raw
        return d.strftime("%d.%m.%Y") if self.locale == "de" else d.isoformat()

    def local_iso(self, ms: int | None) -> str:
        if ms is None:
            return ""
        return datetime.fromtimestamp(ms / 1000, self.tz).isoformat(timespec="seconds")
