"""LocalRelay: nodes inside one process (the default, and the contract suite's reference).

With its own hub a LocalRelay has no peers: publishing reaches nobody and every lease is
this node's. Nodes given one LocalHub see each other as over Redis, without the losses.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from .base import GapHandler, Handler, RelayMessage


@dataclass(eq=False)
class _Sub:
    node: str
    on_message: Handler
    on_gap: GapHandler
    hub: LocalHub
    board: str

    async def close(self) -> None:
        subs = self.hub.subs.get(self.board, [])
        if self in subs:
            subs.remove(self)


@dataclass
class LocalHub:
    subs: dict[str, list[_Sub]] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)  # name -> (node, until)
    down: bool = False  # a test switches the hub off to stand for an unreachable relay


class LocalRelay:
    def __init__(self, hub: LocalHub | None = None, node_id: str = "") -> None:
        self.hub = hub if hub is not None else LocalHub()
        self.node_id = node_id or uuid.uuid4().hex[:12]

    async def __aenter__(self) -> LocalRelay:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for subs in self.hub.subs.values():
            subs[:] = [s for s in subs if s.node != self.node_id]

    async def publish(self, board: str, kind: str, count: int, payload: bytes) -> None:
        if self.hub.down:
            return  # lost, as pub/sub loses while a node is away
        msg = RelayMessage(self.node_id, kind, count, time.time() * 1000, payload)
        for sub in list(self.hub.subs.get(board, [])):
            if sub.node != self.node_id:
                sub.on_message(msg)

    async def publish_many(self, board: str, messages: list[tuple[str, int, bytes]]) -> None:
        for kind, count, payload in messages:
            await self.publish(board, kind, count, payload)

    async def subscribe(self, board: str, on_message: Handler, on_gap: GapHandler) -> _Sub:
        sub = _Sub(self.node_id, on_message, on_gap, self.hub, board)
        self.hub.subs.setdefault(board, []).append(sub)
        return sub

    async def hold_lease(self, name: str, ttl_ms: int) -> bool:
        if self.hub.down:
            return False
        now = time.monotonic()
        holder = self.hub.leases.get(name)
        if holder is not None and holder[0] != self.node_id and holder[1] > now:
            return False
        self.hub.leases[name] = (self.node_id, now + ttl_ms / 1000)
        return True

    async def release_lease(self, name: str) -> None:
        holder = self.hub.leases.get(name)
        if holder is not None and holder[0] == self.node_id:
            del self.hub.leases[name]

    async def ping(self) -> bool:
        return not self.hub.down

    async def reconnected(self) -> None:
        """Run every gap handler of this node, as after a relay reconnect (P323)."""
        for subs in list(self.hub.subs.values()):
            for sub in list(subs):
                if sub.node == self.node_id:
                    await sub.on_gap()
