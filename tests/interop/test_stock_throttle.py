"""The stock y-websocket client meets the throttles (P162, P164) of the real server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from server.sync.errors import CloseCode
from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .driver import NodeYjs, YClientCommandError

pytestmark = [pytest.mark.interop, pytest.mark.anyio]


@pytest.fixture
async def node() -> AsyncIterator[NodeYjs]:
    async with NodeYjs.start() as node:
        yield node


async def test_p162_stock_client_stops_on_4429_and_keeps_the_retry_hint(
    start_server: Callable[..., LiveServer], node: NodeYjs
) -> None:
    server = start_server(
        COCANVAS_LIMIT_AUTH_FAILURE_BURST="2", COCANVAS_LIMIT_AUTH_FAILURES_PER_MINUTE="0.5"
    )
    board = server.create_board()
    codes = []
    for name in ("a", "b", "c"):
        with pytest.raises(YClientCommandError) as err:
            await node.connect(name, url=server.ws, room=board.id, params={"k": "WRNG-C0DE"})
        codes.append(err.value.reply["code"])
    assert codes == [CloseCode.UNAUTHORIZED] * 2 + [CloseCode.TOO_MANY_REQUESTS]
    assert "retry in" in err.value.reply["reason"]
    events = await node.client_events("c")
    assert events["should_connect"] is False
    assert [c["code"] for c in events["closes"]] == [CloseCode.TOO_MANY_REQUESTS]


async def test_p164_stock_client_retries_on_4509_and_gets_in_when_there_is_room(
    start_server: Callable[..., LiveServer], node: NodeYjs
) -> None:
    server = start_server(COCANVAS_LIMIT_MAX_CONNECTIONS_PER_ADDRESS="1")
    board = server.create_board()
    token = board.tokens["participant"]
    async with PyClient.connect(server.ws, board.id, token) as first:
        await first.synced.wait()
        with pytest.raises(YClientCommandError) as err:
            await node.connect("a", url=server.ws, room=board.id, params={"k": token})
        assert err.value.reply["code"] == CloseCode.TOO_MANY_CONNECTIONS
        assert (await node.client_events("a"))["should_connect"] is True
    # the first one left: the stock client's own retry gets in and syncs
    await node.wait_for_event(
        lambda e: e["ev"] == "sync" and e["client"] == "a" and e.get("synced") is True, timeout=15
    )
    await node.destroy("a")
