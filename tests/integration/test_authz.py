"""Failed logins, client addresses, connection caps, slow headers and create limits
(P160-P167), against a real server. Other clients come from other loopback addresses
(127.0.0.2, 127.0.0.3 ...), which Linux routes to the server like any peer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from server.settings import Limits, Settings
from server.sync.errors import CloseCode
from tests.support.live import Board, LiveServer, free_port
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio

DEFAULTS = Limits()
# budgets refill slowly in tests: a loaded machine must not refill one mid-test
SLOW = {
    "COCANVAS_LIMIT_AUTH_FAILURES_PER_MINUTE": "0.5",
    "COCANVAS_LIMIT_BOARD_CODE_FAILURES_PER_MINUTE": "0.5",
    "COCANVAS_LIMIT_NEW_AUTHORS_PER_MINUTE": "0.5",
}


@asynccontextmanager
async def http_from(
    server: LiveServer, host: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=host)
    async with httpx.AsyncClient(base_url=server.http, transport=transport, timeout=10) as c:
        yield c


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **extra}


async def ws_close(server: LiveServer, board: str, token: str, host: str) -> tuple[int, str]:
    """Open /ws/BOARD?k=TOKEN from `host`; the close code and reason the server sends."""
    async with ws_connect(
        f"{server.ws}/{board}?k={token}", local_addr=(host, 0), max_size=None
    ) as ws:
        with anyio.fail_after(5):
            try:
                while True:
                    await ws.recv()
            except ConnectionClosed as exc:
                assert exc.rcvd is not None, "the server must close with a code"
                return exc.rcvd.code, exc.rcvd.reason
    raise AssertionError("unreachable")


async def served(ws: ClientConnection) -> bool:
    """True when the server sends the first sync frame (the connection is in the room)."""
    with anyio.fail_after(5):
        try:
            await ws.recv()
        except ConnectionClosed:
            return False
    return True


async def test_p161_wrong_tokens_over_rest_get_429_after_the_documented_number(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW)  # the default burst
    board = server.create_board()
    burst = DEFAULTS.auth_failure_burst
    async with http_from(server, "127.0.0.2") as attacker:
        codes = []
        for i in range(burst + 1):
            r = await attacker.get(f"/api/boards/{board.id}", headers=bearer(f"guess-{i:012d}"))
            codes.append(r.status_code)
        assert codes == [401] * burst + [429]
        retry = int(r.headers["retry-after"])
        assert 0 < retry <= 121  # one unit refills in 60 / 0.5 s
        assert f"try again in {retry} s" in r.json()["error"]
        # join codes are refused before they are checked, the right one too
        code = await attacker.get(
            f"/api/boards/{board.id}", headers=bearer(await join_code(server, board))
        )
        assert code.status_code == 429 and "retry-after" in code.headers
        # a link token cannot be guessed, so it still opens the board from there
        ok = await attacker.get(f"/api/boards/{board.id}", headers=bearer(board.tokens["viewer"]))
        assert ok.status_code == 200
        # and unknown boards no longer answer 404 to the throttled address
        gone = await attacker.get("/api/boards/nosuchboard", headers=bearer("x" * 32))
        assert gone.status_code == 429
    async with http_from(server, "127.0.0.3") as other:
        r = await other.get(f"/api/boards/{board.id}", headers=bearer(board.tokens["moderator"]))
        assert r.status_code == 200 and r.json()["role"] == "moderator"
        r = await other.get(
            f"/api/boards/{board.id}", headers=bearer(await join_code(server, board))
        )
        assert r.status_code == 200 and r.json()["role"] == "participant"
        metrics = (await other.get("/metrics")).text
    # operators see an attack: REST refusals by status
    assert f'cocanvas_http_errors_total{{status="401"}} {burst}.0' in metrics
    assert 'cocanvas_http_errors_total{status="429"} 3.0' in metrics


async def join_code(server: LiveServer, board: Board) -> str:
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as mod:
        await mod.synced.wait()
        reply = await mod.request("hello")
    code = reply.get("join_code")
    assert isinstance(code, str) and code, reply
    return code


async def test_p162_wrong_codes_over_websocket_close_4429_with_a_retry_hint(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_AUTH_FAILURE_BURST="5")
    board = server.create_board()
    closes = [await ws_close(server, board.id, "WRNG-C0DE", "127.0.0.4") for _ in range(6)]
    assert [c for c, _ in closes] == [CloseCode.UNAUTHORIZED] * 5 + [CloseCode.TOO_MANY_REQUESTS]
    reason = closes[-1][1]
    assert reason.startswith("too many failed attempts; retry in ") and reason.endswith(" s")
    assert 1 <= int(reason.split()[-2]) <= 121
    # the same address over REST: the same budget
    async with http_from(server, "127.0.0.4") as http:
        r = await http.get(f"/api/boards/{board.id}", headers=bearer("WRNG-C0DE"))
        assert r.status_code == 429
    # the right code from another address joins as a participant
    code = await join_code(server, board)
    async with PyClient.connect(server.ws, board.id, code, local_host="127.0.0.5") as p:
        await p.synced.wait()
        assert (await p.request("hello"))["role"] == "participant"


async def test_p161_a_board_under_attack_still_admits_every_link(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_BOARD_CODE_FAILURE_BURST="4")
    board, other = server.create_board(), server.create_board()
    code = await join_code(server, board)
    # four addresses (a botnet) guess the join code once each
    for n in range(4):
        closed = await ws_close(server, board.id, f"GUES-S00{n}", f"127.0.1.{n + 1}")
        assert closed[0] == CloseCode.UNAUTHORIZED
    # now nobody may type this board's code for a while, not even the right one ...
    closed = await ws_close(server, board.id, code, "127.0.2.1")
    assert closed[0] == CloseCode.TOO_MANY_REQUESTS
    # ... but every link still works, and other boards' codes are untouched
    for token in board.tokens.values():
        async with PyClient.connect(server.ws, board.id, token, local_host="127.0.2.2") as c:
            await c.synced.wait()
    async with PyClient.connect(
        server.ws, other.id, await join_code(server, other), local_host="127.0.2.3"
    ) as c:
        await c.synced.wait()


async def test_p160_forwarded_for_is_ignored_from_an_untrusted_peer(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_AUTH_FAILURE_BURST="3")
    board = server.create_board()
    # loopback is not trusted by default: a new X-Forwarded-For each time changes nothing
    async with http_from(server, "127.0.0.1") as http:
        codes = [
            (
                await http.get(
                    f"/api/boards/{board.id}",
                    headers=bearer(f"guess-{i:012d}", **{"x-forwarded-for": f"198.51.100.{i}"}),
                )
            ).status_code
            for i in range(4)
        ]
    assert codes == [401, 401, 401, 429]


async def test_p160_forwarded_for_is_honoured_from_a_trusted_proxy_for_http_and_websockets(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(
        **SLOW,
        COCANVAS_LIMIT_AUTH_FAILURE_BURST="3",
        COCANVAS_TRUSTED_PROXIES="127.0.0.2, 10.0.0.0/8",
    )
    board = server.create_board()
    url = f"/api/boards/{board.id}"

    async def status(via: str, xff: str) -> int:
        async with http_from(server, via) as http:
            r = await http.get(
                url, headers=bearer("guess-000000000000", **{"x-forwarded-for": xff})
            )
            return r.status_code

    # a client that forges its own left part is keyed by what the proxy saw
    assert [await status("127.0.0.2", f"1.1.1.{i}, 203.0.113.9") for i in range(4)] == [
        401,
        401,
        401,
        429,
    ]
    # another client behind the same proxy has its own budget
    assert await status("127.0.0.2", "203.0.113.10") == 401
    # the websocket endpoint asks the same place: 203.0.113.9 is throttled there too
    async with ws_connect(
        f"{server.ws}/{board.id}?k=WRNG-C0DE",
        local_addr=("127.0.0.2", 0),
        additional_headers={"x-forwarded-for": "203.0.113.9"},
    ) as ws:
        with anyio.fail_after(5), pytest.raises(ConnectionClosed) as err:
            await ws.recv()
    assert err.value.rcvd is not None and err.value.rcvd.code == CloseCode.TOO_MANY_REQUESTS


async def test_p164_connections_per_address_are_capped(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_LIMIT_MAX_CONNECTIONS_PER_ADDRESS="3")
    board = server.create_board()
    url = f"{server.ws}/{board.id}?k={board.tokens['participant']}"
    async with ws_connect(url, local_addr=("127.0.0.6", 0)) as first:
        assert await served(first)
        async with ws_connect(url, local_addr=("127.0.0.6", 0)) as second:
            assert await served(second)
            async with ws_connect(url, local_addr=("127.0.0.6", 0)) as third:
                assert await served(third)
                code, reason = await ws_close(
                    server, board.id, board.tokens["participant"], "127.0.0.6"
                )
                assert code == CloseCode.TOO_MANY_CONNECTIONS and "retry later" in reason
                # the cap is per address: another one is let in
                async with ws_connect(url, local_addr=("127.0.0.7", 0)) as elsewhere:
                    assert await served(elsewhere)
        # one left: there is room again (the server counts it down when it sees the close)
        with anyio.fail_after(5):
            while True:
                async with ws_connect(url, local_addr=("127.0.0.6", 0)) as again:
                    if await served(again):
                        break
                await anyio.sleep(0.05)


async def test_p164_a_workshop_of_30_behind_one_address_works_with_the_defaults(
    server: LiveServer,
) -> None:
    assert DEFAULTS.max_connections_per_address >= 30
    board = server.create_board()
    url = f"{server.ws}/{board.id}?k={board.tokens['participant']}"
    async with anyio.create_task_group() as tg:
        results: list[bool] = []
        done = anyio.Event()

        async def one() -> None:
            async with ws_connect(url, local_addr=("127.0.0.8", 0)) as ws:
                results.append(await served(ws))
                if len(results) == 30:
                    done.set()
                await done.wait()

        for _ in range(30):
            tg.start_soon(one)
    assert results == [True] * 30


async def test_p165_new_author_ids_are_throttled_per_address(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_NEW_AUTHOR_BURST="3")
    board = server.create_board()
    token = board.tokens["participant"]

    async def hello(pid: str, host: str) -> dict[str, object]:
        async with PyClient.connect(server.ws, board.id, token, local_host=host) as c:
            await c.synced.wait()
            return await c.request("hello", pid=pid)

    replies = [await hello(f"participant-secret-{i:04d}", "127.0.0.9") for i in range(4)]
    assert [r["ok"] for r in replies] == [True, True, True, False]
    error = replies[-1]["error"]
    assert isinstance(error, dict) and error["code"] == "limit"
    assert "too many new identities" in error["message"]
    # coming back under a known id costs nothing; another address has its own budget
    assert (await hello("participant-secret-0001", "127.0.0.9"))["ok"] is True
    assert (await hello("participant-secret-0099", "127.0.0.10"))["ok"] is True


def test_p167_slow_headers_are_closed(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(COCANVAS_HEADER_TIMEOUT_SECONDS="1")
    # silent: connected, sends nothing
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as silent:
        started = time.monotonic()
        assert silent.recv(1) == b""
        assert time.monotonic() - started < 4
    # slowloris: one header byte every 0.2 s never finishes the headers
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
        started = time.monotonic()
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for _ in range(40):
            try:
                slow.sendall(b"X")
            except OSError:
                closed = True
                break
            time.sleep(0.2)
            slow.setblocking(False)
            try:
                closed = slow.recv(1) == b""
            except BlockingIOError:
                pass
            finally:
                slow.setblocking(True)
            if closed:
                break
        assert closed and time.monotonic() - started < 4
    # the deadline covers the headers only: a body that comes later is still read
    body = b'{"title": "slow body"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/boards HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        time.sleep(1.5)  # the client's pace, past the header deadline
        sock.sendall(body)
        assert sock.recv(12) == b"HTTP/1.1 201"


def test_p167_oversized_headers_get_431(start_server: Callable[..., LiveServer]) -> None:
    server = start_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000)
        answer = sock.recv(100)
    assert answer.startswith(b"HTTP/1.1 431")


def test_p167_a_body_sent_with_its_headers_is_not_counted_as_headers(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    body = b"x" * 200_000  # an upload: the body follows the headers in the same reads
    head = (
        b"POST /api/boards/import HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = sock.recv(100)
    assert answer.startswith(b"HTTP/1.1 400"), answer  # not an archive: 400, never 431


async def test_p166_a_create_token_holder_can_prepare_40_breakout_boards(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_CREATE_TOKEN="facilitator-create-token")
    assert Settings().create_token_per_minute >= 40
    async with http_from(server, "127.0.0.11") as http:
        codes = [
            (
                await http.post(
                    "/api/boards",
                    json={"title": f"Breakout {i}"},
                    headers=bearer("facilitator-create-token"),
                )
            ).status_code
            for i in range(40)
        ]
    assert codes == [201] * 40


async def test_p166_without_a_create_token_boards_are_counted_per_address(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_CREATE_PER_MINUTE="2")
    async with http_from(server, "127.0.0.12") as http:
        codes = [
            (await http.post("/api/boards", json={"title": "x"})).status_code for _ in range(3)
        ]
        assert codes == [201, 201, 429]
        r = await http.post("/api/boards", json={"title": "x"})
        assert 1 <= int(r.headers["retry-after"]) <= 30
        # importing a board is creating one: the same budget
        imported = await http.post("/api/boards/import", content=b"not read")
        assert imported.status_code == 429 and "retry-after" in imported.headers
    async with http_from(server, "127.0.0.13") as http:
        assert (await http.post("/api/boards", json={"title": "x"})).status_code == 201


async def test_p166_wrong_create_tokens_are_failed_logins(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(
        **SLOW,
        COCANVAS_CREATE_TOKEN="facilitator-create-token",
        COCANVAS_LIMIT_AUTH_FAILURE_BURST="2",
    )
    async with http_from(server, "127.0.0.14") as http:
        codes = [
            (
                await http.post("/api/boards", json={"title": "x"}, headers=bearer(f"g{i}"))
            ).status_code
            for i in range(3)
        ]
        assert codes == [401, 401, 429]
        # refused before it is compared: an operator's token may be guessable
        right = bearer("facilitator-create-token")
        assert (
            await http.post("/api/boards", json={"title": "x"}, headers=right)
        ).status_code == 429
    async with http_from(server, "127.0.0.15") as http:
        right = bearer("facilitator-create-token")
        assert (
            await http.post("/api/boards", json={"title": "x"}, headers=right)
        ).status_code == 201


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "proxy.local"], {}, "proxy.local"),
        ([], {"COCANVAS_FORWARDED_HEADER": "x-real-ip"}, "forwarded header"),
        ([], {"COCANVAS_HEADER_TIMEOUT_SECONDS": "0"}, "HEADER_TIMEOUT"),
    ],
)
def test_p160_serve_refuses_settings_it_cannot_apply(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    port = str(free_port())
    cmd = [sys.executable, "-m", "server", "serve", "--port", port, "--data", str(tmp_path)]
    done = subprocess.run(
        [*cmd, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
