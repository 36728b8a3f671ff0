"""Reverting a refused update (P120, P261, P267) on top of DurableDoc: the whole revert,
the accepted notes written again by the server, or the id-keeping revert that goes on
with a copy of the judged document."""

from __future__ import annotations

import time
from typing import Any

from pycrdt import Doc, merge_updates

from . import codec, partial
from .durable import DurableDoc
from .revert import (
    EMPTY_DELETE_SET,
    added_ranges,
    delete_ranges,
    read_state_vector,
    rebuilt,
    structs_since,
)

REVERT = "revert"  # deletes a refused update's additions; not tracked by the undo manager
KEEP = "keep"  # writes back the notes of a partly refused update (P261, P267)


class RevertingDoc(DurableDoc):
    _keep_ids_after = 0.0  # monotonic time from which P267's revert may run again

    def _may_keep_ids(self) -> bool:
        """P267: the id-keeping revert loads the board twice; it may take at most a tenth
        of the room's time, so that mixed refusals sent on purpose cannot fill it."""
        return time.monotonic() >= self._keep_ids_after

    def _revert_refused(
        self, before: bytes, deleted: bytes, applied: int, refused: set[str], keep: set[str]
    ) -> bytes | None:
        """P267: revert only the refused notes; everything else of the update stands
        with the writer's own ids, so that its next edits, sent before it heard of the
        refusal, still find them. The whole revert on the live document (P120) only
        tells what the refused notes were; the document that goes on is a copy of the
        judged one, in which the server writes the refused notes back to that. Where
        that leaves values no text shows (P34), P261's rewrite runs instead."""
        started = time.monotonic()
        judged = self.doc.get_update()
        kept = partial.read_notes(self.doc, keep)
        server = self.doc.client_id
        server_end = read_state_vector(self.doc.get_state()).get(server, 0)
        reverted = self._revert(before, deleted, applied)
        restore = partial.read_notes(self.doc, refused)
        fresh: Doc[Any] = Doc(client_id=server)
        with fresh.transaction(origin="load"):
            fresh.apply_update(judged)
        writes: list[bytes] = []
        watch = fresh.observe(lambda event: writes.append(event.update))
        with fresh.transaction(origin=KEEP):
            partial.write_notes(fresh, restore)
        fresh.unobserve(watch)
        if partial.hidden_values(fresh, refused):
            # a write-back by words cannot see them; the whole revert took them by id
            net = self._keep(reverted, kept)
        else:
            # the undo wrote under the server's next ids, which the copy gives new content
            self.types.forget(server, server_end)
            for update in writes:
                self.types.record(update)
            self._bind(fresh, refused | keep)  # the policy reads these notes again
            self._captured = []
            net = merge_updates(structs_since(fresh, before), b"\x00" + deleted, *writes)
        self._keep_ids_after = time.monotonic() + 9 * (time.monotonic() - started)
        return net

    def _keep(self, net: bytes | None, kept: partial.NoteValues) -> bytes | None:
        """P261: write the accepted notes again on top of the revert, as the server."""
        self._captured = []
        with self.doc.transaction(origin=KEEP):
            partial.write_notes(self.doc, kept)
        self.policy.refresh(set(kept))
        again = self._take_captured()
        if again is None:
            return net
        return again if net is None else merge_updates(net, again)

    def _revert(self, before: bytes, deleted: bytes, applied: int) -> bytes | None:
        """Undo the refused transaction so that only the ids of what it added remain (P120).
        Returns the net update for everyone (the offender included)."""
        added = added_ranges(before, self.doc.get_state())
        if added:
            # deleted outside the undo manager's tracking, the additions are collected at once
            with self.doc.transaction(origin=REVERT):
                self.doc.apply_update(delete_ranges(added))
        sets = self._delete_sets or []
        undo_from = len(sets)
        self._undo.undo()  # restores what the refused update deleted, as new items
        undo_deleted = any(ds != EMPTY_DELETE_SET for ds in sets[undo_from:])
        if deleted != EMPTY_DELETE_SET or undo_deleted:
            # the undo manager kept those deletions from collection: a fresh copy drops them
            self._undo.clear()
            # the policy never took in the refused update: its notes are as they were
            self._bind(rebuilt(self.doc), set())
        later = [u for u in self._captured[applied:] if u != codec.EMPTY_UPDATE]
        self._captured = []
        if not added and deleted == EMPTY_DELETE_SET and not later:
            return None
        return merge_updates(structs_since(self.doc, before), b"\x00" + deleted, *later)
