"""The board document: root names, building a new board, loading, and its JSON view."""

from __future__ import annotations

import json
from typing import Any

from pycrdt import Array, Doc, Map, Text

META = "meta"
NOTES = "notes"
CONTROL = "control"
ROOTS = (META, NOTES, CONTROL)

# keys a note may carry; anything else is refused (PROTOCOL.md P33)
NOTE_KEYS = frozenset(
    {
        "field",
        "text",
        "x",
        "y",
        "color",
        "group",
        "author",
        "author_id",
        "created_at",
        "updated_at",
        "kind",
        "resources",
        "competences",
        "tasks",
        "owner",
        "due",
        "done",
        "order",
        "format",
    }
)


def new_doc() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    for name in ROOTS:
        doc.get(name, type=Map)
    return doc


def load_doc(state: bytes | None, updates: list[bytes]) -> Doc[Any]:
    doc = new_doc()
    with doc.transaction(origin="load"):
        if state:
            doc.apply_update(state)
        for update in updates:
            doc.apply_update(update)
    return doc


def initial_update(meta: dict[str, Any]) -> bytes:
    """The first update of a board: its `meta` root, written by the server."""
    doc = new_doc()
    root = doc.get(META, type=Map)
    with doc.transaction(origin="server"):
        for key, value in meta.items():
            root[key] = _prelim(value)
    return doc.get_update()


def _prelim(value: Any) -> Any:
    if isinstance(value, dict):
        return Map({k: _prelim(v) for k, v in value.items()})
    if isinstance(value, list):
        return Array([_prelim(v) for v in value])
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Map):
        return {k: _plain(value[k]) for k in sorted(value.keys())}
    if isinstance(value, Array):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def doc_view(doc: Doc[Any]) -> dict[str, Any]:
    """Plain data of the known roots, keys sorted: equal boards give equal views."""
    return {name: _plain(doc.get(name, type=Map)) for name in ROOTS}


def doc_json(doc: Doc[Any]) -> bytes:
    return json.dumps(doc_view(doc), sort_keys=True, ensure_ascii=False).encode()


def count_notes(doc: Doc[Any]) -> int:
    return len(doc.get(NOTES, type=Map))
