"""A moderator shows a field compact (P284): `control.compact`, logged, moderators only."""

from __future__ import annotations

import secrets

import pytest

from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def test_p284_compact_view_is_set_and_cleared_by_the_moderator(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, p):
            await c.synced.wait()
        for c in (m, p):
            reply = await c.request("hello", pid=secrets.token_urlsafe(24), name="X", group=None)
            assert reply["ok"], reply
        refused = await p.request("view.set", field="A1", compact=True)
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        bad = await m.request("view.set", field="Q9", compact=True)
        assert bad["ok"] is False and bad["error"]["code"] == "not_found"
        bad = await m.request("view.set", field="A1", compact="yes")
        assert bad["ok"] is False and bad["error"]["code"] == "invalid"
        reply = await m.request("view.set", field="A1", compact=True)
        assert reply == {**reply, "ok": True, "compact": ["A1"]}
        await p.wait_for(lambda: p.view()["control"].get("compact") == {"A1": True})
        log = p.view()["control"]["log"]
        assert log[-1]["op"] == "view.set" and log[-1]["details"] == {
            "field": "A1",
            "compact": True,
        }
        reply = await m.request("view.set", field="A1", compact=False)
        assert reply["compact"] == []
        await p.wait_for(lambda: p.view()["control"].get("compact") == {})
