"""The moderator's push to the projector (P288-P289), on a room over in-memory channels."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from server.export.build import build_report
from server.export.logwords import log_sentence
from server.moderation.base import apply_control
from server.moderation.push import ProjectorPush
from server.sync.vocabulary import CONTROL_PUSH, Role
from tests.support.ops import control, ok, refused
from tests.support.pyclient import PyClient
from tests.support.roomkit import RoomKit, extended_room
from tests.unit.export_fixtures import filled_board, make_input

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def pushing_room(tmp_path: Path) -> AsyncIterator[RoomKit]:
    holder: list[ProjectorPush] = []
    async with extended_room(tmp_path, ()) as kit:
        holder.append(ProjectorPush(kit.room, kit.board_context()))
        kit.room.extend(holder[0])
        yield kit


async def pushed(c: PyClient, want: dict[str, Any]) -> dict[str, Any]:
    with anyio.fail_after(5):
        await c.wait_for(
            lambda: {**control(c).get(CONTROL_PUSH, {}), **want} == control(c)[CONTROL_PUSH]
        )
    value: dict[str, Any] = control(c)[CONTROL_PUSH]
    return value


async def test_p288_moderator_pushes_timer_field_and_results_and_clears(tmp_path: Path) -> None:
    async with pushing_room(tmp_path) as kit:
        async with kit.join("moderator") as m, kit.join("projector") as p:
            await push_all(kit, m, p)
        # P288: the push is in the stored document, so a projector that comes later shows it
        assert (await kit.stored_view())["control"][CONTROL_PUSH]["show"] is None


async def push_all(kit: RoomKit, m: PyClient, p: PyClient) -> None:
    first = await ok(m, "projector.push", show="timer")
    assert (await pushed(p, {"show": "timer"}))["seq"] == first["seq"] == 1
    await ok(m, "projector.push", show="field", field="A1")
    shown = await pushed(p, {"show": "field", "field": "A1"})
    assert shown["seq"] == 2
    apply_control(kit.room, None, "vote.close", "closed", {"voting": {"state": "closed"}})
    await ok(m, "projector.push", show="results")
    shown = await pushed(p, {"show": "results", "seq": 3})
    assert "field" not in shown
    await ok(m, "projector.push", show=None)
    assert (await pushed(p, {"show": None}))["seq"] == 4
    details = [e["details"] for e in control(p)["log"] if e["op"] == "projector.push"]
    assert details == [
        {"show": "timer"},
        {"show": "field", "field": "A1"},
        {"show": "results"},
        {"show": None},
    ]


@pytest.mark.parametrize("role", ["participant", "viewer", "projector"])
async def test_p288_only_moderators_push(tmp_path: Path, role: Role) -> None:
    async with pushing_room(tmp_path) as kit, kit.join(role) as c:
        for args in ({"show": "timer"}, {"show": "field", "field": "A1"}, {"show": None}):
            await refused(c, "projector.push", "forbidden", **args)
        assert CONTROL_PUSH not in control(c) and "log" not in control(c)


async def test_p289_pushes_are_validated(tmp_path: Path) -> None:
    async with pushing_room(tmp_path) as kit, kit.join("moderator") as m:
        await refused(m, "projector.push", "invalid", show="board")
        await refused(m, "projector.push", "invalid", show=["timer"])
        await refused(m, "projector.push", "invalid", show="field")
        await refused(m, "projector.push", "not_found", show="field", field="Q9")
        await refused(m, "projector.push", "invalid", show="field", field="A1" * 20)
        await refused(m, "projector.push", "invalid", show="timer", field="A1")
        # nothing to show before a vote is closed
        await refused(m, "projector.push", "conflict", show="results")
        apply_control(kit.room, None, "vote.open", "open", {"voting": {"state": "open"}})
        await refused(m, "projector.push", "conflict", show="results")
        assert CONTROL_PUSH not in control(m)


def test_p288_pushes_read_as_sentences_in_the_exported_log() -> None:
    board = filled_board()
    for details in ({"show": "timer"}, {"show": "field", "field": "A1"}, {"show": None}):
        board["control"]["log"].append(
            {
                "at": 1,
                "by": {"role": "moderator"},
                "op": "projector.push",
                "summary": "x",
                "details": details,
            }
        )
    report = build_report(make_input(board=board))
    sentences = [log_sentence(report, e) for e in report.log if e.op == "projector.push"]
    assert sentences == [
        "Timer auf den Beamer gebracht",
        "A1 Begriffsklärung auf den Beamer gebracht",
        "Beamer zeigt wieder das Board",
    ]
