"""HTTP surface of a real server: headers, validation, roles, health, metrics, logs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from server.sync.errors import CloseCode
from server.sync.vocabulary import Role
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def test_pages_carry_a_strict_csp_and_security_headers(shared_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=shared_server.http) as http:
        for path in ("/", "/b/abcdefgh", "/api/canvases"):
            r = await http.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
            assert "frame-ancestors 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
        assert (await http.get("/b/bad!id")).status_code == 404


async def test_canvases_are_served_as_data(shared_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=shared_server.http) as http:
        listed = (await http.get("/api/canvases")).json()["canvases"]
        assert [c["id"] for c in listed] == ["ko-kreation"]
        canvas = (await http.get("/api/canvases/ko-kreation")).json()
        assert [f["id"] for f in canvas["fields"]][:4] == ["A1", "A2", "A3", "A4"]
        missing = await http.get("/api/canvases/nope")
        assert missing.status_code == 404 and "ko-kreation" in missing.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"title": ""}', 400, "must not be empty"),
        (b'{"title": "x", "canvas": "nope"}', 400, "unknown canvas"),
        (b'{"title": "x", "locale": "fr"}', 400, "'locale' must be one of"),
        (b'{"title": 5}', 400, "must be a string"),
        (b"[1, 2]", 400, "JSON object"),
        (b"not json", 400, "must be JSON"),
        (b'{"title": "' + b"x" * 20_000 + b'"}', 413, "larger than"),
    ],
)
async def test_create_board_validates_its_body(
    shared_server: LiveServer, body: bytes, status: int, message: str
) -> None:
    async with httpx.AsyncClient(base_url=shared_server.http) as http:
        r = await http.post("/api/boards", content=body)
    assert r.status_code == status and message in r.json()["error"]


async def test_board_api_roles(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with httpx.AsyncClient(base_url=shared_server.http) as http:

        def bearer(role: Role) -> dict[str, str]:
            return {"authorization": f"Bearer {board.tokens[role]}"}

        me = await http.get(f"/api/boards/{board.id}", headers=bearer("participant"))
        assert me.json()["role"] == "participant"
        assert (await http.get(f"/api/boards/{board.id}")).status_code == 401
        bad = {"authorization": "Bearer " + "x" * 32}
        assert (await http.get(f"/api/boards/{board.id}", headers=bad)).status_code == 401
        assert (await http.get("/api/boards/nosuchboard", headers=bad)).status_code == 404
        forbidden = await http.post(
            f"/api/boards/{board.id}/snapshots", headers=bearer("participant"), json={}
        )
        assert forbidden.status_code == 403 and "moderator" in forbidden.json()["error"]
        assert (
            await http.delete(f"/api/boards/{board.id}", headers=bearer("viewer"))
        ).status_code == 403


async def test_deleting_a_board_closes_its_clients_and_removes_everything(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.add_note("n", "A1", "weg damit")
        await p.request("clock")
        async with httpx.AsyncClient(base_url=shared_server.http) as http:
            headers = {"authorization": f"Bearer {board.tokens['moderator']}"}
            await http.post(f"/api/boards/{board.id}/snapshots", headers=headers, json={})
            r = await http.delete(f"/api/boards/{board.id}", headers=headers)
            assert r.status_code == 204
            await p.closed.wait()
            assert p.close_info is not None and p.close_info.code == CloseCode.BOARD_NOT_FOUND
            gone = await http.get(f"/api/boards/{board.id}/snapshots", headers=headers)
            assert gone.status_code == 404
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as late:
        await late.closed.wait()
        assert late.close_info is not None and late.close_info.code == CloseCode.BOARD_NOT_FOUND


async def test_health_and_metrics(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.add_note("n", "A1", "gezählt")
        await p.request("clock")
        async with httpx.AsyncClient(base_url=shared_server.http) as http:
            assert (await http.get("/healthz")).json()["status"] == "ok"
            text = (await http.get("/metrics")).text
    assert 'cocanvas_connections{role="participant"} 1.0' in text
    assert "cocanvas_rooms_loaded" in text and "cocanvas_store_commit_seconds_bucket" in text
    assert "cocanvas_updates_total" in text


async def test_tokens_never_reach_the_log(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(COCANVAS_LOG_LEVEL="debug")
    board = server.create_board()
    async with httpx.AsyncClient(base_url=server.http) as http:
        for token in board.tokens.values():
            await http.get(f"/api/boards/{board.id}", headers={"authorization": f"Bearer {token}"})
            await http.get(f"/b/{board.id}?k={token}")
            async with PyClient.connect(server.ws, board.id, token) as c:
                await c.synced.wait()
    server.stop()
    log = server.log()
    assert "/ws/" in log and "k=[redacted]" in log
    for token in board.tokens.values():
        assert token not in log


async def test_create_token_and_rate_limit(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(
        COCANVAS_CREATE_TOKEN="s3cret-create", COCANVAS_CREATE_TOKEN_PER_MINUTE="3"
    )
    async with httpx.AsyncClient(base_url=server.http) as http:
        denied = await http.post("/api/boards", json={"title": "x"})
        assert denied.status_code == 401
        auth = {"authorization": "Bearer s3cret-create"}
        codes = [
            (await http.post("/api/boards", json={"title": "x"}, headers=auth)).status_code
            for _ in range(4)
        ]
    assert codes == [201, 201, 201, 429]
