"""Bringing a board's document to its canvas's current version (P380).

A canvas that changes in a way existing boards feel bumps its version and appends a
`canvas_schema.Migration`. Migrations work on the board's JSON view; here a migrated
view is written back into the Yjs document as one transaction, so the change is an
ordinary update every client receives. The document's `meta.canvas_version` says which
version its content follows (a stored record's `canvas_version` is kept in step).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from pycrdt import Doc, Map, Text

from canvas_schema import Canvas, MigrationError, migrate_board

from .store.base import BoardRecord, DocStore
from .sync.document import CONTROL, META, NOTES, doc_view, load_doc
from .sync.vocabulary import TEXT_KEYS

UPGRADE_ORIGIN = "upgrade"

log = logging.getLogger(__name__)


def content_version(doc: Doc[Any], fallback: int) -> int:
    """The canvas version the document's content follows: `meta.canvas_version`, when it
    is a whole number, else `fallback` (the version the board was created with)."""
    value = doc.get(META, type=Map).get("canvas_version")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fallback
    # an archive's meta is untrusted: no infinities, no fractions, nothing past 32 bits
    if not math.isfinite(value) or value != int(value) or abs(value) > 2**31:
        return fallback
    return int(value)


def upgrade_doc(doc: Doc[Any], canvas: Canvas, from_version: int) -> bool:
    """Migrate `doc` in place from `from_version` to `canvas.version`.

    Returns:
        True when the document changed (it was older), False when it was current.

    Raises:
        canvas_schema.MigrationError: the document is newer than the canvas, or a step
            of the canvas's migrations is missing; the document is left as it was.
    """
    if from_version == canvas.version:
        return False
    before = doc_view(doc)
    after = migrate_board(before, canvas.id, from_version, canvas.version)
    if not isinstance(after.get(META), dict):
        after[META] = {}
    after[META]["canvas_version"] = canvas.version
    with doc.transaction(origin=UPGRADE_ORIGIN):
        for name in (META, CONTROL):
            _write_plain(doc.get(name, type=Map), before.get(name), after.get(name))
        _write_notes(doc.get(NOTES, type=Map), before.get(NOTES), after.get(NOTES))
    return True


def upgrade_state(state: bytes, canvas: Canvas, from_version: int) -> bytes:
    """`state` (a whole-document update) migrated to `canvas.version`; unchanged bytes
    when it is current. `from_version` is used when the state's meta names none."""
    doc = load_doc(state, [])
    if not upgrade_doc(doc, canvas, content_version(doc, from_version)):
        return state
    return doc.get_update()


def restorable_state(state: bytes, canvas: Canvas, from_version: int) -> bytes:
    """A snapshot's `state` to restore: migrated when it is older, else as it is. One
    that cannot be migrated is restored unchanged, as such a board opens (P380)."""
    try:
        return upgrade_state(state, canvas, from_version)
    except MigrationError as exc:
        log.warning("snapshot restored unmigrated: %s", exc)
        return state


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _write_plain(root: Map[Any], before: object, after: object) -> None:
    old, new = _dict(before), _dict(after)
    for key in old.keys() - new.keys():
        del root[key]
    for key, value in new.items():
        if key not in old or old[key] != value:
            root[key] = value


def _write_notes(root: Map[Any], before: object, after: object) -> None:
    old, new = _dict(before), _dict(after)
    for note_id in old.keys() - new.keys():
        del root[note_id]
    for note_id, value in new.items():
        fields = _dict(value)
        live = root.get(note_id)
        if note_id not in old or not isinstance(live, Map):
            root[note_id] = Map({k: _shared(k, v) for k, v in fields.items()})
            continue
        was = _dict(old[note_id])
        for key in was.keys() - fields.keys():
            del live[key]
        for key, v in fields.items():
            if key not in was or was[key] != v:
                live[key] = _shared(key, v)


def _shared(key: str, value: Any) -> Any:
    # note texts are shared texts, as clients write them (P33)
    return Text(value) if key in TEXT_KEYS and isinstance(value, str) else value


async def upgrade_stored(
    store: DocStore, record: BoardRecord, doc: Doc[Any], seq: int, canvas: Canvas
) -> bool:
    """Bring a board just loaded from `store` (its log read up to `seq`) to
    `canvas.version`, and store the result: the migrated state replaces the log, the
    record takes the new version. Returns True when the board was migrated.

    A board that cannot be migrated (newer than the canvas, a step missing) opens as it
    is, unchanged, and the reason is logged: its edits stay, the policy guards its fields.
    """
    version = content_version(doc, record.canvas_version)
    try:
        changed = upgrade_doc(doc, canvas, version)
    except MigrationError as exc:
        log.error("board %s opens unmigrated: %s", record.id, exc)
        return False
    if changed:
        await store.compact(record.id, doc.get_update(), seq)
        log.info(
            "board %s migrated from version %d to %d of canvas '%s'",
            record.id,
            version,
            canvas.version,
            canvas.id,
        )
    if changed or record.canvas_version != canvas.version:
        await store.set_canvas_version(record.id, canvas.version)
    return changed
