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

from . import labels
from .control import read_agenda, read_decisions, read_log, read_roster
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
    text_of,
    unit_of,
    zone_of,
)
from .report import (
    NEUTRAL_GROUP_COLOR,
    OTHER,
    AxisView,
    FieldView,
    Group,
    Layout,
    Note,
    PartView,
    Report,
    TickView,
    Voting,
    part_color,
)

KINDS = ("note", "partner", "action")
DEFAULT_NOTE_COLOR = "#fff4a3"


def build_report(inp: ExportInput) -> Report:
    """Normalise `inp` into a `Report`; never raises on odd board data."""
    locale = labels.norm_locale(inp.locale)
    canvas = dict_of(inp.canvas)
    board = dict_of(inp.board)
    meta = dict_of(board.get("meta"))
    control = dict_of(board.get("control"))
    raw_notes = dict_of(board.get("notes"))

    groups = tuple(
        Group(
            id=str_of(g.get("id")),
            label=text_of(g.get("label"), locale) or str_of(g.get("id")),
            color=color_of(g.get("color"), NEUTRAL_GROUP_COLOR),
        )
        for g in map(dict_of, list_of(canvas.get("groups")))
        if str_of(g.get("id"))
    )
    group_by_id = {g.id: g for g in groups}
    colors = {
        str_of(c.get("id")): color_of(c.get("value"), DEFAULT_NOTE_COLOR)
        for c in map(dict_of, list_of(canvas.get("note_colors")))
    }
    formats = {
        str_of(f.get("id")): text_of(f.get("title"), locale)
        for f in map(dict_of, list_of(canvas.get("formats")))
    }
    field_defs = {
        str_of(f.get("id")): f for f in map(dict_of, list_of(canvas.get("fields"))) if f.get("id")
    }

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
        fkind = str_of(fdef.get("kind")) if fdef else ""
        kind = str_of(raw.get("kind"))
        if kind not in KINDS:
            kind = {"table": "partner", "actions": "action"}.get(fkind, "note")
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
        cluster, heading = cluster_of(raw, fkind)
        return Note(
            id=note_id,
            field=field,
            raw_field=raw_field,
            part=str_of(fdef.get("part")) if fdef else "",
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

    def make_field(fid: str, fdef: dict[str, Any]) -> FieldView:
        axes_raw = dict_of(fdef.get("axes"))
        axes: tuple[AxisView, AxisView] | None = None
        if axes_raw:
            axes = (_axis(axes_raw.get("x"), locale), _axis(axes_raw.get("y"), locale))
        lay = dict_of(fdef.get("layout"))
        layout = None
        if all(int_of(lay.get(k)) for k in ("col", "row", "colspan", "rowspan")):
            layout = Layout(
                col=int_of(lay["col"]) or 1,
                row=int_of(lay["row"]) or 1,
                colspan=int_of(lay["colspan"]) or 1,
                rowspan=int_of(lay["rowspan"]) or 1,
            )
        return FieldView(
            id=fid,
            part=str_of(fdef.get("part")),
            kind=str_of(fdef.get("kind")) or "notes",
            label=text_of(fdef.get("label"), locale) or fid,
            prompt=text_of(fdef.get("prompt"), locale),
            layout=layout,
            columns=tuple(
                (str_of(c.get("id")), text_of(c.get("label"), locale))
                for c in map(dict_of, list_of(fdef.get("columns")))
            ),
            axes=axes,
            notes=ordered(by_field.get(fid, [])),
        )

    parts: list[PartView] = []
    for p in map(dict_of, list_of(canvas.get("parts"))):
        pid = str_of(p.get("id"))
        fids = [f for f in list_of(p.get("fields")) if isinstance(f, str) and f in field_defs]
        parts.append(
            PartView(
                id=pid,
                label=text_of(p.get("label"), locale),
                subtitle=text_of(p.get("subtitle"), locale),
                fields=tuple(make_field(f, field_defs[f]) for f in fids),
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
            kind="notes",
            label=labels.t(locale, "other.title"),
            prompt=labels.t(locale, "other.prompt"),
            layout=None,
            columns=(),
            axes=None,
            notes=ordered([_as_other(n) for n in stray]),
        )

    created_at = ms_of(meta.get("created_at"))
    canvas_id = str_of(meta.get("canvas"), 100) or str_of(canvas.get("id"), 100)
    board_key = (
        inp.board_id or hashlib.sha256(f"{canvas_id}:{created_at}".encode()).hexdigest()[:20]
    )
    return Report(
        locale=locale,
        title=str_of(meta.get("title"), 500).strip() or labels.t(locale, "untitled"),
        board_key=board_key,
        board_id=inp.board_id,
        canvas_id=canvas_id,
        canvas_version=int_of(meta.get("canvas_version")) or int_of(canvas.get("version")),
        canvas_title=text_of(canvas.get("title"), locale),
        created_at=created_at,
        exported_at=float(inp.exported_at),
        source_label=inp.source_label,
        anonymize=inp.anonymize,
        anonymous_allowed=meta.get("anonymous_allowed")
        if isinstance(meta.get("anonymous_allowed"), bool)
        else None,
        tz=zone_of(inp.timezone),
        grid=(
            int_of(dict_of(canvas.get("grid")).get("columns")) or 12,
            int_of(dict_of(canvas.get("grid")).get("rows")) or 6,
        ),
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


def _axis(value: Any, locale: str) -> AxisView:
    raw = dict_of(value)
    ticks = []
    for tick in map(dict_of, list_of(raw.get("ticks"))):
        at = unit_of(tick.get("at"))
        if at is not None:
            ticks.append(TickView(at=at, label=text_of(tick.get("label"), locale)))
    ticks.sort(key=lambda t: t.at)
    return AxisView(label=text_of(raw.get("label"), locale), ticks=tuple(ticks))
