"""One connection's read limits, shared by the room's read loop and the direct handler
that takes a message as it is read (P8, P123, P368)."""

from __future__ import annotations

from . import codec
from .config import RoomConfig
from .connection import TokenBucket

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
