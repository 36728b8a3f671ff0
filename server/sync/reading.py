"""One connection's read limits, shared by the room's read loop and the direct handler
that takes a message as it is read (P8, P123, P368), and how a writer's updates read
together are gathered into one burst (P370)."""

from __future__ import annotations

from . import codec
from .channel import Channel, QueuedReads
from .config import RoomConfig
from .connection import TokenBucket

BURST_UPDATES = 32  # updates judged as one (P370)
BURST_BYTES = 65_536

_SYNC = codec.MessageType.SYNC
_AWARENESS = codec.MessageType.AWARENESS
_WRITES = (codec.SyncType.STEP2, codec.SyncType.UPDATE)


class Reader:
    """Messages per second and bytes per second (documents and presence apart); the
    read loop sleeps off a deficit, the direct handler only takes what is free."""

    __slots__ = ("messages", "lanes", "waiting")

    def __init__(self, cfg: RoomConfig) -> None:
        self.messages = TokenBucket(cfg.messages_per_second, cfg.message_burst)
        self.lanes: dict[int, TokenBucket] = {
            _SYNC: TokenBucket(cfg.update_bytes_per_second, cfg.update_bytes_burst),
            _AWARENESS: TokenBucket(cfg.awareness_bytes_per_second, cfg.awareness_bytes_burst),
        }
        # True while the read loop waits in recv(): only then may a message skip the loop
        self.waiting = False

    def take_free(self, data: bytes) -> bool:
        """P368: whether `data` may be handled as it is read: a document update or a
        presence message, arriving while the read loop waits, within every limit without
        waiting (the tokens are then taken). Anything else goes through the read loop,
        which takes the tokens itself, so nothing is counted twice."""
        return self.waiting and self.take_now(data)

    def take_now(self, data: bytes) -> bool:
        """take_free without asking whether the read loop waits: for the updates the read
        loop takes together with the one it holds (P370)."""
        if len(data) < 2:
            return False
        kind = data[0]
        if kind == _SYNC:
            if data[1] not in _WRITES:
                return False  # SyncStep1 waits for the commits before it (P21)
        elif kind != _AWARENESS:
            return False
        lane = self.lanes[kind]
        if not self.messages.take_free(1.0):
            return False
        if not lane.take_free(len(data)):
            self.messages.give_back(1.0)  # the read loop takes it again
            return False
        return True

    def burst(self, datas: list[bytes]) -> list[bytes]:
        """P370: the first of `datas`, a writer's update whose tokens are taken, and the
        updates right behind it that fit the burst and the limits without waiting."""
        size = len(datas[0])
        out = datas[:1]
        for nxt in datas[1:BURST_UPDATES]:
            size += len(nxt)
            if not is_write(nxt) or size > BURST_BYTES or not self.take_free(nxt):
                break
            out.append(nxt)
        return out

    def queued_burst(self, channel: Channel, data: bytes) -> list[bytes]:
        """P370: the updates queued behind `data`, a writer's update the read loop holds,
        that fit the burst and the limits without waiting."""
        if not (is_write(data) and isinstance(channel, QueuedReads)):
            return []
        size = len(data)

        def accept(nxt: bytes) -> bool:
            nonlocal size
            size += len(nxt)
            return is_write(nxt) and size <= BURST_BYTES and self.take_now(nxt)

        return channel.take_queued(accept, BURST_UPDATES - 1)


def is_write(data: bytes) -> bool:
    """A SyncStep2 or SyncUpdate message, by its first two bytes (decoding checks the rest)."""
    return len(data) > 1 and data[0] == _SYNC and data[1] in _WRITES
