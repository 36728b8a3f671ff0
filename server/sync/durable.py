"""A board's live document and what keeps it safe: every change committed before it is
fanned out (P20-P22), compaction, reload from the store after a fault (P121), the relay's
hooks (P320-P329) and the frames every joiner shares (P361). Room builds on this."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import anyio
from anyio.abc import TaskGroup
from pycrdt import Doc, Map, Subscription, TransactionEvent, UndoManager, merge_updates

from ..store.base import Ack, DocStore, StoreError
from . import codec, fanout, precheck
from .budget import BoardSize
from .config import RoomConfig
from .connection import Connection
from .document import CONTROL, META, NOTES, load_doc
from .errors import CloseCode
from .keystroke import TextRuns
from .later import LaterDoc
from .policy import UNTRUSTED, UpdatePolicy
from .revert import rebuilt
from .shared import Shared
from .writers import ClientIds

log = logging.getLogger("server.sync.room")
SAVING_PAUSED = "saving paused: the server cannot store changes; yours are kept, retry later"


class DurableDoc(LaterDoc):
    def __init__(
        self,
        board_id: str,
        doc: Doc[Any],
        store: DocStore,
        config: RoomConfig,
        last_seq: int,
        on_update: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(board_id, doc)
        self.store = store
        self.config = config
        self.seq = last_seq
        self.conns: set[Connection] = set()
        self.client_ids = ClientIds()  # P117, checked in JudgedDoc
        self.unsaved = False
        # P20: after a failed commit nothing is fanned out and nobody may write until a
        # commit of the whole document succeeds again
        self.store_failed = False
        self.retry_seconds = (0.5, 10.0)
        self._tg: TaskGroup | None = None
        self.policy = UpdatePolicy(doc, config.rules)
        self._on_update = on_update
        self._captured: list[bytes] = []
        self._delete_sets: list[bytes] | None = None  # recorded while a client update applies
        # P361: what every joining client receives, built once per document state and
        # shared; _observed and _bind drop it when the document changes, close() for good
        self._step1: bytes | None = None
        self._full_step2: bytes | None = None
        # P107: known ids and, built when first needed, parent depths to bound type nesting;
        # read through self.doc, which a rebuild (P120) or reload (P121) replaces
        self.types = self._new_type_index()
        self._subscription: Subscription | None = None
        self.runs = TextRuns()  # P374
        self._bind(doc)
        self.size = BoardSize(config.max_board_bytes, lambda: len(self.doc.get_update()))
        self.broken = False  # the document could not be reloaded: never compact it
        self._gate: anyio.Event | None = None  # set while the document is reloaded (P121)
        self._late: list[tuple[int, bytes]] | None = None  # published during a reload
        # commits waiting to be fanned out, in order (P20): each commit's future calls
        # _committed when done, so no task wakes up per update (P367)
        self._outbox: deque[fanout.Outgoing] = deque()
        self._window = fanout.MergeWindow()  # P369
        self._last_commit: asyncio.Future[None] | None = None
        self._rows_since_compact = 0
        self._bytes_since_compact = 0
        # P227: every published update is fanned out (or withheld, P220) in seq order;
        # _fanned counts how far, _acks wait on it
        self._fanned = last_seq
        self._acks: deque[tuple[int, Callable[[bool], None]]] = deque()
        self.shared: Shared | None = None  # set before run() when nodes share boards
        self.after_relayed: Callable[[], None] | None = None

    def _new_type_index(self) -> precheck.TypeIndex:
        return precheck.TypeIndex.lazy(lambda: self.doc.get_state(), lambda: self.doc.get_update())

    async def flushed(self) -> None:
        """Return once every update applied so far is committed (or failed)."""
        last = self._last_commit
        if last is not None and not last.done():
            # however it ends: a failure is handled (and logged) by _committed, the
            # document keeps the edit; waiting never cancels the commit itself
            await asyncio.wait((last,))

    def when_committed(self, mark: int, done: Callable[[bool], None]) -> bool:
        """P227: call `done(True)` once every update published since `mark` (an earlier
        `seq`) is committed and fanned out, or `done(False)` when one could not be stored
        (before the board's connections are closed, P220). False when nothing was
        published since `mark`: then `done` is never called."""
        if self.seq == mark:
            return False
        if self._fanned >= self.seq:
            done(not self.store_failed)
        else:
            self._acks.append((self.seq, done))
        return True

    async def fanned_out(self) -> bool:
        """Wait until every update published so far is committed and fanned out (P227):
        for events that announce a change. False when one could not be stored."""
        if self._fanned >= self.seq:
            return not self.store_failed
        outcome: list[bool] = []
        settled = anyio.Event()

        def done(ok: bool) -> None:
            outcome.append(ok)
            settled.set()

        self._acks.append((self.seq, done))
        await settled.wait()
        return outcome[0]

    def _settle(self, ok: bool, every: bool = False) -> None:
        while self._acks and (every or self._acks[0][0] <= self._fanned):
            _, done = self._acks.popleft()
            done(ok)

    def state(self) -> bytes:
        """The whole document as one update, deleted content collected (for the store,
        snapshots and archives: nothing deleted or refused rides along, P120)."""
        self.collect()
        return self.doc.get_update()

    def collect(self) -> None:
        """Drop deleted content the undo manager kept from garbage collection: it keeps
        everything a tracked client transaction deleted, in case it is undone."""
        if self._kept:
            self._bind(rebuilt(self.doc), set())  # the same notes: the policy keeps them

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

    def _bind(self, doc: Doc[Any], changed: set[str] | None = None) -> None:
        """Make `doc` the live document: undo scopes, observers and policy follow it.
        `changed`: for a copy of the live document, the notes that may differ in it."""
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)  # pycrdt's callbacks would keep it alive
        self.doc = doc
        self.runs.clear()
        self._drop_frames()
        self._kept = False  # a fresh or reloaded document holds no kept deletions
        self._roots = [doc.get(name, type=Map) for name in (META, NOTES, CONTROL)]
        self._root_names = set(doc.keys())
        self._undo = UndoManager(scopes=self._roots, capture_timeout_millis=0)
        self._undo.include_origin(UNTRUSTED)
        self._subscription = doc.observe(self._observed)
        self.policy.bind(doc, changed)

    def _observed(self, event: TransactionEvent) -> None:
        self._drop_frames()
        if self._applying_later:
            return  # the index knows these ids; nothing of them is judged or published
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

    def _drop_frames(self) -> None:
        self._step1 = self._full_step2 = None

    def _step1_frame(self) -> bytes:
        if self._step1 is None:
            self._step1 = codec.encode_sync_step1(self.doc.get_state())
        return self._step1

    def _full_step2_frame(self) -> bytes:
        if self._full_step2 is None:
            self._full_step2 = codec.encode_sync_step2(self.doc.get_update())
        return self._full_step2

    def _publish(
        self, update: bytes, exclude: Connection | None, actor: str, alone: bool = True
    ) -> None:
        """Store `update`, then fan it out. `alone`: no burst of a writer (P370), whose
        rest, read a turn later, may still join its frame (P369)."""
        self.seq += 1
        if self._late is not None:
            self._late.append((self.seq, update))
        self.size.grew(len(update))
        fut = self.store.append(self.board_id, self.seq, update, actor)
        self._last_commit = fut
        self._outbox.append((fut, update, exclude))
        if alone and isinstance(fut, Ack):
            fut.then.append(self._flush)  # fanned out in the turn its write ends
        else:
            fut.add_done_callback(self._committed)
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

    def _committed(self, _done: asyncio.Future[None] | None) -> None:
        """A commit ended: fan out, in order, every update at the head of the outbox whose
        commit has ended (P20). Commits end in the order they were queued, so this mostly
        sends the update whose commit just ended; one that ended early waits its turn."""
        outbox = self._outbox
        while outbox:
            first = outbox[0]
            fut = first[0]
            if not fut.done():
                return
            if not self.store_failed and self._window.hold(outbox, self._flush):
                return
            outbox.popleft()
            failure = _failure(fut)
            if failure is not None:
                self._commit_failed(failure)
            if self.store_failed:
                self._fanned += 1
                self._settle(False)
                continue  # P20: what may not be stored is never sent
            batch = fanout.take_committed(outbox, first)
            if self.shared is not None:
                for one, _ in batch:  # P324: durable, now other nodes may see it
                    self.shared.committed(codec.encode_sync_update(one))
            fanout.broadcast(self.conns, batch)
            self._fanned += len(batch)
            self._settle(True)

    def _flush(self) -> None:
        self._committed(None)

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
        self._settle(False, every=True)  # P227: waiting ops hear why, before the close
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


def _failure(fut: asyncio.Future[None]) -> StoreError | None:
    """Why a commit failed, as a StoreError; None if it is stored. Whatever else a store
    raised counts as not stored: it is never sent (P20)."""
    if fut.cancelled():
        return StoreError("the commit was cancelled")
    exc = fut.exception()
    if exc is None or isinstance(exc, StoreError):
        return exc
    log.error("a commit failed unexpectedly: %r", exc)
    return StoreError(f"the commit failed: {exc}")


def _delete_set(event: Any) -> bytes:
    """The transaction's delete set (v1); pycrdt has it, its type stubs do not yet."""
    return bytes(event.delete_set)
