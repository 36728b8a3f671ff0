"""A canvas as frozen data: parts, fields, agenda, groups, colours and format cards.

Texts are not stored here; each element names its texts by key convention
(`Canvas.text_keys`), and `canvas_schema.i18n` resolves them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

FIELD_TEXTS = ("label", "prompt", "help")
PART_TEXTS = ("label", "subtitle")
FORMAT_TEXTS = ("title", "aim", "how", "time_frame", "example")


class FieldKind(StrEnum):
    """What a field holds, and so which note kinds and extra data it takes."""

    NOTES = "notes"
    DIAGRAM = "diagram"
    TABLE = "table"
    ACTIONS = "actions"
    FORMATS = "formats"


class AgendaKind(StrEnum):
    """The kinds of agenda items; only `part` items refer to a part."""

    INTRO = "intro"
    PART = "part"
    BREAK = "break"
    WRAP_UP = "wrap-up"


@dataclass(frozen=True)
class Grid:
    """The board grid that field layouts are placed on."""

    columns: int
    rows: int


@dataclass(frozen=True)
class Layout:
    """A field's place on the grid, 1-based, spanning `colspan` × `rowspan` cells."""

    col: int
    row: int
    colspan: int
    rowspan: int

    def cells(self) -> Iterator[tuple[int, int]]:
        """Yield every (column, row) cell the field covers."""
        for c in range(self.col, self.col + self.colspan):
            for r in range(self.row, self.row + self.rowspan):
                yield c, r


@dataclass(frozen=True)
class AxisTick:
    """A labelled position on a diagram axis, `at` in [0, 1]."""

    id: str
    at: float


@dataclass(frozen=True)
class Axis:
    """A diagram axis: `id` is `x` or `y`; ticks in ascending order."""

    id: str
    ticks: tuple[AxisTick, ...]


@dataclass(frozen=True)
class Column:
    """A column of a table or actions field."""

    id: str


@dataclass(frozen=True)
class Field:
    """One field of the canvas, e.g. A3; kind-specific data is empty for other kinds."""

    id: str
    part: str
    kind: FieldKind
    layout: Layout
    minutes: int | None = None
    axes: tuple[Axis, ...] = ()
    columns: tuple[Column, ...] = ()
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """A part of the canvas (A, B, C) with its suggested minutes and its fields."""

    id: str
    minutes: int
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class AgendaItem:
    """A timeboxed step of the workshop; `part` is set only for kind `part`."""

    id: str
    kind: AgendaKind
    minutes: int
    part: str | None = None


@dataclass(frozen=True)
class Group:
    """A stakeholder group, shown as a coloured badge or border on notes."""

    id: str
    color: str


@dataclass(frozen=True)
class NoteColor:
    """A background colour offered for notes (`value` is `#rrggbb`)."""

    id: str
    value: str


@dataclass(frozen=True)
class FormatCard:
    """A reference card for a co-creation format, with `dos` and `donts` counts of texts."""

    id: str
    dos: int = 3
    donts: int = 3


@dataclass(frozen=True)
class Canvas:
    """A whole canvas definition.

    `texts` holds texts carried inline by the canvas file (locale -> key -> text);
    they override the shared i18n files for this canvas.
    """

    id: str
    version: int
    locales: tuple[str, ...]
    default_locale: str
    grid: Grid
    parts: tuple[Part, ...]
    agenda: tuple[AgendaItem, ...]
    groups: tuple[Group, ...] = ()
    note_colors: tuple[NoteColor, ...] = ()
    formats: tuple[FormatCard, ...] = ()
    # left out of the hash so canvases can be set members and cache keys
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)

    @property
    def fields(self) -> tuple[Field, ...]:
        """All fields in canvas order (A1 … C3)."""
        return tuple(f for part in self.parts for f in part.fields)

    @property
    def agenda_minutes(self) -> int:
        """The planned length of the whole workshop."""
        return sum(item.minutes for item in self.agenda)

    def get_part(self, part_id: str) -> Part:
        """Return the part with this id; raises `KeyError` if there is none."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

    def get_field(self, field_id: str) -> Field:
        """Return the field with this id; raises `KeyError` if there is none."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def get_format(self, format_id: str) -> FormatCard:
        """Return the format card with this id; raises `KeyError` if there is none."""
        for card in self.formats:
            if card.id == format_id:
                return card
        raise KeyError(format_id)

    def key(self, *parts: str) -> str:
        """Build a text key of this canvas, e.g. `key("field", "A1", "prompt")`."""
        return ".".join(("canvas", self.id, *parts))

    def text_keys(self) -> list[str]:
        """Every text key this canvas needs, in canvas order."""
        keys = [self.key("title"), self.key("description")]
        for part in self.parts:
            keys += [self.key("part", part.id, t) for t in PART_TEXTS]
        for f in self.fields:
            keys += [self.key("field", f.id, t) for t in FIELD_TEXTS]
            for axis in f.axes:
                keys.append(self.key("axis", axis.id, "label"))
                keys += [self.key("axis", axis.id, "tick", tick.id) for tick in axis.ticks]
            keys += [self.key("column", f.id, col.id) for col in f.columns]
        keys += [self.key("agenda", item.id, "label") for item in self.agenda]
        keys += [self.key("group", g.id, "label") for g in self.groups]
        keys += [self.key("color", c.id, "label") for c in self.note_colors]
        for card in self.formats:
            keys += [self.key("format", card.id, t) for t in FORMAT_TEXTS]
            keys += [self.key("format", card.id, "dos", str(n)) for n in range(1, card.dos + 1)]
            keys += [self.key("format", card.id, "donts", str(n)) for n in range(1, card.donts + 1)]
        return keys
