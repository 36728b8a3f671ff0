"""Moderator powers on a real server: every op's roles, timer, locks, private writing,
voting, links, focus and the decision log (PROTOCOL.md P44-P70)."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pycrdt import Map

from server.sync.errors import CloseCode
from server.sync.ops import MODERATOR, OPS, WRITERS
from server.sync.vocabulary import Role
from tests.support.live import Board, LiveServer
from tests.support.ops import control, ok, refused
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def pid() -> str:
    return secrets.token_urlsafe(24)


def events(c: PyClient, name: str) -> list[dict[str, Any]]:
    return [m for m in c.app_messages if m.get("ev") == name]


async def hello(c: PyClient, name: str = "Ada", group: str | None = "administration") -> str:
    reply = await c.request("hello", pid=pid(), name=name, group=group)
    assert reply["ok"], reply
    author: str = reply["author_id"]
    return author


@pytest.mark.parametrize("role", ["participant", "viewer", "projector"])
async def test_p44_moderator_ops_are_refused_for_others(
    shared_server: LiveServer, role: Role
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens[role]) as c:
        await c.synced.wait()
        await hello(c)
        for op, roles in OPS.items():
            if roles == MODERATOR or (roles == WRITERS and role in ("viewer", "projector")):
                await refused(c, op, "forbidden")
        assert control(c).get("log") is None


async def test_p44_every_op_is_answered_for_moderators(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await hello(m)
        for op in OPS:
            reply = await m.request(op)  # no arguments: answered, never ignored
            assert "ok" in reply
        await refused(m, "timer.start", "invalid", target="A")
        await refused(m, "timer.start", "not_found", target="Z9", seconds=60)
        await refused(m, "lock.set", "not_found", field="Q1", locked=True)
        await refused(m, "vote.open", "invalid", fields=[], per_person=3)
        await refused(m, "agenda.set", "invalid", items=[{"id": "A", "minutes": 0}])
        await refused(m, "no.such.op", "unknown_op")


async def test_p47_p50_timer_ops_their_log_and_planned_versus_actual(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await hello(m, name="Moderation")
        started = await ok(m, "timer.start", target="A", seconds=600)
        assert abs(started["ends_at"] - started["server_ms"] - 600_000) < 5
        await m.wait_for(lambda: control(m).get("timer", {}).get("state") == "running")
        await ok(m, "timer.extend", seconds=60)
        await m.wait_for(lambda: control(m)["timer"]["duration_ms"] == 660_000)
        paused = await ok(m, "timer.pause")
        assert 650_000 < paused["remaining_ms"] <= 660_000
        await refused(m, "timer.pause", "conflict")
        await ok(m, "timer.resume")
        await ok(m, "timer.stop")
        await m.wait_for(lambda: control(m)["timer"]["state"] == "idle")
        agenda = {item["id"]: item for item in control(m)["agenda"]}
        part_a = agenda["part-a"]
        assert part_a["started_at"] is not None and part_a["ended_at"] is not None
        assert 0 < part_a["actual_ms"] < 10_000
        assert part_a["minutes"] == 60
        ops = [entry["op"] for entry in control(m)["log"]]
        assert ops == ["timer.start", "timer.extend", "timer.pause", "timer.resume", "timer.stop"]
        assert control(m)["log"][0]["by"] == {"role": "moderator", "name": "Moderation"}


async def test_p51_skewed_client_clocks_show_the_same_remaining_time(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "timer.start", target="B", seconds=900)
        await m.wait_for(lambda: "timer" in control(m))
        remaining = []
        for skew_ms in (-300_000, 0, 420_000):  # a laptop 5 min slow, one right, one 7 min fast

            def local_now(skew: float = skew_ms) -> float:
                return time.time() * 1000 + skew

            sent = local_now()
            reply = await ok(m, "clock")
            received = local_now()
            offset = reply["server_ms"] - (sent + received) / 2
            remaining.append(control(m)["timer"]["ends_at"] - (local_now() + offset))
        assert max(remaining) - min(remaining) < 1000


async def test_p51_timer_deadline_survives_a_restart_and_locks_at_the_end(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "timer.start", target="A", seconds=8, lock_on_end=True)
        await m.wait_for(lambda: "timer" in control(m))
        deadline = control(m)["timer"]["ends_at"]
    server.kill()
    server.start()
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        timer = control(p)["timer"]
        if timer["state"] == "running":  # a slow restart may find it done already
            assert timer["ends_at"] == deadline
        await p.wait_for(lambda: control(p)["timer"]["state"] == "done", within=15)
        assert time.time() * 1000 >= deadline
        await p.wait_for(lambda: sorted(control(p).get("locks", {})) == ["A1", "A2", "A3", "A4"])
        await p.add_note("late", "A2", "zu spät")
        await p.wait_for(lambda: any("locked" in d for d in p.denied))
        await p.wait_for(lambda: "late" not in p.notes)
    kinds = [s["kind"] for s in snapshots(server, board)]
    assert "part-end" in kinds


def snapshots(server: LiveServer, board: Board) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{server.http}/api/boards/{board.id}/snapshots",
        headers={"authorization": f"Bearer {board.tokens['moderator']}"},
    )
    r.raise_for_status()
    result: list[dict[str, Any]] = r.json()["snapshots"]
    return result


async def test_p36_locked_field_changes_are_reverted_for_participants(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as q,
    ):
        for c in (m, p, q):
            await c.synced.wait()
        await hello(p, name="Pia", group="youth")
        await p.add_note("keep", "A1", "vorher")
        await p.add_note("out", "A1", "raus?")
        await m.wait_for(lambda: {"keep", "out"} <= set(m.notes.keys()))
        await ok(m, "lock.set", part="A", locked=True)
        await p.wait_for(lambda: "A1" in control(p).get("locks", {}))
        # create, edit, move out, delete: each refused with a reason
        await p.add_note("new", "A3", "neu")
        await p.insert_text("keep", 0, "X")
        with p.doc.transaction():
            note = p.notes["out"]
            assert isinstance(note, Map)
            note["field"] = "B1"
        await p.flush()
        del p.notes["keep"]
        await p.flush()
        # four updates; sent at once they may be judged as one burst (P370)

        def refused_notes() -> set[str]:
            return {n["id"] for e in events(p, "rejected") for n in e["notes"]}

        await p.wait_for(lambda: refused_notes() == {"new", "keep", "out"})
        assert {e["code"] for e in events(p, "rejected")} == {"locked"}

        def settled(c: PyClient) -> bool:
            notes = c.view()["notes"]
            return (
                set(notes) == {"keep", "out"}
                and notes["keep"]["text"] == "vorher"
                and (notes["out"]["field"] == "A1")
            )

        for c in (m, p, q):
            await c.wait_for(functools.partial(settled, c))
        # moving a note into a locked field is refused too; moderators may still edit
        await q.add_note("b", "B1", "draußen")
        await q.request("clock")  # judged on its own, not in one burst with the move (P370)
        with q.doc.transaction():
            note = q.notes["b"]
            assert isinstance(note, Map)
            note["field"] = "A4"
        await q.flush()
        await q.wait_for(lambda: q.view()["notes"]["b"]["field"] == "B1" and bool(q.denied))
        await m.insert_text("keep", 0, "Moderation: ")
        await q.wait_for(lambda: q.view()["notes"]["keep"]["text"].startswith("Moderation"))
        await ok(m, "lock.set", part="A", locked=False)
        await p.wait_for(lambda: not control(p).get("locks"))
        await p.add_note("free", "A3", "wieder offen")
        await m.wait_for(lambda: "free" in m.notes)
        await q.wait_for(lambda: "free" in q.notes)
        await ok(m, "clock")
        await q.wait_for(lambda: m.view() == p.view() == q.view())


async def test_p60_private_notes_never_reach_other_clients_until_revealed(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    board = server.create_board()
    secret_text = "GEHEIM-" + secrets.token_hex(8)
    author_pid = pid()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as other,
        PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v,
    ):
        for c in (m, p, other, v):
            await c.synced.wait()
        await hello(m, name="Mod")
        await ok(p, "hello", pid=author_pid, name="Pia", group="youth")
        await hello(other, name="Otto", group="business")
        await refused(p, "private.put", "conflict", note="pn1", field="B1", text=secret_text)
        await ok(m, "private.set", field="B1", on=True)
        await p.wait_for(lambda: "B1" in control(p).get("private", {}))
        await ok(p, "private.put", note="pn1", field="B1", text=secret_text, color="yellow")
        await p.wait_for(lambda: any(e["notes"] for e in events(p, "private.notes")))
        assert events(p, "private.notes")[-1]["notes"][0]["text"] == secret_text
        await refused(other, "private.delete", "not_found", note="pn1")
        await refused(other, "private.put", "forbidden", note="pn1", field="B1", text="mine")
        # a stock client cannot write into the private field either
        await other.add_note("direct", "B1", "sichtbar?")
        await other.wait_for(lambda: any("private" in d for d in other.denied))
        await ok(m, "clock")
        for c in (m, other, v):
            assert not any(secret_text.encode() in frame for frame in c.frames)
    # durable: the author finds the note after a restart, nobody else sees it
    server.stop()
    server.start()
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p2,
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m2,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as other2,
    ):
        for c in (p2, m2, other2):
            await c.synced.wait()
        back = await ok(p2, "hello", pid=author_pid, name="Pia", group="youth")
        assert [n["text"] for n in back["private_notes"]] == [secret_text]
        assert not any(secret_text.encode() in f for f in m2.frames + other2.frames)
        revealed = await ok(m2, "private.reveal", field="B1")
        assert revealed["revealed"] == 1
        await other2.wait_for(lambda: "pn1" in other2.notes)
        note = other2.view()["notes"]["pn1"]
        assert note["text"] == secret_text and note["author"] == "Pia" and note["group"] == "youth"
        assert "B1" not in control(other2).get("private", {})
        await p2.wait_for(lambda: [e["notes"] for e in events(p2, "private.notes")] == [[]])


async def test_p70_votes_stay_hidden_until_closed_and_limits_hold(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, token) as a,
        PyClient.connect(shared_server.ws, board.id, token) as b,
        PyClient.connect(shared_server.ws, board.id, token) as anon,
    ):
        for c in (m, a, b, anon):
            await c.synced.wait()
        await hello(m)
        await hello(a, name="Ada", group="administration")
        await hello(b, name="Ben", group="civil-society")
        await refused(anon, "vote.cast", "invalid", note="n1")
        await ok(anon, "hello", pid=pid())
        for i, field in enumerate(["B2", "B2", "B1"]):
            await m.add_note(f"n{i}", field, f"Mission {i}")
        await a.wait_for(lambda: len(a.notes) == 3)
        await ok(m, "vote.open", fields=["B2"], per_person=2, max_per_note=1)
        await a.wait_for(lambda: control(a).get("voting", {}).get("state") == "open")
        await b.wait_for(lambda: control(b).get("voting", {}).get("state") == "open")
        b_mark = len(b.frames)
        first = await ok(a, "vote.cast", note="n0")
        assert first["remaining"] == 1 and first["mine"] == {"n0": 1}
        await refused(a, "vote.cast", "limit", note="n0")  # max one per note
        await refused(a, "vote.cast", "forbidden", note="n2")  # not part of the vote
        await ok(a, "vote.cast", note="n1")
        await refused(a, "vote.cast", "limit", note="n1")
        await ok(a, "vote.retract", note="n1")
        await ok(a, "vote.cast", note="n1")
        await ok(b, "vote.cast", note="n0")
        await ok(anon, "vote.cast", note="n0")
        await ok(m, "clock")
        # nobody learns counts before the close: no results in the document, no foreign events;
        # b voted only on n0, so no byte b received while the vote was open names n1
        assert not any(b"n1" in frame for frame in b.frames[b_mark:])
        assert "results" not in control(b)["voting"]
        assert all(e.get("mine", {}) in ({}, {"n0": 1}) for e in events(b, "vote.state"))
        closed = await ok(m, "vote.close")
        assert closed["results"]["n0"] == {
            "total": 3,
            "by_group": {"administration": 1, "civil-society": 1, "anonymous": 1},
        }
        await b.wait_for(lambda: control(b)["voting"]["state"] == "closed")
        assert control(b)["voting"]["results"]["n1"]["total"] == 1
        await refused(a, "vote.cast", "conflict", note="n0")


async def test_p45_link_rotation_closes_old_holders_with_4403(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        rotated = await ok(m, "link.rotate", role="participant")
        await p.closed.wait()
        assert p.close_info is not None and p.close_info.code == CloseCode.FORBIDDEN
        assert "replaced" in p.close_info.reason
        await m.wait_for(lambda: control(m).get("log", [{}])[-1].get("op") == "link.rotate")
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as old:
        await old.closed.wait()
        assert old.close_info is not None and old.close_info.code == CloseCode.UNAUTHORIZED
    async with PyClient.connect(shared_server.ws, board.id, rotated["token"]) as new:
        await new.synced.wait()
    code = rotated["join_code"]
    async with PyClient.connect(shared_server.ws, board.id, code.replace("-", "")) as joined:
        await joined.synced.wait()
        assert (await ok(joined, "hello", pid=pid()))["role"] == "participant"


async def test_p46_p52_focus_settings_and_join_code(shared_server: LiveServer) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as v,
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
    ):
        for c in (m, v, p):
            await c.synced.wait()
        mod_hello = await ok(m, "hello", pid=pid())
        view_hello = await ok(v, "hello")
        part_hello = await ok(p, "hello", pid=pid())
        assert mod_hello["join_code"] == view_hello["join_code"]  # P142: the projector link
        assert len(view_hello["join_code"]) == 9 and "join_code" not in part_hello
        await ok(m, "focus.set", field="B3", follow=True)
        await ok(m, "focus.set", field="C1")
        await p.wait_for(lambda: control(p).get("focus", {}).get("seq") == 2)
        assert control(p)["focus"]["field"] == "C1"
        await ok(m, "board.settings", title="Neuer Titel", show_join_code=False)
        await p.wait_for(lambda: p.view()["meta"]["title"] == "Neuer Titel")
        assert "join_code" not in await ok(v, "hello")
        await refused(m, "board.settings", "invalid", title="   ")
        await ok(
            m, "agenda.set", items=[{"id": "A", "minutes": 45}, {"id": "pause", "minutes": 10}]
        )
        await p.wait_for(lambda: len(control(p)["agenda"]) == 2)
        assert control(p)["agenda"][0]["part"] == "A"
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{shared_server.http}/api/boards/{board.id}",
            headers={"authorization": f"Bearer {board.tokens['viewer']}"},
        )
    assert r.json()["title"] == "Neuer Titel"


async def test_p46_new_join_code_reaches_moderators_and_projectors_at_once(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(shared_server.ws, board.id, board.tokens["projector"]) as v,
    ):
        await m.synced.wait()
        await v.synced.wait()
        await ok(v, "hello")
        rotated = await ok(m, "link.rotate", role="participant")
        await v.wait_for(lambda: bool(events(v, "join.code")))
        assert events(v, "join.code")[-1]["join_code"] == rotated["join_code"]
        await ok(m, "board.settings", show_join_code=False)
        await v.wait_for(lambda: events(v, "join.code")[-1]["join_code"] is None)


async def test_p51_timer_on_an_agenda_item_locks_its_part_and_breaks_lock_nothing(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await ok(m, "timer.start", target="break-1", seconds=1, lock_on_end=True)
        await m.wait_for(lambda: control(m).get("timer", {}).get("state") == "done", within=5)
        await ok(m, "timer.start", target="part-b", seconds=1, lock_on_end=True)
        await m.wait_for(lambda: sorted(control(m).get("locks", {})) == ["B1", "B2", "B3", "B4"])
        details = [e["details"] for e in control(m)["log"] if e["op"] == "timer.start"]
        assert details[-1] == {"target": "part-b", "seconds": 1}
        lock = [e["details"] for e in control(m)["log"] if e["op"] == "lock.set"][-1]
        assert lock["locked"] is True and lock["fields"] == ["B1", "B2", "B3", "B4"]


async def test_p37_note_groups_must_be_the_boards(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p,
        PyClient.connect(shared_server.ws, board.id, board.tokens["moderator"]) as m,
    ):
        await p.synced.wait()
        await m.synced.wait()
        mine = await hello(p, name="Pia", group="youth")
        await p.add_note("bad-group", "A1", "x", group="aliens")
        await p.wait_for(lambda: any("'group'" in d for d in p.denied))
        await p.add_note("signed", "A1", "meins", author_id=mine, author="Pia", group="youth")
        await m.wait_for(lambda: "signed" in m.notes)
        assert "bad-group" not in m.notes
        await m.add_note("fixed", "A2", "Moderation", group="aliens")
        await p.wait_for(lambda: "fixed" in p.notes)
