"""BoardLink: one loaded room joined to the other nodes serving its board.

link = BoardLink(room, relay, store)
room.shared = link           # before room.run(): the room then calls link.run
await link.start()           # subscribe, then catch up from the store (P323)
...
await link.close()           # unsubscribe, give the lease up (after room.stop())
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

from ..store.base import DocStore, StoreError
from ..sync import codec
from ..sync.document import load_doc
from ..sync.errors import SyncError
from ..sync.room import Room
from .base import (
    AWARENESS,
    PEOPLE,
    SECRETS,
    TALLY,
    UPDATE,
    Relay,
    RelayError,
    RelayMessage,
    Subscription,
)

log = logging.getLogger(__name__)
LEASE_MS = 5_000  # P327: an owner that stops renewing loses the board this long after
RENEW_SECONDS = 1.0
SEND_QUEUE = 10_000  # messages waiting for the relay; beyond: dropped, peers catch up
RESEND_SECONDS = (0.05, 2.0)
BATCH = 64  # queued messages sent in one round trip
PEOPLE_STALE = 10.0  # P332: a node not heard of for this long serves nobody on the board
MAX_PEOPLE_BYTES = 6
MAX_TALLY_BYTES = 65_536  # P293: a node's tally above this is dropped

Task = Callable[[], Coroutine[Any, Any, None]]
AllLeft = Callable[[], Coroutine[Any, Any, None]]
SecretsChanged = Callable[[str], Coroutine[Any, Any, None]]
SECRET_KINDS = ("late",)  # P331: the kinds another node may say it changed


class LinkStats:
    """Callbacks for the metrics (a node's boards owned, relay lag, catch-ups)."""

    def owned(self, delta: int) -> None: ...

    def lag(self, seconds: float) -> None: ...

    def caught_up(self) -> None: ...


class BoardLink:
    def __init__(
        self,
        room: Room,
        relay: Relay,
        store: DocStore,
        stats: LinkStats | None = None,
        lease_ms: int = LEASE_MS,
        renew_seconds: float = RENEW_SECONDS,
    ) -> None:
        self.room = room
        self.relay = relay
        self.store = store
        self.stats = stats or LinkStats()
        self.lease_ms = lease_ms
        self.renew_seconds = renew_seconds
        self.lease = f"owner:{room.board_id}"
        self._owner = False
        self._count = 0  # updates this node published for the board (P323)
        self._seen: dict[str, int] = {}  # node -> its last count we received
        self._out: deque[tuple[str, int, bytes]] = deque()
        self._wake = anyio.Event()
        self._sub: Subscription | None = None
        self._catching_up = anyio.Lock()
        self._again = False
        self._behind = False  # a catch-up failed: the next lease tick tries again
        self._tasks_scope: anyio.CancelScope | None = None
        self._tg: Any = None
        self._people: dict[str, tuple[int, float]] = {}  # node -> (clients, when heard)
        self._announced = 0
        self._left_due = False  # someone was here since the board was last empty everywhere
        self.on_all_left: AllLeft | None = None
        """Runs on the owner once the board is empty on every node (P332)."""
        self.on_secrets: SecretsChanged | None = None
        """Runs when another node changed held-back values of a kind (P331)."""
        self._secrets_due: set[str] = set()
        self._tallies: dict[str, tuple[bytes, float]] = {}  # node -> (tally, when heard)

    @property
    def owner(self) -> bool:
        return self._owner

    async def start(self) -> None:
        self._sub = await self.relay.subscribe(self.room.board_id, self._received, self.catch_up)
        await self.catch_up()  # what was committed between our load and the subscription

    async def close(self) -> None:
        if self._announced:
            self._announce(0)
        await self._flush()
        if self._sub is not None:
            await self._sub.close()
            self._sub = None
        if self._owner:
            self._set_owner(False)
            try:
                await self.relay.release_lease(self.lease)
            except RelayError as exc:
                log.info("board %s: lease left to expire: %s", self.room.board_id, exc)

    # ---- out ---------------------------------------------------------------------------

    def committed(self, frame: bytes) -> None:
        self._count += 1
        self._queue(UPDATE, self._count, frame)

    def presence(self, payload: bytes) -> None:
        self._queue(AWARENESS, self._count, payload)

    def secrets_changed(self, kind: str) -> None:
        self._queue(SECRETS, self._count, kind.encode())

    def people_changed(self) -> None:
        here = len(self.room.conns)
        if (here > 0) != (self._announced > 0):
            self._announce(here)  # a first or last client: the owner must not wait a tick

    def tally(self, payload: bytes) -> None:
        self._queue(TALLY, self._count, payload)

    def tallies(self) -> list[bytes]:
        now = time.monotonic()
        self._tallies = {
            node: (payload, heard)
            for node, (payload, heard) in self._tallies.items()
            if now - heard < PEOPLE_STALE
        }
        return [payload for payload, _ in self._tallies.values()]

    def _announce(self, people: int) -> None:
        self._announced = people
        self._queue(PEOPLE, self._count, str(min(people, 999_999)).encode())

    def _queue(self, kind: str, count: int, payload: bytes) -> None:
        if len(self._out) >= SEND_QUEUE:
            # the oldest goes; its count stays used: peers see the hole and catch up (P323)
            self._out.popleft()
            log.warning("board %s: relay queue full; a message dropped", self.room.board_id)
        self._out.append((kind, count, payload))
        self._wake.set()

    async def _send(self) -> None:
        delay = RESEND_SECONDS[0]
        while True:
            if not self._out:
                await self._wake.wait()
                self._wake = anyio.Event()
                continue
            batch = list(itertools.islice(self._out, BATCH))
            try:
                await self.relay.publish_many(self.room.board_id, batch)
            except RelayError as exc:
                # P325: sent again, in order, until the relay takes it (applying twice is
                # harmless); peers that lost their subscription meanwhile catch up anyway
                log.warning("board %s: not relayed yet: %s", self.room.board_id, exc)
                await anyio.sleep(delay)
                delay = min(delay * 2, RESEND_SECONDS[1])
                continue
            delay = RESEND_SECONDS[0]
            for item in batch:  # the queue may have dropped its oldest meanwhile
                if self._out and self._out[0] is item:
                    self._out.popleft()

    async def _flush(self) -> None:
        """Send what is still queued (the room is unloading): peers would not hear of it
        otherwise until their next catch-up."""
        while self._out:
            kind, count, payload = self._out[0]
            try:
                await self.relay.publish(self.room.board_id, kind, count, payload)
            except RelayError as exc:
                log.error(
                    "board %s: %d relayed messages unsent on unload (stored; other nodes "
                    "catch up on their next gap): %s",
                    self.room.board_id,
                    len(self._out),
                    exc,
                )
                return
            self._out.popleft()

    # ---- in ----------------------------------------------------------------------------

    def _received(self, msg: RelayMessage) -> None:
        self.stats.lag(max(0.0, time.time() - msg.sent_ms / 1000))
        if msg.kind == AWARENESS:
            try:
                entries = codec.decode_awareness(msg.payload)
            except (ValueError, SyncError) as exc:
                log.error("board %s: relayed presence dropped: %s", self.room.board_id, exc)
                return
            self.room.apply_relayed_presence(msg.node, entries)
            return
        if msg.kind == PEOPLE:
            text = msg.payload
            if len(text) > MAX_PEOPLE_BYTES or not text.isdigit():
                log.error("board %s: relayed head count dropped", self.room.board_id)
                return
            self._people[msg.node] = (int(text), time.monotonic())
            return
        if msg.kind == TALLY:
            if len(msg.payload) > MAX_TALLY_BYTES:
                log.error("board %s: relayed tally dropped: too big", self.room.board_id)
                return
            self._tallies[msg.node] = (msg.payload, time.monotonic())  # read by the counters
            return
        if msg.kind == SECRETS:
            kind = msg.payload.decode("ascii", "replace")
            if kind not in SECRET_KINDS:
                log.error("board %s: relayed change of unknown secrets dropped", self.room.board_id)
            elif self._tg is None:
                self._secrets_due.add(kind)  # subscribed, not running yet: at run()
            elif self.on_secrets is not None:
                self._tg.start_soon(self.on_secrets, kind)
            return
        last = self._seen.get(msg.node)
        self._seen[msg.node] = msg.count
        if last is not None and msg.count != last + 1:
            self._spawn_catch_up()  # P323: a hole in the node's count: something was lost
        try:
            frame = codec.decode_frame(msg.payload)
        except (ValueError, SyncError) as exc:
            log.error("board %s: relayed update dropped: %s", self.room.board_id, exc)
            self._spawn_catch_up()
            return
        if not isinstance(frame, codec.SyncUpdate):
            log.error("board %s: relayed frame is not an update", self.room.board_id)
            self._spawn_catch_up()
            return
        self.room.apply_relayed(frame.update)

    def _spawn_catch_up(self) -> None:
        if self._tg is not None:
            self._tg.start_soon(self.catch_up)

    async def catch_up(self) -> None:
        """P323: bring in from the store whatever other nodes committed; runs one at a time,
        and once more if asked while running."""
        if self._catching_up.locked():
            self._again = True
            return
        async with self._catching_up:
            while True:
                self._again = False
                try:
                    loaded = await self.store.load(self.room.board_id)
                except StoreError as exc:
                    log.error("board %s: catching up failed, retrying: %s", self.room.board_id, exc)
                    self._behind = True
                    return
                stored = load_doc(loaded.state, loaded.updates)
                missing = stored.get_update(self.room.doc.get_state())
                self.room.apply_relayed(missing)
                self.stats.caught_up()
                if not self._again:
                    return

    # ---- ownership ---------------------------------------------------------------------

    async def run(self, tasks: list[Task]) -> None:
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._send)
            if self.on_secrets is not None:
                for kind in self._secrets_due:
                    tg.start_soon(self.on_secrets, kind)
            self._secrets_due.clear()
            try:
                while True:
                    await self._renew(tg, tasks)
                    self._count_people(tg)
                    await anyio.sleep(self.renew_seconds)
            finally:
                self._tg = None
                with anyio.CancelScope(shield=True), anyio.move_on_after(self.lease_ms / 2000):
                    await self.close()  # the room stopped: let another node own it now

    async def _renew(self, tg: Any, tasks: list[Task]) -> None:
        if self._behind:
            self._behind = False
            await self.catch_up()
        try:
            with anyio.fail_after(self.lease_ms / 2000):
                held = await self.relay.hold_lease(self.lease, self.lease_ms)
        except (RelayError, TimeoutError) as exc:
            held = False
            if self._owner:
                log.warning("board %s: lease not renewed: %s", self.room.board_id, exc)
        if held and not self._owner:
            # P327: what the last owner wrote is in the store; see it before acting on it
            await self.catch_up()
            self._set_owner(True)
            tg.start_soon(self._run_tasks, tasks)
        elif not held and self._owner:
            self._set_owner(False)

    def _count_people(self, tg: Any) -> None:
        """P332: tell the others how many clients this node serves (every tick while some,
        once when none), and on the owner, once everyone everywhere has left, run
        `on_all_left`."""
        here = len(self.room.conns)
        if here or self._announced:
            self._announce(here)
        now = time.monotonic()
        elsewhere = any(n > 0 and now - heard < PEOPLE_STALE for n, heard in self._people.values())
        if here or elsewhere:
            self._left_due = True
        elif self._left_due and self._owner and self.on_all_left is not None:
            self._left_due = False
            tg.start_soon(self.on_all_left)

    def _set_owner(self, owner: bool) -> None:
        self._owner = owner
        self.stats.owned(1 if owner else -1)
        if not owner and self._tasks_scope is not None:
            self._tasks_scope.cancel()  # stop before the lease can expire (P327)
        log.info("board %s: %s", self.room.board_id, "owned here" if owner else "not owned")

    async def _run_tasks(self, tasks: list[Task]) -> None:
        with anyio.CancelScope() as scope:
            self._tasks_scope = scope
            try:
                async with anyio.create_task_group() as tg:
                    for task in tasks:
                        tg.start_soon(task)
            finally:
                self._tasks_scope = None

    def compact(self) -> asyncio.Future[None]:
        return asyncio.ensure_future(self._compact())

    async def _compact(self) -> None:
        # P326: merged with the store's copy, at the store's last seq: every row at or
        # below it is in the state; any row committed later gets a higher seq (P320)
        loaded = await self.store.load(self.room.board_id)
        merged = load_doc(loaded.state, loaded.updates)
        merged.apply_update(self.room.state())
        state = merged.get_update()
        self.room.size.measured(len(state))
        await self.store.compact(self.room.board_id, state, max(loaded.last_seq, 0))
