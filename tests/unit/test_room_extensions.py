"""Features plug into a room through RoomExtension; several coexist (STYLE habit 11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest

from server.sync.appmsg import Request
from server.sync.connection import Connection
from server.sync.extension import Extensions, Handler, RoomExtension, Task
from tests.support.roomkit import extended_room

pytestmark = pytest.mark.anyio


class Probe(RoomExtension):
    """Answers one op, adds one hello key, runs one task and counts emptied rooms."""

    def __init__(self, name: str, op: str) -> None:
        self.name = name
        self.op = op
        self.emptied_count = 0
        self.left = anyio.Event()
        self.running = anyio.Event()

    def handlers(self) -> Mapping[str, Handler]:
        return {self.op: self.answer}

    def tasks(self) -> Sequence[Task]:
        return (self.run,)

    async def run(self) -> None:
        self.running.set()
        await anyio.sleep_forever()

    async def answer(self, conn: Connection, request: Request) -> dict[str, Any]:
        return {"by": self.name, "role": conn.role}

    async def hello(self, conn: Connection) -> dict[str, Any]:
        return {self.name: True}

    async def emptied(self) -> None:
        self.emptied_count += 1
        self.left.set()


async def test_p43_two_extensions_coexist_at_hello_request_task_and_empty(
    tmp_path: Path,
) -> None:
    first, second = Probe("first", "lock.set"), Probe("second", "focus.set")
    async with extended_room(tmp_path, [first, second]) as kit:
        with anyio.fail_after(5):
            await first.running.wait()
            await second.running.wait()
        async with kit.join("moderator") as m:
            hello = await m.request("hello")
            assert hello["first"] is True and hello["second"] is True
            locked = await m.request("lock.set")
            assert (locked["by"], locked["role"]) == ("first", "moderator")
            assert (await m.request("focus.set"))["by"] == "second"
        with anyio.fail_after(5):
            await first.left.wait()
            await second.left.wait()
        assert first.emptied_count == second.emptied_count == 1


def test_an_op_claimed_twice_is_refused_not_replaced() -> None:
    registry = Extensions()
    first = Probe("first", "lock.set")
    registry.add(first)
    with pytest.raises(ValueError, match=r"lock\.set"):
        registry.add(Probe("second", "lock.set"))
    handler = registry.handler("lock.set")
    assert handler is not None and getattr(handler, "__self__", None) is first
    assert registry.find(Probe) is first


async def test_a_failing_emptied_hook_does_not_skip_the_next(tmp_path: Path) -> None:
    class Broken(RoomExtension):
        async def emptied(self) -> None:
            raise RuntimeError("broken on purpose")

    after = Probe("after", "focus.set")
    async with extended_room(tmp_path, [Broken(), after]) as kit:
        async with kit.join() as a:
            await a.request("clock")
        with anyio.fail_after(5):
            await after.left.wait()
