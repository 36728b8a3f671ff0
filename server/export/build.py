"""Building the `Report`: normalised, defensive, locale-resolved, privacy applied.

Every renderer builds on `build_report(inp)`; none reads the raw board view itself, so
the privacy rules (anonymous notes, the anonymize option, votes only after close) live
in one place. Pure: no I/O, no shared state.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from typing import Any

from canvas_schema import Axis, Canvas, Field, FieldKind

from . import labels
from .control import read_agenda, read_decisions, read_log, read_roster
from .labels import canvas_text
from .model import ExportInput
from .readers import (
    cluster_of,
    color_of,
    dict_of,
    due_of,
    int_of,
    list_of,
    ms_of,
    num_of,
    opt_str_of,
    str_of,
    unit_of,
    zone_of,
)
from .report import (
    NEUTRAL_GROUP_COLOR,
    OTHER,
    AxisView,
    FieldView,
    Group,
    Note,
    PartView,
    Report,
    TickView,
    Voting,
    part_color,
)

KINDS = ("note", "partner", "action")
# the note kind a note without one gets from its field
FIELD_NOTE_KIND = {FieldKind.TABLE: "partner", FieldKind.ACTIONS: "action"}
DEFAULT_NOTE_COLOR = "#fff4a3"


def build_report(inp: ExportInput) -> Report:
    """Normalise `inp` into a `Report`; never raises on odd board data."""
    locale = labels.norm_locale(inp.locale)
    canvas = inp.canvas
    board = dict_of(inp.board)
    meta = dict_of(board.get("meta"))
    control = dict_of(board.get("control"))
    raw_notes = dict_of(board.get("notes"))

    def text(*key: str) -> str:
        return canvas_text(canvas, locale, *key)

    groups = tuple(
        Group(
            id=g.id,
            label=text("group", g.id, "label") or g.id,
            color=color_of(g.color, NEUTRAL_GROUP_COLOR),
        )
        for g in canvas.groups
        if g.id
    )
    group_by_id = {g.id: g for g in groups}
    colors = {c.id: color_of(c.value, DEFAULT_NOTE_COLOR) for c in canvas.note_colors}
    formats = {card.id: text("format", card.id, "title") for card in canvas.formats}
    field_defs = {f.id: f for f in canvas.fields}

    voting_raw = dict_of(control.get("voting"))
    voting = Voting(
        state=str_of(voting_raw.get("state"), 20) or "idle",
        fields=tuple(f for f in list_of(voting_raw.get("fields")) if isinstance(f, str)),
        per_person=int_of(voting_raw.get("per_person")),
        shown=voting_raw.get("state") == "closed" and isinstance(voting_raw.get("results"), dict),
    )
    results = dict_of(voting_raw.get("results")) if voting.shown else {}

    def make_note(note_id: str, raw: dict[str, Any]) -> Note:
        raw_field = str_of(raw.get("field"), 100)
        fdef = field_defs.get(raw_field)
        field = raw_field if fdef is not None else OTHER
        kind = str_of(raw.get("kind"))
        if kind not in KINDS:
            kind = FIELD_NOTE_KIND.get(fdef.kind, "note") if fdef else "note"
        group_id = opt_str_of(raw.get("group"), 100) or None
        group = group_by_id.get(group_id) if group_id else None
        author = opt_str_of(raw.get("author"), 200)
        anonymous = not author
        votes: int | None = None
        by_group: tuple[tuple[str, int], ...] = ()
        if voting.shown:
            entry = dict_of(results.get(note_id))
            if entry or field in voting.fields or not voting.fields:
                votes = max(0, int_of(entry.get("total")) or 0)
                by_group = tuple(
                    sorted(
                        (
                            (str(k), n)
                            for k, v in dict_of(entry.get("by_group")).items()
                            if (n := int_of(v) or 0) > 0
                        ),
                        key=lambda kv: (-kv[1], kv[0]),
                    )
                )
        color_id = opt_str_of(raw.get("color"), 40)
        due, due_date = due_of(raw.get("due"))
        fmt = opt_str_of(raw.get("format"), 100)
        done = raw.get("done")
        cluster, heading = cluster_of(raw, fdef.kind if fdef else "")
        return Note(
            id=note_id,
            field=field,
            raw_field=raw_field,
            part=fdef.part if fdef else "",
            kind=kind,
            text=str_of(raw.get("text")),
            group=group_id,
            group_label=group.label if group else (group_id or ""),
            group_color=group.color if group and not anonymous else NEUTRAL_GROUP_COLOR,
            author=None if (anonymous or inp.anonymize) else author,
            # an anonymous note keeps no pseudonymous id: it would link it to named notes
            author_id=None
            if (anonymous or inp.anonymize)
            else opt_str_of(raw.get("author_id"), 200),
            anonymous=anonymous,
            votes=votes,
            votes_by_group=by_group,
            x=unit_of(raw.get("x")),
            y=unit_of(raw.get("y")),
            color=color_id,
            color_value=colors.get(color_id or "", DEFAULT_NOTE_COLOR),
            owner=str_of(raw.get("owner"), 1000),
            due=due,
            due_date=due_date,
            done=done if isinstance(done, bool) else None,
            resources=str_of(raw.get("resources")),
            competences=str_of(raw.get("competences")),
            tasks=str_of(raw.get("tasks")),
            format=fmt,
            format_title=formats.get(fmt or "", fmt or ""),
            order=num_of(raw.get("order")),
            created_at=ms_of(raw.get("created_at")),
            updated_at=ms_of(raw.get("updated_at")),
            cluster=cluster,
            heading=heading,
        )

    notes = [make_note(str(k), dict_of(v)) for k, v in raw_notes.items()]
    by_field: dict[str, list[Note]] = {}
    for note in notes:
        by_field.setdefault(note.field, []).append(note)

    def ordered(field_notes: list[Note]) -> tuple[Note, ...]:
        inf = math.inf
        field_notes.sort(
            key=lambda n: (
                n.order if n.order is not None else inf,
                n.created_at if n.created_at is not None else inf,
                n.id,
            )
        )
        if voting.shown and any(n.votes for n in field_notes):
            field_notes.sort(key=lambda n: -(n.votes or 0))  # stable: board order among ties
        return tuple(field_notes)

    def make_field(fdef: Field) -> FieldView:
        axes: tuple[AxisView, AxisView] | None = None
        if fdef.kind == FieldKind.DIAGRAM and fdef.axes:
            axes = (_axis(canvas, fdef, "x", locale), _axis(canvas, fdef, "y", locale))
        columns: tuple[tuple[str, str], ...] = ()
        if fdef.kind in (FieldKind.TABLE, FieldKind.ACTIONS):
            columns = tuple((c.id, text("column", fdef.id, c.id)) for c in fdef.columns)
        return FieldView(
            id=fdef.id,
            part=fdef.part,
            kind=fdef.kind,
            label=text("field", fdef.id, "label") or fdef.id,
            prompt=text("field", fdef.id, "prompt"),
            layout=fdef.layout,
            columns=columns,
            axes=axes,
            notes=ordered(by_field.get(fdef.id, [])),
        )

    parts: list[PartView] = []
    for p in canvas.parts:
        parts.append(
            PartView(
                id=p.id,
                label=text("part", p.id, "label"),
                subtitle=text("part", p.id, "subtitle"),
                fields=tuple(make_field(f) for f in p.fields),
                color=part_color(len(parts)),
            )
        )
    placed = {f.id for p in parts for f in p.fields}
    # fields the canvas lists outside any part, and notes in unknown fields, go under "other"
    stray = [n for fid, ns in by_field.items() if fid not in placed for n in ns]
    other = None
    if stray:
        other = FieldView(
            id=OTHER,
            part="",
            kind=FieldKind.NOTES,
            label=labels.t(locale, "other.title"),
            prompt=labels.t(locale, "other.prompt"),
            layout=None,
            columns=(),
            axes=None,
            notes=ordered([_as_other(n) for n in stray]),
        )

    created_at = ms_of(meta.get("created_at"))
    canvas_id = str_of(meta.get("canvas"), 100) or canvas.id[:100]
    board_key = (
        inp.board_id or hashlib.sha256(f"{canvas_id}:{created_at}".encode()).hexdigest()[:20]
    )
    return Report(
        locale=locale,
        title=str_of(meta.get("title"), 500).strip() or labels.t(locale, "untitled"),
        board_key=board_key,
        board_id=inp.board_id,
        canvas_id=canvas_id,
        canvas_version=int_of(meta.get("canvas_version")) or canvas.version,
        canvas_title=text("title"),
        created_at=created_at,
        exported_at=float(inp.exported_at),
        source_label=inp.source_label,
        anonymize=inp.anonymize,
        anonymous_allowed=meta.get("anonymous_allowed")
        if isinstance(meta.get("anonymous_allowed"), bool)
        else None,
        tz=zone_of(inp.timezone),
        grid=(canvas.grid.columns or 12, canvas.grid.rows or 6),
        groups=groups,
        parts=tuple(parts),
        other=other,
        agenda=read_agenda(control, canvas, locale, int(inp.exported_at * 1000)),
        roster=read_roster(control, groups, locale, inp.anonymize),
        log=read_log(control, raw_notes, locale, inp.anonymize),
        voting=voting,
        decisions=read_decisions(
            control,
            raw_notes,
            {f.id: f.label for p in parts for f in p.fields},
            locale,
            inp.anonymize,
        ),
    )


def _as_other(note: Note) -> Note:
    return replace(note, field=OTHER, part="")


def _axis(canvas: Canvas, fdef: Field, axis_id: str, locale: str) -> AxisView:
    axis = next((a for a in fdef.axes if a.id == axis_id), Axis(axis_id, ()))
    ticks = [
        TickView(
            tick=replace(tick, at=min(1.0, max(0.0, tick.at))),
            label=canvas_text(canvas, locale, "axis", axis.id, "tick", tick.id),
        )
        for tick in axis.ticks
    ]
    ticks.sort(key=lambda t: t.at)
    return AxisView(
        axis=axis, label=canvas_text(canvas, locale, "axis", axis.id, "label"), ticks=tuple(ticks)
    )
