"""Relay: what nodes sharing boards need from each other (PROTOCOL.md P320-P329).

A relay carries net results only: updates a node has already checked and committed,
and presence it has already accepted. It is lossy by contract: after `on_gap` fires
for a board, the node catches up from the store before trusting its replica (P323).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import msgpack

UPDATE = "u"  # a committed net update (a sync-update frame's payload)
AWARENESS = "a"  # accepted presence entries (an awareness frame's payload)
PEOPLE = "p"  # how many clients the node serves on the board, in ASCII digits (P332)
SECRETS = "s"  # values held back from the document changed; payload: which (P331)
TALLY = "t"  # what the node's participants wrote and voted, for the counters (P293)
KINDS = (UPDATE, AWARENESS, PEOPLE, SECRETS, TALLY)
MAX_RELAY_BYTES = 2_097_152  # P322: a relayed message above this is dropped and a gap declared
MAX_NODE_ID = 64


class RelayError(Exception):
    """The relay cannot be reached; the message says what to check."""


@dataclass(frozen=True)
class RelayMessage:
    node: str  # the publishing node; a node ignores its own messages
    kind: str
    count: int  # the publisher's update count on this board: a hole means a loss (P323)
    sent_ms: float  # publisher's wall clock, for the relay lag metric
    payload: bytes


class RelayFormatError(ValueError):
    """A relayed message is not what P322 allows."""


def encode_message(msg: RelayMessage) -> bytes:
    packed: bytes = msgpack.packb(
        [msg.node, msg.kind, msg.count, msg.sent_ms, msg.payload], use_bin_type=True
    )
    return packed


def echo_prefix(node: str) -> bytes:
    """The first bytes of every message `node` encodes: a 5-item array, then its id."""
    head: bytes = msgpack.packb(node, use_bin_type=True)
    return b"\x95" + head


def decode_message(data: bytes) -> RelayMessage:
    """P322: bounded and shape-checked before anything else reads it."""
    if len(data) > MAX_RELAY_BYTES:
        raise RelayFormatError(f"relay message of {len(data)} bytes")
    try:
        items = msgpack.unpackb(
            data,
            raw=False,
            max_bin_len=MAX_RELAY_BYTES,
            max_str_len=MAX_NODE_ID,
            max_array_len=5,
            max_map_len=0,
            max_ext_len=0,
        )
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise RelayFormatError(f"relay message does not decode: {exc}") from exc
    if not isinstance(items, list) or len(items) != 5:
        raise RelayFormatError("relay message is not a 5-item array")
    node, kind, count, sent_ms, payload = items
    if not isinstance(node, str) or kind not in KINDS or not isinstance(payload, bytes):
        raise RelayFormatError("relay message has a wrong field type")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise RelayFormatError("relay message count is not a count")
    if not isinstance(sent_ms, int | float) or isinstance(sent_ms, bool):
        raise RelayFormatError("relay message time is not a number")
    return RelayMessage(node, kind, count, float(sent_ms), payload)


Handler = Callable[[RelayMessage], None]
GapHandler = Callable[[], Awaitable[None]]


class Subscription(Protocol):
    async def close(self) -> None: ...


class Relay(Protocol):
    """Publish/subscribe per board, and leases for what must happen once.

    Usage:

        async with relay:                       # connects; reconnects on its own
            sub = await relay.subscribe(board, on_message, on_gap)
            await relay.publish(board, kind, count, payload)
            if await relay.hold_lease(f"owner:{board}", ttl_ms): ...
            await sub.close()
    """

    node_id: str

    async def __aenter__(self) -> Relay: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def publish(self, board: str, kind: str, count: int, payload: bytes) -> None:
        """Send to every other node with the board; raises RelayError when unreachable."""
        ...

    async def publish_many(self, board: str, messages: list[tuple[str, int, bytes]]) -> None:
        """publish() for each (kind, count, payload), in order, in one round trip."""
        ...

    async def subscribe(self, board: str, on_message: Handler, on_gap: GapHandler) -> Subscription:
        """Deliver other nodes' messages in their order; `on_gap` runs after any moment in
        which messages may have been lost (reconnect, dropped message), P323."""
        ...

    async def hold_lease(self, name: str, ttl_ms: int) -> bool:
        """Take the lease or renew it if this node holds it; False if another node does."""
        ...

    async def release_lease(self, name: str) -> None:
        """Give the lease up if this node holds it."""
        ...

    async def ping(self) -> bool:
        """True when the relay answers now (for /readyz)."""
        ...
