"""Judging a writer's update (P30-P36, P110-P117, P120-P122, P260-P266) and applying the
server's own changes and other nodes' updates (P324); reverts live in `reverting`, and
keystrokes typed on after an accepted run (P374) in `typed`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from . import appmsg, codec, partial, precheck
from .connection import Connection
from .durable import SAVING_PAUSED
from .errors import (
    CloseCode,
    DocumentFaultError,
    OutOfOrderError,
    StoreUnavailableError,
    SyncError,
    is_fault,
)
from .policy import RELAYED, UNTRUSTED, Violation
from .revert import EMPTY_DELETE_SET, state_before
from .typed import TypedDoc

log = logging.getLogger("server.sync.room")
SERVER = "server"
HELD_UPDATES = 64  # updates of one connection waiting for ids (P114)
HELD_BYTES = 262_144
HELD_TRIES = 16  # times they are pre-checked again before the connection is closed


class JudgedDoc(TypedDoc):
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
        violations = self._judge_taken(conn, taken, names_root)
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

    def _judge_taken(
        self, conn: Connection, taken: list[bytes], names_root: bool
    ) -> list[Violation]:
        """Judge what passed the pre-check: a keystroke after a run the judge accepted
        goes in at once (P374), anything else through the full judge."""
        if not taken:
            return []
        single = self.types.parsed_of(taken[0]) if len(taken) == 1 else None
        if single is not None and not names_root and self._typed(conn, taken[0], single):
            return []
        return self._judge(conn, taken, names_root, single)

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
                if (parsed := self.types.last_checked) is not None:
                    self.client_ids.check(
                        conn, parsed, self.types.knows, self._doc.client_id, self.conns
                    )
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

    def _judge(
        self,
        conn: Connection,
        updates: list[bytes],
        names_root: bool,
        single: precheck.Parsed | None = None,
    ) -> list[Violation]:
        """Apply pre-checked updates in one transaction and judge what they did.
        `single`: the parse of the only update, to learn where its writer types (P374)."""
        typed: tuple[str, str, int] | None = None
        self._captured = []
        self._delete_sets = []
        self.policy.begin()
        bound = self.size.bound
        parked: list[dict[str, Any]] = []
        try:
            with self.doc.transaction(origin=UNTRUSTED):
                for update in updates:
                    self.doc.apply_update(update)
            applied = len(self._captured)
            deleted = b"".join(self._delete_sets[:1]) or EMPTY_DELETE_SET
            with self.doc.transaction():
                violations = self.policy.check(conn.role)
                overtaken = self.policy.overtaken()
                # only a struct that names a root can add one; doc.keys() wraps every root
                roots = list(self.doc.keys()) if names_root else []
            if self.policy.blind:
                self.runs.clear()
            else:
                self.runs.forget(self.policy.touched_notes())  # P374
            new_roots = (
                set(roots) - self._root_names if len(roots) > len(self._root_names) else set()
            )
            if new_roots:
                names = ", ".join(sorted(new_roots))
                violations.append(
                    Violation("forbidden", f"unknown top-level types: {names}", {"root": names})
                )
            whole = any(v.note is None for v in violations)
            if not whole and self._too_big(applied, sum(map(len, updates))):
                cap = self.size.cap
                violations.append(Violation("limit", self._full_reason(), {"bytes": cap}))
                whole = True
            if violations:
                # the state before the update, read back only now that it is needed
                before = state_before(self.doc.get_state(), self._captured[:applied])
                refused = {v.note for v in violations if v.note is not None}
                touched = self.policy.touched_notes()
                keep = set() if whole else touched - refused
                # a whole refusal (a full board) reverts every note: their words go back too
                wanted = partial.read_notes(self.doc, touched if whole else refused)
                if keep and self._may_keep_ids():
                    net = self._revert_refused(before, deleted, applied, refused, keep)
                else:
                    kept = partial.read_notes(self.doc, keep) if keep else {}
                    net = self._revert(before, deleted, applied)
                    if kept:
                        net = self._keep(net, kept)
                self.size.restore(bound)
                parked = partial.parked(self.doc, wanted)
            else:
                if single is not None:
                    typed = self.policy.typed_text()
                self.policy.commit()
                net = self._take_captured()
                self._kept = self._kept or deleted != EMPTY_DELETE_SET
            self._delete_sets = None
            self._root_names.update(new_roots)  # a refused root's name stays in the document
            self._undo.clear()
        except BaseException as exc:
            if not is_fault(exc):
                raise
            self._delete_sets = None
            log.exception(
                "board %s: update from %r failed; reloading the board", self.board_id, conn
            )
            self._start_reload()
            raise DocumentFaultError("update could not be applied") from exc
        if net is not None:
            # the offender gets the compensation too, so it converges (P31)
            author = f"conn:{conn.author_id or conn.id}"
            self._publish(net, None if violations else conn, author, len(updates) == 1)
        if typed is not None and single is not None:
            self._learn(single, typed)
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

    def _too_big(self, applied: int, nbytes: int) -> bool:
        """P122: only updates that add content count; deleting stays possible on a full board."""
        if self.size.bound + nbytes <= self.size.cap:
            return False
        added = any(update[0] != 0 for update in self._captured[:applied])  # structs
        return added and self.size.over_cap(nbytes)

    def _full_reason(self) -> str:
        cap = self.size.cap
        size = f"{cap / 1_048_576:.1f} MiB" if cap >= 1_048_576 else f"{cap // 1024} KiB"
        return f"this board is full (at most {size}); delete notes to make room"

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
        self.runs.clear()
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
                self.runs.forget(self.policy.relayed())
            except BaseException as exc:
                if not is_fault(exc):
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
