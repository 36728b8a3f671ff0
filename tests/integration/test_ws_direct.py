"""Our websocket protocol against uvicorn's own, byte for byte (PROTOCOL.md P365).

Two real uvicorn servers on loopback run the same echo app, one with uvicorn's
`websockets-sansio` protocol and one with `DirectWebSocketProtocol`; a raw socket
client sends the same bytes to both, cut into reads at random places, and both must
answer with the same frames and close with the same codes. The echo goes through the
frame writer where the protocol offers one, so its frames are checked too.
"""

from __future__ import annotations

import base64
import os
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from server.sync.wsframe import binary_frame
from server.ws_direct import (
    DIRECT_PER_READ,
    EXTENSION,
    DirectWebSocketProtocol,
    FrameWriter,
)
from tests.support.live import free_port

MAX_SIZE = 70_000  # above 65,535 so both long length encodings are exercised
PROTOCOLS: dict[str, Any] = {"stock": "websockets-sansio", "direct": DirectWebSocketProtocol}


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    writer = scope.get("extensions", {}).get(EXTENSION)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is None:
            await send({"type": "websocket.send", "text": message["text"]})
        elif not (isinstance(writer, FrameWriter) and writer.send(data)):
            await send({"type": "websocket.send", "bytes": data})


async def handler_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers b"H..." from the handler offered by FrameWriter.on_message (P368) as
    b"direct:H...", and whatever reaches `receive` as b"loop:...". The handler takes
    only messages that start with H."""
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    writer = scope["extensions"][EXTENSION]
    assert isinstance(writer, FrameWriter)

    def handle(datas: list[bytes]) -> int:
        done = 0
        for data in datas:
            if not data.startswith(b"H"):
                break
            assert writer.send(b"direct:" + data)
            done += 1
        return done

    writer.on_message(handle)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "bytes": b"loop:" + message["bytes"]})


@contextmanager
def server(protocol: Any, app: Any = echo_app) -> Iterator[int]:
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=protocol,
        ws_max_size=MAX_SIZE,
        ws_per_message_deflate=False,
        log_level="warning",
        lifespan="off",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    with server(PROTOCOLS["stock"]) as stock, server(PROTOCOLS["direct"]) as direct:
        yield {"stock": stock, "direct": direct}


def frame(
    opcode: int, payload: bytes, fin: bool = True, masked: bool = True, rsv: int = 0
) -> bytes:
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65_536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        assert chunk, "closed during the handshake"
        response += chunk
    assert response.startswith(b"HTTP/1.1 101"), response[:80]
    assert response.endswith(b"\r\n\r\n"), "the server sent a frame before being asked"
    return sock


def read_frames(sock: socket.socket, wanted: int, timeout: float = 5.0) -> list[tuple[int, bytes]]:
    """Server frames (unmasked) until `wanted` arrived, a close frame came or time ran out."""
    buf, out = b"", list[tuple[int, bytes]]()
    deadline = time.monotonic() + timeout
    while len(out) < wanted and time.monotonic() < deadline:
        while True:
            if len(buf) < 2:
                break
            opcode, n, pos = buf[0] & 0x0F, buf[1] & 0x7F, 2
            assert buf[0] & 0x80 and not buf[1] & 0x80, "server frames are final and unmasked"
            if n == 126:
                if len(buf) < 4:
                    break
                n, pos = struct.unpack("!H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, pos = struct.unpack("!Q", buf[2:10])[0], 10
            if len(buf) < pos + n:
                break
            out.append((opcode, buf[pos : pos + n]))
            buf = buf[pos + n :]
            if opcode == 0x8:
                return out
        if len(out) >= wanted:
            break
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(262_144)
        except TimeoutError:
            break
        if not chunk:
            break
        buf += chunk
    return out


def send_cut(sock: socket.socket, data: bytes, rng: random.Random) -> None:
    """Send `data` in pieces cut at random places (some a byte or two apart, inside a
    header), pausing so that they arrive as separate reads."""
    cuts: set[int] = set()
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(1, max(2, len(data)))
        cuts.update({at, at + rng.choice([1, 2, 3])})
    pos = 0
    for at in sorted(c for c in cuts if c < len(data)) + [len(data)]:
        try:
            sock.sendall(data[pos:at])
        except (BrokenPipeError, ConnectionResetError):
            return  # closed on what came before: the rest is not read anyway
        pos = at
        time.sleep(0.003)


def run(port: int, data: bytes, wanted: int, cut_seed: int | None) -> list[tuple[int, bytes]]:
    sock = connect(port)
    try:
        if cut_seed is None:
            sock.sendall(data)
        else:
            send_cut(sock, data, random.Random(cut_seed))
        return read_frames(sock, wanted)
    finally:
        sock.close()


def close_code(frames: list[tuple[int, bytes]]) -> int | None:
    for opcode, payload in frames:
        if opcode == 0x8:
            return int(struct.unpack("!H", payload[:2])[0]) if len(payload) >= 2 else 1005
    return None


def messages(seed: int) -> tuple[bytes, list[tuple[int, bytes]]]:
    """A random well-formed client stream and the echoes it must bring back."""
    rng = random.Random(seed)
    data, expected = b"", []
    for _ in range(rng.randint(1, 12)):
        kind = rng.choice(["bin", "bin", "bin", "text", "ping", "fragments"])
        size = rng.choice([0, 1, 5, 125, 126, 127, 400, 65_535, 65_536, 69_000])
        payload = os.urandom(size)
        if kind == "bin":
            data += frame(0x2, payload)
            expected.append((0x2, payload))
        elif kind == "text":
            text = payload.hex()[: size or 1].encode()
            data += frame(0x1, text)
            expected.append((0x1, text))
        elif kind == "ping":
            ping = payload[:125]
            data += frame(0x9, ping)
            expected.append((0xA, ping))
        else:
            cut = size // 2
            data += frame(0x2, payload[:cut], fin=False) + frame(0x0, payload[cut:])
            expected.append((0x2, payload))
    return data, expected


@pytest.mark.parametrize("seed", range(24))
def test_p365_direct_protocol_reads_and_writes_what_uvicorn_does(
    ports: dict[str, int], seed: int
) -> None:
    data, expected = messages(seed)
    cut = None if seed % 3 == 0 else seed  # every third stream goes in one piece
    got = {name: run(port, data, len(expected), cut) for name, port in ports.items()}
    for name in ("stock", "direct"):
        # pongs are written while reading, echoes by the app: each in order, not together
        for kind in (_pongs, _echoes):
            assert kind(got[name]) == kind(expected), name


def _pongs(frames: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    return [f for f in frames if f[0] == 0xA]


def _echoes(frames: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    return [f for f in frames if f[0] != 0xA]


def test_p365_small_binary_frames_take_the_fast_read(ports: dict[str, int]) -> None:
    before = DirectWebSocketProtocol.frames_read_here
    sock = connect(ports["direct"])
    try:
        for i in range(20):  # one frame per write, each echoed before the next (a keystroke)
            payload = os.urandom(i * 7)
            sock.sendall(frame(0x2, payload))
            assert read_frames(sock, 1) == [(0x2, payload)]
    finally:
        sock.close()
    assert DirectWebSocketProtocol.frames_read_here - before >= 15


def test_p368_messages_are_offered_to_the_handler_in_order_and_bounded_per_read() -> None:
    with server(DirectWebSocketProtocol, handler_app) as port:
        sock = connect(port)
        try:
            for payload in (b"H1", b"x2", b"H3"):  # one at a time: nothing queued before
                sock.sendall(frame(0x2, payload))
                kind = b"direct:" if payload.startswith(b"H") else b"loop:"
                assert read_frames(sock, 1) == [(0x2, kind + payload)]
            # a burst in one write: the first DIRECT_PER_READ go to the handler, the rest
            # to receive; one not taken queues everything behind it, so the order holds
            burst = [b"H%02d" % i for i in range(DIRECT_PER_READ + 6)]
            burst.insert(3, b"y")
            sock.sendall(b"".join(frame(0x2, p) for p in burst))
            got = [payload for _, payload in read_frames(sock, len(burst))]
            assert [g.split(b":", 1)[1] for g in got] == burst
            assert [g.split(b":", 1)[0] for g in got] == [b"direct"] * 3 + [b"loop"] * (
                len(burst) - 3
            )
            only = [b"H%02d" % i for i in range(DIRECT_PER_READ + 6)]
            sock.sendall(b"".join(frame(0x2, p) for p in only))
            got = [payload for _, payload in read_frames(sock, len(only))]
            assert got == [b"direct:" + p for p in only[:DIRECT_PER_READ]] + [
                b"loop:" + p for p in only[DIRECT_PER_READ:]
            ]
        finally:
            sock.close()


HOSTILE = {
    "unmasked binary": frame(0x2, b"abc", masked=False),
    "reserved bit": frame(0x2, b"abc", rsv=0x40),
    "reserved opcode": frame(0x3, b"abc"),
    "too big": frame(0x2, b"x" * (MAX_SIZE + 1)),
    "too big, header only": bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 40) + os.urandom(4),
    "continuation without start": frame(0x0, b"abc"),
    "binary inside a fragmented message": frame(0x2, b"ab", fin=False) + frame(0x2, b"cd"),
    "ping too long": frame(0x9, b"p" * 126),
    "bad utf-8 text": frame(0x1, b"\xff\xfe"),
    "good then bad": frame(0x2, b"ok") + frame(0x2, b"no", masked=False),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("cut_seed", [None, 7])
def test_p365_hostile_frames_close_as_uvicorn_closes(
    ports: dict[str, int], name: str, cut_seed: int | None
) -> None:
    data = HOSTILE[name]
    got = {kind: run(port, data, 5, cut_seed) for kind, port in ports.items()}
    for kind in ("stock", "direct"):
        assert close_code(got[kind]) is not None and got[kind][-1][0] == 0x8, (kind, got[kind])
    assert got["direct"][-1] == got["stock"][-1]  # the same close frame, code and reason
    # A good message read before the bad frame is echoed by the app, in its own task, and
    # the echo races the close that the protocol writes on the next read: with either
    # protocol it may come first or not at all. Whatever comes must be that echo.
    echoable = [(0x2, b"ok")] if name == "good then bad" else []
    for kind in ("stock", "direct"):
        echoes = got[kind][:-1]
        assert echoes == echoable[: len(echoes)], (kind, got[kind])


def test_p365_frames_are_built_like_websockets_builds_them() -> None:
    from websockets.frames import Frame, Opcode

    for size in (0, 1, 125, 126, 65_535, 65_536, 70_000):
        payload = os.urandom(size)
        assert binary_frame(payload) == Frame(Opcode.BINARY, payload).serialize(mask=False)


SINK_SEEN: list[tuple[str, bool]] = []


async def sink_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Records whether our protocol offers its transport for direct frames (P372) at
    each stage, and answers each message with the direct write when it is offered."""
    if scope["type"] != "websocket":
        return
    await receive()
    writer = scope["extensions"][EXTENSION]
    assert isinstance(writer, FrameWriter)
    sink = writer.sink
    SINK_SEEN.append(("before accept", sink.fast is not None))
    await send({"type": "websocket.accept"})
    SINK_SEEN.append(("accepted", sink.fast is sink.transport))
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            SINK_SEEN.append(("closed", sink.fast is not None))
            return
        SINK_SEEN.append(("message read", sink.fast is sink.transport))
        sink.pause_writing()  # as the transport does when its buffer is full
        SINK_SEEN.append(("paused", sink.fast is not None))
        sink.resume_writing()
        SINK_SEEN.append(("resumed", sink.fast is sink.transport))
        sink.fast.write(binary_frame(b"direct:" + message["bytes"]))
        offered: list[Any] = []
        sink.watch(offered.append)
        SINK_SEEN.append(("watched", offered == [sink.transport]))
        sink.watch(None)


def test_p372_the_transport_is_offered_only_while_frames_may_go_into_it() -> None:
    SINK_SEEN.clear()
    with server(DirectWebSocketProtocol, sink_app) as port:
        sock = connect(port)
        try:
            sock.sendall(frame(0x2, b"one"))
            assert read_frames(sock, 1) == [(0x2, b"direct:one")]
            sock.sendall(frame(0x8, struct.pack("!H", 1000)))  # the client closes
            assert read_frames(sock, 1)[0][0] == 0x8
        finally:
            sock.close()
        deadline = time.monotonic() + 5
        while len(SINK_SEEN) < 7 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert SINK_SEEN == [
        ("before accept", False),
        ("accepted", True),
        ("message read", True),
        ("paused", False),
        ("resumed", True),
        ("watched", True),
        ("closed", False),
    ]
