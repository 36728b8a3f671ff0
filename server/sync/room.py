"""Room: one board's pycrdt Doc, its presence, and the connections editing it.

Usage (Rooms does this):

    room = Room(board_id, doc, store, config, last_seq)
    room.extend(extension)           # features (RoomExtension), before run; app.py does it
    tg.start_soon(room.run)          # presence, its expiry, the extensions' tasks
    await room.serve(channel, role)  # once per connection, returns when it ends
    await room.stop()                # drain, compact; then drop the room

Every accepted update is committed to the store before it is fanned out (P20). The
document side lives in durable.py (commits, fan-out, reload) and judge.py (what a
writer may change); this module serves the connections and their presence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
from pycrdt import Doc

from ..store.base import DocStore
from . import appmsg, codec
from .awareness import MIRROR, AwarenessRegistry
from .budget import PresenceOutbox
from .channel import Channel, ChannelClosedError, DirectReads
from .config import RoomConfig as RoomConfig
from .connection import Connection
from .durable import SAVING_PAUSED
from .errors import (
    CloseCode,
    MalformedMessageError,
    MessageTooBigError,
    StoreUnavailableError,
    SyncError,
)
from .errors import DocumentFaultError as DocumentFaultError
from .extension import Extensions, RoomExtension
from .judge import JudgedDoc
from .reading import Reader, is_write
from .requests import handle_app_message
from .shared import Shared as Shared
from .vocabulary import Role

MESSAGES_PER_TURN = 8  # a connection's messages handled before the loop moves on
DIRECT_TURNS = 8  # messages or bursts taken as they are read, per read (P368)
log = logging.getLogger(__name__)
AWARENESS_TIMEOUT = 30.0
EMPTY_STATE_VECTOR = b"\x00"  # a client that has nothing yet: every fresh join (P361)


class Room(JudgedDoc):
    def __init__(
        self,
        board_id: str,
        doc: Doc[Any],
        store: DocStore,
        config: RoomConfig,
        last_seq: int,
        on_update: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(board_id, doc, store, config, last_seq, on_update)
        self.users = 0  # connections admitted by Rooms, including ones still joining
        self.last_left = time.monotonic()
        self._emptied: anyio.Event | None = None
        self.extensions = Extensions()  # features plugged in at the composition root
        self.awareness = AwarenessRegistry(max_state_bytes=config.max_awareness_bytes)
        self.presence = PresenceOutbox(config.presence_interval_ms / 1000, self._send_presence)
        self._presence_frame: tuple[int, bytes | None] | None = None  # P361
        self._scope: anyio.CancelScope | None = None
        self._ended: anyio.Event | None = None  # set once run() has returned

    def extend(self, extension: RoomExtension) -> None:
        """Plug a feature in before run(); raises ValueError for an op already taken."""
        self.extensions.add(extension)

    def offered_groups(self) -> frozenset[str]:
        """The stakeholder groups people may choose now (P37, P141)."""
        return self.policy.groups()

    async def run(self) -> None:
        self._ended = anyio.Event()
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                async with anyio.create_task_group() as tg:
                    self._tg = tg
                    tg.start_soon(self._expire_presence)
                    tg.start_soon(self.presence.run)
                    for task in self.extensions.node_tasks():
                        tg.start_soon(task)
                    if self.shared is not None:
                        # P327: tasks run on the board's owner only
                        tg.start_soon(self.shared.run, list(self.extensions.tasks()))
                    else:
                        for task in self.extensions.tasks():
                            tg.start_soon(task)
        finally:
            self._ended.set()

    async def stop(self) -> None:
        """Wait for pending commits, write the compacted state and end run() (on unload)."""
        await self.flushed()
        if self.broken:
            log.error(
                "board %s: unloaded without compaction (document not reloaded)", self.board_id
            )
        elif self._rows_since_compact or self.unsaved:
            await self.compact()
        if self._scope is not None:
            self._scope.cancel()
        if self._ended is not None:
            # until run() has returned its task holds the room, and the sweep's collection
            # and malloc_trim right after the unload would miss it (P222, P225)
            await self._ended.wait()

    def close(self) -> None:
        """Release the document after stop(): unsubscribe every observer (P222)."""
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)
            self._subscription = None
        self.policy.close()
        self._undo.clear()
        # the SyncStep2 is the whole document again: no reference left to the room may
        # keep its megabytes (P361)
        self._drop_frames()
        self._presence_frame = None
        self.conns.clear()
        self.extensions.clear()

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
        if self.shared is not None:
            self.shared.people_changed()
        # P6: the room is loaded; tell the client what we have, then who is here
        conn.send(self._step1_frame())
        join = self._join_presence()
        if join is not None:
            conn.send(join)
        sender_done = anyio.Event()
        reader = Reader(self.config)
        direct = isinstance(channel, DirectReads) and channel.on_message(
            lambda datas: self._handle_now(conn, reader, datas)
        )

        async def sender() -> None:
            try:
                await conn.run_sender()
            finally:
                sender_done.set()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(sender)
                tg.start_soon(self._read_loop, conn, reader)
                await conn.wait_closed()
                conn.stop_sender()
                with anyio.move_on_after(2):
                    await sender_done.wait()
                tg.cancel_scope.cancel()
        finally:
            if direct:
                assert isinstance(channel, DirectReads)
                channel.on_message(None)
            self.conns.discard(conn)
            self.release_held(conn)
            self.client_ids.release(conn)
            self.last_left = time.monotonic()
            if self.shared is not None:
                self.shared.people_changed()
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

    async def _read_loop(self, conn: Connection, reader: Reader) -> None:
        bucket = reader.messages
        # P123: bytes per second, documents and presence apart; both slow the reader only
        lanes = reader.lanes
        handled = 0
        try:
            while not conn.closing:
                if handled >= MESSAGES_PER_TURN:
                    # a burst already read does not hold the loop: commits, fan-out and
                    # other connections get a turn every few messages (P365)
                    handled = 0
                    await anyio.lowlevel.checkpoint()
                handled += 1
                reader.waiting = True
                try:
                    data = await conn.channel.recv()
                finally:
                    reader.waiting = False
                if (delay := bucket.take()) > 0:
                    await anyio.sleep(delay)
                kind = data[0] if data else -1
                lane = lanes.get(kind)
                if lane is not None and (delay := lane.take(len(data))) > 0:
                    await anyio.sleep(delay)
                if self._gate is not None:
                    await self._gate.wait()  # P121: the document is being reloaded
                more = reader.queued_burst(conn.channel, data) if conn.can_write else []
                if more:
                    handled += len(more)
                    self._apply_burst(conn, [data, *more])
                else:
                    await self._handle(conn, data)
        except ChannelClosedError:
            conn.end()
        except Exception as exc:
            self._close_for(conn, exc)

    def _close_for(self, conn: Connection, exc: Exception) -> None:
        """Close `conn` for what handling its message raised: a SyncError with its own
        code, anything else with 4500 (logged with its traceback)."""
        if isinstance(exc, SyncError):
            log.info("board %s: closing %r: %s", self.board_id, conn, exc.reason)
            conn.close(exc.code, exc.reason)
        else:
            log.error("board %s: error serving %r", self.board_id, conn, exc_info=exc)
            conn.close(CloseCode.SERVER_ERROR, "internal error; reconnecting")

    def _handle_now(self, conn: Connection, reader: Reader, datas: list[bytes]) -> int:
        """P368: document updates and presence messages, taken as they are read when the
        read loop is idle and no limit makes them wait: no task wakes up for them. A
        writer's consecutive updates go as one burst (P370). Returns how many of the
        first messages were handled (also when one closed the connection); the rest go
        to the read loop."""
        done = turns = 0
        while done < len(datas) and turns < DIRECT_TURNS:
            data = datas[done]
            if conn.closing or self._gate is not None or not reader.take_free(data):
                break
            turns += 1
            try:
                if conn.can_write and is_write(data):
                    burst = reader.burst(datas[done:])
                    done += len(burst)
                    self._apply_burst(conn, burst)
                    continue
                done += 1
                if not self._handle_plain(conn, self._decode(data)):
                    log.error(
                        "board %s: %r sent a frame the direct read misjudged", self.board_id, conn
                    )
                    conn.close(CloseCode.SERVER_ERROR, "internal error; reconnecting")
            except Exception as exc:
                self._close_for(conn, exc)
        return done

    def _apply_burst(self, conn: Connection, datas: list[bytes]) -> None:
        """Decode a writer's updates and judge them together (P370); a message that does
        not decode ends the burst, after the ones before it are judged."""
        updates: list[bytes] = []
        error: SyncError | None = None
        for data in datas:
            try:
                frame = self._decode(data)
            except SyncError as exc:
                error = exc
                break
            assert isinstance(frame, codec.SyncStep2 | codec.SyncUpdate)
            updates.append(frame.update)
        if updates:
            self.apply_client_updates(conn, updates)
        if error is not None:
            raise error

    def _decode(self, data: bytes) -> codec.Frame:
        if len(data) > self.config.max_message_bytes:
            raise MessageTooBigError(
                f"message of {len(data)} bytes exceeds the limit of {self.config.max_message_bytes}"
            )
        return codec.decode_frame(data)

    def _handle_plain(self, conn: Connection, frame: codec.Frame) -> bool:
        """Handle what never waits (document updates, presence); False for the rest."""
        if isinstance(frame, codec.SyncStep2 | codec.SyncUpdate):
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
        else:
            return False
        return True

    async def _handle(self, conn: Connection, data: bytes) -> None:
        frame = self._decode(data)
        if self._handle_plain(conn, frame):
            return
        if isinstance(frame, codec.SyncStep1):
            await self.flushed()  # P21: never hand out what is not yet durable
            if self._gate is not None:
                await self._gate.wait()  # P121: nor a document that is being reloaded
            if self.store_failed:
                raise StoreUnavailableError(SAVING_PAUSED)
            if frame.state_vector == EMPTY_STATE_VECTOR:
                conn.send(self._full_step2_frame())
            else:
                try:
                    reply = self.doc.get_update(frame.state_vector)
                except (ValueError, RuntimeError) as exc:
                    raise MalformedMessageError("state vector could not be decoded") from exc
                conn.send(codec.encode_sync_step2(reply))
        elif isinstance(frame, codec.QueryAwareness):
            empty = codec.encode_awareness(codec.encode_awareness_entries([]))
            conn.send(self._join_presence() or empty)
        elif isinstance(frame, codec.AppFrame):
            conn.speaks_app = True
            await handle_app_message(self, conn, frame.payload)
        # AuthFrame from a client carries nothing we act on (P4)

    def _join_presence(self) -> bytes | None:
        version = self.awareness.version
        cached = self._presence_frame
        if cached is None or cached[0] != version:
            join = self.awareness.join_entries()
            frame = codec.encode_awareness(codec.encode_awareness_entries(join)) if join else None
            cached = self._presence_frame = (version, frame)
        return cached[1]

    def apply_relayed_presence(self, node: str, entries: list[codec.AwarenessEntry]) -> None:
        """Presence from another node's clients: kept for late joiners, expired as usual."""
        now = time.monotonic()
        for entry in entries:
            owner = (MIRROR, node, entry.client_id)
            accepted, _ = self.awareness.apply(owner, [entry], now)
            if accepted:
                self._broadcast_awareness(accepted)

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

    def send_event(self, conn: Connection, event: str, data: dict[str, Any]) -> None:
        conn.send(codec.encode_app(appmsg.encode_event(event, data)))

    def connections_of(self, author_id: str) -> list[Connection]:
        return [c for c in self.conns if c.author_id == author_id]
