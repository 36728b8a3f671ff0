"""Room: one board's pycrdt Doc, its presence, and the connections editing it.

Usage (Rooms does this):

    room = Room(board_id, doc, store, config, last_seq)
    room.extend(extension)           # features (RoomExtension), before run; app.py does it
    tg.start_soon(room.run)          # fan-out, presence expiry, the extensions' tasks
    await room.serve(channel, role)  # once per connection, returns when it ends
    await room.stop()                # drain, compact; then drop the room

Every accepted update is committed to the store before it is fanned out (P20).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import anyio
from anyio.abc import TaskGroup
from pycrdt import Doc, Map, Subscription, TransactionEvent, UndoManager, merge_updates

from ..store.base import DocStore, StoreError
from . import appmsg, codec, partial, precheck
from .awareness import MIRROR, AwarenessRegistry
from .budget import BoardSize, PresenceOutbox
from .channel import Channel, ChannelClosedError
from .config import RoomConfig as RoomConfig
from .connection import Connection, TokenBucket
from .document import CONTROL, META, NOTES, load_doc
from .errors import (
    CloseCode,
    MalformedMessageError,
    MessageTooBigError,
    StoreUnavailableError,
    SyncError,
)
from .extension import Extensions, RoomExtension
from .policy import RELAYED, UNTRUSTED, UpdatePolicy, Violation
from .requests import handle_app_message
from .revert import EMPTY_DELETE_SET, added_ranges, delete_ranges, rebuilt, structs_since
from .vocabulary import Role

log = logging.getLogger(__name__)
SERVER = "server"
REVERT = "revert"  # deletes a refused update's additions; not tracked by the undo manager
KEEP = "keep"  # writes back the accepted notes of a partly refused update (P261)
AWARENESS_TIMEOUT = 30.0
SAVING_PAUSED = "saving paused: the server cannot store changes; yours are kept, retry later"


class Shared(Protocol):
    """The room's link to other nodes serving the same board (P320-P329)."""

    @property
    def owner(self) -> bool:
        """True while this node holds the board's lease: it compacts and runs the tasks."""
        ...

    def committed(self, frame: bytes) -> None:
        """A local update is durable: relay its sync-update frame (P324)."""
        ...

    def presence(self, payload: bytes) -> None:
        """Local presence entries were accepted: relay the awareness payload."""
        ...

    def secrets_changed(self, kind: str) -> None:
        """Values held back from the document changed here: tell the other nodes (P331)."""
        ...

    async def run(self, tasks: list[Callable[[], Coroutine[Any, Any, None]]]) -> None:
        """Relay and hold the lease while the room runs; run `tasks` only while owner."""
        ...

    def compact(self) -> asyncio.Future[None]:
        """Compact the board with what other nodes stored (P326)."""
        ...


class DocumentFaultError(MalformedMessageError):
    """Applying or judging an update raised; the room reloads its document from the store."""


class Room:
    def __init__(
        self,
        board_id: str,
        doc: Doc[Any],
        store: DocStore,
        config: RoomConfig,
        last_seq: int,
        on_update: Callable[[int], None] | None = None,
    ) -> None:
        self.board_id = board_id
        self.doc = doc
        self.store = store
        self.config = config
        self.seq = last_seq
        self.conns: set[Connection] = set()
        self.users = 0  # connections admitted by Rooms, including ones still joining
        self.last_left = time.monotonic()
        self.unsaved = False
        # P20: after a failed commit nothing is fanned out and nobody may write until a
        # commit of the whole document succeeds again
        self.store_failed = False
        self.retry_seconds = (0.5, 10.0)
        self._tg: TaskGroup | None = None
        self._emptied: anyio.Event | None = None
        self.extensions = Extensions()  # features plugged in at the composition root
        self.awareness = AwarenessRegistry(max_state_bytes=config.max_awareness_bytes)
        self.presence = PresenceOutbox(config.presence_interval_ms / 1000, self._send_presence)
        self.policy = UpdatePolicy(doc, config.rules)
        self._on_update = on_update
        self._captured: list[bytes] = []
        self._delete_sets: list[bytes] | None = None  # recorded while a client update applies
        # P107: known ids and, built when first needed, parent depths to bound type nesting;
        # read through self.doc, which a rebuild (P120) or reload (P121) replaces
        self.types = self._new_type_index()
        self._subscription: Subscription | None = None
        self._bind(doc)
        self.size = BoardSize(config.max_board_bytes, lambda: len(self.doc.get_update()))
        self.broken = False  # the document could not be reloaded: never compact it
        self._gate: anyio.Event | None = None  # set while the document is reloaded (P121)
        self._late: list[tuple[int, bytes]] | None = None  # published during a reload
        # commits waiting to be fanned out, in order (P20); a deque and a bare future are
        # cheaper than a Queue on this per-update path
        self._outbox: deque[tuple[asyncio.Future[None], bytes, Connection | None] | None]
        self._outbox = deque()
        self._outbox_waiter: asyncio.Future[None] | None = None
        self._last_commit: asyncio.Future[None] | None = None
        self._rows_since_compact = 0
        self._bytes_since_compact = 0
        self._scope: anyio.CancelScope | None = None
        self.shared: Shared | None = None  # set before run() when nodes share boards
        self.after_relayed: Callable[[], None] | None = None

    def extend(self, extension: RoomExtension) -> None:
        """Plug a feature in before run(); raises ValueError for an op already taken."""
        self.extensions.add(extension)

    def offered_groups(self) -> frozenset[str]:
        """The stakeholder groups people may choose now (P37, P141)."""
        return self.policy.groups()

    def _new_type_index(self) -> precheck.TypeIndex:
        return precheck.TypeIndex.lazy(lambda: self.doc.get_state(), lambda: self.doc.get_update())

    # ---- lifecycle ---------------------------------------------------------------------

    async def run(self) -> None:
        with anyio.CancelScope() as scope:
            self._scope = scope
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(self._fan_out)
                tg.start_soon(self._expire_presence)
                tg.start_soon(self.presence.run)
                if self.shared is not None:
                    # P327: tasks run on the board's owner only
                    tg.start_soon(self.shared.run, list(self.extensions.tasks()))
                else:
                    for task in self.extensions.tasks():
                        tg.start_soon(task)

    async def stop(self) -> None:
        """Wait for pending commits and write the compacted state (on unload)."""
        await self.flushed()
        if self.broken:
            log.error(
                "board %s: unloaded without compaction (document not reloaded)", self.board_id
            )
        elif self._rows_since_compact or self.unsaved:
            await self.compact()
        self._push_outbox(None)
        if self._scope is not None:
            self._scope.cancel()

    def close(self) -> None:
        """Release the document after stop(): unsubscribe every observer (P222)."""
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)
            self._subscription = None
        self.policy.close()
        self._undo.clear()
        self.conns.clear()
        self.extensions.clear()

    async def flushed(self) -> None:
        """Return once every update applied so far is committed (or failed)."""
        last = self._last_commit
        if last is not None:
            try:
                await asyncio.shield(last)
            except StoreError:
                pass  # already logged by the fan-out loop; the doc keeps the edit

    def state(self) -> bytes:
        """The whole document as one update, deleted content collected (for the store,
        snapshots and archives: nothing deleted or refused rides along, P120)."""
        self.collect()
        return self.doc.get_update()

    def collect(self) -> None:
        """Drop deleted content the undo manager kept from garbage collection: it keeps
        everything a tracked client transaction deleted, in case it is undone."""
        if self._kept:
            self._bind(rebuilt(self.doc))

    def compact(self) -> asyncio.Future[None]:
        if self.shared is not None:
            fut = self.shared.compact()
            self._rows_since_compact = 0
            self._bytes_since_compact = 0
            fut.add_done_callback(self._compacted)
            return fut
        state = self.state()
        self.size.measured(len(state))
        fut = self.store.compact(self.board_id, state, self.seq)
        self._rows_since_compact = 0
        self._bytes_since_compact = 0
        fut.add_done_callback(self._compacted)
        return fut

    def _compacted(self, fut: asyncio.Future[None]) -> None:
        exc = fut.exception()
        if exc is not None:
            log.error("board %s: compaction failed, kept in memory: %s", self.board_id, exc)
            self.unsaved = True
        else:
            self.unsaved = False

    # ---- connections -------------------------------------------------------------------

    async def serve(self, channel: Channel, role: Role, client: str = "") -> None:
        """Run one connection until it ends; never raises for the connection's faults.
        `client` is the address key limits count under (P160)."""
        if len(self.conns) >= self.config.max_connections:
            await channel.close(CloseCode.ROOM_FULL, "this board is full; try again later")
            return
        if self._gate is not None:
            await self._gate.wait()  # P121: state vectors of a document being replaced mislead
        if self.broken:
            await channel.close(CloseCode.STORE_UNAVAILABLE, "this board is closing; retry soon")
            return
        if self.store_failed:
            await channel.close(CloseCode.STORE_UNAVAILABLE, SAVING_PAUSED)
            return
        conn = Connection(channel, role, self.config.send_queue_messages, client)
        self.conns.add(conn)
        # P6: the room is loaded; tell the client what we have, then who is here
        conn.send(codec.encode_sync_step1(self.doc.get_state()))
        join = self.awareness.join_entries()
        if join:
            conn.send(codec.encode_awareness(codec.encode_awareness_entries(join)))
        sender_done = anyio.Event()

        async def sender() -> None:
            try:
                await conn.run_sender()
            finally:
                sender_done.set()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(sender)
                tg.start_soon(self._read_loop, conn)
                await conn.wait_closed()
                conn.stop_sender()
                with anyio.move_on_after(2):
                    await sender_done.wait()
                tg.cancel_scope.cancel()
        finally:
            self.conns.discard(conn)
            self.last_left = time.monotonic()
            gone = self.awareness.remove_owner(conn.id, time.monotonic())
            if gone:
                self._broadcast_awareness(gone)
                if self.shared is not None:
                    self.shared.presence(codec.encode_awareness_entries(gone))
            with anyio.CancelScope(shield=True):
                if conn.close_code is not None:
                    with anyio.move_on_after(2):
                        await channel.close(conn.close_code, conn.close_reason)
                if not self.conns:
                    with anyio.move_on_after(10):
                        await self.extensions.emptied()
            if not self.conns and self._emptied is not None:
                self._emptied.set()

    async def wait_empty(self) -> None:
        """Return once every connection has ended and been closed."""
        if self.conns:
            if self._emptied is None or self._emptied.is_set():
                self._emptied = anyio.Event()
            await self._emptied.wait()

    async def _read_loop(self, conn: Connection) -> None:
        cfg = self.config
        bucket = TokenBucket(cfg.messages_per_second, cfg.message_burst)
        # P123: bytes per second, documents and presence apart; both slow the reader only
        update_bytes = TokenBucket(cfg.update_bytes_per_second, cfg.update_bytes_burst)
        presence_bytes = TokenBucket(cfg.awareness_bytes_per_second, cfg.awareness_bytes_burst)
        try:
            while not conn.closing:
                data = await conn.channel.recv()
                await bucket.wait()
                kind = data[0] if data else -1
                if kind == codec.MessageType.SYNC:
                    await update_bytes.wait(len(data))
                elif kind == codec.MessageType.AWARENESS:
                    await presence_bytes.wait(len(data))
                if self._gate is not None:
                    await self._gate.wait()  # P121: the document is being reloaded
                await self._handle(conn, data)
        except ChannelClosedError:
            conn.end()
        except SyncError as exc:
            log.info("board %s: closing %r: %s", self.board_id, conn, exc.reason)
            conn.close(exc.code, exc.reason)
        except Exception:
            log.exception("board %s: error serving %r", self.board_id, conn)
            conn.close(CloseCode.SERVER_ERROR, "internal error; reconnecting")

    async def _handle(self, conn: Connection, data: bytes) -> None:
        if len(data) > self.config.max_message_bytes:
            raise MessageTooBigError(
                f"message of {len(data)} bytes exceeds the limit of {self.config.max_message_bytes}"
            )
        frame = codec.decode_frame(data)
        if isinstance(frame, codec.SyncStep1):
            await self.flushed()  # P21: never hand out what is not yet durable
            if self._gate is not None:
                await self._gate.wait()  # P121: nor a document that is being reloaded
            if self.store_failed:
                raise StoreUnavailableError(SAVING_PAUSED)
            try:
                reply = self.doc.get_update(frame.state_vector)
            except (ValueError, RuntimeError) as exc:
                raise MalformedMessageError("state vector could not be decoded") from exc
            conn.send(codec.encode_sync_step2(reply))
        elif isinstance(frame, codec.SyncStep2 | codec.SyncUpdate):
            if conn.can_write:
                self.apply_client_update(conn, frame.update)
            elif isinstance(frame, codec.SyncUpdate) and not conn.denied_notice_sent:
                conn.denied_notice_sent = True  # P10: viewers are read-only; say so once
                conn.send(codec.encode_permission_denied("read-only: this link can only view"))
        elif isinstance(frame, codec.AwarenessFrame):
            if len(frame.payload) > self.config.max_awareness_bytes * 4:
                raise MessageTooBigError("awareness update too big")
            entries = codec.decode_awareness(frame.payload)
            accepted, _ = self.awareness.apply(conn.id, entries, time.monotonic())
            if accepted:
                self._broadcast_awareness(accepted)
                if self.shared is not None:
                    self.shared.presence(codec.encode_awareness_entries(accepted))
        elif isinstance(frame, codec.QueryAwareness):
            live = self.awareness.join_entries()
            conn.send(codec.encode_awareness(codec.encode_awareness_entries(live)))
        elif isinstance(frame, codec.AppFrame):
            conn.speaks_app = True
            await handle_app_message(self, conn, frame.payload)
        # AuthFrame from a client carries nothing we act on (P4)

    # ---- document updates --------------------------------------------------------------

    def _bind(self, doc: Doc[Any]) -> None:
        """Make `doc` the live document: undo scopes, observers and policy follow it."""
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)  # pycrdt's callbacks would keep it alive
        self.doc = doc
        self._kept = False  # a fresh or reloaded document holds no kept deletions
        self._roots = [doc.get(name, type=Map) for name in (META, NOTES, CONTROL)]
        self._root_names = set(doc.keys())
        self._undo = UndoManager(scopes=self._roots, capture_timeout_millis=0)
        self._undo.include_origin(UNTRUSTED)
        self._subscription = doc.observe(self._observed)
        self.policy.bind(doc)

    def apply_client_update(self, conn: Connection, update: bytes) -> list[Violation]:
        """Apply a writer's update and judge it per note (P260): refused notes are reverted,
        so that nothing of them stays (P120), the rest stands; a violation that names no
        note refuses it whole (P31). Any fault on the way reloads the document (P121)."""
        precheck.check_client_update(update, self.types)  # P100-P109, before pycrdt reads it
        if update == codec.EMPTY_UPDATE:
            return []
        if self.store_failed:
            raise StoreUnavailableError(SAVING_PAUSED)
        if self._gate is not None or self.broken:
            raise SyncError("the board is reloading; reconnecting", CloseCode.SERVER_ERROR)
        self._captured = []
        self._delete_sets = []
        self.policy.begin()
        before = self.doc.get_state()
        bound = self.size.bound
        parked: list[dict[str, Any]] = []
        try:
            with self.doc.transaction(origin=UNTRUSTED):
                self.doc.apply_update(update)
            applied = len(self._captured)
            deleted = b"".join(self._delete_sets[:1]) or EMPTY_DELETE_SET
            violations = self.policy.check(conn.role)
            # new top-level types are rare: compare the names only when there are more of them
            roots = list(self.doc.keys())
            new_roots = (
                set(roots) - self._root_names if len(roots) != len(self._root_names) else set()
            )
            if new_roots:
                names = ", ".join(sorted(new_roots))
                violations.append(
                    Violation("forbidden", f"unknown top-level types: {names}", {"root": names})
                )
            whole = any(v.note is None for v in violations)
            if not whole and self._too_big(before, len(update)):
                cap = self.size.cap
                violations.append(Violation("limit", self._full_reason(), {"bytes": cap}))
                whole = True
            if violations:
                refused = {v.note for v in violations if v.note is not None}
                touched = self.policy.touched_notes()
                kept = {} if whole else partial.read_notes(self.doc, touched - refused)
                # a whole refusal (a full board) reverts every note: their words go back too
                wanted = partial.read_notes(self.doc, touched if whole else refused)
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
            self._reject(conn, violations, fatal=bool(new_roots), parked=parked)
        return violations

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
        """P262: what the writer wanted of each refused note, when it differs from what
        stands (its words would otherwise be lost); sent to that writer only."""
        standing = partial.read_notes(self.doc, set(wanted))
        out: list[dict[str, Any]] = []
        for note_id, value in wanted.items():
            if value is None:
                continue
            text = value.get("text")
            was = standing.get(note_id)
            if not isinstance(text, partial.TextValue) or not text.value.strip():
                continue
            if was is not None and was.get("text") == text:
                continue
            field_id = value.get("field")
            out.append(
                {
                    "id": note_id,
                    "field": field_id if isinstance(field_id, str) else None,
                    "text": text.value,
                }
            )
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
            self._bind(rebuilt(self.doc))
        later = [u for u in self._captured[applied:] if u != codec.EMPTY_UPDATE]
        self._captured = []
        if not added and deleted == EMPTY_DELETE_SET and not later:
            return None
        return merge_updates(structs_since(self.doc, before), b"\x00" + deleted, *later)

    @property
    def reloading(self) -> bool:
        """True while the document is replaced by the store's copy (P121)."""
        return self._gate is not None

    def _start_reload(self) -> None:
        if self._gate is not None:
            return
        if self._tg is None:  # not running: nothing to serve, never save this document
            self.broken = True
            return
        self._gate = anyio.Event()
        self._late = []
        self._tg.start_soon(self.reload)

    async def reload(self) -> None:
        """Replace the live document by the store's copy plus what was published since
        (P121). Connections wait at the gate meanwhile."""
        gate = self._gate
        if gate is None:
            gate = self._gate = anyio.Event()
            self._late = []
        try:
            with anyio.CancelScope(shield=True):
                await self.flushed()
                loaded = await self.store.load(self.board_id)
                doc = load_doc(loaded.state, loaded.updates)
                for seq, update in self._late or []:
                    # shared: the store numbers rows itself (P320); applying twice is harmless
                    if seq > loaded.last_seq or self.shared is not None:
                        doc.apply_update(update)
                self.types = self._new_type_index()
                self._bind(doc)
                self.size.measured(len(doc.get_update()))
                log.warning("board %s: document reloaded from the store", self.board_id)
        except Exception:
            log.exception("board %s: reloading failed; closing the board", self.board_id)
            self.broken = True
            self.unsaved = False  # the store has every commit; this document must go
            for conn in list(self.conns):
                conn.close(CloseCode.STORE_UNAVAILABLE, "the board could not be reloaded")
        finally:
            self._late = None
            self._gate = None
            gate.set()

    def transact(self, fn: Callable[[Doc[Any]], None], actor: str = SERVER) -> None:
        """Change the document as the server (moderation, restore) and publish the result."""
        self._captured = []
        with self.doc.transaction(origin=SERVER):
            fn(self.doc)
        net = self._take_captured()
        if net is not None:
            self.policy.refresh()
            self._publish(net, None, actor)

    def _observed(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)
        if self._delete_sets is not None:
            self._delete_sets.append(_delete_set(event))
        try:
            # a client update the pre-check accepted is recorded from its parse
            self.types.record(event.update)
        except precheck.UpdateRefusedError as exc:  # our own integrated state: a bug if seen
            log.error("board %s: type index could not read an update: %s", self.board_id, exc)

    def _take_captured(self) -> bytes | None:
        out = [u for u in self._captured if u != codec.EMPTY_UPDATE]
        self._captured = []
        if not out:
            return None
        return out[0] if len(out) == 1 else merge_updates(*out)

    def _publish(self, update: bytes, exclude: Connection | None, actor: str) -> None:
        self.seq += 1
        if self._late is not None:
            self._late.append((self.seq, update))
        self.size.grew(len(update))
        fut = self.store.append(self.board_id, self.seq, update, actor)
        self._last_commit = fut
        self._push_outbox((fut, codec.encode_sync_update(update), exclude))
        self._rows_since_compact += 1
        self._bytes_since_compact += len(update)
        if self._on_update is not None:
            self._on_update(len(update))
        self._compact_if_due()

    def _compact_if_due(self) -> None:
        if self.shared is not None and not self.shared.owner:
            return  # P326: the owner compacts what every node appended
        if (
            self._rows_since_compact >= self.config.compact_after_rows
            or self._bytes_since_compact >= self.config.compact_after_bytes
        ):
            self.compact()

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

    def apply_relayed_presence(self, node: str, entries: list[codec.AwarenessEntry]) -> None:
        """Presence from another node's clients: kept for late joiners, expired as usual."""
        now = time.monotonic()
        for entry in entries:
            owner = (MIRROR, node, entry.client_id)
            accepted, _ = self.awareness.apply(owner, [entry], now)
            if accepted:
                self._broadcast_awareness(accepted)

    def _push_outbox(
        self, item: tuple[asyncio.Future[None], bytes, Connection | None] | None
    ) -> None:
        self._outbox.append(item)
        waiter = self._outbox_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _fan_out(self) -> None:
        while True:
            if not self._outbox:
                self._outbox_waiter = asyncio.get_running_loop().create_future()
                await self._outbox_waiter
                continue
            item = self._outbox.popleft()
            if item is None:
                return
            fut, frame, exclude = item
            try:
                await fut
            except StoreError as exc:
                self._commit_failed(exc)
            if self.store_failed:
                continue  # P20: what may not be stored is never sent
            if self.shared is not None:
                self.shared.committed(frame)  # P324: durable, now other nodes may see it
            for conn in list(self.conns):
                if conn is not exclude:
                    conn.send(frame)

    def _commit_failed(self, exc: StoreError) -> None:
        """P22: stop fanning out, send every client away with 4504 (their replicas keep
        their edits and send them again on reconnect), and retry until the store works."""
        self.unsaved = True
        if self.store_failed:
            return
        log.error(
            "board %s: saving failed, board paused until the store works: %s", self.board_id, exc
        )
        self.store_failed = True
        for conn in list(self.conns):
            conn.close(CloseCode.STORE_UNAVAILABLE, SAVING_PAUSED)
        if self._tg is not None:
            self._tg.start_soon(self._recover)

    async def _recover(self) -> None:
        """Commit the whole document until it works; then the board opens again."""
        delay, longest = self.retry_seconds
        while self.store_failed:
            await anyio.sleep(delay)
            delay = min(delay * 2, longest)
            try:
                await self.compact()
            except StoreError as exc:
                log.warning("board %s: still cannot save: %s", self.board_id, exc)
                continue
            self.store_failed = False
            log.info("board %s: saving works again", self.board_id)

    def _reject(
        self,
        conn: Connection,
        violations: list[Violation],
        fatal: bool,
        parked: list[dict[str, Any]] | None = None,
    ) -> None:
        # P265: an edit that raced a lock is what honest clients do; it never counts to P35
        if not all(v.code == "locked" and v.note is not None for v in violations):
            conn.violations += 1
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

    # ---- presence ----------------------------------------------------------------------

    def _broadcast_awareness(self, entries: list[codec.AwarenessEntry]) -> None:
        self.presence.add(entries)  # P124: coalesced, at most one frame per interval

    def _send_presence(self, entries: list[codec.AwarenessEntry]) -> None:
        # P13: to everyone, the sender included (keeps the stock client's watchdog fed)
        frame = codec.encode_awareness(codec.encode_awareness_entries(entries))
        for conn in list(self.conns):
            conn.send(frame)

    async def _expire_presence(self) -> None:
        while True:
            await anyio.sleep(5)
            gone = self.awareness.expire(time.monotonic(), AWARENESS_TIMEOUT)
            if gone:
                self._broadcast_awareness(gone)

    # ---- app messages ------------------------------------------------------------------

    def send_event(self, conn: Connection, event: str, data: dict[str, Any]) -> None:
        conn.send(codec.encode_app(appmsg.encode_event(event, data)))

    def connections_of(self, author_id: str) -> list[Connection]:
        return [c for c in self.conns if c.author_id == author_id]


def _is_fault(exc: BaseException) -> bool:
    """Exceptions, and pyo3's PanicException (a BaseException) from a yrs panic."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _delete_set(event: Any) -> bytes:
    """The transaction's delete set (v1); pycrdt has it, its type stubs do not yet."""
    return bytes(event.delete_set)
