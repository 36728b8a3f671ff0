"""Live counters (P293) tick only while someone wants them: a room without a moderator
here, on a single node, wakes no timer for them."""

from __future__ import annotations

import secrets
from pathlib import Path

import anyio
import pytest

from server.moderation.counters import Counters
from server.moderation.private import PrivateWriting
from server.moderation.voting import Voting
from tests.support.ops import ok
from tests.support.pyclient import PyClient
from tests.support.roomkit import extended_room

pytestmark = pytest.mark.anyio
TICK = 0.02


class CountedCounters(Counters):
    """The real counters, with the number of pushes kept for the test to read."""

    pushes = 0

    def push(self) -> None:
        self.pushes += 1
        super().push()


def counts_seen(c: PyClient) -> int:
    return sum(1 for m in c.app_messages if m.get("ev") == "counts")


async def hello(c: PyClient, name: str) -> None:
    await ok(c, "hello", pid=secrets.token_urlsafe(24), name=name, group=None)


async def pushes_over(counters: CountedCounters, seconds: float) -> int:
    before = counters.pushes
    await anyio.sleep(seconds)
    return counters.pushes - before


async def test_p293_counters_sleep_without_a_moderator_and_wake_for_the_next(
    tmp_path: Path,
) -> None:
    async with extended_room(tmp_path, ()) as kit:
        ctx = kit.board_context()
        counters = CountedCounters(
            kit.room, PrivateWriting(kit.room, ctx), Voting(kit.room, ctx), interval=TICK
        )
        kit.room.extend(counters)
        for task in counters.node_tasks():
            kit.tg.start_soon(task)
        async with kit.join("participant") as p:
            await hello(p, "Pia")
            # a participant alone: ten ticks pass without one push
            assert await pushes_over(counters, 10 * TICK) == 0
            for _ in range(2):  # a moderator comes, goes, and the next one comes
                async with kit.join("moderator") as m:
                    await hello(m, "Mo")
                    with anyio.fail_after(5):
                        await m.wait_for(lambda: counts_seen(m) > 0)
                    assert await pushes_over(counters, 10 * TICK) >= 3
                with anyio.fail_after(5):
                    while await pushes_over(counters, 5 * TICK) > 1:
                        pass  # the tick that saw the moderator leave may still push once
                assert await pushes_over(counters, 10 * TICK) == 0
