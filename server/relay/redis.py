"""RedisRelay: pub/sub per board and leases by SET NX PX (extra [redis]).

Pub/sub, not streams (P321): every committed update is already in the store, which is
the one place a node catches up from; a stream would be a second log to trim and, with
Redis run without persistence, would vanish on restart anyway.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import anyio
from anyio.abc import TaskGroup
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .base import (
    MAX_NODE_ID,
    GapHandler,
    Handler,
    RelayError,
    RelayFormatError,
    RelayMessage,
    decode_message,
    echo_prefix,
    encode_message,
)

log = logging.getLogger(__name__)
PREFIX = "cocanvas:"
TIMEOUT_SECONDS = 2.0  # a command that takes longer counts as "relay unreachable"
RETRY_SECONDS = (0.1, 2.0)
POLL_SECONDS = 0.05  # how soon the read loop takes up a new subscription

# take the lease if free, renew it if ours; 1 when held afterwards
HOLD = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def channel_of(board: str) -> str:
    return f"{PREFIX}board:{board}"


@dataclass(eq=False)
class _Sub:
    relay: RedisRelay
    board: str
    on_message: Handler
    on_gap: GapHandler

    async def close(self) -> None:
        await self.relay._unsubscribe(self)


class RedisRelay:
    def __init__(self, url: str, node_id: str = "") -> None:
        self.url = url
        self.node_id = (node_id or uuid.uuid4().hex[:12])[:MAX_NODE_ID]
        # how this node's own messages start: they come back from Redis and are dropped
        # before they are decoded (half of what a node reads when it serves every board)
        self._echo = echo_prefix(self.node_id)
        self._redis: Redis | None = None
        self._subs: dict[str, list[_Sub]] = {}
        self._tg: TaskGroup | None = None
        self._confirmed: dict[str, anyio.Event] = {}  # channel -> Redis confirmed it
        # the pub/sub connection is used by the read loop only (redis-py reads are not
        # safe from two tasks): others leave their changes here
        self._join: set[str] = set()
        self._leave: set[str] = set()
        self.reconnects = 0

    def _client(self) -> Redis:
        if self._redis is None:
            raise RelayError("relay not started: use 'async with RedisRelay(url)'")
        return self._redis

    async def __aenter__(self) -> RedisRelay:
        self._redis = Redis.from_url(
            self.url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            health_check_interval=5,
        )
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._read_loop)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._tg is not None:
            self._tg.cancel_scope.cancel()
            await self._tg.__aexit__(None, None, None)
            self._tg = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def publish(self, board: str, kind: str, count: int, payload: bytes) -> None:
        msg = RelayMessage(self.node_id, kind, count, time.time() * 1000, payload)
        try:
            await self._client().publish(channel_of(board), encode_message(msg))
        except (RedisError, OSError) as exc:
            raise RelayError(f"relay {self._where()} unreachable: {exc}") from exc

    async def publish_many(self, board: str, messages: list[tuple[str, int, bytes]]) -> None:
        now = time.time() * 1000
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                for kind, count, payload in messages:
                    msg = RelayMessage(self.node_id, kind, count, now, payload)
                    pipe.publish(channel_of(board), encode_message(msg))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise RelayError(f"relay {self._where()} unreachable: {exc}") from exc

    async def subscribe(self, board: str, on_message: Handler, on_gap: GapHandler) -> _Sub:
        sub = _Sub(self, board, on_message, on_gap)
        first = board not in self._subs
        self._subs.setdefault(board, []).append(sub)
        if not first:
            return sub
        channel = channel_of(board)
        confirmed = self._confirmed[channel] = anyio.Event()
        self._leave.discard(channel)
        self._join.add(channel)
        # until Redis confirms, messages may pass us by: wait, within limits. Unconfirmed,
        # the read loop subscribes on reconnect and declares a gap (P323)
        with anyio.move_on_after(TIMEOUT_SECONDS):
            await confirmed.wait()
        return sub

    async def _unsubscribe(self, sub: _Sub) -> None:
        subs = self._subs.get(sub.board, [])
        if sub in subs:
            subs.remove(sub)
        if subs:
            return
        self._subs.pop(sub.board, None)
        channel = channel_of(sub.board)
        self._join.discard(channel)
        self._leave.add(channel)

    async def hold_lease(self, name: str, ttl_ms: int) -> bool:
        try:
            held = await self._client().eval(HOLD, 1, PREFIX + name, self.node_id, str(ttl_ms))
        except (RedisError, OSError) as exc:
            raise RelayError(f"relay {self._where()} unreachable: {exc}") from exc
        return bool(held)

    async def release_lease(self, name: str) -> None:
        try:
            await self._client().eval(RELEASE, 1, PREFIX + name, self.node_id)
        except (RedisError, OSError) as exc:
            log.warning("relay: lease %s not released (it expires): %s", name, exc)

    async def ping(self) -> bool:
        try:
            with anyio.fail_after(TIMEOUT_SECONDS):
                return bool(await self._client().ping())
        except (RedisError, OSError, TimeoutError):
            return False

    def _where(self) -> str:
        return self.url.split("@")[-1]  # never log a password

    # ---- reading -----------------------------------------------------------------------

    async def _read_loop(self) -> None:
        delay = RETRY_SECONDS[0]
        lost = False
        while True:
            pubsub = self._client().pubsub()
            try:
                await pubsub.ping()
                self._join.clear()
                self._leave.clear()
                if self._subs:
                    await pubsub.subscribe(*(channel_of(b) for b in self._subs))
                if lost:
                    self.reconnects += 1
                    log.warning("relay: reconnected to %s; catching up", self._where())
                    await self._all_gaps()
                lost = False
                delay = RETRY_SECONDS[0]
                while True:
                    if self._join:
                        joining, self._join = self._join, set()
                        await pubsub.subscribe(*joining)
                    if self._leave:
                        leaving, self._leave = self._leave, set()
                        await pubsub.unsubscribe(*leaving)
                    raw = await pubsub.get_message(timeout=POLL_SECONDS)
                    if raw is None:
                        continue
                    if raw.get("type") == "message":
                        self._dispatch(raw["channel"], raw["data"])
                    elif raw.get("type") == "subscribe":
                        event = self._confirmed.pop(raw["channel"].decode(), None)
                        if event is not None:
                            event.set()
            except (RedisError, OSError) as exc:
                if not lost:
                    log.warning("relay: %s lost (%s); retrying", self._where(), exc)
                lost = True
            finally:
                with anyio.CancelScope(shield=True):
                    try:
                        # untyped before redis-py 8.2, typed since: one spelling for both
                        close = cast("Callable[[], Awaitable[None]]", pubsub.aclose)
                        await close()
                    except (RedisError, OSError):
                        pass  # the connection is gone already
            await anyio.sleep(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])

    async def _all_gaps(self) -> None:
        assert self._tg is not None
        for subs in list(self._subs.values()):
            for sub in list(subs):
                self._tg.start_soon(_gap, sub)  # reading goes on meanwhile

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        if data.startswith(self._echo):
            return  # our own, back from Redis
        board = channel.decode()[len(channel_of("")) :]
        subs = self._subs.get(board)
        if not subs:
            return
        try:
            msg = decode_message(data)
        except RelayFormatError as exc:
            log.error("relay: board %s: dropped a message: %s", board, exc)
            assert self._tg is not None
            for sub in list(subs):
                self._tg.start_soon(_gap, sub)  # P322: a dropped message is a gap
            return
        if msg.node == self.node_id:
            return
        for sub in list(subs):
            try:
                sub.on_message(msg)
            except Exception:
                log.exception("relay: board %s: a relayed message failed", board)
                assert self._tg is not None
                self._tg.start_soon(_gap, sub)


async def _gap(sub: _Sub) -> None:
    try:
        await sub.on_gap()
    except Exception:
        log.exception("relay: board %s: catching up failed", sub.board)
