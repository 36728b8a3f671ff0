"""Render the wire vocabulary as the TypeScript module `client/src/sync/vocab.gen.ts`.

Usage: `python -m server.sync.vocab_ts OUT.ts` (`client/build.mjs` runs it before bundling).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .appmsg import ErrorCode
from .errors import CloseCode
from .ops import OPS
from .vocabulary import (
    ARCHIVE_FORMAT,
    CONTROL_DECISIONS,
    CONTROL_PUSH,
    CONTROL_TIMER,
    CONTROL_TIMER_OUTER,
    DECISION_MAX_CHARS,
    EVENTS,
    EXPORT_FORMATS,
    HEAVY_EXPORTS,
    LOCK_CAUSES,
    NOTE_KEYS,
    NOTE_KINDS,
    PUSH_SHOWS,
    ROLES,
    ROOT_CONTROL,
    ROOT_META,
    ROOT_NOTES,
    SNAPSHOT_KINDS,
    TEXT_KEYS,
    TIMER_STATES,
)

GENERATED_PATH = Path("client/src/sync/vocab.gen.ts")
HEADER = (
    "// Generated from server/sync/vocabulary.py, ops.py, appmsg.py and errors.py by\n"
    "// `python -m server.sync.vocab_ts`; do not edit (tests/unit/test_vocabulary.py checks it).\n"
)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _const(name: str, values: tuple[str, ...] | list[str], type_name: str) -> str:
    return (
        f"export const {name} = {_list(values)} as const\n"
        f"export type {type_name} = (typeof {name})[number]\n"
    )


def render_ts() -> str:
    """The whole generated module as text (stable: same declarations, same bytes)."""
    ops = "".join(f"  {json.dumps(op)}: {_list(roles)},\n" for op, roles in OPS.items())
    events = "".join(
        f"  {json.dumps(name)}: {{ required: {_list(spec.required)}, "
        f"optional: {_list(spec.optional)} }},\n"
        for name, spec in EVENTS.items()
    )
    close = "".join(f"  {code.name}: {code.value},\n" for code in CloseCode)
    return (
        HEADER
        + "\n"
        + _const("ROLES", ROLES, "Role")
        + "\n/** Every app-message op and the roles that may send it (P44). */\n"
        + f"export const OPS = {{\n{ops}}} as const\n"
        + "export type Op = keyof typeof OPS\n"
        + "\n"
        + _const("ERROR_CODES", [str(c) for c in ErrorCode], "ErrorCode")
        + "\n/** Server events and their fields besides `ev`. */\n"
        + f"export const EVENTS = {{\n{events}}} as const\n"
        + "export type EventName = keyof typeof EVENTS\n"
        + "export type EventField<E extends EventName> =\n"
        + "  | (typeof EVENTS)[E]['required'][number]\n"
        + "  | (typeof EVENTS)[E]['optional'][number]\n"
        + "\n/** Websocket close codes: 4400-4499 stop the client, the rest retry. */\n"
        + f"export const CLOSE = {{\n{close}}} as const\n"
        + "export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE]\n"
        + "\n"
        + "/** The root maps of a board's Y.Doc. */\n"
        + f"export const ROOT_META = {json.dumps(ROOT_META)}\n"
        + f"export const ROOT_NOTES = {json.dumps(ROOT_NOTES)}\n"
        + f"export const ROOT_CONTROL = {json.dumps(ROOT_CONTROL)}\n"
        + _const("NOTE_KEYS", NOTE_KEYS, "NoteKey")
        + _const("TEXT_KEYS", TEXT_KEYS, "TextKey")
        + _const("NOTE_KINDS", NOTE_KINDS, "NoteKind")
        + _const("SNAPSHOT_KINDS", SNAPSHOT_KINDS, "SnapshotKind")
        + _const("EXPORT_FORMATS", (*EXPORT_FORMATS, ARCHIVE_FORMAT), "ExportFormat")
        + f"export const ARCHIVE_FORMAT = {json.dumps(ARCHIVE_FORMAT)}\n"
        + _const("HEAVY_EXPORTS", HEAVY_EXPORTS, "HeavyExport")
        + "\n/** Timer states and the `control` keys of the inner and outer timer (P250). */\n"
        + _const("TIMER_STATES", TIMER_STATES, "TimerStateName")
        + f"export const CONTROL_TIMER = {json.dumps(CONTROL_TIMER)}\n"
        + f"export const CONTROL_TIMER_OUTER = {json.dumps(CONTROL_TIMER_OUTER)}\n"
        + _const("LOCK_CAUSES", LOCK_CAUSES, "LockCause")
        + "\n/** The group's decisions (P230): their `control` key and longest text. */\n"
        + f"export const CONTROL_DECISIONS = {json.dumps(CONTROL_DECISIONS)}\n"
        + f"export const DECISION_MAX_CHARS = {DECISION_MAX_CHARS}\n"
        + "\n/** What the moderator pushes to the projector: `control` key and kinds (P288). */\n"
        + f"export const CONTROL_PUSH = {json.dumps(CONTROL_PUSH)}\n"
        + _const("PUSH_SHOWS", PUSH_SHOWS, "PushShow")
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m server.sync.vocab_ts OUT.ts")
    Path(sys.argv[1]).write_text(render_ts(), encoding="utf-8")
