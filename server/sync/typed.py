"""A keystroke typed on after a run the full judge accepted (P374, P375): the room takes
it without the policy's reads, and learns such runs from what the full judge accepts."""

from __future__ import annotations

import logging

from . import precheck
from .connection import Connection
from .errors import DocumentFaultError, is_fault
from .keystroke import plain
from .policy import TYPED
from .reverting import RevertingDoc

log = logging.getLogger("server.sync.room")


class TypedDoc(RevertingDoc):
    def _typed(self, conn: Connection, update: bytes, parsed: precheck.Parsed) -> bool:
        """P374: apply a keystroke into a text the full judge let this board type into,
        when the judge would accept it: one run of characters, nothing deleted, after
        a known run's last character, into a note whose field is open to the writer,
        within the text's and the board's limits. False leaves it to the full judge."""
        runs = self.runs
        if not runs.ends or parsed.deleted_ends or len(parsed.structs) != 1:
            return False
        client, clock, length, kind, origin, right, root, parent, keyed = parsed.structs[0]
        if kind != precheck.STRING or origin is None or right is not None or length <= 0:
            return False  # typed at the end of a run, not between characters
        if root is not None or parent is not None:
            return False
        place = runs.ends.get(origin)
        if place is None or keyed:
            return False
        policy = self.policy
        fld = policy.note_fields.get(place[0])
        if fld is None or fld not in policy.rules.field_kinds or policy.has_extra_rules:
            return False
        if conn.role != "moderator" and fld in policy.locked_fields():
            return False
        chars = runs.chars.get(place, policy.rules.max_note_chars) + length
        if chars > policy.rules.max_note_chars or self.types.knows(client, clock):
            return False  # a text that may be full, or ids already here: judge it whole
        if self.size.bound + len(update) > self.size.cap:
            return False
        runs.advance(origin, client, clock + length - 1, place, chars)
        author = f"conn:{conn.author_id or conn.id}"
        if plain(update, client, clock, origin):
            self.types.record(update)  # its ids are known from now on (P107, P113)
            self._take_later(update)
            self._publish(update, conn, author)
            return True
        self._captured = []
        try:
            with self.doc.transaction(origin=TYPED):
                self.doc.apply_update(update)
        except BaseException as exc:
            if not is_fault(exc):
                raise
            log.exception("board %s: update from %r failed; reloading", self.board_id, conn)
            self._start_reload()
            raise DocumentFaultError("update could not be applied") from exc
        net = self._take_captured()
        if net is not None:
            self._publish(net, conn, author)
        return True

    def _learn(self, parsed: precheck.Parsed, typed: tuple[str, str, int]) -> None:
        """P374: an accepted run of characters into one text, and nothing else: the
        next keystroke after it may go in at once."""
        if parsed.deleted_ends or len(parsed.structs) != 1:
            return
        client, clock, length, kind = parsed.structs[0][:4]
        if kind == precheck.STRING and length > 0:
            note_id, key, chars = typed
            self.runs.learn(client, clock + length - 1, (note_id, key), chars)
