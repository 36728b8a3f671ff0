"""The wire vocabulary: every name the server and the browser client both use, declared once.

Declared here: roles, the document's root maps, events and their fields, note keys and kinds,
snapshot kinds and export formats. Declared beside their code: the ops and who may send them
(`ops.OPS`), the error codes (`appmsg.ErrorCode`) and the close codes (`errors.CloseCode`).
`server.sync.vocab_ts` renders all of them into `client/src/sync/vocab.gen.ts` (the client
build runs it), and `tests/unit/test_vocabulary.py` fails when the two sides disagree.

Standard library only, and no imports from the rest of `server`: everything may import this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["moderator", "participant", "viewer", "projector"]
ROLES: tuple[Role, ...] = get_args(Role)

# The root maps of a board's Y.Doc: everything else is refused (P32).
ROOT_META = "meta"
ROOT_NOTES = "notes"
ROOT_CONTROL = "control"

SnapshotKind = Literal["manual", "auto", "part-end", "last-leave", "before-restore"]
SNAPSHOT_KINDS: tuple[SnapshotKind, ...] = get_args(SnapshotKind)


@dataclass(frozen=True)
class EventSpec:
    """The fields of one server event besides `ev`: always present, or only sometimes."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


# Server -> client events `{"ev": name, **fields}` (PROTOCOL.md P31, P45, P46, P60, P70, P293).
EVENTS: dict[str, EventSpec] = {
    "rejected": EventSpec(("code", "reason"), ("params", "notes", "whole", "parked")),
    "private.notes": EventSpec(("notes",)),
    "late.notes": EventSpec(("notes",)),
    "vote.state": EventSpec(("state",), ("round", "mine", "remaining")),
    "link.rotated": EventSpec(("role",)),
    "join.code": EventSpec(("join_code", "join_code_expires_at")),
    "counts": EventSpec(("present", "written"), ("voted", "voted_fields")),
}

# Keys a note may carry; anything else is refused (P33).
NOTE_KEYS: tuple[str, ...] = (
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
    "order",
    "kind",
    "resources",
    "competences",
    "tasks",
    "owner",
    "due",
    "done",
    "format",
    "cluster",
    "heading",
)
# Note keys that hold collaborative text (a Y.Text).
TEXT_KEYS: tuple[str, ...] = ("text", "resources", "competences", "tasks")
# `kind` of a note: `partner` only in table fields, `action` only in action lists (P33);
# the rule itself is canvas_schema.NOTE_KINDS (a test keeps the two equal).
NOTE_KINDS: tuple[str, ...] = ("note", "partner", "action")

# `GET /api/boards/{id}/export.{format}`, in the order people are offered them (P80).
EXPORT_FORMATS: tuple[str, ...] = (
    "pdf",
    "md",
    "csv",
    "json",
    "svg",
    "png",
    "a3.svg",
    "a3.png",
    "ics",
)
# Rendered in a process pool (seconds each): the client shows progress for these.
HEAVY_EXPORTS: tuple[str, ...] = ("pdf", "svg", "png", "a3.svg", "a3.png")
# The whole board with its history, for import on another server (P82).
ARCHIVE_FORMAT = "cocanvas"

# The timer (P50, P250): its states, the `control` key of the innermost timer (the only one
# old and stock clients read) and of the part timer a field timer nests in.
TimerState = Literal["idle", "running", "paused", "done"]
TIMER_STATES: tuple[TimerState, ...] = get_args(TimerState)
CONTROL_TIMER = "timer"
CONTROL_TIMER_OUTER = "timer_outer"
# `lock.set` details `cause`: the timer op that locked fields or reopened them (P252).
LOCK_CAUSES: tuple[str, ...] = ("timer.done", "timer.extend")

# The group's decisions (P230): the `control` key of the current list, and a decision's
# longest text in characters.
CONTROL_DECISIONS = "decisions"
DECISION_MAX_CHARS = 1000

# What the moderator pushes to the projector full-screen (P288): its `control` key and kinds.
CONTROL_PUSH = "push"
PushShow = Literal["timer", "field", "results"]
PUSH_SHOWS: tuple[PushShow, ...] = get_args(PushShow)
