"""Two cocanvas nodes, one board, a real redis-server between them (PROTOCOL.md P320-P329).

The nodes share one store (P320: the store numbers the rows): one SQLite file on this
machine, or one PostgreSQL database. Clients of one board are split across them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.integration.test_counters import counted
from tests.integration.test_moderation import hello, pid
from tests.support.live import Board, LiveServer
from tests.support.ops import control, ok, refused
from tests.support.poll import poll_until
from tests.support.pyclient import PyClient
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", "postgres"])
def nodes(
    request: pytest.FixtureRequest,
    start_server: Callable[..., LiveServer],
    redis_server: RedisServer,
    tmp_path: Path,
) -> tuple[LiveServer, LiveServer]:
    data = tmp_path / "data"
    env = {"COCANVAS_RELAY_URL": redis_server.url, "COCANVAS_ROOM_GRACE_SECONDS": "2"}
    if request.param == "postgres":
        env["COCANVAS_STORE_URL"] = request.getfixturevalue("pg_url")
    a = start_server(data, **env)
    b = start_server(data, **env)
    return a, b


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.get(url)


async def ready(node: LiveServer) -> bool:
    return (await get(f"{node.http}/readyz")).status_code == 200


async def owns(node: LiveServer, count: int) -> bool:
    return f"cocanvas_boards_owned {count}.0" in (await get(f"{node.http}/metrics")).text


def note_ids(c: PyClient) -> set[str]:
    return set(c.notes.keys())


def has_notes(c: PyClient, expected: set[str]) -> Callable[[], bool]:
    return lambda: note_ids(c) == expected


def timer_log(c: PyClient) -> list[dict[str, Any]]:
    return [e for e in control(c).get("log", []) if e["op"] == "timer.done"]


@contextlib.asynccontextmanager
async def client(node: LiveServer, board_id: str, token: str, **kw: Any) -> AsyncIterator[PyClient]:
    async with PyClient.connect(node.ws, board_id, token, **kw) as c:
        await c.synced.wait()
        yield c


async def test_p324_clients_on_two_nodes_converge_updates_and_presence(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    token = board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(client(node, board.id, token)) for node in (a, b, a, b)
        ]
        for i, c in enumerate(clients):
            await hello(c, name=f"P{i}")
            await c.add_note(f"n{i}", "A1", f"from client {i}")
        expected = {f"n{i}" for i in range(4)}
        for c in clients:
            await c.wait_for(has_notes(c, expected), 10)
        await clients[1].insert_text("n0", 0, "edited on b: ")
        await clients[2].wait_for(lambda: "edited on b" in str(clients[2].notes["n0"]["text"]))

        await clients[0].set_awareness(4242, 1, {"user": {"name": "on a"}})
        await clients[3].wait_for(lambda: 4242 in clients[3].awareness, 10)
        # a late joiner on the other node sees presence from the first node at once
        late = await stack.enter_async_context(client(b, board.id, token))
        await late.wait_for(lambda: 4242 in late.awareness, 10)
        assert note_ids(late) == expected


async def test_p323_redis_restarted_mid_session_loses_no_update(
    nodes: tuple[LiveServer, LiveServer], redis_server: RedisServer
) -> None:
    a, b = nodes
    board = a.create_board()
    token = board.tokens["participant"]
    async with client(a, board.id, token) as on_a, client(b, board.id, token) as on_b:
        await hello(on_a, name="A")
        await hello(on_b, name="B")
        await on_a.add_note("before", "A1", "before")
        await on_b.wait_for(lambda: "before" in note_ids(on_b), 10)
        redis_server.stop()
        # committed while the relay is away: the other node must catch up from the store
        await on_a.add_note("during-a", "A1", "while redis was down")
        await on_b.add_note("during-b", "A2", "while redis was down")
        await anyio.sleep(0.5)  # let both commits land while Redis is still away
        redis_server.start()
        both = {"before", "during-a", "during-b"}
        await on_a.wait_for(lambda: note_ids(on_a) == both, 20)
        await on_b.wait_for(lambda: note_ids(on_b) == both, 20)
        await on_a.add_note("after", "A1", "after")
        await on_b.wait_for(lambda: "after" in note_ids(on_b), 10)
        await poll_until(lambda: ready(b))


async def test_p328_readyz_says_when_the_relay_is_unreachable(
    nodes: tuple[LiveServer, LiveServer], redis_server: RedisServer
) -> None:
    a, _ = nodes
    assert await ready(a)
    redis_server.stop()
    r = await get(f"{a.http}/readyz")
    assert r.status_code == 503 and r.json()["status"] == "relay-unreachable"
    redis_server.start()
    await poll_until(lambda: ready(a))
    metrics = (await get(f"{a.http}/metrics")).text
    assert "cocanvas_boards_owned" in metrics and "cocanvas_relay_lag_seconds" in metrics


async def test_p327_kill_9_of_a_node_clients_move_and_the_timer_ends_once(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    mod, part = board.tokens["moderator"], board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        async with client(a, board.id, mod):
            # node a loaded the board first: it owns it (and keeps it for the grace period)
            await poll_until(lambda: owns(a, 1))
        on_b = await stack.enter_async_context(client(b, board.id, part))
        await hello(on_b, name="B")
        async with client(a, board.id, mod) as m:
            mod_pid = pid()  # kept on the device, like the browser's
            await ok(m, "hello", pid=mod_pid, name="Moderation")
            assert await owns(b, 0)
            await ok(m, "timer.start", target="A1", seconds=4, lock_on_end=True)
            await m.add_note("from-a", "A2", "written before the crash")
            await on_b.wait_for(lambda: "from-a" in note_ids(on_b), 10)
            await on_b.wait_for(lambda: control(on_b).get("timer", {}).get("state") == "running")
            a.kill()
            await m.closed.wait()
            doc = m.doc
        # the moderator's replica reconnects to the surviving node and converges
        m2 = await stack.enter_async_context(client(b, board.id, mod, doc=doc))
        # the same person again: their client id is theirs on b too (P117)
        await ok(m2, "hello", pid=mod_pid, name="Moderation")
        await m2.add_note("after-crash", "A2", "written on b")
        await on_b.wait_for(lambda: "after-crash" in note_ids(on_b), 10)
        assert "from-a" in note_ids(m2)
        # b takes the lease once a's expires, and ends the timer: once
        await on_b.wait_for(lambda: control(on_b).get("timer", {}).get("state") == "done", 20)
        await m2.wait_for(lambda: control(m2).get("timer", {}).get("state") == "done", 10)
        await anyio.sleep(2)  # room for a second end to show up, were there one
        assert len(timer_log(on_b)) == 1 and len(timer_log(m2)) == 1
        assert "A1" in control(on_b).get("locks", {})


async def test_p327_a_timer_started_on_another_node_ends_once_on_the_owner(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    async with client(b, board.id, board.tokens["participant"]) as on_b:
        await poll_until(lambda: owns(b, 1))
        async with client(a, board.id, board.tokens["moderator"]) as m:
            await hello(m, name="Moderation")
            assert await owns(a, 0)
            # a writes the timer; b, the owner, must wake up for it and end it
            await ok(m, "timer.start", target="A1", seconds=2)
            await on_b.wait_for(lambda: control(on_b).get("timer", {}).get("state") == "done", 10)
            await m.wait_for(lambda: control(m).get("timer", {}).get("state") == "done", 10)
            await anyio.sleep(2)  # room for a second end to show up, were there one
            assert len(timer_log(on_b)) == 1 and len(timer_log(m)) == 1


async def test_p329_private_notes_and_ballots_from_one_node_count_on_the_other(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    async with contextlib.AsyncExitStack() as stack:
        m = await stack.enter_async_context(client(b, board.id, board.tokens["moderator"]))
        p = await stack.enter_async_context(client(a, board.id, board.tokens["participant"]))
        await hello(m, name="Mod")
        await hello(p, name="Pia", group="youth")
        await ok(m, "private.set", field="B1", on=True)
        await p.wait_for(lambda: "B1" in control(p).get("private", {}), 10)
        await ok(p, "private.put", note="pn1", field="B1", text="written on a")
        # the moderator's node never saw the private note: it reads the store first
        revealed = await ok(m, "private.reveal", field="B1")
        assert revealed["revealed"] == 1
        await p.wait_for(lambda: "pn1" in note_ids(p), 10)

        await m.add_note("v1", "B2", "vote on me")
        await p.wait_for(lambda: "v1" in note_ids(p), 10)
        await ok(m, "vote.open", fields=["B2"], per_person=2, max_per_note=1)
        await p.wait_for(lambda: control(p).get("voting", {}).get("state") == "open", 10)
        await ok(p, "vote.cast", note="v1")
        closed = await ok(m, "vote.close")
        assert closed["results"]["v1"]["total"] == 1


def late_listed(c: PyClient) -> set[str]:
    listings = [m for m in c.app_messages if m.get("ev") == "late.notes"]
    return {n["id"] for n in listings[-1]["notes"]} if listings else set()


async def test_p331_a_late_note_handed_in_on_one_node_is_handled_once_on_another(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    mod = board.tokens["moderator"]
    async with contextlib.AsyncExitStack() as stack:
        m_b = await stack.enter_async_context(client(b, board.id, mod))
        m_a = await stack.enter_async_context(client(a, board.id, mod))
        p = await stack.enter_async_context(client(a, board.id, board.tokens["participant"]))
        await hello(m_b, name="Mod B")
        await hello(m_a, name="Mod A")
        await hello(p, name="Pia", group="youth")
        kept = (await ok(p, "late.put", field="A1", text="kept"))["id"]
        dropped = (await ok(p, "late.put", field="A2", text="dropped"))["id"]
        # node b hears that they changed and tells its moderator at once
        await m_b.wait_for(lambda: late_listed(m_b) == {kept, dropped}, 10)
        # and reads them from the store at hello and before each late op
        reply = await ok(m_b, "hello", name="Mod B")
        assert {n["id"] for n in reply["late_notes"]} == {kept, dropped}
        await ok(m_b, "late.accept", note=kept)
        await ok(m_b, "late.dismiss", note=dropped)
        await p.wait_for(lambda: kept in note_ids(p), 10)
        # node a still had both in memory: handled on b means handled
        await refused(m_a, "late.accept", "not_found", note=kept)
        await refused(m_a, "late.dismiss", "not_found", note=dropped)
        reply = await ok(m_a, "hello", name="Mod A")
        assert reply["late_notes"] == []


async def last_leave_snapshots(node: LiveServer, board: Board) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.get(
            f"{node.http}/api/boards/{board.id}/snapshots",
            headers={"authorization": f"Bearer {board.tokens['moderator']}"},
        )
    r.raise_for_status()
    return [s for s in r.json()["snapshots"] if s["kind"] == "last-leave"]


@pytest.mark.parametrize("handed_over", [False, True], ids=["owner-stays", "handed-over"])
async def test_p332_last_leave_snapshot_is_taken_once_by_the_owner(
    nodes: tuple[LiveServer, LiveServer], handed_over: bool
) -> None:
    a, b = nodes
    board = a.create_board()
    token = board.tokens["participant"]
    if handed_over:
        async with client(a, board.id, token):
            await poll_until(lambda: owns(a, 1))  # a owns it through its grace period
    async with client(b, board.id, token) as on_b:
        async with client(a, board.id, token) as on_a:
            await on_a.add_note("from-a", "A1", "written on a")
            await on_b.wait_for(lambda: "from-a" in note_ids(on_b), 10)
        # a's last client left, but the board is not empty: nothing yet
        await on_b.add_note("from-b", "A2", "written on b")
        if handed_over:
            await poll_until(lambda: owns(b, 1), seconds=20)  # a unloaded its empty board
        else:
            await poll_until(lambda: owns(b, 1), seconds=20)
            await anyio.sleep(1.5)  # a few lease ticks: room for a wrong snapshot
        assert await last_leave_snapshots(a, board) == []
    await poll_until(lambda: has_last_leave(a, board), seconds=20)
    # both nodes unload (grace 2 s); neither takes a second one
    await poll_until(lambda: owns(a, 0), seconds=20)
    await poll_until(lambda: owns(b, 0), seconds=20)
    await anyio.sleep(1.5)
    (snap,) = await last_leave_snapshots(a, board)
    assert snap["notes"] == 2


async def has_last_leave(node: LiveServer, board: Board) -> bool:
    return bool(await last_leave_snapshots(node, board))


def counts_of(c: PyClient, **want: Any) -> Callable[[], bool]:
    return lambda: counted(c, **want)


async def test_p293_moderators_on_either_node_count_the_participants_of_both(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    board = a.create_board()
    mod, part = board.tokens["moderator"], board.tokens["participant"]
    async with contextlib.AsyncExitStack() as stack:
        m_a = await stack.enter_async_context(client(a, board.id, mod))
        m_b = await stack.enter_async_context(client(b, board.id, mod))
        p_a = await stack.enter_async_context(client(a, board.id, part))
        await hello(m_a, name="Mod A")
        await hello(m_b, name="Mod B")
        ada = await hello(p_a, name="Ada", group="youth")
        async with contextlib.AsyncExitStack() as on_b:
            p_b = await on_b.enter_async_context(client(b, board.id, part))
            await hello(p_b, name="Ben", group="civil-society")
            for m in (m_a, m_b):
                await m.wait_for(counts_of(m, present=2, written={}), 10)

            # a shared note written on a, a private note held on b: both count everywhere
            await p_a.add_note("n1", "A1", "geteilt", author_id=ada)
            await ok(m_a, "private.set", field="B1", on=True)
            await p_b.wait_for(lambda: "B1" in control(p_b).get("private", {}), 10)
            await ok(p_b, "private.put", note="pb1", field="B1", text="nur auf b")
            for m in (m_a, m_b):
                await m.wait_for(counts_of(m, written={"A1": 1, "B1": 1}), 10)

            # a ballot cast on b counts on a
            await ok(m_a, "vote.open", fields=["A1"], per_person=1)
            await p_b.wait_for(lambda: control(p_b).get("voting", {}).get("state") == "open", 10)
            await ok(p_b, "vote.cast", note="n1")
            for m in (m_a, m_b):
                await m.wait_for(counts_of(m, voted=1, voted_fields={"A1": 1}), 10)
            sent = [msg for msg in m_a.app_messages if msg.get("ev") == "counts"]
            assert "nur auf b" not in repr(sent) and ada not in repr(sent)
        # Ben left node b: node a's moderator stops counting him
        await m_a.wait_for(lambda: counted(m_a, present=1, voted=0), 10)
