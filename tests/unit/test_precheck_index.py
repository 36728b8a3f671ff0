"""The pre-check on the hot path: a lazy type index (P107) and the work cap (P112)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from server.sync import codec, judge
from server.sync.budget import HeldBytes
from server.sync.document import doc_view, initial_update, load_doc
from server.sync.errors import CloseCode, ForbiddenError, MalformedMessageError, OutOfOrderError
from server.sync.precheck import (
    ARCHIVE,
    CLIENT,
    MAX_CLIENT_WORK,
    Parsed,
    Profile,
    TypeIndex,
    UpdateRefusedError,
    check_client_update,
    check_update,
    parse_update,
    read_state_vector,
)
from server.sync.precheck import check as check_module
from server.sync.precheck import index as index_module
from tests.support import hostile as h
from tests.support import interpreted
from tests.support.pyclient import PyClient
from tests.support.roomkit import RoomKit, running_room


def refused(update: bytes, index: TypeIndex | None = None) -> UpdateRefusedError:
    with pytest.raises(UpdateRefusedError) as info:
        check_update(update, CLIENT, index if index is not None else TypeIndex())
    return info.value


class Server:
    """A document with a lazy index kept the way Room keeps it."""

    def __init__(self, state: bytes) -> None:
        self.doc = load_doc(state, [])
        self.index = TypeIndex.lazy(self.doc.get_state, self.doc.get_update)
        self.doc.observe(lambda e: self.index.record(e.update))

    def apply(self, update: bytes) -> None:
        check_client_update(update, self.index)
        self.doc.apply_update(update)

    def known(self) -> dict[int, int]:
        return read_state_vector(self.doc.get_state())


def edits(doc: Doc[Any], *changes: Any) -> list[bytes]:
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    out: list[bytes] = []
    peer.observe(lambda event: out.append(event.update))
    for change in changes:
        with peer.transaction():
            change(peer)
    return out


def note(nid: str, text: str = "Grüne Höfe 🌳") -> Any:
    def change(d: Doc[Any]) -> None:
        d.get("notes", type=Map)[nid] = Map({"field": "A1", "text": Text(text), "x": 0.5})

    return change


def typing(nid: str, at: int, text: str) -> Any:
    def change(d: Doc[Any]) -> None:
        d.get("notes", type=Map)[nid]["text"].insert(at, text)

    return change


def nest(nid: str) -> Any:
    def change(d: Doc[Any]) -> None:
        d.get("notes", type=Map)[nid]["extra"] = Map({"inner": Map({"v": 1})})

    return change


BASE = initial_update({"title": "T", "canvas": "ko-kreation"})


# ---- P107: the depth part of the index is built only when an update needs it ---------------


def test_p107_typing_never_builds_the_depth_index() -> None:
    server = Server(BASE)
    for update in edits(server.doc, note("a"), typing("a", 2, "x"), typing("a", 3, "yz")):
        server.apply(update)
        assert server.index.end_clocks() == server.known()
    assert not server.index.built
    assert str(server.doc.get("notes", type=Map)["a"]["text"]) == "Grxyzüne Höfe 🌳"


def test_p107_unknown_origin_is_refused_without_building_the_index() -> None:
    server = Server(BASE)
    unknown_origin = h.update([b"\x88" + h.uint(5) + h.uint(9) + b"\x01\x7e"])
    with pytest.raises(MalformedMessageError):
        check_client_update(unknown_origin, server.index)
    assert not server.index.built


def test_p107_lazy_index_refuses_a_chain_grown_across_updates() -> None:
    server = Server(BASE)
    n = CLIENT.max_type_depth - 1
    server.apply(h.map_chain(n))  # roots and local parents only: nothing to look up
    assert not server.index.built
    link = b"\x27\x00" + h.uint(h.ATTACKER) + h.uint(n - 1) + h.string("k") + b"\x01"
    with pytest.raises(ForbiddenError, match="P107"):
        check_client_update(h.update([link], clock=n), server.index)
    assert server.index.built  # the parent named by id needed the depths


def test_p107_lazy_index_agrees_with_the_full_index() -> None:
    server = Server(BASE)
    full = TypeIndex.from_state(server.doc.get_update())
    changes = [note("a"), typing("a", 1, "q"), nest("a"), note("b", ""), typing("b", 0, "x")]
    changes += [typing("a", 0, "ä"), nest("b"), typing("b", 1, "yy")]
    for update in edits(server.doc, *changes):
        check_update(update, CLIENT, full)
        server.apply(update)
        full.record(update)
    assert server.index.built  # nesting under a note map by id built it on the way
    assert server.index.end_clocks() == server.known()
    for client, end in server.known().items():
        for clock in range(end):
            assert server.index.depth_at(client, clock) == full.depth_at(client, clock)
            assert server.index.type_depth(client, clock) == full.type_depth(client, clock)


def test_p107_an_accepted_update_is_recorded_without_a_second_parse(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if interpreted.elsewhere(request):  # it replaces a compiled function (P371)
        return
    server = Server(BASE)
    parses: list[int] = []

    def counted(update: bytes, profile: Profile) -> Parsed:
        parses.append(len(update))
        return parse_update(update, profile)

    # both callers of the parser: checking an update, building the index from a state
    monkeypatch.setattr(check_module, "parse_update", counted)
    monkeypatch.setattr(index_module, "parse_update", counted)
    updates = edits(server.doc, note("a"), typing("a", 1, "q"), nest("a"), typing("a", 0, "z"))
    expected: list[int] = []
    for update in updates:
        if update is updates[2]:  # nests a map under note "a", named by id: build first
            expected.append(len(server.doc.get_update()))
        expected.append(len(update))
        server.apply(update)
    assert parses == [expected[0], expected[1], expected[3], expected[2], expected[4]]
    assert server.index.built
    assert str(server.doc.get("notes", type=Map)["a"]["text"]) == "zGqrüne Höfe 🌳"


def test_p267_the_index_forgets_the_server_ids_a_replaced_document_lacks() -> None:
    # P267 throws away a document whose last server ids the undo wrote, and writes other
    # content under them: the index must neither know them nor keep their types
    doc: Doc[Any] = Doc(client_id=7)
    notes = doc.get("notes", type=Map)
    notes["a"] = Map({"field": "A1", "text": Text("eins")})
    cut = read_state_vector(doc.get_state())[7]
    notes["b"] = Map({"field": "A1", "text": Text("zwei")})
    for built in (False, True):
        index = TypeIndex.from_state(doc.get_update())
        if not built:
            index.clients = None  # only the end clocks, as a room keeps while typing
        index.forget(7, cut)
        assert index.knows(7, cut - 1) and not index.knows(7, cut)
        if built:
            assert index.depth_at(7, cut - 1) is not None
            assert index.depth_at(7, cut) is None and index.type_depth(7, cut) is None
            assert index.type_depth(7, 0) is not None  # note a's map stays a type
        index.forget(7, cut + 100)  # past the end: nothing changes
        assert index.knows(7, cut - 1) and not index.knows(7, cut)


@pytest.mark.anyio
@pytest.mark.parametrize("built_before", [False, True])
async def test_p107_a_write_into_a_note_deleted_and_collected_meanwhile_is_not_refused(
    tmp_path: Path, built_before: bool
) -> None:
    # an index built from a state where the note's map is collected (Deleted content) no
    # longer knew it as a type: the offline writer was closed with 4400 on every return.
    # yrs drops what is written into a collected item (found by an attack session)
    async with running_room(tmp_path, violations_before_close=100) as kit:
        async with kit.join("moderator") as m:
            await m.add_note("X", "A1", "weg")
            await m.add_note("Y", "A1", "bleibt")
            async with kit.join() as c:
                await c.wait_for(lambda: "X" in c.notes)
                offline = c.replica()
            if built_before:
                kit.room.types.depth_at(0, 0)
            del m.notes["X"]
            await m.flush()
            await m.request("clock")
            await kit.compacted_state()  # collects the deleted note
            kit.room.collect()
            if not built_before:
                kit.room.types = kit.room._new_type_index()  # as after a reload
            with offline.transaction():
                offline.get("notes", type=Map)["X"]["x"] = 0.3
            async with kit.join(doc=offline) as back:
                await back.request("clock")
                assert not back.closed.is_set()
                await m.request("clock")
                assert back.view() == m.view() == await kit.stored_view()
                assert "X" not in m.notes


def test_p113_a_section_after_a_gap_is_refused_until_the_gap_is_filled() -> None:
    server = Server(BASE)
    first, second = edits(server.doc, note("a"), note("b"))
    before = server.doc.get_update()
    with pytest.raises(MalformedMessageError, match="P113"):
        server.apply(second)  # starts past what the server has of its client
    assert server.doc.get_update() == before
    server.apply(first)
    server.apply(second)
    assert server.index.end_clocks() == server.known()
    assert set(server.doc.get("notes", type=Map).keys()) == {"a", "b"}


def test_p116_a_deletion_of_ids_the_room_lacks_waits_and_spares_later_notes() -> None:
    server = Server(BASE)
    (first,) = edits(server.doc, note("a"))
    writer = next(iter(parse_update(first, CLIENT).end_clocks))
    # yrs would keep this deletion and apply it to the writer's next ids when they arrive
    ahead = h.deletion({writer: [(0, 1_000_000)]})
    with pytest.raises(MalformedMessageError, match="P116") as info:
        server.apply(ahead)
    assert isinstance(info.value, OutOfOrderError)  # it waits (P114), it is not refused
    server.apply(first)
    assert set(server.doc.get("notes", type=Map).keys()) == {"a"}
    # deleting what the room has, or what the update itself adds, is fine
    (gone,) = edits(server.doc, lambda d: d.get("notes", type=Map).pop("a"))
    server.apply(gone)
    assert set(server.doc.get("notes", type=Map).keys()) == set()


def test_p116_what_an_update_adds_after_a_gap_does_not_cover_its_deletions() -> None:
    server = Server(BASE)
    (first,) = edits(server.doc, note("a"))
    writer = next(iter(parse_update(first, CLIENT).end_clocks))
    server.apply(first)
    end = server.known()[writer]
    # one value at the writer's next clock, a skip of 1,000 clocks, and a deletion of them:
    # yrs integrates up to the skip and keeps the deletion for the skipped ids
    value = h.struct_any_in_root("notes", "b", b"\x7e")
    update = (
        h.uint(1)
        + h.uint(2)
        + h.uint(writer)
        + h.uint(end)
        + value
        + bytes([10])
        + h.uint(1_000)
        + h.delete_set({writer: [(end + 1, 1_000)]})
    )
    with pytest.raises(OutOfOrderError, match="P116"):
        server.apply(update)


@pytest.mark.anyio
async def test_p113_p114_a_gapped_update_waits_unseen_until_its_gap_arrives(
    tmp_path: Path,
) -> None:
    # yrs would show the gapped note without storing it or sending it on: the room would
    # hold what its store does not, and only fresh joiners would see it
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        first, second = edits(kit.room.doc, note("a"), note("b"))
        before = kit.room.doc.get_update()
        await a.send(codec.encode_sync_update(second))
        await a.request("clock")  # judged: it waits
        assert kit.room.doc.get_update() == before
        assert (await kit.stored_view())["notes"] == {}
        await a.send(codec.encode_sync_update(first))
        await b.wait_for(lambda: {"a", "b"} <= set(b.notes.keys()))
        await a.request("clock")
        assert set((await kit.stored_view())["notes"]) == {"a", "b"}
        assert (await kit.stored_view()) == doc_view(kit.room.doc)
        assert not a.closed.is_set() and not a.denied


async def offline_work(kit: RoomKit, a: PyClient, b: PyClient) -> tuple[bytes, Text]:
    """`a` writes a note "Start" that `b` sees, then adds " offline" without sending it.
    Returns what the server had then, and the note's text in `a`."""
    await a.add_note("n", "A1", "Start")
    await b.wait_for_note("n")
    server_has = kit.room.doc.get_state()
    body = a.notes["n"]["text"]
    assert isinstance(body, Text)
    body.insert(5, " offline")
    a._outbox = []  # offline: never sent
    return server_has, body


@pytest.mark.anyio
async def test_p114_typing_ahead_of_the_offline_work_waits_for_it(tmp_path: Path) -> None:
    budget = HeldBytes(1 << 20)
    async with running_room(tmp_path, held=budget) as kit, kit.join() as a, kit.join() as b:
        server_has, body = await offline_work(kit, a, b)
        body.insert(13, " weiter")
        (typed,) = a._outbox
        a._outbox = []
        await a.send(typed)  # refers to the offline characters
        await a.request("clock")
        seen_waiting = budget.used
        assert str(kit.room.doc.get("notes", type=Map)["n"]["text"]) == "Start"
        await a.send(codec.encode_sync_step2(a.doc.get_update(server_has)))
        await b.wait_for(lambda: str(b.notes["n"]["text"]) == "Start offline weiter")
        await a.request("clock")
        assert (await kit.stored_view())["notes"]["n"]["text"] == "Start offline weiter"
        assert not a.closed.is_set() and not a.denied
        assert not kit.room.conns or all(not c.held for c in kit.room.conns)
        assert seen_waiting > 0 and budget.used == 0  # given back once applied (P115)


@pytest.mark.anyio
async def test_p114_waiting_is_bounded_then_the_sender_is_closed(tmp_path: Path) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.add_note("n", "A1", "")
        await b.wait_for_note("n")
        body = a.notes["n"]["text"]
        assert isinstance(body, Text)
        body.insert(0, "verloren")
        a._outbox = []  # never sent: everything after it waits
        for i in range(judge.HELD_UPDATES + 1):
            body.insert(8 + i, "x")
        await a.flush()
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.BAD_MESSAGE
        assert "P114" in a.close_info.reason
        await b.add_note("m", "A2", "weiter")
        await b.request("clock")
        view = await kit.stored_view()
        assert view["notes"]["n"]["text"] == "" and view == doc_view(kit.room.doc)


@pytest.mark.anyio
async def test_p114_what_never_arrives_is_retried_a_bounded_number_of_times(
    tmp_path: Path,
) -> None:
    # a held update costs a pre-check every time the connection's updates apply: one that
    # waits for an id nobody will send must not make every later keystroke cost more
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        await a.add_note("n", "A1", "")
        await b.wait_for_note("n")
        ghost: Doc[Any] = Doc(client_id=4242)
        ghost.apply_update(kit.room.doc.get_update())
        ghost.get("notes", type=Map)["g"] = Map({"field": "A1", "text": Text("nie")})
        orphan: Doc[Any] = Doc()
        orphan.apply_update(ghost.get_update())
        sv = orphan.get_state()
        orphan.get("notes", type=Map)["g"]["text"].insert(0, "x")
        await a.send(codec.encode_sync_update(orphan.get_update(sv)))  # waits for 4242
        for i in range(judge.HELD_TRIES + 1):
            await a.insert_text("n", i, "k")
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == CloseCode.BAD_MESSAGE
        assert "P114" in a.close_info.reason
        await b.request("clock")
        view = await kit.stored_view()
        assert "g" not in view["notes"]
        assert view["notes"]["n"]["text"] == "k" * (judge.HELD_TRIES + 1)


@pytest.mark.anyio
async def test_p115_the_waiting_updates_of_every_board_share_one_bound(tmp_path: Path) -> None:
    # each connection may hold 256 KiB (P114); thousands of them must not hold it all
    waiting = h.waiting_update()
    shared = HeldBytes(len(waiting) + len(waiting) // 2)
    async with (
        running_room(tmp_path / "one", held=shared) as one,
        one.join() as a,
        running_room(tmp_path / "two", held=shared) as two,
        two.join() as b,
        two.join() as c,
    ):
        await a.send(codec.encode_sync_update(waiting))
        await a.request("clock")
        assert shared.used == len(waiting)
        assert [u for conn in one.room.conns for u in conn.held] == [waiting]
        await b.send(codec.encode_sync_update(h.waiting_update(ghost=4343)))
        await b.closed.wait()
        assert b.close_info is not None and b.close_info.code == CloseCode.SERVER_ERROR
        assert "P115" in b.close_info.reason  # retried: its client still has the edit
        assert shared.used == len(waiting) and not a.closed.is_set()
        await c.add_note("m", "A1", "weiter")  # the board goes on
        await c.request("clock")
        assert (await two.stored_view())["notes"]["m"]["text"] == "weiter"
    assert shared.used == 0  # every connection ended: nothing counts any more


@pytest.mark.anyio
async def test_p116_a_participant_cannot_delete_the_notes_others_write_next(
    tmp_path: Path,
) -> None:
    # before P116 the victim's next note vanished inside its own update: no refusal, no
    # parked text, and its author kept seeing it while nobody else did
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b, kit.join() as c:
        victim = b.doc.client_id
        await a.send(codec.encode_sync_update(h.deletion({victim: [(0, 1_000_000)]})))
        await a.request("clock")
        assert [len(u) for conn in kit.room.conns for u in conn.held] != []
        await b.add_note("n1", "A1", "meine Worte")
        await c.wait_for_note("n1")
        await b.request("clock")
        assert (await kit.stored_view())["notes"]["n1"]["text"] == "meine Worte"
        assert str(kit.room.doc.get("notes", type=Map)["n1"]["text"]) == "meine Worte"
        assert not b.denied and not a.closed.is_set()


@pytest.mark.anyio
async def test_p116_deleting_offline_text_as_the_connection_returns_waits_for_it(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        server_has, body = await offline_work(kit, a, b)
        del body[5:13]  # deleted again as the connection comes back
        (deleting,) = a._outbox
        a._outbox = []
        await a.send(deleting)  # deletes characters the server does not have yet
        await a.request("clock")
        await a.send(codec.encode_sync_step2(a.doc.get_update(server_has)))
        await a.request("clock")
        assert str(kit.room.doc.get("notes", type=Map)["n"]["text"]) == "Start"
        assert (await kit.stored_view()) == doc_view(kit.room.doc)
        assert not a.closed.is_set() and not a.denied
        assert all(not conn.held for conn in kit.room.conns)


@pytest.mark.anyio
async def test_p107_room_loads_without_the_depth_index_and_typing_keeps_it_so(
    tmp_path: Path,
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a:
        types = kit.room.types
        assert not types.built
        await a.add_note("n", "A1", "hallo")
        for i in range(5):
            await a.insert_text("n", 5 + i, "!")
        await a.request("clock")  # a round trip: every update before it is applied
        assert not types.built
        assert types.end_clocks() == read_state_vector(kit.room.doc.get_state())
        assert str(kit.room.doc.get("notes", type=Map)["n"]["text"]) == "hallo!!!!!"


# ---- P112: the work per client update is capped ------------------------------------------


def test_p112_structs_values_and_deleted_ranges_count_toward_the_cap() -> None:
    gc = b"\x00\x01"
    check_update(h.update([gc] * MAX_CLIENT_WORK), CLIENT, TypeIndex())
    error = refused(h.update([gc] * (MAX_CLIENT_WORK + 1)))
    assert error.rule == "P112" and not error.malformed
    check_update(h.update([gc] * (MAX_CLIENT_WORK + 1)), ARCHIVE)

    def values(n: int) -> bytes:
        return b"\x28\x01" + h.string("notes") + h.string("k") + h.uint(n) + b"\x7f" * n

    check_update(h.update([values(MAX_CLIENT_WORK - 1)]), CLIENT, TypeIndex())
    assert refused(h.update([values(MAX_CLIENT_WORK)])).rule == "P112"
    wide = b"\x75" + h.uint(MAX_CLIENT_WORK) + b"\x7e" * MAX_CLIENT_WORK
    assert refused(h.update([h.struct_any_in_root("notes", "k", wide)])).rule == "P112"

    def deletes(n: int) -> bytes:
        ranges = b"".join(h.uint(2 * i) + b"\x01" for i in range(n))
        return b"\x00\x01" + h.uint(h.ATTACKER) + h.uint(n) + ranges

    check_update(deletes(MAX_CLIENT_WORK), CLIENT, TypeIndex())
    assert refused(deletes(MAX_CLIENT_WORK + 1)).rule == "P112"


def test_p112_the_costliest_frame_under_the_cap_is_checked_fast() -> None:
    server = Server(BASE)
    client, end = max(server.known().items())
    ref = h.uint(client) + h.uint(end - 1)
    # deleted items between two known items: the most reading per byte the cap lets in
    heavy = h.update([b"\xc1" + ref + ref + b"\x01"] * MAX_CLIENT_WORK)
    start = time.process_time()
    check_client_update(heavy, server.index)
    assert time.process_time() - start < 1.0  # about 0.15 s on a busy 2-core machine
    tiny = h.update([h.struct_any_in_root("notes", "k", b"\x7d\x01")] * 70_000)
    start = time.process_time()
    assert refused(tiny, server.index).rule == "P112"
    assert time.process_time() - start < 0.05  # refused at the section header


def test_p112_two_thousand_notes_as_the_client_writes_them_fit_in_one_update() -> None:
    server = Server(BASE)
    peer: Doc[Any] = Doc()
    peer.apply_update(server.doc.get_update())
    notes = peer.get("notes", type=Map)
    with peer.transaction():  # an import: the board's note limit in one transaction
        for j in range(2000):  # the keys client/src/model/notes.ts sets on a note
            notes[f"note-{j:05d}"] = Map(
                {
                    "field": "A1",
                    "text": Text(f"Gemeinwohl zuerst: Grüne Höfe {j}"),
                    "x": j / 2000,
                    "y": 0.5,
                    "color": "yellow",
                    "group": "Gruppe 3",
                    "author": "Ana",
                    "author_id": "a-123456",
                    "created_at": 1.7e12,
                    "updated_at": 1.7e12,
                    "order": 1.7e12 + j,
                    "kind": "note",
                }
            )
    server.apply(peer.get_update(server.doc.get_state()))
    assert len(server.doc.get("notes", type=Map)) == 2000
