"""A writer's updates read together are judged as one (PROTOCOL.md P370). A real Room on a
real SQLite file, clients over in-memory channels; `flush_burst` queues a client's
updates at once, as one socket read brings them."""

from __future__ import annotations

import functools
import random
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Map, Text

from server.sync import appmsg, codec
from server.sync.document import doc_view
from server.sync.errors import CloseCode
from tests.support import hostile as h
from tests.support.memchannel import ReadsMemoryChannel
from tests.support.pyclient import PyClient
from tests.support.roomkit import running_room

pytestmark = pytest.mark.anyio
MARK = "VERWORFEN"


def body(client: PyClient, note_id: str) -> Text:
    text = client.notes[note_id]["text"]
    assert isinstance(text, Text)
    return text


def refused_ids(client: PyClient) -> set[str]:
    return {n["id"] for m in client.app_messages if m.get("ev") == "rejected" for n in m["notes"]}


async def test_p370_a_burst_of_keystrokes_is_judged_stored_and_sent_once(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as writer, kit.join() as reader:
        await writer.add_note("n", "A1", "")
        await reader.wait_for_note("n")
        seq = kit.room.seq
        for i in range(40):  # 40 keystrokes, each its own update, read at once
            body(writer, "n").insert(i, "x")
        writer.flush_burst()
        await reader.wait_for(lambda: str(body(reader, "n")) == "x" * 40)
        # the read loop takes the first with the 31 queued behind it, then the last 8
        assert kit.room.seq - seq == 2
        assert (await kit.stored_view())["notes"]["n"]["text"] == "x" * 40
        assert not writer.denied


async def test_p370_a_note_created_and_typed_into_in_one_burst(tmp_path: Path) -> None:
    # the first keystroke in an empty text names the text by id: the pre-check must know
    # the types the burst's first update creates before any of it is applied
    async with running_room(tmp_path) as kit, kit.join() as writer, kit.join() as reader:
        seq = kit.room.seq
        with writer.doc.transaction():
            writer.notes["n"] = Map({"field": "A1", "text": Text(), "x": 0.5})
        for i, ch in enumerate("Radwege"):
            body(writer, "n").insert(i, ch)
        with writer.doc.transaction():
            writer.notes["m"] = Map({"field": "A2", "text": Text("zweite")})
        writer.flush_burst()
        await reader.wait_for(lambda: "m" in reader.notes)
        assert str(body(reader, "n")) == "Radwege"
        assert kit.room.seq - seq == 1
        view = await kit.stored_view()
        assert view["notes"]["n"]["text"] == "Radwege"
        assert view["notes"]["m"]["text"] == "zweite"
        assert not writer.denied


async def test_p370_a_refused_note_in_a_burst_goes_back_whole_the_others_stand(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path, violations_before_close=100) as kit:
        async with kit.join() as a, kit.join("moderator") as m:
            await a.request("clock")  # speaks the app protocol: gets `rejected` events
            await m.add_note("locked", "A2", "fest")
            await m.add_note("open", "A1", "offen")
            await a.wait_for(lambda: {"locked", "open"} <= set(a.notes.keys()))
            kit.room.policy.locked_fields = lambda: frozenset({"A2"})
            for i in range(6):
                body(a, "open").insert(5 + i, "!")
                body(a, "locked").insert(0, MARK[i])
            a.flush_burst()
            await a.wait_for(lambda: "locked" in refused_ids(a))
            await m.wait_for(lambda: str(body(m, "open")) == "offen!!!!!!")
            await a.wait_for(lambda: str(body(a, "locked")) == "fest")
            rejected = [x for x in a.app_messages if x.get("ev") == "rejected"]
            assert {n["id"] for e in rejected for n in e["notes"]} == {"locked"}
            assert all(e["code"] == "locked" and not e["whole"] for e in rejected)
            # P262: the words typed into the locked note come back to the writer
            parked = [p for e in rejected for p in e.get("parked", [])]
            assert parked and parked[-1]["id"] == "locked"
            assert parked[-1]["text"].startswith(MARK[:6][::-1])
            assert a.view() == m.view() == await kit.stored_view()
            state = await kit.compacted_state()
        assert MARK[:6][::-1].encode() not in state


async def test_p370_a_pre_check_refusal_ends_the_burst_after_the_ones_before_it(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.add_note("n", "A1", "")
        await b.wait_for_note("n")
        for i in range(3):
            body(a, "n").insert(i, "o")
        a.flush_burst()  # queued, not yet read: the hostile update and more go behind
        assert a.channel is not None
        a.channel.send_burst([codec.encode_sync_update(h.deep_any_with_writes(2_000))])
        body(a, "n").insert(3, "k")
        a.flush_burst()
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
        await b.wait_for(lambda: str(body(b, "n")) == "ooo")
        await b.add_note("after", "A1", "weiter")
        await b.request("clock")
        view = await kit.stored_view()
        assert view["notes"]["n"]["text"] == "ooo"
        assert set(view["notes"]) == {"n", "after"}


async def test_p107_p370_a_duplicate_in_a_burst_cannot_make_a_value_a_type(
    tmp_path: Path,
) -> None:
    # the second update says the note's `field` value (2222, 1) is a map; pycrdt skips it
    # as a duplicate, but the index took its word before anything was applied, so the
    # third, with that value as its parent, passed the pre-check and pycrdt raised:
    # the board reloaded whenever a participant liked (P121)
    c = 2222
    note = h.update(
        [
            b"\x27\x01" + h.string("notes") + h.string("n") + b"\x01",
            b"\x28\x00" + h.uint(c) + h.uint(0) + h.string("field") + b"\x01\x77" + h.string("A1"),
            b"\x27\x00" + h.uint(c) + h.uint(0) + h.string("text") + b"\x02",
        ],
        client=c,
    )
    claim = h.update(
        [b"\x27\x00" + h.uint(c) + h.uint(0) + h.string("zzz") + b"\x01"], client=c, clock=1
    )
    child = h.update(
        [b"\x28\x00" + h.uint(c) + h.uint(1) + h.string("k") + b"\x01\x77" + h.string("x")],
        client=c,
        clock=3,
    )
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        assert a.channel is not None
        a.channel.send_burst([codec.encode_sync_update(u) for u in (note, claim, child)])
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.BAD_MESSAGE
        assert "P107" in a.close_info.reason  # refused before pycrdt saw it
        assert not kit.room.broken and not kit.room.reloading
        await b.wait_for_note("n")
        assert (await kit.stored_view()) == doc_view(kit.room.doc)
        assert not b.closed.is_set()


async def test_p370_a_refused_burst_counts_every_update_towards_p35(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:  # violations_before_close=5
        meta = a.doc.get("meta", type=Map)
        for i in range(5):
            meta["title"] = f"nein {i}"
        a.flush_burst()
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.FORBIDDEN
        assert len(a.denied) == 1  # one judgement, five offences
        assert (await kit.stored_view())["meta"]["title"] == "Kit"


async def test_p370_the_direct_read_judges_a_read_of_updates_as_one(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join(reads=True) as w, kit.join() as r:
        await w.add_note("n", "A1", "")
        await r.wait_for_note("n")
        assert w.channel is not None
        server_side = w.channel.peer
        assert server_side is not None and server_side.peer is w.channel
        handler = getattr(server_side, "handler", None)
        assert handler is not None
        seq = kit.room.seq
        frames: list[bytes] = []
        for i in range(40):
            body(w, "n").insert(i, "y")
            frames.extend(w._outbox)
            w._outbox = []
        presence = codec.encode_awareness(
            codec.encode_awareness_entries([codec.AwarenessEntry(w.doc.client_id, 1, "{}")])
        )
        # one read of 40 updates and a presence message: bursts of at most 32 (P370)
        taken = handler([*frames, presence])
        assert taken == 41
        await r.wait_for(lambda: str(body(r, "n")) == "y" * 40)
        assert kit.room.seq - seq == 2


def random_edits(rng: random.Random, client: PyClient, rounds: int) -> None:
    """Honest edits of one writer, as the board's client makes them, each its own update
    in the client's outbox: new notes, typing and deleting at random places, moving,
    recolouring, deleting notes."""
    for _ in range(rounds):
        ids = sorted(client.notes.keys())
        op = rng.random()
        if not ids or (op < 0.15 and len(ids) < 20):  # the kit's boards hold 50 notes
            note_id = f"n{rng.randrange(10_000)}"
            field = rng.choice(["A1", "A2"])
            with client.doc.transaction():
                client.notes[note_id] = Map({"field": field, "text": Text(), "color": "yellow"})
            continue
        note_id = rng.choice(ids)
        text = body(client, note_id)
        length = len(str(text))
        if op < 0.65 and length < 150:
            pos = rng.randint(0, length)
            text.insert(len(str(text)[:pos].encode()), rng.choice(["a", "ß", "👋", " Weg"]))
        elif op < 0.8 and length:
            pos = rng.randrange(length)
            start = len(str(text)[:pos].encode())
            end = len(str(text)[: pos + 1].encode())
            del text[start:end]
        elif op < 0.9:
            note = client.notes[note_id]
            assert isinstance(note, Map)
            note["x"], note["y"] = rng.random(), rng.random()
        elif op < 0.97:
            note = client.notes[note_id]
            assert isinstance(note, Map)
            note["color"] = rng.choice(["yellow", "blue", "green"])
        else:
            del client.notes[note_id]


def notes_view(view: dict[str, Any]) -> dict[str, Any]:
    return dict(view["notes"])


def same_notes(a: PyClient, b: PyClient) -> bool:
    return notes_view(a.view()) == notes_view(b.view())


@pytest.mark.parametrize("seed", range(6))
async def test_p370_honest_bursts_end_as_the_same_updates_one_by_one(
    tmp_path: Path, seed: int
) -> None:
    """The same edits, sent in random bursts to one room and one by one to another, give
    the same board, stored and seen by a reader, and nothing is refused."""
    rng = random.Random(seed)
    views: list[dict[str, Any]] = []
    rounds = [rng.randint(1, 40) for _ in range(12)]
    for mode in ("bursts", "single"):
        edits = random.Random(seed * 7919)
        async with (
            running_room(tmp_path / mode) as kit,
            kit.join() as writer,
            kit.join() as reader,
        ):
            sent, seq = 0, kit.room.seq
            for n in rounds:
                random_edits(edits, writer, n)
                sent += len(writer._outbox)
                if mode == "bursts":
                    writer.flush_burst()
                else:
                    await writer.flush()
                await writer.request("clock")  # every update before it is judged
            await reader.wait_for(functools.partial(same_notes, writer, reader))
            assert not writer.denied and not writer.closed.is_set()
            judged = kit.room.seq - seq  # updates the room published
            assert judged < sent / 4 if mode == "bursts" else judged == sent
            stored = await kit.stored_view()
            assert notes_view(stored) == notes_view(writer.view())
            views.append(notes_view(stored))
    assert views[0] == views[1]
    assert views[0]  # the edits left notes to compare


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 40),
    st.integers(0, 39),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.booleans(),
)
def test_p370_fuzz_a_corrupted_update_inside_a_burst_closes_only_its_sender(
    tmp_path_factory: pytest.TempPathFactory,
    count: int,
    spoil: int,
    flips: list[tuple[int, int]],
    direct: bool,
) -> None:
    """Keystrokes read at once, one of them corrupted, taken by the direct read or queued
    for the read loop: the room stays up, the board holds what the room holds, and a
    sender that is closed is closed with a documented code."""

    async def run() -> None:
        async with running_room(tmp_path_factory.mktemp("burst")) as kit:
            async with kit.join(reads=direct) as a, kit.join() as b:
                await a.add_note("n", "A1", "")
                await b.wait_for_note("n")
                frames: list[bytes] = []
                for i in range(count):
                    body(a, "n").insert(i, "z")
                    frames.extend(a._outbox)
                    a._outbox = []
                bad = bytearray(codec.decode_frame(frames[spoil % count]).update)  # type: ignore[union-attr]
                for pos, value in flips:
                    bad[pos % len(bad)] = value
                frames[spoil % count] = codec.encode_sync_update(bytes(bad))
                assert a.channel is not None
                read = [*frames, codec.encode_app(appmsg.encode_request(9, "clock"))]
                if direct:
                    server_side = a.channel.peer
                    assert isinstance(server_side, ReadsMemoryChannel)
                    taken = server_side.taken
                    a.channel.send_read(read)
                    assert server_side.taken > taken  # the direct read took the first
                else:
                    a.channel.send_burst(read)
                await a.wait_for(
                    lambda: a.closed.is_set() or any(m.get("re") == 9 for m in a.app_messages)
                )
                if a.closed.is_set():
                    assert a.close_info is not None
                    assert a.close_info.code in (CloseCode.BAD_MESSAGE, CloseCode.FORBIDDEN)
                await b.add_note("after", "A2", "noch da")
                await b.request("clock")
                assert "after" in kit.room.doc.get("notes", type=Map)
                await kit.room.flushed()
                assert await kit.stored_view() == doc_view(kit.room.doc)

    anyio.run(run)
