"""Nested timers on a real server: a field timer inside its part timer, more time after the
end reopening only the timer's own lock, the log, and deadlines across a restart
(PROTOCOL.md P50, P51, P250-P254)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_moderation import hello
from tests.support.live import LiveServer
from tests.support.ops import control, ok, refused
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def log_of(c: PyClient, op: str) -> list[dict[str, Any]]:
    return [e["details"] for e in control(c).get("log", []) if e["op"] == op]


def state(c: PyClient, key: str = "timer") -> str | None:
    value = control(c).get(key)
    return value.get("state") if isinstance(value, dict) else None


async def test_p250_p251_p253_field_timer_nests_and_the_part_timer_keeps_counting(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await hello(m, name="Moderation")
        part = await ok(m, "timer.start", target="A", seconds=2700)
        field = await ok(m, "timer.start", target="A2", seconds=600)
        assert field["nested_in"] == "A"
        await m.wait_for(lambda: control(m).get("timer", {}).get("target") == "A2")
        outer = control(m)["timer_outer"]
        assert outer["target"] == "A" and outer["state"] == "running"
        assert outer["ends_at"] == part["ends_at"]  # the part's deadline is untouched
        assert control(m)["timer"]["ends_at"] == field["ends_at"]

        # P251: a pause holds both, a resume runs both again
        await ok(m, "timer.pause")
        await m.wait_for(lambda: state(m, "timer_outer") == "paused")
        assert state(m) == "paused"
        await ok(m, "timer.resume")
        await m.wait_for(lambda: state(m, "timer_outer") == "running")

        # P253: ending the field timer returns to the part timer, which books again
        back = await ok(m, "timer.stop")
        assert back["back_to"] == "A"
        await m.wait_for(lambda: "timer_outer" not in control(m))
        timer = control(m)["timer"]
        assert timer["target"] == "A" and timer["state"] == "running"
        assert abs(timer["ends_at"] - part["ends_at"]) < 2000  # only the pause moved it
        assert timer["segment_started"] is not None
        part_a = {i["id"]: i for i in control(m)["agenda"]}["part-a"]
        assert part_a["ended_at"] is None and 0 < part_a["actual_ms"] < 10_000

        starts = log_of(m, "timer.start")
        assert starts[1] == {"target": "A2", "seconds": 600, "nested_in": "A"}
        assert log_of(m, "timer.stop") == [{"target": "A2", "back_to": "A"}]
        await ok(m, "timer.stop")  # now the part timer itself
        await m.wait_for(lambda: state(m) == "idle")


async def test_p250_a_field_of_another_part_replaces_and_says_what_ended(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "timer.start", target="A", seconds=2700)
        await ok(m, "timer.start", target="A1", seconds=300)
        await refused(m, "timer.start", "conflict", target="B2", seconds=300, nest=True)
        await refused(m, "timer.start", "invalid", target="B2", seconds=300, nest="yes")
        replaced = await ok(m, "timer.start", target="B2", seconds=300)
        assert replaced["nested_in"] is None
        await m.wait_for(lambda: control(m)["timer"]["target"] == "B2")
        assert "timer_outer" not in control(m)
        assert log_of(m, "timer.start")[-1]["ended"] == ["A", "A1"]
        # nest=false replaces even a field of the running part
        await ok(m, "timer.start", target="B", seconds=600)
        await ok(m, "timer.start", target="B1", seconds=60, nest=False)
        await m.wait_for(lambda: control(m)["timer"]["target"] == "B1")
        assert "timer_outer" not in control(m)


async def test_p252_more_time_after_the_end_reopens_only_the_timers_own_lock(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        await hello(m, name="Moderation")
        await ok(m, "lock.set", field="A1", locked=True)  # by hand: stays locked throughout
        await ok(m, "timer.start", target="A", seconds=2700)
        await ok(m, "timer.start", target="A2", seconds=1, lock_on_end=True)
        await m.wait_for(lambda: state(m) == "done", within=5)
        assert state(m, "timer_outer") == "running"  # the part goes on
        await m.wait_for(lambda: sorted(control(m).get("locks", {})) == ["A1", "A2"])
        done = log_of(m, "timer.done")[-1]
        assert done["target"] == "A2" and done["nested_in"] == "A"
        assert log_of(m, "lock.set")[-1] == {
            "fields": ["A2"],
            "locked": True,
            "cause": "timer.done",
        }
        await refused(m, "timer.extend", "conflict", seconds=-60)

        more = await ok(m, "timer.extend", seconds=300)
        assert more["ends_at"] - time.time() * 1000 > 290_000
        await m.wait_for(lambda: sorted(control(m).get("locks", {})) == ["A1"])
        assert state(m) == "running" and control(m)["timer"]["target"] == "A2"
        extend = log_of(m, "timer.extend")[-1]
        assert extend == {"target": "A2", "seconds": 300, "revived": True, "unlocked": ["A2"]}
        assert log_of(m, "lock.set")[-1] == {
            "fields": ["A2"],
            "locked": False,
            "cause": "timer.extend",
        }
        await p.add_note("n1", "A2", "noch ein Gedanke")
        await m.wait_for(lambda: "n1" in m.notes)

        # a field locked by hand before the end is not the timer's to reopen
        await ok(m, "timer.start", target="A1", seconds=1, lock_on_end=True)
        await m.wait_for(lambda: log_of(m, "timer.done")[-1]["target"] == "A1", within=5)
        await ok(m, "timer.extend", seconds=60)
        await m.wait_for(lambda: state(m) == "running")
        assert "unlocked" not in log_of(m, "timer.extend")[-1]
        assert sorted(control(m).get("locks", {})) == ["A1"]


async def test_p254_the_part_timers_end_ends_the_field_timer_inside_it(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "timer.start", target="A", seconds=1, lock_on_end=True)
        await ok(m, "timer.start", target="A3", seconds=600)
        await m.wait_for(lambda: control(m)["timer"].get("target") == "A" and state(m) == "done")
        assert "timer_outer" not in control(m)
        assert log_of(m, "timer.done")[-1]["inner"] == "A3"
        await m.wait_for(lambda: sorted(control(m).get("locks", {})) == ["A1", "A2", "A3", "A4"])
        # +5 after the end revives the part timer and reopens its fields
        await ok(m, "timer.extend", seconds=300)
        await m.wait_for(lambda: not control(m).get("locks"))
        assert state(m) == "running"


async def test_p51_restart_mid_nested_timer_keeps_both_deadlines(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        part = await ok(m, "timer.start", target="A", seconds=8, lock_on_end=True)
        field = await ok(m, "timer.start", target="A2", seconds=3)
        await m.wait_for(lambda: "timer_outer" in control(m))
    server.kill()
    server.start()
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.wait_for(lambda: len(log_of(p, "timer.done")) == 2, within=15)
        first, second = log_of(p, "timer.done")
        assert first == {"target": "A2", "ended_at": field["ends_at"], "nested_in": "A"}
        assert second == {"target": "A", "ended_at": part["ends_at"]}
        assert control(p)["timer"]["ended_at"] == part["ends_at"]
        assert "timer_outer" not in control(p)
        await p.wait_for(lambda: sorted(control(p).get("locks", {})) == ["A1", "A2", "A3", "A4"])
