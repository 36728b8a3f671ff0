"""Keeping the accepted notes of a partly refused update (PROTOCOL.md P260-P262).

The notes an update changed without breaking a rule keep the writer's items (P267): the
refused notes are read as the whole revert leaves them (`read_notes`), and written back to
that by the server in a copy of the judged document (`write_notes`), as small edits: a text
gets only the characters that differ, a key only when its value differs. When P267 must
wait, the update is reverted whole and the accepted notes are written again that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, Text

from canvas_schema.board import WORD_KEYS

from .docreads import size
from .document import NOTES


@dataclass(frozen=True)
class TextValue:
    """A collaborative text key, read as a string."""

    value: str


# note id -> its keys and values, or None when the update deleted the note
NoteValues = dict[str, dict[str, Any] | None]


def read_notes(doc: Doc[Any], note_ids: set[str]) -> NoteValues:
    """The current value of each note, texts as `TextValue` (None: the note is gone)."""
    notes = doc.get(NOTES, type=Map)
    out: NoteValues = {}
    for note_id in sorted(note_ids):
        note = notes.get(note_id)
        if not isinstance(note, Map):
            out[note_id] = None
            continue
        out[note_id] = {k: _read(v) for k, v in note.items()}
    return out


def hidden_values(doc: Doc[Any], note_ids: set[str]) -> bool:
    """Whether a text of these notes holds items its words do not show (Any items a
    crafted update put among the characters): a write-back by words cannot see them."""
    notes = doc.get(NOTES, type=Map)
    for note_id in note_ids:
        note = notes.get(note_id)
        if isinstance(note, Map):
            for value in note.values():
                if isinstance(value, Text) and has_hidden(value):
                    return True
    return False


def has_hidden(text: Text, words: str | None = None) -> bool:
    """Whether `text` holds items besides its characters (`words`, its str() if read
    already; P34). pycrdt counts a text's length in UTF-8 bytes of its characters plus
    one per other item."""
    return size(text) != len((str(text) if words is None else words).encode())


def parked(doc: Doc[Any], wanted: NoteValues) -> list[dict[str, Any]]:
    """P262: the words the writer wanted in each refused note, when they differ from
    what stands in `doc` (they would otherwise be lost); sent to that writer only.
    `text` always, the other word keys (a partner's resources, an action's owner, ...)
    in `keys` when they hold new words."""
    standing = read_notes(doc, set(wanted))
    out: list[dict[str, Any]] = []
    for note_id, value in wanted.items():
        if value is None:
            continue
        was = standing.get(note_id) or {}
        text = _words(value.get("text"))
        new_text = bool(text.strip()) and text != _words(was.get("text"))
        keys = {
            key: words
            for key in WORD_KEYS
            if (words := _words(value.get(key))).strip() and words != _words(was.get(key))
        }
        if not new_text and not keys:
            continue
        field_id = value.get("field")
        entry: dict[str, Any] = {
            "id": note_id,
            "field": field_id if isinstance(field_id, str) else None,
            "text": text,
        }
        if keys:
            entry["keys"] = keys
        out.append(entry)
    return out


def _words(value: Any) -> str:
    """A note key's words: a collaborative text's, or a plain string's (an action's owner)."""
    if isinstance(value, TextValue):
        return value.value
    return value if isinstance(value, str) else ""


def _read(value: Any) -> Any:
    if isinstance(value, Text):
        return TextValue(str(value))
    if isinstance(value, Map):
        return value.to_py()
    return value


def write_notes(doc: Doc[Any], values: NoteValues) -> None:
    """Make each note equal `values` with the fewest changes (call inside a transaction)."""
    notes = doc.get(NOTES, type=Map)
    for note_id, value in values.items():
        current = notes.get(note_id)
        if value is None:
            if note_id in notes:
                del notes[note_id]
            continue
        if not isinstance(current, Map):
            notes[note_id] = Map({k: _fresh(v) for k, v in value.items()})
            continue
        for key in set(current.keys()) - set(value):
            del current[key]
        for key, v in value.items():
            old = current.get(key)
            if isinstance(v, TextValue) and isinstance(old, Text):
                _edit_text(old, v.value)
            elif isinstance(v, TextValue) or _read(old) != v:
                current[key] = _fresh(v)


def _fresh(value: Any) -> Any:
    return Text(value.value) if isinstance(value, TextValue) else value


def _edit_text(text: Text, want: str) -> None:
    """Replace only the differing middle; pycrdt indexes a Text by UTF-8 bytes."""
    have = str(text)
    if have == want:
        return
    start = 0
    limit = min(len(have), len(want))
    while start < limit and have[start] == want[start]:
        start += 1
    end = 0
    while end < limit - start and have[-1 - end] == want[-1 - end]:
        end += 1
    at = len(have[:start].encode())
    gone = len(have[start : len(have) - end].encode())
    if gone:
        del text[at : at + gone]
    added = want[start : len(want) - end]
    if added:
        text.insert(at, added)
