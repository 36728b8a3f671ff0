"""The join code on a real server: only moderators and the projector link see it, it is
rotated by hand or on a schedule, and an old code then fails (PROTOCOL.md P142-P143)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from server.sync.errors import CloseCode
from tests.support.live import LiveServer
from tests.support.ops import ok, refused
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def pid() -> str:
    return secrets.token_urlsafe(24)


def events(c: PyClient, name: str) -> list[dict[str, Any]]:
    return [m for m in c.app_messages if m.get("ev") == name]


async def close_code(server: LiveServer, board_id: str, token: str) -> int | None:
    """How the server ends a connection with this token (None: it was let in)."""
    async with PyClient.connect(server.ws, board_id, token) as c:
        await c.wait_for(lambda: c.close_info is not None or c.synced.is_set())
        return None if c.close_info is None else c.close_info.code


def last_code(c: PyClient) -> str | None:
    """The join code of the latest `join.code` event (None also when there is none)."""
    found = events(c, "join.code")
    return found[-1]["join_code"] if found else None


def bare(code: str) -> str:
    return code.replace("-", "")


async def test_p142_viewer_link_never_gets_the_join_code(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as v,
    ):
        await m.synced.wait()
        await v.synced.wait()
        shown = (await ok(m, "hello", pid=pid()))["join_code"]
        assert "join_code" not in await ok(v, "hello")
        assert "join_code" not in await ok(v, "hello", pid=pid())
        await ok(m, "link.rotate", role="participant")
        await ok(m, "join.rotate")
        await ok(m, "board.settings", show_join_code=True)
        await ok(v, "clock")  # every event sent before this reply has arrived
        assert events(v, "join.code") == []
        assert not any(bare(shown).encode() in frame for frame in v.frames)
        await refused(v, "join.rotate", "forbidden")


async def test_p142_projector_link_shows_the_code_and_is_read_only(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    assert set(board.links) == {"moderator", "participant", "viewer", "projector"}
    assert board.links["projector"].endswith("#k=" + board.tokens["projector"])
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as pr,
    ):
        await m.synced.wait()
        await pr.synced.wait()
        mod = await ok(m, "hello", pid=pid())
        shown = await ok(pr, "hello", pid=pid())
        assert shown["role"] == "projector"
        assert shown["join_code"] == mod["join_code"] and len(shown["join_code"]) == 9
        await pr.add_note("n1", "A1", "vom Beamer")
        await pr.wait_for(lambda: bool(pr.denied))
        await ok(m, "clock")
        assert "n1" not in m.notes
        await refused(pr, "vote.cast", "forbidden", note="n1")
        await refused(pr, "private.put", "forbidden", note="p1", field="A1", text="x")
        await ok(m, "board.settings", show_join_code=False)
        await pr.wait_for(lambda: last_code(pr) is None and bool(events(pr, "join.code")))
        assert "join_code" not in await ok(pr, "hello")
        assert (await ok(m, "hello"))["join_code"] == mod["join_code"]  # moderators always
        await ok(m, "board.settings", show_join_code=True)
        await pr.wait_for(lambda: last_code(pr) == mod["join_code"])
    # the projector token reads the board over REST like a viewer, and deletes nothing
    async with httpx.AsyncClient(base_url=shared_server.http) as http:
        auth = {"authorization": f"Bearer {board.tokens['projector']}"}
        r = await http.get(f"/api/boards/{board.id}", headers=auth)
        assert r.status_code == 200 and r.json()["role"] == "projector"
        r = await http.delete(f"/api/boards/{board.id}", headers=auth)
        assert r.status_code == 403


async def test_p142_projector_link_is_rotated_like_the_others(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as pr,
    ):
        await m.synced.wait()
        await pr.synced.wait()
        rotated = await ok(m, "link.rotate", role="projector")
        await pr.closed.wait()
        assert pr.close_info is not None and pr.close_info.code == CloseCode.FORBIDDEN
    assert await close_code(shared_server, board.id, board.tokens["projector"]) == 4401
    async with PyClient.connect(shared_server.ws, board.id, rotated["token"]) as pr2:
        await pr2.synced.wait()
        assert "join_code" in await ok(pr2, "hello")


async def test_p143_moderator_replaces_the_join_code_and_the_old_one_fails(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as pr,
    ):
        await m.synced.wait()
        await pr.synced.wait()
        old = (await ok(m, "hello", pid=pid()))["join_code"]
        await ok(pr, "hello")
        async with PyClient.connect(shared_server.ws, board.id, bare(old)) as joined:
            await joined.synced.wait()
            new = (await ok(m, "join.rotate"))["join_code"]
            assert new != old and len(new) == 9
            await pr.wait_for(lambda: last_code(pr) == new)
            assert last_code(m) == new
            # who joined with the old code stays; the old code lets nobody new in
            assert (await ok(joined, "hello", pid=pid()))["role"] == "participant"
            assert await close_code(shared_server, board.id, bare(old)) == 4401
            assert await close_code(shared_server, board.id, bare(new)) is None
        log = m.view()["control"]["log"]
        assert log[-1]["op"] == "join.rotate" and bare(new) not in str(log)
    async with httpx.AsyncClient(base_url=shared_server.http) as http:
        r = await http.get(f"/api/boards/{board.id}", headers={"authorization": f"Bearer {old}"})
        assert r.status_code == 401


async def test_p143_join_codes_expire_on_schedule(
    start_server: Callable[..., LiveServer],
) -> None:
    # 0.001 hours = 3.6 s; an empty board unloads at once
    server = start_server(COCANVAS_JOIN_CODE_HOURS="0.001", COCANVAS_ROOM_GRACE_SECONDS="0")
    idle, busy = server.create_board(), server.create_board()
    async with PyClient.connect(server.ws, idle.id, idle.tokens["moderator"]) as m:
        await m.synced.wait()
        idle_code = (await ok(m, "hello"))["join_code"]
    async with PyClient.connect(server.ws, busy.id, busy.tokens["moderator"]) as m:
        await m.synced.wait()
        first = await ok(m, "hello")
        assert first["join_code_expires_at"] > first["server_ms"]
        # a loaded board replaces its code when it expires and says so at once
        await m.wait_for(lambda: bool(events(m, "join.code")), within=15)
        renewed = events(m, "join.code")[-1]
        assert renewed["join_code"] != first["join_code"]
        assert renewed["join_code_expires_at"] > first["join_code_expires_at"]
        assert await close_code(server, busy.id, bare(first["join_code"])) == 4401
        assert await close_code(server, busy.id, bare(renewed["join_code"])) is None
        assert m.view()["control"]["log"][-1]["op"] == "join.rotate"
    # a board nobody had open: its expired code fails; the moderator gets a new one
    assert await close_code(server, idle.id, bare(idle_code)) == 4401
    async with PyClient.connect(server.ws, idle.id, idle.tokens["moderator"]) as m:
        await m.synced.wait()
        fresh = (await ok(m, "hello"))["join_code"]
        assert fresh != idle_code
    assert await close_code(server, idle.id, bare(fresh)) is None


async def test_p143_a_code_made_without_a_lifetime_gets_one_when_its_board_loads(
    start_server: Callable[..., LiveServer],
) -> None:
    forever = start_server(COCANVAS_JOIN_CODE_HOURS="0")
    board = forever.create_board()
    async with PyClient.connect(forever.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        before = await ok(m, "hello")
        assert before["join_code_expires_at"] is None
    forever.stop()
    daily = start_server(forever.data_dir, COCANVAS_JOIN_CODE_HOURS="24")
    async with PyClient.connect(daily.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        after = await ok(m, "hello")
    # the same code, now with a day to live
    assert after["join_code"] == before["join_code"]
    lifetime = after["join_code_expires_at"] - after["server_ms"]
    assert 23.9 * 3600_000 < lifetime <= 24 * 3600_000
