"""A burst read ahead does not hold the event loop: others get a turn (PROTOCOL.md P365)."""

from __future__ import annotations

import os
import struct
import time

import anyio
import pytest
from pycrdt import Map, Text

from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio
BURST = 300  # under the message burst of 400: nothing here is rate limited


def masked(payload: bytes) -> bytes:
    n = len(payload)
    head = bytes([0x82, 0x80 | n]) if n < 126 else bytes([0x82, 0x80 | 126]) + struct.pack("!H", n)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def test_p365_a_note_written_during_a_burst_arrives_before_the_burst_ends(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    url, token = shared_server.ws, board.tokens["participant"]
    async with (
        PyClient.connect(url, board.id, token) as burster,
        PyClient.connect(url, board.id, token) as other,
        PyClient.connect(url, board.id, token) as watcher,
    ):
        for c in (burster, other, watcher):
            await c.synced.wait()
        await burster.add_note("long", "A1", "")
        await watcher.wait_for(lambda: "long" in watcher.notes)
        text = burster.notes["long"]["text"]
        assert isinstance(text, Text)
        # one update each, at the front: a character typed before others goes through the
        # full judge (P374 takes only those typed after a run), so the burst stays long
        for _ in range(BURST):
            text.insert(0, "x")
        frames, burster._outbox = burster._outbox, []
        assert len(frames) == BURST
        arrivals: dict[str, float] = {}

        def seen() -> bool:
            notes = watcher.notes
            if "quick" in notes and "quick" not in arrivals:
                arrivals["quick"] = time.monotonic()
            body = notes["long"]["text"] if "long" in notes else None
            if isinstance(body, Text) and len(body) >= BURST and "burst" not in arrivals:
                arrivals["burst"] = time.monotonic()
            return len(arrivals) == 2

        # all of them in one write, so the server reads them in one go (as from a client
        # that was offline for a moment); frames built as a websocket client masks them
        assert burster.ws is not None
        burster.ws.transport.write(b"".join(masked(f) for f in frames))
        await anyio.sleep(0.01)  # the server is judging the burst now (~0.3 ms each)
        with other.doc.transaction():
            other.notes["quick"] = Map({"field": "A2", "text": Text("zwischendurch")})
        await other.flush()
        await watcher.wait_for(seen, within=30)
        # the burst is judged one message at a time (about 0.3 ms each); a note sent
        # right after it must not wait for all of them
        assert arrivals["quick"] < arrivals["burst"], arrivals
