"""The board as the exports see it: normalised, defensive, locale-resolved, privacy applied.

Every renderer builds on `build_report(inp)`; none reads the raw board view itself, so
the privacy rules (anonymous notes, the anonymize option, votes only after close) live
in one place. Pure: no I/O, no shared state.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import labels
from .model import ExportInput

OTHER = "other"
ANONYMOUS = "anonymous"
KINDS = ("note", "partner", "action")
DEFAULT_NOTE_COLOR = "#fff4a3"
NEUTRAL_GROUP_COLOR = "#5f6b76"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bounds, so a hostile or broken board cannot make an export huge.
MAX_TEXT = 20_000
MAX_LOG = 5_000
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


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


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Axis:
    label: str
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class Layout:
    col: int
    row: int
    colspan: int
    rowspan: int


@dataclass(frozen=True)
class FieldView:
    id: str
    part: str
    kind: str
    label: str
    prompt: str
    layout: Layout | None
    columns: tuple[tuple[str, str], ...]
    axes: tuple[Axis, Axis] | None
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class PartView:
    id: str
    label: str
    subtitle: str
    fields: tuple[FieldView, ...]


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


@dataclass(frozen=True)
class LogEntry:
    at: int | None
    role: str
    name: str | None
    op: str
    summary: str
    details: dict[str, Any] | None


@dataclass(frozen=True)
class RosterEntry:
    group: str
    label: str
    count: int


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
        if group_id == ANONYMOUS:
            return self.t("note.anonymous")
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


# ---- small defensive readers --------------------------------------------------------------


def text_of(value: Any, locale: str) -> str:
    """A canvas text `{"de": ..., "en": ...}` in `locale`, falling back to German, then any."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in (locale, "de", "en"):
            found = value.get(key)
            if isinstance(found, str) and found:
                return found
        for found in value.values():
            if isinstance(found, str):
                return found
    return ""


def _str(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _opt_str(value: Any, limit: int = MAX_TEXT) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _ms(value: Any) -> int | None:
    """Epoch milliseconds between 1970 and 9999 (anything else is not a time we can show)."""
    number = _int(value)
    return number if number is not None and 0 <= number <= MAX_MS else None


def _unit(value: Any) -> float | None:
    number = _num(value)
    return None if number is None else min(1.0, max(0.0, number))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _color(value: Any, fallback: str) -> str:
    return value if isinstance(value, str) and _HEX.match(value) else fallback


def _due(value: Any) -> tuple[str, date | None]:
    raw = _str(value, 40).strip()
    if _DATE.match(raw):
        try:
            return raw, date.fromisoformat(raw)
        except ValueError:
            return raw, None
    return raw, None


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Plain JSON data only (finite numbers, string keys), nested at most 8 deep."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v, depth + 1) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _scrub(text: str, names: list[str], replacement: str) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", replacement, text)
    return text


# ---- building --------------------------------------------------------------------------


def build_report(inp: ExportInput) -> Report:
    """Normalise `inp` into a `Report`; never raises on odd board data."""
    locale = labels.norm_locale(inp.locale)
    canvas = _dict(inp.canvas)
    board = _dict(inp.board)
    meta = _dict(board.get("meta"))
    control = _dict(board.get("control"))
    raw_notes = _dict(board.get("notes"))

    groups = tuple(
        Group(
            id=_str(g.get("id")),
            label=text_of(g.get("label"), locale) or _str(g.get("id")),
            color=_color(g.get("color"), NEUTRAL_GROUP_COLOR),
        )
        for g in map(_dict, _list(canvas.get("groups")))
        if _str(g.get("id"))
    )
    group_by_id = {g.id: g for g in groups}
    colors = {
        _str(c.get("id")): _color(c.get("value"), DEFAULT_NOTE_COLOR)
        for c in map(_dict, _list(canvas.get("note_colors")))
    }
    formats = {
        _str(f.get("id")): text_of(f.get("title"), locale)
        for f in map(_dict, _list(canvas.get("formats")))
    }
    field_defs = {
        _str(f.get("id")): f for f in map(_dict, _list(canvas.get("fields"))) if f.get("id")
    }

    voting_raw = _dict(control.get("voting"))
    voting = Voting(
        state=_str(voting_raw.get("state"), 20) or "idle",
        fields=tuple(f for f in _list(voting_raw.get("fields")) if isinstance(f, str)),
        per_person=_int(voting_raw.get("per_person")),
        shown=voting_raw.get("state") == "closed" and isinstance(voting_raw.get("results"), dict),
    )
    results = _dict(voting_raw.get("results")) if voting.shown else {}

    def make_note(note_id: str, raw: dict[str, Any]) -> Note:
        raw_field = _str(raw.get("field"), 100)
        fdef = field_defs.get(raw_field)
        field = raw_field if fdef is not None else OTHER
        fkind = _str(fdef.get("kind")) if fdef else ""
        kind = _str(raw.get("kind"))
        if kind not in KINDS:
            kind = {"table": "partner", "actions": "action"}.get(fkind, "note")
        group_id = _opt_str(raw.get("group"), 100) or None
        group = group_by_id.get(group_id) if group_id else None
        author = _opt_str(raw.get("author"), 200)
        anonymous = not author
        votes: int | None = None
        by_group: tuple[tuple[str, int], ...] = ()
        if voting.shown:
            entry = _dict(results.get(note_id))
            if entry or field in voting.fields or not voting.fields:
                votes = max(0, _int(entry.get("total")) or 0)
                by_group = tuple(
                    sorted(
                        (
                            (str(k), n)
                            for k, v in _dict(entry.get("by_group")).items()
                            if (n := _int(v) or 0) > 0
                        ),
                        key=lambda kv: (-kv[1], kv[0]),
                    )
                )
        color_id = _opt_str(raw.get("color"), 40)
        due, due_date = _due(raw.get("due"))
        fmt = _opt_str(raw.get("format"), 100)
        done = raw.get("done")
        return Note(
            id=note_id,
            field=field,
            raw_field=raw_field,
            part=_str(fdef.get("part")) if fdef else "",
            kind=kind,
            text=_str(raw.get("text")),
            group=group_id,
            group_label=group.label if group else (group_id or ""),
            group_color=group.color if group and not anonymous else NEUTRAL_GROUP_COLOR,
            author=None if (anonymous or inp.anonymize) else author,
            # an anonymous note keeps no pseudonymous id: it would link it to named notes
            author_id=None if (anonymous or inp.anonymize) else _opt_str(raw.get("author_id"), 200),
            anonymous=anonymous,
            votes=votes,
            votes_by_group=by_group,
            x=_unit(raw.get("x")),
            y=_unit(raw.get("y")),
            color=color_id,
            color_value=colors.get(color_id or "", DEFAULT_NOTE_COLOR),
            owner=_str(raw.get("owner"), 1000),
            due=due,
            due_date=due_date,
            done=done if isinstance(done, bool) else None,
            resources=_str(raw.get("resources")),
            competences=_str(raw.get("competences")),
            tasks=_str(raw.get("tasks")),
            format=fmt,
            format_title=formats.get(fmt or "", fmt or ""),
            order=_num(raw.get("order")),
            created_at=_ms(raw.get("created_at")),
            updated_at=_ms(raw.get("updated_at")),
        )

    notes = [make_note(str(k), _dict(v)) for k, v in raw_notes.items()]
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
        axes_raw = _dict(fdef.get("axes"))
        axes: tuple[Axis, Axis] | None = None
        if axes_raw:
            axes = (_axis(axes_raw.get("x"), locale), _axis(axes_raw.get("y"), locale))
        lay = _dict(fdef.get("layout"))
        layout = None
        if all(_int(lay.get(k)) for k in ("col", "row", "colspan", "rowspan")):
            layout = Layout(
                col=_int(lay["col"]) or 1,
                row=_int(lay["row"]) or 1,
                colspan=_int(lay["colspan"]) or 1,
                rowspan=_int(lay["rowspan"]) or 1,
            )
        return FieldView(
            id=fid,
            part=_str(fdef.get("part")),
            kind=_str(fdef.get("kind")) or "notes",
            label=text_of(fdef.get("label"), locale) or fid,
            prompt=text_of(fdef.get("prompt"), locale),
            layout=layout,
            columns=tuple(
                (_str(c.get("id")), text_of(c.get("label"), locale))
                for c in map(_dict, _list(fdef.get("columns")))
            ),
            axes=axes,
            notes=ordered(by_field.get(fid, [])),
        )

    parts = []
    for p in map(_dict, _list(canvas.get("parts"))):
        pid = _str(p.get("id"))
        fids = [f for f in _list(p.get("fields")) if isinstance(f, str) and f in field_defs]
        parts.append(
            PartView(
                id=pid,
                label=text_of(p.get("label"), locale),
                subtitle=text_of(p.get("subtitle"), locale),
                fields=tuple(make_field(f, field_defs[f]) for f in fids),
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

    author_names = sorted(
        {n for v in raw_notes.values() if (n := _str(_dict(v).get("author"), 200).strip())},
        key=len,
        reverse=True,
    )
    log = []
    for entry in map(_dict, _list(control.get("log"))[-MAX_LOG:]):
        by = _dict(entry.get("by"))
        role = _str(by.get("role"), 40) or "server"
        name = _opt_str(by.get("name"), 200) or None
        summary = _str(entry.get("summary"), 2000)
        details = _json_safe(_dict(entry.get("details"))) or None
        if inp.anonymize:
            role_label = (
                labels.t(locale, f"role.{role}") if labels.has(locale, f"role.{role}") else role
            )
            names = sorted({*author_names, *([name] if name else [])}, key=len, reverse=True)
            summary = _scrub(summary, names, role_label)
            name, details = None, None
        log.append(
            LogEntry(
                at=_ms(entry.get("at")),
                role=role,
                name=name,
                op=_str(entry.get("op"), 100),
                summary=summary,
                details=details,
            )
        )
    log.sort(key=lambda e: e.at if e.at is not None else -1)

    created_at = _ms(meta.get("created_at"))
    canvas_id = _str(meta.get("canvas"), 100) or _str(canvas.get("id"), 100)
    board_key = (
        inp.board_id or hashlib.sha256(f"{canvas_id}:{created_at}".encode()).hexdigest()[:20]
    )
    return Report(
        locale=locale,
        title=_str(meta.get("title"), 500).strip() or labels.t(locale, "untitled"),
        board_key=board_key,
        board_id=inp.board_id,
        canvas_id=canvas_id,
        canvas_version=_int(meta.get("canvas_version")) or _int(canvas.get("version")),
        canvas_title=text_of(canvas.get("title"), locale),
        created_at=created_at,
        exported_at=float(inp.exported_at),
        source_label=inp.source_label,
        anonymize=inp.anonymize,
        anonymous_allowed=meta.get("anonymous_allowed")
        if isinstance(meta.get("anonymous_allowed"), bool)
        else None,
        tz=_zone(inp.timezone),
        grid=(
            _int(_dict(canvas.get("grid")).get("columns")) or 12,
            _int(_dict(canvas.get("grid")).get("rows")) or 6,
        ),
        groups=groups,
        parts=tuple(parts),
        other=other,
        agenda=_agenda(control, canvas, locale),
        roster=_roster(control, groups, locale),
        log=tuple(log),
        voting=voting,
    )


def _as_other(note: Note) -> Note:
    return replace(note, field=OTHER, part="")


def _axis(value: Any, locale: str) -> Axis:
    raw = _dict(value)
    ticks = []
    for tick in map(_dict, _list(raw.get("ticks"))):
        at = _unit(tick.get("at"))
        if at is not None:
            ticks.append(Tick(at=at, label=text_of(tick.get("label"), locale)))
    ticks.sort(key=lambda t: t.at)
    return Axis(label=text_of(raw.get("label"), locale), ticks=tuple(ticks))


def _agenda(control: dict[str, Any], canvas: dict[str, Any], locale: str) -> tuple[AgendaItem, ...]:
    planned = {_str(a.get("id")): a for a in map(_dict, _list(canvas.get("agenda")))}
    parts = {_str(p.get("id")): p for p in map(_dict, _list(canvas.get("parts")))}
    items = [_dict(a) for a in _list(control.get("agenda"))] or list(planned.values())
    out = []
    for item in items:
        aid = _str(item.get("id"), 100)
        base = planned.get(aid, {})
        part = _opt_str(item.get("part"), 20) or _opt_str(base.get("part"), 20)
        label = _str(item.get("label"), 300) or text_of(base.get("label"), locale)
        if not label and part in parts:
            label = labels.t(
                locale, "part.heading", id=part, label=text_of(parts[part].get("label"), locale)
            )
        started, ended = _ms(item.get("started_at")), _ms(item.get("ended_at"))
        actual = _int(item.get("actual_ms"))
        if not actual and started is not None and ended is not None and ended > started:
            actual = ended - started
        minutes = _num(item.get("minutes"))
        out.append(
            AgendaItem(
                id=aid,
                kind=_str(item.get("kind"), 40) or _str(base.get("kind"), 40),
                part=part,
                label=label or aid,
                planned_minutes=minutes if minutes is not None else _num(base.get("minutes")),
                actual_ms=actual if actual else None,
                started_at=started,
                ended_at=ended,
            )
        )
    return tuple(out)


def _roster(
    control: dict[str, Any], groups: tuple[Group, ...], locale: str
) -> tuple[RosterEntry, ...]:
    raw = {str(k): n for k, v in _dict(control.get("roster")).items() if (n := _int(v) or 0) > 0}
    order = [g.id for g in groups] + sorted(k for k in raw if k != ANONYMOUS) + [ANONYMOUS]
    labels_by_id = {g.id: g.label for g in groups}
    out: list[RosterEntry] = []
    seen: set[str] = set()
    for gid in order:
        if gid in raw and gid not in seen:
            seen.add(gid)
            label = (
                labels.t(locale, "roster.anonymous")
                if gid == ANONYMOUS
                else labels_by_id.get(gid, gid)
            )
            out.append(RosterEntry(group=gid, label=label, count=raw[gid]))
    return tuple(out)


# ---- helpers shared by the renderers ------------------------------------------------------


def axis_words(axis: Axis, value: float | None, locale: str) -> str:
    """A position on an axis in words, from the nearest tick labels.

    Within 0.1 of a tick: that tick's label; within 0.1 of the middle between two ticks:
    "between A and B"; otherwise "mostly" plus the nearest tick.
    """
    if value is None or not axis.ticks:
        return labels.t(locale, "diagram.unplaced") if value is None else f"{value:.2f}"
    by_distance = sorted(axis.ticks, key=lambda t: (abs(t.at - value), t.at))
    nearest = by_distance[0]
    gap = abs(nearest.at - value)
    if gap <= 0.1:
        return nearest.label
    if len(by_distance) > 1 and abs(by_distance[1].at - value) - gap < 0.2:
        a, b = sorted(by_distance[:2], key=lambda t: t.at)
        return labels.t(
            locale, "diagram.between", a=_phrase(a.label, locale), b=_phrase(b.label, locale)
        )
    return labels.t(locale, "diagram.mostly", label=_phrase(nearest.label, locale))


def _phrase(label: str, locale: str) -> str:
    """Inside an English phrase, "Led by ..." reads "led by ..."; German keeps its nouns."""
    if locale == "en" and len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def op_label(locale: str, op: str) -> str:
    key = f"op.{op}"
    return labels.t(locale, key) if labels.has(locale, key) else op


def role_label(locale: str, role: str) -> str:
    key = f"role.{role}"
    return labels.t(locale, key) if labels.has(locale, key) else role


def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Hebrew, Arabic, ...)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def note_by(report: Report, note: Note) -> str:
    """Who wrote a note, as shown: "Verwaltung · Petra", "anonym", or the group only.

    With `anonymize` no author is named, so anonymous and named notes look the same.
    """
    parts = [note.group_label] if note.group_label else []
    if not report.anonymize:
        parts.append(note.author if note.author else report.t("note.anonymous"))
    return " · ".join(parts)


def votes_text(report: Report, note: Note, detail: bool = True) -> str:
    """ "5 Stimmen (Verwaltung 3, Jugend 2)"; empty when no results are shown for the note."""
    if note.votes is None:
        return ""
    text = labels.votes(report.locale, note.votes)
    if detail and note.votes_by_group:
        groups = ", ".join(f"{report.group_label(g)} {n}" for g, n in note.votes_by_group)
        text = f"{text} ({groups})"
    return text


def shows_votes(field: FieldView) -> bool:
    return any(n.votes is not None for n in field.notes)


def partner_cell(note: Note, column: str) -> str:
    """B4 cells: the note text is the actor; the other columns are note keys."""
    if column == "actor":
        return note.text
    return {"resources": note.resources, "competences": note.competences, "tasks": note.tasks}.get(
        column, ""
    )


def minutes_of(ms: int | None) -> float | None:
    return None if ms is None else ms / 60_000
