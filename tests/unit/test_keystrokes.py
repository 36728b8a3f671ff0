"""Keystrokes typed on after a run the full judge accepted (PROTOCOL.md P374), in a real
Room over in-memory channels and a real SQLite file."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec
from server.sync.document import doc_view
from server.sync.keystroke import plain
from server.sync.policy import Rules
from server.sync.room import Room
from tests.support import hostile
from tests.support.pyclient import PyClient, text_is
from tests.support.roomkit import FIELDS, RoomKit, new_transactions, running_room

pytestmark = pytest.mark.anyio


def _room_text(room: Room, note_id: str) -> str:
    return str(room.doc.get("notes", type=Map)[note_id]["text"])


def _count_typed(room: Room) -> list[bool]:
    """Record what each call of the room's keystroke path answered."""
    answers: list[bool] = []
    typed = room._typed

    def counting(*args: Any) -> bool:
        answers.append(typed(*args))
        return answers[-1]

    room._typed = counting  # type: ignore[method-assign,assignment]
    return answers


async def test_p374_p375_typing_on_after_an_accepted_run_waits_for_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as reader:
            await writer.add_note("n1", "A1", "hello")
            await writer.insert_text("n1", 5, "!")  # the full judge learns the run
            await reader.wait_for(text_is(reader, "n1", "hello!"))
            assert len(kit.room.runs.ends) == 1
            answers = _count_typed(kit.room)
            opened = new_transactions(monkeypatch, kit.room)
            for i in range(5):
                await writer.insert_text("n1", 6 + i, "!")
                await reader.wait_for(text_is(reader, "n1", "hello" + "!" * (i + 2)))
            assert answers == [True] * 5
            assert len(kit.room.runs.ends) == 1  # the writer's cursor moved on
            # stored and sent before pycrdt read them (P375): no transaction yet
            assert opened == []
            kit.room.doc  # noqa: B018  (reading the document applies them: all five in one)
            assert len(opened) == 1
            monkeypatch.undo()
            assert _room_text(kit.room, "n1") == "hello!!!!!!"
            assert (await kit.stored_view())["notes"]["n1"]["text"] == "hello!!!!!!"


async def test_p374_a_locked_field_stops_a_keystroke_typed_on(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as reader, kit.join("moderator") as mod:
            await writer.add_note("n1", "A1", "open")
            await writer.insert_text("n1", 4, ".")
            await mod.wait_for(text_is(mod, "n1", "open."))
            await mod.insert_text("n1", 5, "m")  # a moderator's run, learned too
            await reader.wait_for(text_is(reader, "n1", "open.m"))
            kit.room.policy.locked_fields = lambda: frozenset({"A1"})
            answers = _count_typed(kit.room)
            await writer.insert_text("n1", 6, "x")
            await writer.wait_for(lambda: writer.denied)
            assert "locked" in writer.denied[0]
            assert answers == [False]
            assert _room_text(kit.room, "n1") == "open.m"
            # moderators write into locked fields (P33): theirs is still typed on
            await mod.insert_text("n1", 6, "y")
            await reader.wait_for(text_is(reader, "n1", "open.my"))
            assert mod.denied == []


async def test_p374_the_note_limit_holds_for_keystrokes_typed_on(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:  # notes hold at most 200 characters
        async with kit.join() as writer, kit.join() as reader:
            await writer.add_note("n1", "A1", "a" * 194)
            await writer.insert_text("n1", 194, "b")  # learned at 195
            await reader.wait_for(text_is(reader, "n1", "a" * 194 + "b"))
            answers = _count_typed(kit.room)
            for i in range(3):
                await writer.insert_text("n1", 195 + i, "c")
            await writer.insert_text("n1", 198, "\U0001f600")  # two UTF-16 units: 200
            await reader.wait_for(lambda: "\U0001f600" in str(reader.notes["n1"]["text"]))
            assert answers == [True] * 4
            # 201 UTF-16 units are 200 characters: left to the full judge, which takes it
            await writer.insert_text("n1", 199, "d")
            await reader.wait_for(lambda: str(reader.notes["n1"]["text"]).endswith("d"))
            await writer.insert_text("n1", 200, "e")  # 201 characters: refused
            await writer.wait_for(lambda: writer.denied)
            assert answers == [True] * 4 + [False, False]
            assert "at most 200" in writer.denied[0]
            assert _room_text(kit.room, "n1") == "a" * 194 + "bccc\U0001f600d"


async def test_p374_a_note_moved_by_another_writer_is_judged_in_its_new_field(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as mover:
            await writer.add_note("n1", "A1", "move me")
            await writer.insert_text("n1", 7, "!")
            await mover.wait_for(text_is(mover, "n1", "move me!"))
            assert kit.room.runs.ends
            note = mover.notes["n1"]
            assert isinstance(note, Map)
            note["field"] = "A2"
            await mover.flush()
            await writer.wait_for(lambda: writer.notes["n1"]["field"] == "A2")
            assert not kit.room.runs.ends  # the full judge took the move: all forgotten
            kit.room.policy.locked_fields = lambda: frozenset({"A2"})
            await writer.insert_text("n1", 8, "?")
            await writer.wait_for(lambda: writer.denied)
            assert _room_text(kit.room, "n1") == "move me!"


async def test_p374_the_servers_own_changes_and_other_nodes_updates_forget_runs(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer:
            await writer.add_note("n1", "A1", "x")
            await writer.insert_text("n1", 1, "y")
            await _handled(writer)
            assert kit.room.runs.ends
            kit.room.transact(lambda doc: doc.get("meta", type=Map).__setitem__("title", "T"))
            assert not kit.room.runs.ends
            await writer.insert_text("n1", 2, "z")  # the full judge learns it again
            await _handled(writer)
            assert kit.room.runs.ends
            # another node's update (P324) forgets the notes it touched, and only those
            other: Doc[Any] = Doc()
            other.apply_update(kit.room.doc.get_update())
            other.get("meta", type=Map)["title"] = "U"
            kit.room.apply_relayed(other.get_update(kit.room.doc.get_state()))
            assert kit.room.runs.ends
            text = other.get("notes", type=Map)["n1"]["text"]
            text += "!"
            kit.room.apply_relayed(other.get_update(kit.room.doc.get_state()))
            assert not kit.room.runs.ends
            assert _room_text(kit.room, "n1") == "xyz!"


# ---- the same updates, typed on and fully judged, end the same ----------------------------

WRITERS = 3
STEPS = 160


def _returning(locked: frozenset[str]) -> Callable[[], frozenset[str]]:
    return lambda: locked


def _writer_doc(client_id: int) -> Doc[Any]:
    return Doc(client_id=client_id)


async def _handled(client: PyClient) -> None:
    """Wait until the room handled everything `client` sent: it answers a SyncStep1 only
    after the messages before it."""
    seen = len(client.frames)
    await client.send(codec.encode_sync_step1(b"\x00"))

    def answered() -> bool:
        return any(isinstance(codec.decode_frame(f), codec.SyncStep2) for f in client.frames[seen:])

    await client.wait_for(answered, within=10)


def _edit(rng: random.Random, doc: Doc[Any], me: int) -> None:
    """One random writer's edit, mostly typing on at the end of its own note."""
    notes = doc.get("notes", type=Map)
    ids = sorted(notes.keys())
    own = f"w{me}"
    roll = rng.random()
    if own not in notes or roll < 0.03:
        notes[own if own not in notes else f"{own}-{rng.randrange(1000)}"] = Map(
            {"field": rng.choice(["A1", "A2"]), "text": Text("")}
        )
        return
    target = own if roll < 0.75 else rng.choice(ids)
    note = notes[target]
    text = note["text"] if isinstance(note, Map) and "text" in note else None
    if not isinstance(text, Text):
        return
    size = len(str(text).encode())
    if roll < 0.85:
        text.insert(size, rng.choice(["x", "yz", "\u00e4", "\U0001f600", "w" * 30]))
    elif roll < 0.9 and size:
        text.insert(0, "f")  # before a run: the full judge
    elif roll < 0.95 and size:
        last = len(str(text)[-1].encode())  # pycrdt counts UTF-8 bytes
        del text[size - last : size]
    else:
        note["field"] = rng.choice(["A1", "A2", "Z9"])  # Z9: no field of the canvas


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_p374_typed_keystrokes_end_as_the_full_judge_ends_them(
    tmp_path: Path, seed: int
) -> None:
    """Random edits by three writers, the same bytes sent to a room that types them on
    and to one that judges every update in full, with the same locks switched between
    them: both rooms must hold the same board and refuse the same updates."""
    rng = random.Random(seed)
    docs = [_writer_doc(1000 + i) for i in range(WRITERS)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        running_room(tmp_path / "a", violations_before_close=10_000) as fast,
        running_room(tmp_path / "b", violations_before_close=10_000) as full,
    ):
        full.room._typed = lambda *args: False  # type: ignore[method-assign]
        answers = _count_typed(fast.room)
        kits: list[RoomKit] = [fast, full]
        async with (
            fast.join() as a0,
            fast.join() as a1,
            fast.join() as a2,
            full.join() as b0,
            full.join() as b1,
            full.join() as b2,
        ):
            conns = [[a0, a1, a2], [b0, b1, b2]]
            for step in range(STEPS):
                if rng.random() < 0.08:
                    locked = frozenset(rng.sample(["A1", "A2"], rng.randrange(3)))
                    for kit in kits:
                        kit.room.policy.locked_fields = _returning(locked)
                me = rng.randrange(WRITERS)
                doc = docs[me]
                made: list[bytes] = []  # what its transaction wrote, as a Yjs client sends it
                watch = doc.observe(lambda event, made=made: made.append(event.update))
                _edit(rng, doc, me)
                doc.unobserve(watch)
                if not made:
                    continue
                (update,) = made
                for other in docs:  # the writers see each other's edits, accepted or not
                    if other is not doc:
                        other.apply_update(update)
                if update == codec.EMPTY_UPDATE:
                    continue
                frame = codec.encode_sync_update(update)
                for side in conns:
                    await side[me].send(frame)
                for side in conns:
                    await _handled(side[me])
                assert doc_view(fast.room.doc) == doc_view(full.room.doc), step
            for side in conns:
                for client in side:
                    assert not client.closed.is_set()
            assert [len(c.denied) for c in conns[0]] == [len(c.denied) for c in conns[1]]
    # the path was taken, and also left to the full judge
    assert answers.count(True) > 40 and answers.count(False) > 10, answers.count(True)


# ---- crafted keystrokes after a remembered run -------------------------------------------


async def _settled(client: PyClient) -> None:
    """Wait until the room handled what `client` sent, or closed it."""
    seen = len(client.frames)
    await client.send(codec.encode_sync_step1(b"\x00"))

    def done() -> bool:
        return client.closed.is_set() or any(
            isinstance(codec.decode_frame(f), codec.SyncStep2) for f in client.frames[seen:]
        )

    await client.wait_for(done, within=10)


def _after(origin: tuple[int, int], words: str, client: int, info: int = 0x84) -> bytes:
    """A run of `words` right after the item `origin` (info 0x84: origin | String)."""
    struct = bytes([info]) + hostile.uint(origin[0]) + hostile.uint(origin[1])
    return hostile.update([struct + hostile.string(words)], client)


def _crafted(
    run: tuple[int, int], locked: tuple[int, int], writer: bytes, attacker: int
) -> list[bytes]:
    """Updates that look like a keystroke after `run` and are something else as well."""
    typed = _after(run, "x", attacker)
    with_right = (
        b"\x01\x01"
        + hostile.uint(attacker)
        + b"\x00\xc4"
        + hostile.uint(run[0])
        + hostile.uint(run[1])
        + hostile.uint(locked[0])
        + hostile.uint(locked[1])
        + hostile.string("r")
        + b"\x00"
    )
    deleting = typed[:-1] + hostile.delete_set({locked[0]: [(locked[1], 1)]})
    clock = 2 + len(hostile.uint(attacker))
    return [
        typed,  # harmless
        hostile.any_after(run, ["hidden"], attacker),  # a value the words never show
        with_right,  # placed before a character of a note in a locked field
        deleting,  # and a character of that note deleted
        _after(run, "w" * 250, attacker),  # past the note limit at once
        _after(run, "", attacker),  # no characters
        _after(run, "k", attacker, info=0xA4),  # a parent key bit where none is read
        writer,  # the writer's own keystroke, sent again by someone else
        typed[:-1] + b"\x00\x00",  # a byte more than yrs writes
        typed[:clock] + b"\x80\x00" + typed[clock + 1 :],  # its clock 0 written in two bytes
    ]


def _mutants(rng: random.Random, base: bytes, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        data = bytearray(base)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out.append(bytes(data))
    return out


async def test_p374_crafted_keystrokes_after_a_run_end_as_the_full_judge_ends_them(
    tmp_path: Path,
) -> None:
    """Updates that start like a keystroke after a remembered run, crafted and mutated,
    sent to a room that types on and to one that judges everything in full: the same
    board, the same refusals and the same closes in both."""
    rng = random.Random(374)
    writer_doc = _writer_doc(1000)
    made: list[bytes] = []
    writer_doc.observe(lambda event: made.append(event.update))
    notes = writer_doc.get("notes", type=Map)
    notes["n2"] = Map({"field": "A2", "text": Text("closed")})
    locked = hostile.last_char(writer_doc.get_update(), "closed")
    rules = Rules(FIELDS, max_notes=500, max_note_chars=200)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        running_room(tmp_path / "a", violations_before_close=10_000, rules=rules) as fast,
        running_room(tmp_path / "b", violations_before_close=10_000, rules=rules) as full,
    ):
        full.room._typed = lambda *args: False  # type: ignore[method-assign]
        answers = _count_typed(fast.room)
        async with fast.join() as wa, full.join() as wb:
            sent = 0
            for i in range(60):
                # a fresh note and a run in it that both rooms learn, unlocked
                for kit in (fast, full):
                    kit.room.policy.locked_fields = frozenset
                notes[f"c{i}"] = Map({"field": "A1", "text": Text("go")})
                text = notes[f"c{i}"]["text"]
                text += "!"
                for update in made[sent:]:
                    for w in (wa, wb):
                        await w.send(codec.encode_sync_update(update))
                for w in (wa, wb):
                    await _settled(w)
                sent = len(made)
                assert not wa.denied and not wb.denied
                run = max(fast.room.runs.ends, key=lambda end: end[1])
                attacker = hostile.ATTACKER + i
                cases = _crafted(run, locked, made[-1], attacker)
                update = cases[i] if i < len(cases) else _mutants(rng, cases[0], 1)[0]
                lock = frozenset({"A2"} if i % 3 else {"A1", "A2"})
                for kit in (fast, full):
                    kit.room.policy.locked_fields = _returning(lock)
                outcome = []
                for kit in (fast, full):
                    async with kit.join() as attacker_conn:
                        await attacker_conn.send(codec.encode_sync_update(update))
                        await _settled(attacker_conn)
                        info = attacker_conn.close_info
                        outcome.append((len(attacker_conn.denied), info.code if info else None))
                assert outcome[0] == outcome[1], (i, update.hex(), outcome)
                assert doc_view(fast.room.doc) == doc_view(full.room.doc), (i, update.hex())
    assert answers.count(True) >= 1  # a harmless one among them was typed on


async def test_p375_whatever_reads_the_board_sees_the_keystrokes_waiting(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as watch:
            await writer.add_note("n1", "A1", "wait")
            for i in range(6):
                await writer.insert_text("n1", 4 + i, str(i))
            # (a SyncStep1 would read the board: the fan-out shows they were taken)
            await watch.wait_for(text_is(watch, "n1", "wait012345"))
            assert kit.room._typed_later  # stored and sent, not applied yet
            async with kit.join() as late:  # its SyncStep2 holds them
                assert str(late.notes["n1"]["text"]) == "wait012345"
            assert not kit.room._typed_later
            for i in range(3):
                await writer.insert_text("n1", 10 + i, "!")
            await watch.wait_for(text_is(watch, "n1", "wait012345!!!"))
            assert kit.room._typed_later
            assert (await kit.stored_view())["notes"]["n1"]["text"] == "wait012345!!!"
            await kit.compacted_state()  # the compaction reads the document
            assert _room_text(kit.room, "n1") == "wait012345!!!"


def test_p375_only_what_yrs_itself_writes_is_sent_before_pycrdt_reads_it() -> None:
    writer = _writer_doc(77)
    made: list[bytes] = []
    writer.observe(lambda event: made.append(event.update))
    text = writer.get("t", type=Text)
    text += "ab"
    text += "\u00e4"
    run = (77, 1)
    update = made[-1]
    assert plain(update, 77, 2, run)
    assert not plain(update, 77, 2, (77, 0))  # another origin
    assert not plain(update, 78, 2, run)
    assert not plain(update + b"\x00", 77, 2, run)  # a byte more
    assert not plain(update[:-1] + b"\x01", 77, 2, run)  # something deleted
    assert not plain(update[:-2], 77, 2, run)  # cut short
    head = update.index(b"\x84")
    assert not plain(update[:head] + b"\xa4" + update[head + 1 :], 77, 2, run)
    length = len(update) - 4  # the string's length byte: 2 bytes of UTF-8 and the end
    assert update[length] == 2
    longer = update[:length] + b"\x82\x00" + update[length + 1 :]  # the same number, longer
    assert not plain(longer, 77, 2, run)


async def test_p374_a_board_keeps_no_text_lengths_of_updates_it_cannot_type_on(
    tmp_path: Path,
) -> None:
    """A loaded board's memory must not grow by what the judge read of many notes."""
    async with running_room(tmp_path) as kit:
        async with kit.join() as writer, kit.join() as watch:
            with writer.doc.transaction():
                for i in range(20):
                    writer.notes[f"n{i}"] = Map({"field": "A1", "text": Text(f"Notiz {i}")})
            await writer.flush()
            await watch.wait_for(lambda: "n19" in watch.notes)
            assert kit.room.policy._text_chars == {}
            assert not kit.room.runs.ends
            await writer.insert_text("n3", 7, "!")
            await watch.wait_for(text_is(watch, "n3", "Notiz 3!"))
            assert kit.room.policy._text_chars == {}  # read, used and dropped
            assert list(kit.room.runs.chars.values()) == [8]
