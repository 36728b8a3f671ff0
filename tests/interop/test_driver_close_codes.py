"""What the stock y-websocket 3.1 client does with close codes, seen through the driver.

A tiny scripted WebSocket server (``websockets``) on loopback plays the server's part, so the
driver's ``connect`` failure path and the client's reconnect rules are checked without cocanvas.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve

from .driver import NodeYjs, YClientCommandError

pytestmark = pytest.mark.interop

# [2, 0, varString("read-only board")]: y-protocols auth / permission denied
PERMISSION_DENIED = bytes([2, 0, 15]) + b"read-only board"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class ScriptedServer:
    url: str
    paths: list[str] = field(default_factory=list)
    changed: anyio.Event = field(default_factory=anyio.Event)

    def seen(self, path: str) -> int:
        return sum(1 for p in self.paths if p.split("?")[0] == path)


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    state = ScriptedServer(url="")

    async def handler(ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        state.paths.append(path)
        state.changed.set()
        state.changed = anyio.Event()
        room = path.split("?")[0]
        if room == "/deny":
            await ws.send(PERMISSION_DENIED)
            await ws.close(4403, "forbidden")
        elif room.startswith("/close-"):
            await ws.close(int(room.removeprefix("/close-")), f"scripted {room}")
        else:  # "/silent": accept and never answer
            await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        state.url = f"ws://127.0.0.1:{port}"
        yield state


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


async def wait_connections(server: ScriptedServer, path: str, count: int) -> None:
    with anyio.fail_after(10):
        while server.seen(path) < count:
            await server.changed.wait()


@pytest.mark.anyio
async def test_4401_before_sync_fails_connect_and_stops_reconnecting(
    scripted: ScriptedServer, node: NodeYjs
) -> None:
    since = node.mark()
    with pytest.raises(YClientCommandError) as err:
        await node.connect("a", url=scripted.url, room="close-4401", params={"k": "bad"})
    assert err.value.reply["code"] == 4401
    assert err.value.reply["reason"] == "scripted /close-4401"
    closed = await node.wait_for_event(lambda e: e["ev"] == "closed", since=since)
    assert closed == {"ev": "closed", "client": "a", "code": 4401, "reason": "scripted /close-4401"}
    events = await node.client_events("a")
    assert events["should_connect"] is False
    assert [(c["code"], c["local"]) for c in events["closes"]] == [(4401, False)]
    assert scripted.paths == ["/close-4401?k=bad"]


@pytest.mark.anyio
async def test_45xx_fails_connect_but_the_client_keeps_retrying(
    scripted: ScriptedServer, node: NodeYjs
) -> None:
    with pytest.raises(YClientCommandError) as err:
        await node.connect("a", url=scripted.url, room="close-4503")
    assert err.value.reply["code"] == 4503
    await wait_connections(scripted, "/close-4503", 3)
    assert (await node.client_events("a"))["should_connect"] is True
    await node.destroy("a")


@pytest.mark.anyio
async def test_permission_denied_message_is_reported(
    scripted: ScriptedServer, node: NodeYjs
) -> None:
    since = node.mark()
    reply = await node.request("connect", "a", url=scripted.url, room="deny", params={})
    assert reply["ok"] is False and reply["code"] == 4403
    denied = await node.wait_for_event(lambda e: e["ev"] == "permission-denied", since=since)
    assert denied["reason"] == "read-only board"


@pytest.mark.anyio
async def test_silent_server_times_out(scripted: ScriptedServer, node: NodeYjs) -> None:
    reply = await node.request("connect", "a", url=scripted.url, room="silent", timeout_ms=300)
    assert reply["ok"] is False and reply["timeout"] is True
    assert reply["status"] == "connected"
