"""kill -9 of one node behind the shipped nginx, on PostgreSQL, while 30 stock clients write.

Three `cocanvas serve` nodes share one PostgreSQL database and a real redis-server; nginx
(deploy/nginx.conf) spreads the stock y-websocket clients over them round-robin. The owner
of the board dies mid-session with a timer running and a vote open (PROTOCOL.md P330, P351).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from pycrdt import Map

from server.store.postgres import PostgresStore
from server.sync.document import NOTES, load_doc
from tests.integration.test_moderation import hello
from tests.integration.test_relay_nodes import owns
from tests.interop.driver import NodeYjs
from tests.support.live import LiveServer
from tests.support.nginx import Nginx
from tests.support.ops import control, ok
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.interop, pytest.mark.anyio]

CLIENTS = 30
ROUNDS = 12  # notes each stock client writes; the kill comes after KILL_AT rounds
KILL_AT = 4
PACE = 0.25  # seconds between rounds: about 120 updates a second over the 30 clients


@pytest.fixture
def cluster(
    start_server: Callable[..., LiveServer],
    redis_server: RedisServer,
    pg_url: str,
    tmp_path: Path,
) -> Iterator[tuple[Nginx, list[LiveServer], str]]:
    env = {
        "COCANVAS_STORE_URL": pg_url,
        "COCANVAS_RELAY_URL": redis_server.url,
        "COCANVAS_ROOM_GRACE_SECONDS": "2",
        "COCANVAS_TRUSTED_PROXIES": "127.0.0.1",
    }
    nodes = [start_server(tmp_path / "data", **env) for _ in range(3)]
    nginx = Nginx(tmp_path / "nginx").start([n.port for n in nodes])
    yield nginx, nodes, pg_url
    nginx.stop()


@contextlib.asynccontextmanager
async def client(url: str, board_id: str, token: str, **kw: Any) -> AsyncIterator[PyClient]:
    async with PyClient.connect(url, board_id, token, **kw) as c:
        await c.synced.wait()
        yield c


def has_notes(c: PyClient, expected: set[str]) -> Callable[[], bool]:
    return lambda: expected <= set(c.notes.keys())


def voting_is(c: PyClient, state: str) -> Callable[[], bool]:
    return lambda: control(c).get("voting", {}).get("state") == state


def timer_is(c: PyClient, state: str) -> Callable[[], bool]:
    return lambda: control(c).get("timer", {}).get("state") == state


def timer_ends(control_map: dict[str, Any]) -> int:
    return sum(1 for e in control_map.get("log", []) if e.get("op") == "timer.done")


async def stored_notes(pg_url: str, board_id: str) -> set[str]:
    async with PostgresStore(pg_url) as store:
        loaded = await store.load(board_id)
    doc = load_doc(loaded.state, loaded.updates)
    return set(doc.get(NOTES, type=Map).keys())


async def test_p330_kill_9_behind_nginx_30_stock_clients_lose_nothing(
    cluster: tuple[Nginx, list[LiveServer], str],
) -> None:
    nginx, nodes, pg_url = cluster
    a, b, _ = nodes
    board = a.create_board()
    mod, part = board.tokens["moderator"], board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        # node a loads the board first and owns it: the kill takes the owner away
        m = await stack.enter_async_context(client(a.ws, board.id, mod))
        await poll_until(lambda: owns(a, 1))
        await hello(m, name="Moderation")
        voters = [
            await stack.enter_async_context(client(node.ws, board.id, part)) for node in (a, b)
        ]
        for i, v in enumerate(voters):
            await hello(v, name=f"Voter {i}", group="youth")
        await m.add_note("v1", "B2", "vote on me")
        await m.add_note("v2", "B2", "or on me")
        for v in voters:
            await v.wait_for(has_notes(v, {"v1", "v2"}), 10)
        await ok(m, "vote.open", fields=["B2"], per_person=2, max_per_note=2)
        for v, note in zip(voters, ("v1", "v2"), strict=True):
            await v.wait_for(voting_is(v, "open"))
            await ok(v, "vote.cast", note=note)  # one ballot on each node

        node = await stack.enter_async_context(NodeYjs.start())
        names = [f"s{i}" for i in range(CLIENTS)]
        for name in names:
            await node.connect(
                name, url=nginx.ws, room=board.id, params={"k": part}, max_backoff_ms=500
            )
        written: set[str] = {"v1", "v2"}
        seen: dict[str, set[str]] = {}
        killed_at = 0.0
        for r in range(ROUNDS):
            if r == KILL_AT:
                # what every client had received just before the crash
                for name in names:
                    seen[name] = set((await node.notes(name)).keys())
                # started only now: connecting 30 clients may take long on a busy machine
                await ok(m, "timer.start", target="A1", seconds=4)
                await voters[1].wait_for(timer_is(voters[1], "running"), 10)  # on node b
                killed_at = time.monotonic()
                a.kill()
            for i, name in enumerate(names):
                note = f"{name}-r{r}"
                await node.add_note(name, note, field=f"A{1 + i % 3}", text=f"round {r}")
                written.add(note)
            await anyio.sleep(PACE)

        async def all_have_everything() -> bool:
            for name in names:
                if set((await node.notes(name)).keys()) != written:
                    return False
            return True

        await node.wait_for(all_have_everything, timeout=30, what="30 clients converged")
        synced = time.monotonic() - killed_at
        union = set().union(*seen.values())
        assert len(union) >= 2 + KILL_AT * CLIENTS - CLIENTS  # they had been syncing
        dumps = [(await node.dump(name))["doc"] for name in names]
        assert all(d["notes"] == dumps[0]["notes"] for d in dumps)
        assert union <= set(dumps[0]["notes"])
        # a's clients (a third, round-robin) came back through nginx to the other nodes
        dropped = 0
        for name in names:
            closes = (await node.client_events(name))["closes"]
            assert all(c["code"] is None or c["code"] < 4400 for c in closes)
            dropped += any(not c["local"] for c in closes)
        assert dropped >= CLIENTS // 3 - 2
        assert await stored_notes(pg_url, board.id) == written
        print(f"failover, 30 stock clients (kill -9 to all synced): {synced:.2f} s")

        # the timer ends once, on the node that took the board over
        m2 = await stack.enter_async_context(client(nginx.ws, board.id, mod, doc=m.doc))
        await m2.wait_for(timer_is(m2, "done"), 20)

        async def everyone_saw_the_end() -> bool:
            for name in names:
                if timer_ends((await node.dump(name))["doc"]["control"]) != 1:
                    return False
            return True

        await node.wait_for(everyone_saw_the_end, timeout=10, what="timer ended everywhere")
        await anyio.sleep(2)  # room for a second end to show up, were there one
        assert timer_ends(control(m2)) == 1
        assert await everyone_saw_the_end()
        # the ballot cast on the dead node counts in the tally
        closed = await ok(m2, "vote.close")
        assert closed["results"]["v1"]["total"] == 1
        assert closed["results"]["v2"]["total"] == 1
