"""Judging a writer's update (P30-P36, P120-P122, P260-P265) and applying the server's
own changes and other nodes' updates (P324), on top of DurableDoc."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, merge_updates

from canvas_schema.board import WORD_KEYS

from . import appmsg, codec, partial, precheck
from .connection import Connection
from .durable import SAVING_PAUSED, DurableDoc
from .errors import (
    ClientIdInUseError,
    CloseCode,
    MalformedMessageError,
    OutOfOrderError,
    StoreUnavailableError,
    SyncError,
)
from .policy import RELAYED, UNTRUSTED, Violation
from .revert import (
    EMPTY_DELETE_SET,
    added_ranges,
    delete_ranges,
    read_state_vector,
    rebuilt,
    structs_since,
)

log = logging.getLogger("server.sync.room")
SERVER = "server"
REVERT = "revert"  # deletes a refused update's additions; not tracked by the undo manager
KEEP = "keep"  # writes back the accepted notes of a partly refused update (P261)
# P117: a Yjs client writes under one id per connection (another after a clash)
CLIENT_IDS_PER_CONNECTION = 16
HELD_UPDATES = 64  # updates of one connection waiting for ids (P114)
HELD_BYTES = 262_144
HELD_TRIES = 16  # times they are pre-checked again before the connection is closed


class DocumentFaultError(MalformedMessageError):
    """Applying or judging an update raised; the room reloads its document from the store."""


class JudgedDoc(DurableDoc):
    _keep_ids_after = 0.0  # monotonic time from which P267's revert may run again

    def apply_client_update(self, conn: Connection, update: bytes) -> list[Violation]:
        """Apply a writer's update and judge it per note (P260): refused notes are reverted,
        so that nothing of them stays (P120), the rest stands; a violation that names no
        note refuses it whole (P31). Any fault on the way reloads the document (P121)."""
        return self.apply_client_updates(conn, [update])

    def apply_client_updates(self, conn: Connection, updates: list[bytes]) -> list[Violation]:
        """Judge a writer's updates that were read together as one update (P370): each is
        pre-checked on its own, in order, knowing the ones before it (P100-P113); those
        that pass are applied in one transaction and judged once. One that refers to ids
        the room does not have yet waits on the connection and is tried again whenever
        updates of it were applied (P114), a bounded number of times; what passes
        meanwhile never needed it. Any other pre-check refusal ends the burst: the ones
        before it are judged, then its error is raised."""
        self._check_open()  # before the index learns ids the document may never get
        taken, names_root, waiting, error = self._precheck(conn, updates)
        violations = self._judge(conn, taken, names_root) if taken else []
        if error is not None:
            raise error
        held_before = bool(conn.held)
        pending = [*conn.held, *waiting] if held_before else waiting  # in the order they came
        conn.held = []
        # what was just applied may be what they waited for; a retry costs a pre-check
        # of each, so a connection gets a bounded number of them
        while taken and pending:
            if conn.held_tries >= HELD_TRIES:
                raise OutOfOrderError(
                    "update refused (P114: updates wait for ids this board does not have)"
                )
            conn.held_tries += 1
            taken, names_root, pending, error = self._precheck(conn, pending)
            if taken:
                violations += self._judge(conn, taken, names_root)
            if error is not None:
                raise error
        if pending:
            self._hold(conn, pending, held_before)
            return violations
        if conn.held_bytes:
            self.release_held(conn)
        if held_before or conn.held_tries:
            conn.held_tries = 0
            log.info("board %s: what %r held back is applied", self.board_id, conn)
        return violations

    def _precheck(
        self, conn: Connection, queue: list[bytes]
    ) -> tuple[list[bytes], bool, list[bytes], SyncError | None]:
        """Pre-check `queue` in order: (passed and not empty, whether one names a root,
        those that wait for ids the room lacks, the first other refusal). Each passed
        update is known to the ones after it before any is applied (P370)."""
        taken: list[bytes] = []
        waiting: list[bytes] = []
        names_root = False
        several = len(queue) > 1
        for update in queue:
            try:
                names_root = precheck.check_client_update(update, self.types) or names_root
                self._check_writer(conn)
            except OutOfOrderError:
                waiting.append(update)
                continue
            except SyncError as exc:
                return taken, names_root, waiting, exc
            if several:
                self.types.assume_checked()
            if update != codec.EMPTY_UPDATE:
                taken.append(update)
        return taken, names_root, waiting, None

    def _check_writer(self, conn: Connection) -> None:
        """P117: new structs under a Yjs client id come from the writer that holds it:
        the person (after hello) or, for a client that never said who it is, its
        connection while it lasts. Yjs does not authenticate client ids, and structs
        written ahead under another writer's id take that writer's next ids: its own
        edits then arrive as duplicates and vanish. Claims count only once the whole
        update passes, and a connection claims at most CLIENT_IDS_PER_CONNECTION ids."""
        parsed = self.types.last_checked
        if parsed is None:
            return
        me: str | Connection = conn.author_id or conn
        writers = self._writers
        claims: list[int] = []
        for client, end in parsed.end_clocks.items():
            holder = writers.get(client)
            if holder == me or self.types.knows(client, end - 1):
                continue  # its own id, or nothing new under it (a duplicate)
            if client == self.doc.client_id:
                raise ClientIdInUseError("update refused (P117: the server's client id)")
            if holder is None or self._let_go(holder, conn):
                claims.append(client)
                continue
            log.warning(
                "board %s: %r wrote under client id %d, which another writer holds",
                self.board_id,
                conn,
                client,
            )
            raise ClientIdInUseError(
                "update refused (P117: another writer holds this client id); reconnecting"
            )
        if not claims:
            return
        if conn.claimed_ids + len(claims) > CLIENT_IDS_PER_CONNECTION:
            raise ClientIdInUseError(
                "update refused (P117: too many client ids on one connection); reconnecting"
            )
        conn.claimed_ids += len(claims)
        mine = self._held_ids.setdefault(me, set())
        for client in claims:
            before = writers.get(client)
            if before is not None:
                self._held_ids.get(before, set()).discard(client)
            writers[client] = me
            mine.add(client)

    def _let_go(self, holder: str | Connection, conn: Connection) -> bool:
        """Whether a connection-held id may pass to `conn`: its holder ended, or said
        hello since as the same person. A person's ids are never let go."""
        if isinstance(holder, str):
            return False
        return (
            holder.closing
            or holder not in self.conns
            or (holder.author_id is not None and holder.author_id == conn.author_id)
        )

    def release_writer(self, conn: Connection) -> None:
        """P117: a connection ended; the ids it held without a person are free."""
        for client in self._held_ids.pop(conn, ()):
            if self._writers.get(client) is conn:
                del self._writers[client]

    def _hold(self, conn: Connection, waiting: list[bytes], held_before: bool) -> None:
        """P114: keep updates that refer to ids the room lacks until the connection
        brings those (a client's SyncStep2 after a reconnect); bounded."""
        size = sum(map(len, waiting))
        if len(waiting) > HELD_UPDATES or size > HELD_BYTES:
            raise OutOfOrderError(
                "update refused (P114: updates wait for ids this board does not have)"
            )
        budget = self.config.held
        if budget is not None and not budget.change(conn.held_bytes, size):
            # P115: the client keeps them and sends them again after its reconnect
            log.warning("board %s: the process holds too many waiting updates", self.board_id)
            raise SyncError("too many updates wait on this server; reconnecting (P115)")
        if not held_before:
            log.info("board %s: %d update(s) of %r wait for ids", self.board_id, len(waiting), conn)
        conn.held, conn.held_bytes = waiting, size

    def release_held(self, conn: Connection) -> None:
        """P115: what `conn` held no longer counts: applied, or the connection ended."""
        if conn.held_bytes and self.config.held is not None:
            self.config.held.change(conn.held_bytes, 0)
        conn.held, conn.held_bytes = [], 0

    def _check_open(self) -> None:
        if self.store_failed:
            raise StoreUnavailableError(SAVING_PAUSED)
        if self._gate is not None or self.broken:
            raise SyncError("the board is reloading; reconnecting", CloseCode.SERVER_ERROR)

    def _judge(self, conn: Connection, updates: list[bytes], names_root: bool) -> list[Violation]:
        """Apply pre-checked updates in one transaction and judge what they did."""
        self._captured = []
        self._delete_sets = []
        self.policy.begin()
        bound = self.size.bound
        parked: list[dict[str, Any]] = []
        try:
            with self.doc.transaction(origin=UNTRUSTED):
                before = self.doc.get_state()  # in the update's transaction: one less (P364)
                for update in updates:
                    self.doc.apply_update(update)
            applied = len(self._captured)
            deleted = b"".join(self._delete_sets[:1]) or EMPTY_DELETE_SET
            with self.doc.transaction():
                violations = self.policy.check(conn.role)
                overtaken = self.policy.overtaken()
                # only a struct that names a root can add one; doc.keys() wraps every root
                roots = list(self.doc.keys()) if names_root else []
            new_roots = (
                set(roots) - self._root_names if len(roots) > len(self._root_names) else set()
            )
            if new_roots:
                names = ", ".join(sorted(new_roots))
                violations.append(
                    Violation("forbidden", f"unknown top-level types: {names}", {"root": names})
                )
            whole = any(v.note is None for v in violations)
            if not whole and self._too_big(before, sum(map(len, updates))):
                cap = self.size.cap
                violations.append(Violation("limit", self._full_reason(), {"bytes": cap}))
                whole = True
            if violations:
                refused = {v.note for v in violations if v.note is not None}
                touched = self.policy.touched_notes()
                keep = set() if whole else touched - refused
                # a whole refusal (a full board) reverts every note: their words go back too
                wanted = partial.read_notes(self.doc, touched if whole else refused)
                if keep and self._may_keep_ids():
                    net = self._revert_refused(before, deleted, applied, refused, keep)
                    self.size.restore(bound)
                else:
                    kept = partial.read_notes(self.doc, keep) if keep else {}
                    net = self._revert(before, deleted, applied)
                    self.size.restore(bound)
                    if kept:
                        net = self._keep(net, kept)
                parked = self._parked(wanted)
            else:
                self.policy.commit()
                net = self._take_captured()
                self._kept = self._kept or deleted != EMPTY_DELETE_SET
            self._delete_sets = None
            self._root_names.update(new_roots)  # a refused root's name stays in the document
            self._undo.clear()
        except BaseException as exc:
            if not _is_fault(exc):
                raise
            self._delete_sets = None
            log.exception(
                "board %s: update from %r failed; reloading the board", self.board_id, conn
            )
            self._start_reload()
            raise DocumentFaultError("update could not be applied") from exc
        if net is not None:
            # the offender gets the compensation too, so it converges (P31)
            self._publish(net, None if violations else conn, f"conn:{conn.author_id or conn.id}")
        if violations:
            self._reject(conn, violations, bool(new_roots), parked, len(updates))
        if overtaken and not any(v.note is None for v in violations):
            self._overtaken(conn, overtaken - {v.note for v in violations})
        return violations

    def _overtaken(self, conn: Connection, notes: set[str]) -> None:
        """P266: the writer's change to these notes lost to a concurrent write (Yjs keeps
        one value per key), so none of it shows: tell the writer, who may write it again."""
        if not notes:
            return
        ids = sorted(notes)
        log.info("board %s: a change from %r to %s was overtaken", self.board_id, conn, ids)
        if conn.speaks_app:
            params = {"why": "overtaken"}
            data: dict[str, Any] = {
                "code": appmsg.ErrorCode.CONFLICT.value,
                "params": params,
                "reason": "a change made at the same time to the same note replaced yours",
                "notes": [
                    {"id": n, "code": appmsg.ErrorCode.CONFLICT.value, "params": params}
                    for n in ids
                ],
                "whole": False,
            }
            conn.send(codec.encode_app(appmsg.encode_event("rejected", data)))

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

    def _parked(self, wanted: partial.NoteValues) -> list[dict[str, Any]]:
        """P262: the words the writer wanted in each refused note, when they differ from
        what stands (they would otherwise be lost); sent to that writer only. `text`
        always, the other word keys (a partner's resources, an action's owner, ...) in
        `keys` when they hold new words."""
        standing = partial.read_notes(self.doc, set(wanted))
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

    def _too_big(self, before: bytes, nbytes: int) -> bool:
        """P122: only updates that add content count; deleting stays possible on a full board."""
        if self.size.bound + nbytes <= self.size.cap:
            return False
        return self.doc.get_state() != before and self.size.over_cap(nbytes)

    def _full_reason(self) -> str:
        cap = self.size.cap
        size = f"{cap / 1_048_576:.1f} MiB" if cap >= 1_048_576 else f"{cap // 1024} KiB"
        return f"this board is full (at most {size}); delete notes to make room"

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

    def _reject(
        self,
        conn: Connection,
        violations: list[Violation],
        fatal: bool,
        parked: list[dict[str, Any]] | None = None,
        updates: int = 1,
    ) -> None:
        # P265: an edit that raced a lock is what honest clients do; it never counts to P35.
        # A deletion refused in a locked field does: its note comes back under new ids,
        # which loses the keystrokes others had in flight for it. A refused burst counts
        # as many as it held (P370): bursts never close later.
        if not all(
            v.code == "locked" and v.note is not None and not v.restores for v in violations
        ):
            conn.violations += updates
        reason = "; ".join(dict.fromkeys(v.reason for v in violations))
        log.info("board %s: refused a change from %r: %s", self.board_id, conn, reason)
        conn.send(codec.encode_permission_denied(reason))
        if conn.speaks_app:
            first = violations[0]
            # P263: codes and parameters; the client puts them into the reader's language
            refused = [
                {"id": v.note, "code": v.code, "params": v.params}
                for v in violations
                if v.note is not None
            ]
            data: dict[str, Any] = {
                "code": first.code,
                "params": first.params,
                "reason": reason,
                "notes": refused,
                "whole": any(v.note is None for v in violations),
            }
            if parked:
                data["parked"] = parked
            conn.send(codec.encode_app(appmsg.encode_event("rejected", data)))
        if fatal or conn.violations >= self.config.violations_before_close:
            conn.close(CloseCode.FORBIDDEN, f"changes refused: {reason}"[:120])

    def transact(self, fn: Callable[[Doc[Any]], None], actor: str = SERVER) -> None:
        """Change the document as the server (moderation, restore) and publish the result."""
        self._captured = []
        with self.doc.transaction(origin=SERVER):
            fn(self.doc)
        net = self._take_captured()
        if net is not None:
            self.policy.refresh()
            self._publish(net, None, actor)

    def apply_relayed(self, update: bytes) -> None:
        """Apply another node's checked and committed update (P324): not judged, not
        stored, not relayed again; sent to every local connection."""
        if self._late is not None:
            self._late.append((sys.maxsize, update))  # a reload must keep it
        elif not self.broken:
            try:
                with self.doc.transaction(origin=RELAYED):
                    self.doc.apply_update(update)
                self.policy.relayed()
            except BaseException as exc:
                if not _is_fault(exc):
                    raise
                log.exception("board %s: a relayed update failed; reloading", self.board_id)
                self._start_reload()  # the store has it: the reload brings it in
            self._captured = []
        self.size.grew(len(update))
        self._rows_since_compact += 1
        self._bytes_since_compact += len(update)
        frame = codec.encode_sync_update(update)
        for conn in list(self.conns):
            conn.send(frame)
        if self.after_relayed is not None:
            self.after_relayed()
        self._compact_if_due()


def _words(value: Any) -> str:
    """A note key's words: a collaborative text's, or a plain string's (an action's owner)."""
    if isinstance(value, partial.TextValue):
        return value.value
    return value if isinstance(value, str) else ""


def _is_fault(exc: BaseException) -> bool:
    """Exceptions, and pyo3's PanicException (a BaseException) from a yrs panic."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
