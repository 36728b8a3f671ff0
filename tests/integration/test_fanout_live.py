"""Direct writes into uvicorn's transport still honour back-pressure (P360, P9): a client
that stops reading is let go, over a real socket on a real server, while the others are
served on. (Its 4502 close frame would queue behind the unread data, so it ends without.)"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Callable

import anyio
import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def _stalled_socket(server: LiveServer, board_id: str, token: str) -> socket.socket:
    """A websocket handshake, then nothing is read: a small receive window fills up."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/{board_id}?k={token} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)  # byte by byte: leave every frame after the headers unread
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _participants(server: LiveServer) -> float:
    text = httpx.get(f"{server.http}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith('cocanvas_connections{role="participant"}'):
            return float(line.rpartition(" ")[2])
    return 0.0


async def test_p360_p9_a_client_that_stops_reading_is_closed(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(
        COCANVAS_LIMIT_SEND_QUEUE_MESSAGES="8",
        COCANVAS_LIMIT_UPDATE_BYTES_PER_SECOND="100000000",
        COCANVAS_LIMIT_UPDATE_BYTES_BURST="100000000",
    )
    board = server.create_board()
    token = board.tokens["participant"]
    stalled = _stalled_socket(server, board.id, token)
    async with PyClient.connect(server.ws, board.id, token) as writer:
        with anyio.fail_after(10):
            await writer.synced.wait()
        # 6 MB: beyond the kernel's socket buffers (at most 4 MiB to send on Linux by
        # default) and uvicorn's high-water mark, so the transport has to pause
        for i in range(1500):
            await writer.add_note(f"n{i}", "A1", f"{i:04d}" + "x" * 3996)
        await writer.wait_for(lambda: "n1499" in writer.notes, within=30)

        # the stalled connection is let go while the writer is still served (P9)
        async def one_left() -> bool:
            return await anyio.to_thread.run_sync(_participants, server) == 1

        await poll_until(one_left, seconds=30)
        await writer.add_note("after", "A1", "still served")
        await writer.wait_for(lambda: "after" in writer.notes)
        assert writer.close_info is None
    # what reached the stalled socket is bounded by the buffers, then the stream ends
    stalled.settimeout(0.5)
    received = 0
    with anyio.fail_after(30):
        while True:
            try:
                chunk = await anyio.to_thread.run_sync(stalled.recv, 1 << 20)
            except TimeoutError:
                continue
            if not chunk:
                break
            received += len(chunk)
    stalled.close()
    assert 0 < received < 1500 * 4000
