"""Real server process, real websockets: convergence, roles, close codes (PROTOCOL.md)."""

from __future__ import annotations

import functools

import anyio
import pytest

from server.sync import codec
from server.sync.errors import CloseCode
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def test_p6_server_sends_sync_step1_first_and_answers_step1(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as c:
        await c.synced.wait()
        first = codec.decode_frame(c.frames[0])
        assert isinstance(first, codec.SyncStep1)
        assert c.view()["meta"]["title"] == "Test board"
        assert c.view()["meta"]["canvas"] == "ko-kreation"


async def test_several_clients_edit_one_board_and_converge(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, token) as a,
        PyClient.connect(shared_server.ws, board.id, token) as b,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        for c in (a, b, m):
            await c.synced.wait()
        await a.add_note("n-a", "A1", "Gemeinwohl zuerst")
        await b.add_note("n-b", "B2", "Mission: Grüne Höfe")
        await m.add_note("n-m", "C3", "Einladung verschicken", kind="action", owner="Amt 61")
        await a.wait_for(lambda: len(a.notes) == 3)
        await b.wait_for(lambda: len(b.notes) == 3)
        await m.wait_for(lambda: len(m.notes) == 3)
        # concurrent typing into the same note merges
        await a.insert_text("n-b", 0, "Ä ")
        await b.insert_text("n-b", len("Mission: Grüne Höfe"), " 🌳")
        want = "Ä Mission: Grüne Höfe 🌳"
        for c in (a, b, m):
            await c.wait_for(functools.partial(lambda c: str(c.notes["n-b"]["text"]) == want, c))
        assert a.view() == b.view() == m.view()


async def test_p10_viewer_updates_never_reach_others(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as v,
    ):
        await p.synced.wait()
        await v.synced.wait()
        await v.add_note("from-viewer", "A1", "should not spread")
        await v.wait_for(lambda: v.denied)
        assert "read-only" in v.denied[0]
        await p.add_note("from-participant", "A1", "fine")
        await v.wait_for(lambda: "from-participant" in v.notes)
        await p.wait_for(lambda: "from-participant" in p.notes)
        assert "from-viewer" not in p.notes
    # a fresh client sees only the participant's note
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as late:
        await late.synced.wait()
        assert set(late.notes.keys()) == {"from-participant"}


@pytest.mark.parametrize(
    ("token", "code"),
    [("wrong-token-wrong-token-wrong", CloseCode.UNAUTHORIZED), ("", CloseCode.UNAUTHORIZED)],
)
async def test_p3_bad_token_closes_4401(
    shared_server: LiveServer, token: str, code: CloseCode
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, token) as c:
        await c.closed.wait()
        assert c.close_info is not None
        assert c.close_info.code == code
        assert not c.synced.is_set()


async def test_p3_unknown_board_closes_4404(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, "nosuchboard", board.tokens["moderator"]) as c:
        await c.closed.wait()
        assert c.close_info is not None and c.close_info.code == CloseCode.BOARD_NOT_FOUND


async def test_p1_foreign_origin_closes_4403(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with PyClient.connect(
        shared_server.ws, board.id, token, Origin="https://evil.example"
    ) as c:
        await c.closed.wait()
        assert c.close_info is not None and c.close_info.code == CloseCode.FORBIDDEN
    same = f"http://127.0.0.1:{shared_server.port}"
    async with PyClient.connect(shared_server.ws, board.id, token, Origin=same) as ok:
        await ok.synced.wait()


async def test_p17_oversize_message_closes_4413_only_that_connection(start_server: object) -> None:
    assert callable(start_server)
    server: LiveServer = start_server(COCANVAS_LIMIT_MAX_MESSAGE_BYTES="4096")
    board = server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(server.ws, board.id, token) as good,
        PyClient.connect(server.ws, board.id, token) as bad,
    ):
        await good.synced.wait()
        await bad.synced.wait()
        await bad.add_note("huge", "A1", "x" * 5000)
        await bad.closed.wait()
        assert bad.close_info is not None
        assert bad.close_info.code == CloseCode.MESSAGE_TOO_BIG
        await good.add_note("small", "A1", "still here")
        async with PyClient.connect(server.ws, board.id, token) as other:
            await other.wait_for(lambda: "small" in other.notes)
            assert "huge" not in other.notes


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x00",  # sync without a sub type
        b"\x00\x05\x00",  # unknown sync type
        b"\x00\x02\x10abc",  # length past the end
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80",  # varUint too long
        b"\x2a",  # unknown message type
        b"\x00\x02\x03\xff\xff\xff",  # an update that does not decode
    ],
)
async def test_p2_malformed_frame_closes_4400_and_room_goes_on(
    shared_server: LiveServer, frame: bytes
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, token) as good,
        PyClient.connect(shared_server.ws, board.id, token) as bad,
    ):
        await good.synced.wait()
        await bad.synced.wait()
        await bad.send(frame)
        await bad.closed.wait()
        assert bad.close_info is not None and bad.close_info.code == CloseCode.BAD_MESSAGE
        await good.add_note("after", "A2", "ok")
        with anyio.fail_after(5):
            async with PyClient.connect(shared_server.ws, board.id, token) as late:
                await late.wait_for(lambda: "after" in late.notes)
