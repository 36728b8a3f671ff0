"""The board document: root names, building a new board, loading, and its JSON view."""

from __future__ import annotations

import json
from typing import Any

from pycrdt import Array, Doc, Map, Text

from . import vocabulary

META = vocabulary.ROOT_META
NOTES = vocabulary.ROOT_NOTES
CONTROL = vocabulary.ROOT_CONTROL
ROOTS = (META, NOTES, CONTROL)

# keys a note may carry; anything else is refused (PROTOCOL.md P33)
NOTE_KEYS = frozenset(vocabulary.NOTE_KEYS)


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


def initial_update(meta: dict[str, Any], control: dict[str, Any] | None = None) -> bytes:
    """The first update of a board: its `meta` (and `control`) written by the server.
    Control values stay plain data: the server replaces them whole."""
    doc = new_doc()
    with doc.transaction(origin="server"):
        root = doc.get(META, type=Map)
        for key, value in meta.items():
            root[key] = value
        ctl = doc.get(CONTROL, type=Map)
        for key, value in (control or {}).items():
            ctl[key] = value
    return doc.get_update()


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Map):
        return {k: _plain(value[k]) for k in sorted(value.keys())}
    if isinstance(value, Array):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def doc_view(doc: Doc[Any]) -> dict[str, Any]:
    """Plain data of the known roots, keys sorted: equal boards give equal views."""
    return {name: _plain(doc.get(name, type=Map)) for name in ROOTS}


def doc_json(doc: Doc[Any]) -> bytes:
    return json.dumps(doc_view(doc), sort_keys=True, ensure_ascii=False).encode()


def _clone(value: Any) -> Any:
    """A fresh shared value with the same content (for writing into another doc)."""
    if isinstance(value, Text):
        return Text(str(value))
    if isinstance(value, Map):
        return Map({k: _clone(value[k]) for k in value.keys()})
    if isinstance(value, Array):
        return Array([_clone(v) for v in value])
    return value


def make_equal(live: Map[Any], want: Map[Any]) -> None:
    """Change `live` so its content equals `want` (call inside a transaction)."""
    for key in list(live.keys()):
        if key not in want:
            del live[key]
    for key in want.keys():
        wanted = want[key]
        if key in live and _plain(live[key]) == _plain(wanted):
            continue
        live[key] = _clone(wanted)


def count_notes(doc: Doc[Any]) -> int:
    return len(doc.get(NOTES, type=Map))
