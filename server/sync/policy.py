"""What a client's document update may change (PROTOCOL.md P30-P36).

The room applies a client's update inside a transaction with origin UNTRUSTED; the
observers here record what it touched, and check() says what was not allowed. The
room then reverts the whole transaction (all or nothing) with an UndoManager.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pycrdt import Doc, Map, Subscription, Text
from pycrdt._transaction import hash_origin

from canvas_schema import misplaced_kind

from . import vocabulary
from .clusters import cluster_problem
from .dates import due_problem
from .docreads import get_key, has_key, key_set, observe_raw, size
from .document import CONTROL, META, NOTE_KEYS, NOTES
from .partial import has_hidden
from .vocabulary import Role

UNTRUSTED = "client-update"
RELAYED = "relayed"  # another node checked and stored it (P324); never judged here
TYPED = "typed"  # a keystroke judged from what the room learned (P374, P375)

_STRING_LIMITS = {
    "field": 16,
    "color": 32,
    "group": 64,
    "author": 80,
    "author_id": 64,
    "kind": 16,
    "owner": 200,
    "due": 32,
    "format": 64,
}
_TEXT_KEYS = vocabulary.TEXT_KEYS
_NUMBER_KEYS = ("x", "y", "created_at", "updated_at", "order")
_ABSENT = object()


@dataclass
class Violation:
    code: str  # an appmsg ErrorCode value: forbidden, invalid, limit, locked
    reason: str  # English, for logs and stock clients; the app client words `code` + `params`
    params: dict[str, Any] = field(default_factory=dict)
    note: str | None = None  # set: only this note is refused (P260); None: the whole update
    restores: bool = False  # refusing it brings a deleted note back (P265 counts it)


@dataclass
class _Touch:
    roots: set[str] = field(default_factory=set)
    # note id -> keys changed inside it, or None when the note itself was set or deleted
    notes: dict[str, set[str] | None] = field(default_factory=dict)
    # notes whose map the update wrote without any key changing: a write that lost to a
    # concurrent one (P266), or one undone within the same update
    silent: set[str] = field(default_factory=set)
    # (note id, key) of the texts the transaction wrote into (P374)
    typed: set[tuple[str, str]] = field(default_factory=set)
    unread: bool = False  # an observer failed: what the transaction touched is not known

    def note(self, note_id: str, key: str | None) -> None:
        if key is None:
            self.notes[note_id] = None
            return
        keys = self.notes.setdefault(note_id, set())
        if keys is not None:
            keys.add(key)


@dataclass(frozen=True)
class Rules:
    field_kinds: dict[str, str]  # field id -> canvas field kind
    max_notes: int
    max_note_chars: int


# another check on an untrusted transaction: (document, role, touched note ids) -> violations
ExtraRule = Callable[[Doc[Any], Role, set[str]], list[Violation]]


_UNTRUSTED_HASH = hash_origin(UNTRUSTED)
_RELAYED_HASH = hash_origin(RELAYED)


def _locked(field_id: str, note_id: str, restores: bool = False) -> Violation:
    reason = f"field {field_id} is locked"
    return Violation("locked", reason, {"field": field_id}, note_id, restores)


class UpdatePolicy:
    """Observes one board document and judges what untrusted transactions did."""

    def __init__(self, doc: Doc[Any], rules: Rules) -> None:
        self.rules = rules
        self._touch = _Touch()
        # both read server-side state, never the document the update may have changed (P36)
        self.locked_fields: Callable[[], frozenset[str]] = frozenset
        self.private_fields: Callable[[], frozenset[str]] = frozenset
        self.groups: Callable[[], frozenset[str]] = lambda: self._groups()
        self._extra: list[ExtraRule] = []
        # P374: the length of the one note's texts the last check read, when it read one
        self._text_chars: dict[tuple[str, str], int] = {}
        self._one_note = False
        self._roots: tuple[Map[Any], ...] = ()
        self._subscriptions: tuple[Subscription, ...] = ()
        self.bind(doc)

    def add_rule(self, rule: ExtraRule) -> None:
        """Run `rule` after the built-in checks on every untrusted transaction; rules add
        up, a second one never replaces the first."""
        self._extra.append(rule)

    def bind(self, doc: Doc[Any], changed: set[str] | None = None) -> None:
        """Observe `doc` from now on (a room that replaced its document calls this).
        `changed`: the notes whose field may differ from the document bound before (a
        copy of it); None reads every note."""
        self.close()
        self.doc = doc
        self._touch = _Touch()
        self._relayed: set[str] = set()  # notes another node's update touched
        notes = doc.get(NOTES, type=Map)
        # one transaction for all reads: each pycrdt access outside one opens its own
        with doc.transaction():
            if changed is None:
                self.note_fields: dict[str, str] = {}
                changed = set(notes.keys())
            for note_id in changed:
                self._remember(note_id)
        meta, control = doc.get(META, type=Map), doc.get(CONTROL, type=Map)
        # the roots and subscriptions must stay referenced or pycrdt drops the observers
        self._roots = (meta, notes, control)
        self._subscriptions = (
            observe_raw(meta, lambda evs: self._root_touched(META, evs)),
            observe_raw(notes, self._notes_touched),
            observe_raw(control, lambda evs: self._root_touched(CONTROL, evs)),
        )

    def close(self) -> None:
        """Drop the observers. pycrdt's callbacks hold the document from the Rust side,
        a cycle Python's collector cannot see: without this every unload leaks the doc."""
        for root, subscription in zip(self._roots, self._subscriptions, strict=True):
            root.unobserve(subscription)
        self._subscriptions = ()

    # observers run inside the transaction's commit; they only record. They get pycrdt's
    # raw events (see docreads.observe_raw): one transaction per call, `origin()` is its hash.
    def _root_touched(self, root: str, events: list[Any]) -> None:
        try:
            if events and events[0].transaction.origin() == _UNTRUSTED_HASH:
                self._touch.roots.add(root)
        except Exception:
            self._touch.unread = True

    def _notes_touched(self, events: list[Any]) -> None:
        try:
            self._read_note_events(events)
        except Exception:
            # never judged blind: the update is refused whole, relayed notes are all re-read
            self._touch.unread = True
            self._relayed.update(self.note_fields)

    def _read_note_events(self, events: list[Any]) -> None:
        origin = events[0].transaction.origin() if events else None
        if origin == _RELAYED_HASH:
            for event in events:
                path = list(event.path)
                self._relayed.update([str(path[0])] if path else [str(k) for k in event.keys])
            return
        if origin != _UNTRUSTED_HASH:
            return
        for event in events:
            path = list(event.path)
            if len(path) >= 2:  # inside one key of a note (its text)
                note_id, key = str(path[0]), str(path[1])
                self._touch.note(note_id, key)
                if len(path) == 2:
                    self._touch.typed.add((note_id, key))
            elif path:  # keys of a note changed
                keys = event.keys
                if not keys:
                    self._touch.silent.add(str(path[0]))
                for key in keys:
                    self._touch.note(str(path[0]), str(key))
            else:  # notes added, replaced or deleted
                for key in event.keys:
                    self._touch.note(str(key), None)

    def _groups(self) -> frozenset[str]:
        groups = self.doc.get(META, type=Map).get("groups")
        return frozenset(str(g) for g in groups) if isinstance(groups, list) else frozenset()

    def begin(self) -> None:
        self._touch = _Touch()
        self._text_chars = {}

    @property
    def blind(self) -> bool:
        """Whether an observer failed: what the transaction touched is not known."""
        return self._touch.unread

    @property
    def has_extra_rules(self) -> bool:
        return bool(self._extra)

    def typed_text(self) -> tuple[str, str, int] | None:
        """P374: after a check that found nothing wrong, the note and key of the one text
        the transaction wrote into, and its characters, when that is all it changed."""
        touch = self._touch
        if touch.unread or touch.roots or touch.silent or len(touch.notes) != 1:
            return None
        ((note_id, keys),) = touch.notes.items()
        if keys is None or len(keys) != 1:
            return None
        (key,) = keys
        chars = self._text_chars.get((note_id, key))
        if chars is None or (note_id, key) not in touch.typed:
            return None
        return note_id, key, chars

    def touched_notes(self) -> set[str]:
        return set(self._touch.notes)

    def overtaken(self) -> set[str]:
        """P266: notes the transaction wrote into without any key of theirs changing."""
        return self._touch.silent - set(self._touch.notes)

    def check(self, role: Role) -> list[Violation]:
        """Judge the transaction that just ran (call before undoing or committing)."""
        # one transaction for all reads: each pycrdt access outside one opens its own (P364)
        with self.doc.transaction():
            return self._check(role)

    def _check(self, role: Role) -> list[Violation]:
        out: list[Violation] = []
        if self._touch.unread:
            reason = "the server could not read this change; nothing of it was kept"
            return [Violation("invalid", reason, {})]
        for root in sorted(self._touch.roots):
            reason = f"'{root}' is changed by the server only"
            out.append(Violation("forbidden", reason, {"root": root}))
        notes = self._roots[1]  # the bound document's notes: doc.get wraps it anew
        moderator = role == "moderator"
        self._one_note = len(self._touch.notes) == 1
        locked = frozenset() if moderator else self.locked_fields()
        private = frozenset() if moderator else self.private_fields()
        for note_id in sorted(self._touch.notes):
            before = self.note_fields.get(note_id)
            if before is not None and before in locked:
                out.append(_locked(before, note_id, not has_key(notes, note_id)))
                continue
            # one lookup of each: every pycrdt read builds a new wrapper
            note = get_key(notes, note_id, _ABSENT)
            if note is _ABSENT:
                continue
            fld = get_key(note, "field") if isinstance(note, Map) else None
            changed = self._touch.notes[note_id]
            problem = self._note_problem(note_id, note, fld, changed) or self._group_problem(
                note, changed, moderator
            )
            if problem is not None:
                out.append(Violation("invalid", problem, {}, note_id))
                continue
            after = str(fld)
            if after in locked:
                out.append(_locked(after, note_id))
            elif after in private and before != after:
                reason = f"field {after} is in private writing mode"
                out.append(
                    Violation("forbidden", reason, {"field": after, "why": "private"}, note_id)
                )
        created = [n for n in self._touch.notes if n not in self.note_fields and has_key(notes, n)]
        if created and size(notes) > self.rules.max_notes:
            cap = self.rules.max_notes
            out.append(Violation("limit", f"a board holds at most {cap} notes", {"notes": cap}))
        for rule in self._extra:
            out.extend(rule(self.doc, role, set(self._touch.notes)))
        return out

    def commit(self) -> None:
        """The transaction stands: refresh the note -> field cache where a field may have
        changed (typing into a note, the common case, does not touch it)."""
        for note_id, keys in self._touch.notes.items():
            if keys is None or "field" in keys:
                self._remember(note_id)
        self._touch = _Touch()
        self._text_chars = {}

    def relayed(self) -> set[str]:
        """Re-read the notes a relayed update touched (P324): judged elsewhere, but later
        local updates are judged against where those notes now are. Returns them."""
        touched, self._relayed = self._relayed, set()
        for note_id in touched:
            self._remember(note_id)
        return touched

    def refresh(self, note_ids: set[str] | None = None) -> None:
        """Re-read the cache after server-side changes (restore, reveal)."""
        notes = self.doc.get(NOTES, type=Map)
        ids = set(self.note_fields) | set(notes.keys()) if note_ids is None else note_ids
        for note_id in ids:
            self._remember(note_id)

    def _remember(self, note_id: str) -> None:
        notes = self.doc.get(NOTES, type=Map)
        value = get_key(notes, note_id)
        fld = get_key(value, "field") if isinstance(value, Map) else None
        if isinstance(fld, str):
            self.note_fields[note_id] = fld
        else:
            self.note_fields.pop(note_id, None)

    def _group_problem(self, note: Any, changed: set[str] | None, moderator: bool) -> str | None:
        """A note's stakeholder group must be one the board offers (P37). Author ids are
        not checked: undoing the deletion of someone else's note must restore it as it was."""
        if moderator:
            return None
        if changed is None or "group" in changed:
            group = get_key(note, "group")
            groups = self.groups()
            if group is not None and groups and group not in groups:
                return f"'group' must be one of this board's groups: {', '.join(sorted(groups))}"
        return None

    def _note_problem(
        self, note_id: str, note: object, fld: object, changed: set[str] | None
    ) -> str | None:
        """What is wrong with a note (its `field` read already), checking only the keys
        that changed (all if None)."""
        if not isinstance(note, Map):
            return f"note {note_id!r} must be a map"
        if len(note_id) > 64:
            return "note ids are at most 64 characters"
        keys = key_set(note) if changed is None else changed
        unknown = keys - NOTE_KEYS
        if unknown:
            return f"unknown note keys: {', '.join(sorted(unknown))}"
        if not isinstance(fld, str) or fld not in self.rules.field_kinds:
            return f"note {note_id!r} needs a 'field' of this canvas"
        for key, limit in _STRING_LIMITS.items():
            if key not in keys:
                continue
            value = get_key(note, key)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                return f"'{key}' must be a string of at most {limit} characters"
        if "due" in keys and (problem := due_problem(get_key(note, "due"))):
            return problem
        for key in _TEXT_KEYS:
            if key not in keys:
                continue
            value = get_key(note, key)
            if value is None:
                continue
            if not isinstance(value, Text | str):
                return f"'{key}' must be text"
            limit = self.rules.max_note_chars
            words = str(value)
            # a pycrdt Text's length is the UTF-8 bytes of its characters plus one per
            # other item: Any items among them show nowhere and count towards no limit
            if isinstance(value, Text):
                if has_hidden(value, words):
                    return f"'{key}' holds values that are not text"
                if self._one_note:
                    self._text_chars[(note_id, key)] = len(words)
            if len(words) > limit:
                return f"a note's text is at most {self.rules.max_note_chars} characters"
        for key in _NUMBER_KEYS:
            if key not in keys:
                continue
            value = get_key(note, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"'{key}' must be a number"
            if not math.isfinite(value):
                return f"'{key}' must be finite"
            if key in ("x", "y") and not 0.0 <= value <= 1.0:
                return f"'{key}' must be between 0 and 1"
        if "done" in keys and get_key(note, "done") not in (None, True, False):
            return "'done' must be true or false"
        if problem := cluster_problem(partial(get_key, note), keys, self.rules.field_kinds[fld]):
            return problem
        if "kind" not in keys and "field" not in keys:
            return None
        kind = get_key(note, "kind")
        if kind is None:
            return None
        if kind not in vocabulary.NOTE_KINDS:
            return f"unknown note kind {kind!r}"
        return misplaced_kind(str(kind), fld, self.rules.field_kinds[fld])
