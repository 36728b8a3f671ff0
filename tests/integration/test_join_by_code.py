"""Joining by code on a real server: the landing page's code lookup and its budgets, the
join address the projector shows, and due dates refused by the update policy
(PROTOCOL.md P240-P242)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pycrdt import Map

from tests.support.live import Board, LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio

# budgets refill slowly in tests: a loaded machine must not refill one mid-test
SLOW = {
    "COCANVAS_LIMIT_AUTH_FAILURES_PER_MINUTE": "0.5",
    "COCANVAS_LIMIT_BOARD_CODE_FAILURES_PER_MINUTE": "0.5",
}


@asynccontextmanager
async def http_from(
    server: LiveServer, host: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=host)
    async with httpx.AsyncClient(base_url=server.http, transport=transport, timeout=10) as c:
        yield c


async def join_code(server: LiveServer, board: Board) -> str:
    """The board's code as the projector shows it (ABCD-2345)."""
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        reply = await m.request("hello", pid=secrets.token_urlsafe(24))
        code = reply["join_code"]
        assert isinstance(code, str)
        return code


def spellings(code: str) -> list[str]:
    bare = code.replace("-", "")
    return [
        code,
        bare.lower(),
        f" {bare[:4].lower()} {bare[4:]} ",
        f"{bare[:2]}-{bare[2:6]}-{bare[6:]}",
    ]


def wrong_code(code: str) -> str:
    bare = code.replace("-", "")
    return ("A" if bare[0] != "A" else "B") + bare[1:]


async def test_p240_a_code_in_any_spelling_finds_its_board(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    code = await join_code(shared_server, board)
    async with http_from(shared_server) as http:
        for text in spellings(code):
            r = await http.post("/api/join", json={"code": text})
            assert r.status_code == 200, (text, r.text)
            assert r.json() == {"board": board.id}
        # the code found then opens the board as a participant
        r = await http.get(f"/api/boards/{board.id}", headers={"authorization": f"Bearer {code}"})
        assert r.json()["role"] == "participant"


async def test_p240_malformed_lookups_are_400_and_cost_nothing(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_AUTH_FAILURE_BURST="1")
    board = server.create_board()
    code = await join_code(server, board)
    async with http_from(server) as http:
        for body in (b"not json", b"[]", b"{}", b'{"code": 12345678}', b'{"code": "ABCD-234"}'):
            r = await http.post("/api/join", content=body)
            assert r.status_code == 400, body
        r = await http.post("/api/join", json={"code": "A" * 40})
        assert r.status_code == 400
        r = await http.post("/api/join", json={"code": code, "pad": "x" * 300})
        assert r.status_code == 413
        # none of that used the one failure this address may have
        r = await http.post("/api/join", json={"code": code})
        assert r.status_code == 200


async def test_p240_wrong_codes_are_failed_logins_of_the_address(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_AUTH_FAILURE_BURST="3")
    board = server.create_board()
    code = await join_code(server, board)
    async with http_from(server, "127.0.3.1") as http:
        for _ in range(3):
            r = await http.post("/api/join", json={"code": wrong_code(code)})
            assert r.status_code == 404
            assert "expired" in r.json()["error"]
        # past its budget the address is refused before anything is compared
        r = await http.post("/api/join", json={"code": code})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
    async with http_from(server, "127.0.3.2") as http:
        r = await http.post("/api/join", json={"code": code})
        assert r.json() == {"board": board.id}


async def test_p240_lookups_from_many_addresses_share_one_budget(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(**SLOW, COCANVAS_LIMIT_BOARD_CODE_FAILURE_BURST="4")
    board = server.create_board()
    code = await join_code(server, board)
    for n in range(4):  # a botnet guesses "any board's code", once per address
        async with http_from(server, f"127.0.4.{n + 1}") as http:
            r = await http.post("/api/join", json={"code": wrong_code(code)})
            assert r.status_code == 404
    async with http_from(server, "127.0.4.9") as http:
        r = await http.post("/api/join", json={"code": code})
        assert r.status_code == 429
        # the board's own code prompt (its URL names the board) still lets people in
        r = await http.get(f"/api/boards/{board.id}", headers={"authorization": f"Bearer {code}"})
        assert r.json()["role"] == "participant"


async def test_p242_the_board_reply_names_the_join_address(
    start_server: Callable[..., LiveServer],
) -> None:
    plain = start_server()
    board = plain.create_board()
    async with http_from(plain) as http:
        r = await http.get(
            f"/api/boards/{board.id}",
            headers={"authorization": f"Bearer {board.tokens['projector']}"},
        )
        assert r.json()["join_url"] == f"{plain.http}/join"
        page = await http.get("/join")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    public = start_server(COCANVAS_PUBLIC_URL="https://cocanvas.example.org/")
    board = public.create_board()
    async with http_from(public) as http:
        r = await http.get(
            f"/api/boards/{board.id}",
            headers={"authorization": f"Bearer {board.tokens['participant']}"},
        )
        assert r.json()["join_url"] == "https://cocanvas.example.org/join"


def rejected(c: PyClient) -> list[dict[str, Any]]:
    return [m for m in c.app_messages if m.get("ev") == "rejected"]


def refusals(c: PyClient, n: int) -> Callable[[], bool]:
    return lambda: len(rejected(c)) >= n


def action(due: object) -> dict[str, Any]:
    return {"kind": "action", "owner": "", "due": due, "done": False}


async def test_p241_due_must_be_a_real_day_from_2000_to_2100(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        await p.synced.wait()
        await m.synced.wait()
        await p.request("hello", pid=secrets.token_urlsafe(24))  # app events from now on
        await p.add_note("good", "C3", "Antrag stellen", **action("2026-05-12"))
        await p.add_note("none", "C3", "Irgendwann", **action(""))
        await m.wait_for(lambda: {"good", "none"} <= set(m.notes.keys()))
        refused = 0
        for bad in ("92026-05-12", "1999-12-31", "2101-01-01", "2026-02-30", "12.05.2026"):
            await p.add_note(f"bad{refused}", "C3", "Zu spät", **action(bad))
            refused += 1
            await p.wait_for(refusals(p, refused))
        # changing a good note's date to a bad one is refused too, and undone
        note = p.notes["good"]
        assert isinstance(note, Map)
        note["due"] = "92026-05-12"
        await p.flush()
        await p.wait_for(refusals(p, refused + 1))
        await p.wait_for(lambda: p.view()["notes"]["good"]["due"] == "2026-05-12")
        reasons = {r["reason"] for r in rejected(p)}
        assert all("'due' must be empty or a date YYYY-MM-DD" in r for r in reasons), reasons
        assert {r["code"] for r in rejected(p)} == {"invalid"}
        notes = m.view()["notes"]
        assert set(notes) == {"good", "none"}
        assert notes["good"]["due"] == "2026-05-12"
