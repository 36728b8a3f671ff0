"""Room logic over in-memory channels and a real SQLite file (PROTOCOL.md P6-P36)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from server.sync import appmsg, codec
from server.sync.errors import CloseCode
from server.sync.policy import Rules
from tests.support.roomkit import FIELDS, running_room

pytestmark = pytest.mark.anyio


async def test_p20_update_is_durable_before_others_receive_it(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.add_note("n1", "A1", "erst speichern")
        await b.wait_for(lambda: "n1" in b.notes)
        stored = await kit.stored_view()
        assert stored["notes"]["n1"]["text"] == "erst speichern"


async def test_p11_update_goes_to_others_not_back_to_sender(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        before = len(a.frames)
        await a.add_note("n1", "A1", "x")
        await b.wait_for(lambda: "n1" in b.notes)
        await a.add_note("n2", "A1", "y")
        await b.wait_for(lambda: "n2" in b.notes)
        updates = [
            f for f in a.frames[before:] if isinstance(codec.decode_frame(f), codec.SyncUpdate)
        ]
        assert updates == []


async def test_p31_write_to_meta_is_reverted_and_sender_converges(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join("moderator") as m:
        await a.set_key("meta", "title", "gehackt")
        await a.wait_for(lambda: a.view()["meta"]["title"] == "Kit")
        assert a.denied and "server only" in a.denied[-1]
        await a.add_note("ok", "A1", "allowed")
        await m.wait_for(lambda: "ok" in m.notes)
        assert m.view() == a.view() == await kit.stored_view()
        await m.set_key("control", "locks", "x")
        await m.wait_for(lambda: m.denied)
        await m.wait_for(lambda: "locks" not in m.view()["control"])


async def test_p30_p31_mixed_update_is_reverted_whole(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        with a.doc.transaction():
            a.notes["good"] = Map({"field": "A1", "text": Text("fine")})
            a.doc.get("control", type=Map)["focus"] = "A1"
        await a.flush()
        await a.wait_for(lambda: a.denied)
        await a.wait_for(lambda: "good" not in a.notes and not a.view()["control"])
        await a.add_note("later", "A1", "after the refusal")
        await b.wait_for(lambda: "later" in b.notes)
        assert "good" not in b.notes
        assert a.view() == b.view()


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"field": "Z9"}, "needs a 'field'"),
        ({"x": 1.5}, "between 0 and 1"),
        ({"evil": 1}, "unknown note keys"),
        ({"kind": "partner"}, "table field"),
        ({"color": "c" * 40}, "at most 32"),
        ({"done": "yes"}, "true or false"),
    ],
)
async def test_p33_invalid_notes_are_reverted(
    tmp_path: Path, extra: dict[str, object], reason: str
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        fields = {"field": "A1", "text": Text("t"), **extra}
        with a.doc.transaction():
            a.notes["bad"] = Map(fields)
        await a.flush()
        await a.wait_for(lambda: a.denied)
        assert reason in a.denied[-1]
        await a.wait_for(lambda: "bad" not in a.notes)
        assert "bad" not in (await kit.stored_view())["notes"]


async def test_p34_text_longer_than_limit_is_reverted(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        await a.add_note("n", "A1", "kurz")
        await a.insert_text("n", 4, "ü" * 300)
        await a.wait_for(lambda: a.denied)
        await a.wait_for(lambda: str(a.notes["n"]["text"]) == "kurz")
        assert (await kit.stored_view())["notes"]["n"]["text"] == "kurz"


async def test_p34_notes_per_board_limit(tmp_path: Path) -> None:
    async with running_room(tmp_path, violations_before_close=100) as kit, kit.join() as a:
        for i in range(50):
            await a.add_note(f"n{i}", "A1", str(i))
        await a.add_note("one-too-many", "A2", "x")
        await a.wait_for(lambda: any("at most 50 notes" in d for d in a.denied))
        await a.wait_for(lambda: "one-too-many" not in a.notes)
        assert len((await kit.stored_view())["notes"]) == 50


async def test_p32_unknown_root_closes_4403(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        a.doc.get("evil", type=Map)["x"] = 1
        await a.flush()
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
        await b.add_note("n", "A1", "room goes on")
        async with kit.join() as c:
            await c.wait_for(lambda: "n" in c.notes)
        assert "n" in (await kit.stored_view())["notes"]


async def test_p35_repeat_offender_is_closed(tmp_path: Path) -> None:
    async with running_room(tmp_path, violations_before_close=3) as kit, kit.join() as a:
        for i in range(3):
            await a.set_key("meta", "title", f"t{i}")
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
        assert kit.room.doc.get("meta", type=Map)["title"] == "Kit"


async def test_p10_viewer_is_read_only(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join("viewer") as v, kit.join() as p:
        await v.add_note("v", "A1", "nope")
        await v.wait_for(lambda: v.denied)
        await p.add_note("p", "A1", "yes")
        await v.wait_for(lambda: "p" in v.notes)
        assert "v" not in p.notes
        assert "v" not in (await kit.stored_view())["notes"]


async def test_p12_p13_awareness_echo_is_not_rebroadcast(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.set_awareness(111, 1, {"user": {"name": "Ada"}})
        await b.wait_for(lambda: 111 in b.awareness)
        await a.wait_for(lambda: 111 in a.awareness)  # P13: sender gets it too
        count_b = len(b.frames)
        # b echoes what it received, as stock clients do
        await b.set_awareness(111, 1, {"user": {"name": "Ada"}})
        await a.set_awareness(111, 2, {"user": {"name": "Ada L."}})
        await b.wait_for(lambda: b.awareness.get(111) == {"user": {"name": "Ada L."}})
        aw = [f for f in b.frames[count_b:] if f[0] == 1]
        assert len(aw) == 1


async def test_p14_entries_owned_by_another_connection_are_refused(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.set_awareness(7, 1, {"user": {"name": "Ada"}})
        await b.wait_for(lambda: 7 in b.awareness)
        await b.set_awareness(7, 5, {"user": {"name": "Mallory"}})
        await b.set_awareness(8, 1, {"user": {"name": "Bob"}})
        await a.wait_for(lambda: 8 in a.awareness)
        assert a.awareness[7] == {"user": {"name": "Ada"}}


async def test_p15_presence_is_nulled_when_a_connection_closes(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as b:
        async with kit.join() as a:
            await a.set_awareness(42, 3, {"user": {"name": "Ada"}})
            await b.wait_for(lambda: 42 in b.awareness)
        await b.wait_for(lambda: 42 not in b.awareness)
        assert b.awareness_clock[42] == 4


async def test_p16_late_joiner_gets_presence_of_those_present(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        await a.set_awareness(5, 1, {"user": {"name": "Ada"}})
        await a.wait_for(lambda: 5 in a.awareness)
        async with kit.join() as late:
            assert late.awareness == {5: {"user": {"name": "Ada"}}}


async def test_p9_slow_consumer_is_closed(tmp_path: Path) -> None:
    async with (
        running_room(tmp_path, send_queue_messages=5) as kit,
        kit.join() as a,
        kit.join() as b,
    ):
        from tests.support.memchannel import channel_pair

        server_side, client_side = channel_pair(buffer=1)
        kit.tg.start_soon(kit.room.serve, server_side, "participant")
        for i in range(30):
            await a.add_note(f"n{i}", "A1", "x")
            # one frame per note: the next waits until this one was fanned out, or a
            # burst would leave in a few frames (P369) and not fill the queue
            await b.wait_for_note(f"n{i}")
        with anyio.fail_after(5):
            await server_side.closed.wait()
        assert server_side.close_code == CloseCode.SLOW_CONSUMER
        server_side.dispose()
        await a.add_note("still", "A1", "fine")


async def test_p8_rate_limit_slows_a_flooding_client(tmp_path: Path) -> None:
    async with running_room(tmp_path, messages_per_second=200, message_burst=10) as kit:
        async with kit.join() as a:
            started = time.monotonic()
            for i in range(40):
                await a.add_note(f"n{i}", "A1", "x")
            await a.request("clock")
            assert time.monotonic() - started >= (40 - 10) / 200 * 0.9


async def test_p42_unknown_op_and_bad_app_message_are_answered(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        reply = await a.request("no.such.op")
        assert reply["ok"] is False and reply["error"]["code"] == "unknown_op"
        hello = await a.request("hello", pid="p" * 32)
        assert hello["ok"] and hello["role"] == "participant" and len(hello["author_id"]) == 16
        bad = await a.request("hello", pid=5)
        assert bad["error"]["code"] == "invalid"
        await a.send(codec.encode_app(b"\xc1"))
        await a.wait_for(lambda: any(m.get("re") is None for m in a.app_messages))


async def test_p22_compaction_keeps_the_document_identical(tmp_path: Path) -> None:
    async with running_room(tmp_path, compact_after_rows=10) as kit, kit.join() as a:
        for i in range(25):
            await a.add_note(f"n{i}", "A1", f"Notiz {i} äöü")
        await a.insert_text("n3", 0, "→ ")
        await a.request("clock")  # a round trip: the room has read everything sent before
        await kit.room.flushed()
        await kit.room.compact()
        stats = await kit.store.log_stats("testboard")
        assert stats.rows == 0
        assert await kit.stored_view() == a.view()


async def test_p22_ten_thousand_updates_keep_the_log_bounded(tmp_path: Path) -> None:
    rules = Rules(FIELDS, max_notes=50, max_note_chars=20_000)
    async with running_room(tmp_path, compact_after_rows=200, rules=rules) as kit, kit.join() as a:
        await a.add_note("n", "A1", "")
        body = a.notes["n"]["text"]
        assert isinstance(body, Text)
        t0 = time.monotonic()
        for i in range(10_000):
            body += "a" if i % 100 else "\n"
            await a.flush()
        await a.request("clock", within=60)
        print("10,000 updates processed in", time.monotonic() - t0)
        async with kit.join() as b:
            await b.wait_for(lambda: len(str(b.notes["n"]["text"])) == 10_000, within=30)
        await kit.room.flushed()
        stats = await kit.store.log_stats("testboard")
        assert stats.rows < 200
        assert await kit.stored_view() == a.view()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4))
def test_p2_corrupted_updates_close_only_the_sender(
    tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]
) -> None:
    async def run() -> None:
        async with running_room(tmp_path_factory.mktemp("fz")) as kit:
            async with kit.join() as a, kit.join() as b:
                donor: Doc[Any] = Doc()
                donor.apply_update(kit.room.doc.get_update())
                with donor.transaction():
                    donor.get("notes", type=Map)["n"] = Map({"field": "A1", "text": Text("hä")})
                good = bytearray(donor.get_update(kit.room.doc.get_state()))
                for pos, value in flips:
                    good[pos % len(good)] = value
                await a.send(codec.encode_sync_update(bytes(good)))
                await a.send(codec.encode_app(appmsg.encode_request(99, "clock")))
                await a.wait_for(
                    lambda: a.closed.is_set() or any(m.get("re") == 99 for m in a.app_messages)
                )
                if a.closed.is_set():
                    assert a.close_info is not None
                    assert a.close_info.code in (CloseCode.BAD_MESSAGE, CloseCode.FORBIDDEN)
                await b.add_note("after", "A2", "still fine")
                await b.request("clock")
                assert "after" in kit.room.doc.get("notes", type=Map)

    anyio.run(run)
