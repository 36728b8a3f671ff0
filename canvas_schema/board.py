"""Check a board's JSON view (`{"meta": …, "notes": …}`) against its canvas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .issues import Checker, Issue, describe, is_number, join, short
from .model import Canvas, FieldKind

# every note kind and the field kind that must hold it (None: any field); the one place
# this rule lives: the server's update policy (P33) and validate_board both read it
NOTE_KINDS: Mapping[str, FieldKind | None] = {
    "note": None,
    "partner": FieldKind.TABLE,
    "action": FieldKind.ACTIONS,
}
_EXTRA_TEXTS = {
    "note": (),
    "partner": ("resources", "competences", "tasks"),
    "action": ("owner", "due"),
}
# every key besides `text` that holds a note's words, in the order a reader meets them
WORD_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for ks in _EXTRA_TEXTS.values() for k in ks))


def misplaced_kind(kind: str, field_id: str, field_kind: str) -> str | None:
    """Why a note of `kind` may not sit in field `field_id` of `field_kind`; None if it may
    (also for unknown kinds: check those against NOTE_KINDS first)."""
    wanted = NOTE_KINDS.get(kind)
    if wanted is None or field_kind == wanted:
        return None
    return f"a '{kind}' note belongs in a {wanted} field, but {field_id} is a {field_kind} field"


def validate_board(board: Mapping[str, Any], canvas: Canvas) -> list[Issue]:
    """Check a board's JSON view against its canvas.

    Args:
        board: `{"meta": {...}, "notes": {note_id: {"field": ..., "text": ..., ...}}}`,
            e.g. the JSON view of a board document or a JSON export.
        canvas: the canvas the board was created from.

    Returns:
        The issues found (unknown fields, positions outside 0..1, structured notes in
        the wrong kind of field, …); empty when the board fits the canvas.
    """
    check = Checker()
    if not isinstance(board, Mapping):
        check.add("", f"expected a board object, got {describe(board)}")
        return check.issues
    groups = {g.id for g in canvas.groups}
    meta = board.get("meta")
    if isinstance(meta, Mapping):
        _check_meta(check, meta, canvas)
        offered = meta.get("groups")
        if isinstance(offered, list):
            groups |= {g for g in offered if isinstance(g, str)}
    elif meta is not None:
        check.add("meta", f"expected an object, got {describe(meta)}")
    notes = board.get("notes", {})
    if not isinstance(notes, Mapping):
        check.add("notes", f"expected an object of note id -> note, got {describe(notes)}")
        return check.issues
    for note_id, note in notes.items():
        _check_note(check, join("notes", note_id), note, canvas, groups)
    return check.issues


def _check_meta(check: Checker, meta: Mapping[str, Any], canvas: Canvas) -> None:
    canvas_id = meta.get("canvas")
    if canvas_id is not None and canvas_id != canvas.id:
        check.add("meta.canvas", f"the board uses canvas {short(canvas_id)}, not '{canvas.id}'")
        return
    version = meta.get("canvas_version")
    if version is not None and version != canvas.version:
        check.add(
            "meta.canvas_version",
            f"the board is at canvas version {short(version)}, the canvas at {canvas.version}; "
            "migrate the board first",
        )


def _check_note(check: Checker, path: str, note: object, canvas: Canvas, groups: set[str]) -> None:
    if not isinstance(note, Mapping):
        check.add(path, f"expected a note object, got {describe(note)}")
        return
    kinds = {f.id: f.kind for f in canvas.fields}
    field_id = note.get("field")
    if field_id is None:
        check.add(join(path, "field"), "missing required key 'field'")
    elif not isinstance(field_id, str) or field_id not in kinds:
        known = ", ".join(kinds)
        check.add(join(path, "field"), f"unknown field {short(field_id)}; known fields: {known}")
    text = note.get("text")
    if text is not None and not isinstance(text, str):
        check.add(join(path, "text"), f"text must be a string, got {describe(text)}")
    for axis in ("x", "y"):
        value = note.get(axis)
        if value is not None and not (is_number(value) and 0 <= value <= 1):
            check.add(
                join(path, axis), f"{axis} must be a number from 0 to 1, got {describe(value)}"
            )
    _check_choice(
        check, join(path, "color"), note.get("color"), _color_names(canvas), "note colour"
    )
    _check_choice(check, join(path, "group"), note.get("group"), groups, "stakeholder group")
    kind = note.get("kind")
    if kind is None:
        return
    if not isinstance(kind, str) or kind not in NOTE_KINDS:
        expected = ", ".join(f"'{k}'" for k in NOTE_KINDS)
        check.add(join(path, "kind"), f"unknown note kind {short(kind)}; expected {expected}")
        return
    if isinstance(field_id, str) and field_id in kinds:
        problem = misplaced_kind(kind, field_id, kinds[field_id])
        if problem is not None:
            check.add(join(path, "kind"), problem)
    for key in _EXTRA_TEXTS[kind]:
        value = note.get(key)
        if value is not None and not isinstance(value, str):
            check.add(join(path, key), f"{key} must be a string, got {describe(value)}")
    done = note.get("done")
    if kind == "action" and done is not None and not isinstance(done, bool):
        check.add(join(path, "done"), f"done must be true or false, got {describe(done)}")


def _color_names(canvas: Canvas) -> set[str]:
    # ids are what the client stores; plain values are accepted for imported boards
    return {c.id for c in canvas.note_colors} | {c.value.lower() for c in canvas.note_colors}


def _check_choice(check: Checker, path: str, value: object, allowed: set[str], what: str) -> None:
    if value is None:
        return
    name = value.lower() if isinstance(value, str) and value.startswith("#") else value
    if not isinstance(name, str) or name not in allowed:
        known = ", ".join(sorted(a for a in allowed if not a.startswith("#")))
        check.add(path, f"unknown {what} {short(value)}; expected one of: {known}")
