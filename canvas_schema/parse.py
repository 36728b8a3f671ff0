"""Build a `Canvas` from canvas JSON that `validate` has accepted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import (
    AgendaItem,
    AgendaKind,
    Axis,
    AxisTick,
    Canvas,
    Column,
    Field,
    FieldKind,
    FormatCard,
    Grid,
    Group,
    Layout,
    NoteColor,
    Part,
)


def parse_canvas(data: Mapping[str, Any]) -> Canvas:
    """Turn validated canvas JSON into a `Canvas`.

    Args:
        data: canvas JSON for which `validate(data)` returned no issues; anything else
            may raise `KeyError`, `TypeError` or `ValueError`.

    Returns:
        The frozen canvas, inline texts included.
    """
    grid = data["grid"]
    return Canvas(
        id=data["id"],
        version=data["version"],
        locales=tuple(data["locales"]),
        default_locale=data["default_locale"],
        grid=Grid(columns=grid["columns"], rows=grid["rows"]),
        parts=tuple(_part(p) for p in data["parts"]),
        agenda=tuple(
            AgendaItem(
                id=a["id"], kind=AgendaKind(a["kind"]), minutes=a["minutes"], part=a.get("part")
            )
            for a in data["agenda"]
        ),
        groups=tuple(Group(id=g["id"], color=g["color"]) for g in data.get("groups", ())),
        note_colors=tuple(NoteColor(id=c["id"], value=c["value"]) for c in data["note_colors"]),
        formats=tuple(
            FormatCard(id=f["id"], dos=f["dos"], donts=f["donts"]) for f in data.get("formats", ())
        ),
        texts={locale: dict(texts) for locale, texts in data.get("texts", {}).items()},
    )


def _part(data: Mapping[str, Any]) -> Part:
    return Part(
        id=data["id"],
        minutes=data["minutes"],
        fields=tuple(_field(f, data["id"]) for f in data["fields"]),
    )


def _field(data: Mapping[str, Any], part_id: str) -> Field:
    layout = data["layout"]
    axes = data.get("axes", {})
    return Field(
        id=data["id"],
        part=part_id,
        kind=FieldKind(data["kind"]),
        layout=Layout(
            col=layout["col"],
            row=layout["row"],
            colspan=layout["colspan"],
            rowspan=layout["rowspan"],
        ),
        minutes=data.get("minutes"),
        # x before y whatever the file order, so consumers can rely on it
        axes=tuple(
            Axis(id=a, ticks=tuple(AxisTick(id=t["id"], at=t["at"]) for t in axes[a]["ticks"]))
            for a in ("x", "y")
            if a in axes
        ),
        columns=tuple(Column(id=c["id"]) for c in data.get("columns", ())),
        formats=tuple(data.get("formats", ())),
    )
