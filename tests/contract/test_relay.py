"""One Relay suite for every implementation: LocalRelay on a shared hub, and RedisRelay on a
real redis-server. Two relays stand for two nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import pytest
from redis.asyncio import Redis

from server.relay.base import (
    AWARENESS,
    MAX_RELAY_BYTES,
    UPDATE,
    Relay,
    RelayFormatError,
    RelayMessage,
    decode_message,
    echo_prefix,
    encode_message,
)
from server.relay.local import LocalHub, LocalRelay
from server.relay.redis import RedisRelay, channel_of
from tests.support.poll import poll_until
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


class Nodes:
    def __init__(self, kind: str, make: Callable[[], Relay], redis: RedisServer | None) -> None:
        self.kind = kind
        self.make = make
        self.redis = redis


@pytest.fixture(params=["local", "redis"])
async def nodes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Nodes]:
    if request.param == "local":
        hub = LocalHub()
        yield Nodes("local", lambda: LocalRelay(hub), None)
        return
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield Nodes("redis", lambda: RedisRelay(server.url), server)
    finally:
        server.stop()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[RelayMessage] = []
        self.gaps = 0
        self._changed = anyio.Event()

    def on_message(self, msg: RelayMessage) -> None:
        self.messages.append(msg)
        self._changed.set()
        self._changed = anyio.Event()

    async def on_gap(self) -> None:
        self.gaps += 1
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, test: Callable[[], bool], seconds: float = 10.0) -> None:
        with anyio.fail_after(seconds):
            while not test():
                await self._changed.wait()


async def test_p321_a_message_reaches_the_other_node_in_order_and_not_its_own(
    nodes: Nodes,
) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        at_a, at_b = Inbox(), Inbox()
        await a.subscribe("b1", at_a.on_message, at_a.on_gap)
        await b.subscribe("b1", at_b.on_message, at_b.on_gap)
        for i in range(1, 51):
            await a.publish("b1", UPDATE, i, bytes([i]))
        await a.publish("b1", AWARENESS, 50, b"presence")
        await at_b.until(lambda: len(at_b.messages) == 51)
        assert [m.payload for m in at_b.messages[:50]] == [bytes([i]) for i in range(1, 51)]
        assert [m.count for m in at_b.messages[:50]] == list(range(1, 51))
        assert at_b.messages[50].kind == AWARENESS
        assert all(m.node == a.node_id for m in at_b.messages)
        assert at_a.messages == []  # a node never hears itself


async def test_p325_a_batch_arrives_whole_and_in_order(nodes: Nodes) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        inbox = Inbox()
        await b.subscribe("b1", inbox.on_message, inbox.on_gap)
        batch = [(UPDATE, i, bytes([i])) for i in range(1, 65)] + [(AWARENESS, 64, b"p")]
        await a.publish_many("b1", batch)
        await inbox.until(lambda: len(inbox.messages) == 65)
        assert [(m.kind, m.count, m.payload) for m in inbox.messages] == batch


async def test_p321_boards_are_apart_and_unsubscribing_stops_delivery(nodes: Nodes) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        one, two = Inbox(), Inbox()
        sub = await b.subscribe("one", one.on_message, one.on_gap)
        await b.subscribe("two", two.on_message, two.on_gap)
        await a.publish("one", UPDATE, 1, b"1")
        await a.publish("two", UPDATE, 1, b"2")
        await two.until(lambda: len(two.messages) == 1)
        await one.until(lambda: len(one.messages) == 1)
        assert one.messages[0].payload == b"1" and two.messages[0].payload == b"2"
        await sub.close()
        await a.publish("one", UPDATE, 2, b"lost")
        await a.publish("two", UPDATE, 2, b"kept")
        await two.until(lambda: len(two.messages) == 2)
        assert len(one.messages) == 1


async def test_p327_a_lease_has_one_holder_renews_and_passes_on_release(nodes: Nodes) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        assert await a.hold_lease("owner:b1", 5_000)
        assert not await b.hold_lease("owner:b1", 5_000)
        assert await a.hold_lease("owner:b1", 5_000)  # renewal
        await b.release_lease("owner:b1")  # not b's to give up
        assert not await b.hold_lease("owner:b1", 5_000)
        await a.release_lease("owner:b1")
        assert await b.hold_lease("owner:b1", 5_000)
        assert not await a.hold_lease("owner:b1", 5_000)


async def test_p327_a_lease_not_renewed_passes_on_after_its_time(nodes: Nodes) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        assert await a.hold_lease("owner:b1", 300)
        assert not await b.hold_lease("owner:b1", 300)
        await poll_until(lambda: b.hold_lease("owner:b1", 300), 5)  # nodes poll it too


async def test_p328_ping_answers(nodes: Nodes) -> None:
    async with nodes.make() as a:
        assert await a.ping()


async def test_p323_after_the_relay_was_away_every_board_catches_up(nodes: Nodes) -> None:
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(nodes.make())
        b = await stack.enter_async_context(nodes.make())
        inbox = Inbox()
        await b.subscribe("b1", inbox.on_message, inbox.on_gap)
        await a.publish("b1", UPDATE, 1, b"before")
        await inbox.until(lambda: len(inbox.messages) == 1)
        if isinstance(b, LocalRelay):
            assert isinstance(a, LocalRelay)
            a.hub.down = True
            assert not await b.ping()
            await a.publish("b1", UPDATE, 2, b"lost while away")
            a.hub.down = False
            await b.reconnected()
        else:
            assert nodes.redis is not None
            nodes.redis.restart()
        await inbox.until(lambda: inbox.gaps >= 1, 20)
        with anyio.fail_after(10):  # publishing works again once the relay is back
            while True:
                try:
                    await a.publish("b1", UPDATE, 3, b"after")
                    break
                except Exception:
                    await anyio.sleep(0.1)
        await inbox.until(lambda: inbox.messages[-1].payload == b"after")
        assert b"lost while away" not in [m.payload for m in inbox.messages]


async def test_p322_a_malformed_relay_message_is_dropped_and_counts_as_a_gap(
    redis_server: RedisServer,
) -> None:
    async with RedisRelay(redis_server.url) as b:
        inbox = Inbox()
        await b.subscribe("b1", inbox.on_message, inbox.on_gap)
        raw = Redis.from_url(redis_server.url)
        try:
            await raw.publish(channel_of("b1"), b"\xc1 not msgpack")
            await raw.publish(channel_of("b1"), b"\x00" * (MAX_RELAY_BYTES + 1))
            await inbox.until(lambda: inbox.gaps >= 2)
        finally:
            await raw.aclose()
        assert inbox.messages == []


async def test_p321_own_messages_are_dropped_by_their_first_bytes_only(
    redis_server: RedisServer,
) -> None:
    async with RedisRelay(redis_server.url, node_id="n1") as b:
        inbox = Inbox()
        await b.subscribe("b1", inbox.on_message, inbox.on_gap)
        raw = Redis.from_url(redis_server.url)
        try:
            # this node's own first bytes and then garbage: never decoded, so no gap
            await raw.publish(channel_of("b1"), echo_prefix("n1") + b"\xc1 not msgpack")
            for node in ("n1", "n10", "n", "m1"):  # only the first is this node
                msg = RelayMessage(node, UPDATE, 1, 1.0, node.encode())
                await raw.publish(channel_of("b1"), encode_message(msg))
            await inbox.until(lambda: len(inbox.messages) == 3)
        finally:
            await raw.aclose()
        assert [m.node for m in inbox.messages] == ["n10", "n", "m1"]
        assert inbox.gaps == 0


def test_p322_relay_messages_are_bounded_and_shape_checked() -> None:
    good = RelayMessage("n1", UPDATE, 3, 1.5, b"\x00\x01")
    assert decode_message(encode_message(good)) == good
    bad = [
        b"\x93\xa1n\xa1u\x01",  # three items
        encode_message(RelayMessage("n1", "zz", 1, 1.0, b"")),  # unknown kind
        encode_message(RelayMessage("n" * 65, UPDATE, 1, 1.0, b"")),  # node id too long
        encode_message(RelayMessage("n1", UPDATE, -1, 1.0, b"")),  # negative count
        b"\xff" * 10,
    ]
    for data in bad:
        with pytest.raises(RelayFormatError):
            decode_message(data)
