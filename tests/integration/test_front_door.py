"""The shipped deploy/nginx.conf in front of two nodes, a real redis-server between them.

Same topology as deploy/compose.yaml, natively: nginx round-robin (no sticky sessions)
over two `cocanvas serve` processes sharing one SQLite store (PROTOCOL.md P350-P352).
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.integration.test_moderation import hello, pid
from tests.integration.test_relay_nodes import get, has_notes, owns, timer_log
from tests.support.live import LiveServer
from tests.support.nginx import Nginx
from tests.support.ops import control, ok
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def front(
    start_server: Callable[..., LiveServer], redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[Nginx, LiveServer, LiveServer]]:
    env = {
        "COCANVAS_RELAY_URL": redis_server.url,
        "COCANVAS_ROOM_GRACE_SECONDS": "2",
        "COCANVAS_TRUSTED_PROXIES": "127.0.0.1",
    }
    a = start_server(tmp_path / "data", **env)
    b = start_server(tmp_path / "data", **env)
    nginx = Nginx(tmp_path / "nginx").start([a.port, b.port])
    yield nginx, a, b
    nginx.stop()


@contextlib.asynccontextmanager
async def client(front: Nginx, board_id: str, token: str, **kw: Any) -> AsyncIterator[PyClient]:
    async with PyClient.connect(front.ws, board_id, token, **kw) as c:
        await c.synced.wait()
        yield c


def timer_is(c: PyClient, state: str) -> Callable[[], bool]:
    return lambda: control(c).get("timer", {}).get("state") == state


async def connections(node: LiveServer) -> float:
    text = (await get(f"{node.http}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("cocanvas_connections{")
    )


async def test_p350_clients_through_nginx_reach_both_nodes_and_converge(
    front: tuple[Nginx, LiveServer, LiveServer],
) -> None:
    nginx, a, b = front
    board = a.create_board()
    token = board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(client(nginx, board.id, token)) for _ in range(4)
        ]
        # round-robin, no stickiness: both nodes serve this one board
        assert await connections(a) == 2 and await connections(b) == 2
        pids = {id(c): pid() for c in clients}  # kept on each device, like the browser's
        for i, c in enumerate(clients):
            await ok(c, "hello", pid=pids[id(c)], name=f"P{i}")
            await c.add_note(f"n{i}", "A1", f"note {i}")
        expected = {f"n{i}" for i in range(4)}
        for c in clients:
            await c.wait_for(has_notes(c, expected), 10)
    # nginx writes a websocket's line when it closes
    await poll_until(lambda: _logged(nginx, 4))
    log = nginx.access_log()
    assert token not in log and "k=" not in log
    assert f"/ws/{board.id}" in log
    assert f"127.0.0.1:{a.port}" in log and f"127.0.0.1:{b.port}" in log


async def closed(clients: list[PyClient], count: int) -> None:
    """Until `count` of the clients have seen their connection close."""
    enough = anyio.Event()

    async def watch(c: PyClient) -> None:
        await c.closed.wait()
        if sum(c.closed.is_set() for c in clients) >= count:
            enough.set()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for c in clients:
                tg.start_soon(watch, c)
            await enough.wait()
            tg.cancel_scope.cancel()


async def _owned(a: LiveServer, b: LiveServer) -> bool:
    return await owns(a, 1) or await owns(b, 1)


async def _logged(nginx: Nginx, count: int) -> bool:
    return nginx.access_log().count("/ws/") >= count


async def test_p351_kill_9_of_a_node_its_clients_fail_over_through_nginx(
    front: tuple[Nginx, LiveServer, LiveServer],
) -> None:
    nginx, a, b = front
    board = a.create_board()
    token = board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(client(nginx, board.id, token)) for _ in range(4)
        ]
        pids = {id(c): pid() for c in clients}  # kept on each device, like the browser's
        for i, c in enumerate(clients):
            await ok(c, "hello", pid=pids[id(c)], name=f"P{i}")
            await c.add_note(f"n{i}", "A1", f"note {i}")
        before = {f"n{i}" for i in range(4)}
        for c in clients:
            await c.wait_for(has_notes(c, before), 10)
        on_a = int(await connections(a))
        assert on_a == 2
        killed = time.monotonic()
        a.kill()
        await closed(clients, on_a)
        # each dropped replica reconnects through nginx with what it had received
        live = [c for c in clients if not c.closed.is_set()]
        for i, c in enumerate(clients):
            if c.closed.is_set():
                again = await stack.enter_async_context(client(nginx, board.id, token, doc=c.doc))
                # the same person: their client id is theirs on b too (P117)
                await ok(again, "hello", pid=pids[id(c)], name=f"P{i}")
                live.append(again)
        for i, c in enumerate(live):
            await c.add_note(f"after{i}", "A2", "after the crash")
        after = before | {f"after{i}" for i in range(len(live))}
        for c in live:
            await c.wait_for(has_notes(c, after), 10)
        failover = time.monotonic() - killed
        print(f"failover (kill -9 to all clients synced again): {failover:.2f} s")
        assert await connections(b) == 4
        assert failover < 10


async def test_p352_sigterm_hands_the_board_over_and_the_timer_ends_once(
    front: tuple[Nginx, LiveServer, LiveServer],
) -> None:
    nginx, a, b = front
    board = a.create_board()
    mod = board.tokens["moderator"]
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(client(nginx, board.id, mod)) for _ in range(2)]
        await poll_until(lambda: _owned(a, b))
        owner, other = (a, b) if await owns(a, 1) else (b, a)
        assert await owns(other, 0)
        m = clients[0]
        await hello(m, name="Moderation")
        await ok(m, "timer.start", target="A1", seconds=4, lock_on_end=True)
        for c in clients:
            await c.wait_for(timer_is(c, "running"))
        stopped = time.monotonic()
        assert owner.proc is not None
        owner.proc.send_signal(signal.SIGTERM)
        # the leases were given up at shutdown: the other node owns the board well
        # before a lease (5 s) could have expired
        await poll_until(lambda: owns(other, 1), seconds=4)
        handover = time.monotonic() - stopped
        print(f"handover (SIGTERM to new owner): {handover:.2f} s")
        live = []
        for c in clients:
            if c.closed.is_set():
                assert c.close_info is not None and c.close_info.code == 4501
                c = await stack.enter_async_context(client(nginx, board.id, mod, doc=c.doc))
            live.append(c)
        for c in live:
            await c.wait_for(timer_is(c, "done"), 15)
        await anyio.sleep(2)  # room for a second end to show up, were there one
        assert all(len(timer_log(c)) == 1 for c in live)
