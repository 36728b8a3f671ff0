"""The bounded pre-check of untrusted Yjs updates (PROTOCOL.md P100-P110)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pycrdt
import pytest
from pycrdt import Array, Doc, Map, Text

from server.sync import codec
from server.sync.document import initial_update, load_doc, new_doc
from server.sync.errors import CloseCode
from server.sync.precheck import (
    ARCHIVE,
    CLIENT,
    RECORD,
    Profile,
    TypeIndex,
    UpdateRefusedError,
    check_update,
)
from tests.support import hostile as h
from tests.support.roomkit import running_room

# the reference example: yjs writing getMap('m').set('k', [1, -1, 1.5, 's', null, true,
# {a: [2]}, 2n**40n, undefined, Uint8Array [9]]) (yjs-update-format §8)
YJS_EXAMPLE = bytes.fromhex(
    "01010100"
    "28"
    "01016d"
    "016b"
    "01750a"
    "7d01"
    "7d41"
    "7c3fc00000"
    "770173"
    "7e"
    "78"
    "7601016175017d02"
    "7a0000010000000000"
    "7f"
    "740109"
    "00"
)


def refused(update: bytes, profile: Profile = CLIENT, index: TypeIndex | None = None) -> str:
    with pytest.raises(UpdateRefusedError) as info:
        check_update(update, profile, index if index is not None else TypeIndex())
    return info.value.rule


def board() -> tuple[Doc[Any], TypeIndex]:
    doc = load_doc(initial_update({"title": "T", "canvas": "ko-kreation"}), [])
    return doc, TypeIndex.from_state(doc.get_update())


def edits(doc: Doc[Any], *changes: Any) -> list[bytes]:
    """Run each change in its own transaction on a copy of `doc`; return the updates."""
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    out: list[bytes] = []
    peer.observe(lambda event: out.append(event.update))
    for change in changes:
        with peer.transaction():
            change(peer)
    return out


def add_note(nid: str, text: str = "hello 🌳") -> Any:
    def change(d: Doc[Any]) -> None:
        d.get("notes", type=Map)[nid] = Map({"field": "A1", "text": Text(text), "x": 0.5})

    return change


# ---- what a board writes is accepted -----------------------------------------------------


def test_p110_client_edits_are_accepted_and_indexed() -> None:
    doc, index = board()

    def type_more(d: Doc[Any]) -> None:
        d.get("notes", type=Map)["n1"]["text"].insert(2, "XX")

    def overwrite(d: Doc[Any]) -> None:
        d.get("notes", type=Map)["n1"]["x"] = 0.25

    for update in edits(doc, add_note("n1"), type_more, overwrite):
        parsed = check_update(update, CLIENT, index)
        assert max(parsed.depths) <= 3  # notes (1) -> note map (2) -> text (3)
        doc.apply_update(update)
        index.record(update)
    assert str(doc.get("notes", type=Map)["n1"]["text"]) == "heXXllo 🌳"


def test_p110_archive_profile_reads_server_state_with_an_array() -> None:
    doc = load_doc(initial_update({"title": "T"}, {"log": Array([{"at": 1, "op": "x"}])}), [])
    check_update(doc.get_update(), ARCHIVE)
    assert refused(doc.get_update(), CLIENT) == "P105"


def test_p110_record_profile_reads_the_yjs_example() -> None:
    parsed = check_update(YJS_EXAMPLE, RECORD, None)
    assert parsed.end_clocks == h.read_state_vector(pycrdt.get_state(YJS_EXAMPLE))  # one value
    assert refused(YJS_EXAMPLE, ARCHIVE) == "P108"  # root "m" is not a board root


def test_p110_end_clocks_agree_with_pycrdt() -> None:
    doc, _ = board()
    for update in edits(doc, add_note("a"), add_note("b", "ä" * 30)):
        doc.apply_update(update)
    state = doc.get_update()
    parsed = check_update(state, ARCHIVE)
    assert parsed.end_clocks == h.read_state_vector(pycrdt.get_state(state))


# ---- P100 value depth ------------------------------------------------------------------


def test_p100_any_at_the_limit_is_accepted_one_deeper_refused() -> None:
    check_update(h.deep_any(CLIENT.max_any_depth), CLIENT, TypeIndex())
    assert refused(h.deep_any(CLIENT.max_any_depth + 1)) == "P100"
    check_update(h.deep_any(ARCHIVE.max_any_depth), ARCHIVE)
    assert refused(h.deep_any(ARCHIVE.max_any_depth + 1), ARCHIVE) == "P100"


@pytest.mark.parametrize("depth", [1_000, 10_000, 40_000, 100_000])
def test_p100_very_deep_any_is_refused_fast(depth: int) -> None:
    start = time.perf_counter()
    assert refused(h.deep_any(depth)) == "P100"
    assert time.perf_counter() - start < 0.05


def test_p100_deep_object_is_refused() -> None:
    obj = b"\x76\x01" + h.string("a")
    value = obj * 100 + b"\x7e"
    assert refused(h.update([h.struct_any_in_root("notes", "n", value)])) == "P100"


# ---- P101 numbers, strings, tags -------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        b"\x81\x00\x00",  # overlong client count
        b"\x80" * 8 + b"\x01\x00",  # more than 8 bytes
        b"\xff\xff\xff\xff\xff\xff\xff\x7f\x00",  # above 2^53-1
        h.update([b"\x28\x01" + h.string("notes") + b"\x02\xc3\x28" + b"\x01\x7e"]),  # bad UTF-8
        h.update([h.struct_any_in_root("notes", "n", b"\x70")]),  # unknown Any tag
        h.update([h.struct_any_in_root("notes", "n", b"\xd7")]),  # found by the mutation fuzz
        h.update([h.struct_any_in_root("notes", "n", b"\x7d\x80\x00")]),  # overlong varInt
        h.update([h.struct_any_in_root("notes", "n", b"\x7b\x00")]),  # truncated float64
    ],
)
def test_p101_malformed_numbers_and_strings_are_refused(update: bytes) -> None:
    with pytest.raises(UpdateRefusedError) as info:
        check_update(update, CLIENT, TypeIndex())
    assert info.value.rule == "P101" and info.value.malformed


# ---- P102 counts against bytes -------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        h.uint(2**40) + b"\x00",  # sections
        b"\x01" + h.uint(10**9) + b"\x01\x00",  # structs
        h.update([h.struct_any_in_root("notes", "n", b"\x75" + h.uint(10**12))]),  # array
        h.update([b"\x28\x01" + h.string("notes") + h.string("n") + h.uint(10**6)]),  # Any count
        b"\x00" + h.uint(10**9),  # delete-set clients
    ],
)
def test_p102_counts_larger_than_the_bytes_left_are_refused(update: bytes) -> None:
    assert refused(update) == "P102"


# ---- P103 clocks ---------------------------------------------------------------------


def test_p103_clock_overflow_by_a_deleted_item_is_refused() -> None:
    # one Deleted item of length 2^32-1: yrs would set the client's clock to 2^32-1
    deleted = b"\x21\x01" + h.string("notes") + h.string("n") + h.uint(2**32 - 1)
    assert refused(h.update([deleted])) == "P103"
    assert refused(h.update([], clock=2**31)) == "P103"
    assert refused(b"\x00\x01" + h.uint(5) + b"\x01" + h.uint(2**31) + b"\x01") == "P103"


# ---- P104 struct info bytes ------------------------------------------------------------


@pytest.mark.parametrize(
    "struct",
    [
        b"\x14\x01" + h.string("notes") + h.string("x"),  # bit 0x10 (yrs: a string)
        b"\x0b\x01",  # ref 11
        b"\x80\x01",  # GC with flags
        b"\x00\x00",  # empty GC
        b"\x28\x02\x00" + h.string("n") + b"\x01\x7e",  # parent kind 2
        b"\x07\x01" + h.string("notes") + b"\x05" + h.string("hook"),  # Y.XmlHook
        b"\x07\x01" + h.string("notes") + b"\x07",  # type ref 7
    ],
)
def test_p104_struct_bytes_the_libraries_disagree_on_are_refused(struct: bytes) -> None:
    with pytest.raises(UpdateRefusedError) as info:
        check_update(h.update([struct]), CLIENT, TypeIndex())
    assert info.value.rule == "P104" and info.value.malformed


# ---- P105 content a board never uses --------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"\x02\x01" + h.string("[[[1]]]"),  # JSON
        b"\x03" + h.string("bin"),  # Binary
        b"\x05" + h.string('{"a":1}'),  # Embed
        b"\x06" + h.string("bold") + h.string("true"),  # Format
        b"\x09" + h.string("guid") + b"\x76\x00",  # subdocument
        b"\x07\x00",  # Y.Array
        b"\x07\x03" + h.string("p"),  # Y.XmlElement
        b"\x07\x06",  # Y.XmlText
    ],
)
def test_p105_content_a_board_never_uses_is_refused(content: bytes) -> None:
    ref = content[0]
    struct = bytes([0x20 | ref]) + b"\x01" + h.string("notes") + h.string("n") + content[1:]
    with pytest.raises(UpdateRefusedError) as info:
        check_update(h.update([struct]), CLIENT, TypeIndex())
    assert info.value.rule == "P105" and not info.value.malformed


def test_p105_formatting_in_a_note_text_is_refused() -> None:
    doc, index = board()
    doc.apply_update(edits(doc, add_note("n1"))[0])
    index = TypeIndex.from_state(doc.get_update())

    def bold(d: Doc[Any]) -> None:
        d.get("notes", type=Map)["n1"]["text"].format(0, 3, {"bold": True})

    assert refused(edits(doc, bold)[0], CLIENT, index) == "P105"


# ---- P106 framing -------------------------------------------------------------------


def test_p106_trailing_bytes_duplicate_sections_and_v2_are_refused() -> None:
    good = h.deep_any(1)
    assert refused(good + b"\x00") == "P106"
    section = b"\x01" + h.uint(7) + b"\x00" + b"\x21\x01" + h.string("notes") + b"\x01n\x01"
    assert refused(b"\x02" + section + section + b"\x00") == "P106"
    assert refused(b"\x00\x02\x05\x00\x05\x00\x00") == "P106"  # delete-set client twice
    # an empty v2 update (feature flag, 9 empty columns, no delete set) reads as v1 + extra
    assert refused(b"\x00" * 12) == "P106"


# ---- P107 shared-type nesting ------------------------------------------------------------


def test_p107_type_chain_above_the_limit_is_refused() -> None:
    check_update(h.map_chain(CLIENT.max_type_depth - 1), CLIENT, TypeIndex())
    assert refused(h.map_chain(CLIENT.max_type_depth)) == "P107"


def test_p107_hundred_thousand_deep_chain_is_refused_in_under_a_second() -> None:
    chain = h.map_chain(100_000)
    start = time.perf_counter()
    assert refused(chain, ARCHIVE) == "P107"  # archives have no work cap (P112)
    assert time.perf_counter() - start < 3.0
    assert refused(chain) == "P112"  # a client's is refused before any depth is looked at
    assert refused(h.map_chain(30_000)) == "P107"


def test_p107_chain_grown_across_updates_is_refused_through_the_index() -> None:
    doc, index = board()
    first = h.map_chain(CLIENT.max_type_depth - 1)
    check_update(first, CLIENT, index)
    doc.apply_update(first)
    index.record(first)
    n = CLIENT.max_type_depth - 1
    link = b"\x27\x00" + h.uint(h.ATTACKER) + h.uint(n - 1) + h.string("k") + b"\x01"
    deeper = h.update([link], clock=n)
    assert refused(deeper, CLIENT, index) == "P107"


def test_p107_unknown_parent_origin_and_cycles_are_refused() -> None:
    unknown_parent = h.update([b"\x28\x00" + h.uint(5) + h.uint(0) + h.string("k") + b"\x01\x7e"])
    assert refused(unknown_parent) == "P107"
    unknown_origin = h.update([b"\x88" + h.uint(5) + h.uint(9) + b"\x01\x7e"])
    assert refused(unknown_origin) == "P107"
    # struct 0 takes its parent from struct 1's, struct 1 from struct 0's
    a = h.ATTACKER
    cycle = h.update(
        [
            b"\x88" + h.uint(a) + h.uint(1) + b"\x01\x7e",
            b"\x88" + h.uint(a) + h.uint(0) + b"\x01\x7e",
        ]
    )
    assert refused(cycle) == "P107"
    not_a_type = h.update(
        [
            h.struct_any_in_root("notes", "v", b"\x7e"),
            b"\x28\x00" + h.uint(a) + h.uint(0) + h.string("k") + b"\x01\x7e",
        ]
    )
    assert refused(not_a_type) == "P107"


# ---- P108 / P109 roots and keys ------------------------------------------------------------


def test_p108_new_root_is_refused() -> None:
    assert refused(h.deep_any(1, root="evil")) == "P108"


def test_p109_keyless_item_in_notes_is_refused() -> None:
    keyless = b"\x08\x01" + h.string("notes") + b"\x01\x77" + h.string("x")
    assert refused(h.update([keyless])) == "P109"


# ---- the room: refused means gone, only the sender is closed ----------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("update", "code"),
    [
        (h.deep_any_with_writes(2_000), CloseCode.FORBIDDEN),
        (h.map_chain(1_000), CloseCode.FORBIDDEN),
        (h.deep_any(1) + b"\x00", CloseCode.BAD_MESSAGE),
    ],
)
async def test_p111_refused_update_closes_only_its_connection(
    tmp_path: Path, update: bytes, code: CloseCode
) -> None:
    async with running_room(tmp_path) as kit, kit.join() as a, kit.join() as b:
        before = kit.room.doc.get_update()
        indexed = kit.room.types.size()
        await a.send(codec.encode_sync_update(update))
        await a.closed.wait()
        assert a.close_info is not None and a.close_info.code == code
        assert kit.room.doc.get_update() == before
        await b.add_note("n", "A1", "room goes on")
        await b.request("clock")
        assert kit.room.types.size() > indexed  # the room's own transactions are indexed
        view = await kit.stored_view()
        assert set(view["notes"]) == {"n"}
        assert view["meta"]["title"] == "Kit" and "locks" not in view["control"]


def test_p107_index_of_a_loaded_board_matches_a_fresh_room() -> None:
    doc = new_doc()
    for update in edits(doc, add_note("a"), add_note("b")):
        doc.apply_update(update)
    index = TypeIndex.from_state(doc.get_update())
    # a note map's text: parent depth 3 for every character
    note = check_update(doc.get_update(), ARCHIVE)
    assert sorted(set(note.depths)) == [1, 2, 3]
    assert index.size() < 20


def _single_struct_updates(doc: Doc[Any]) -> list[bytes]:
    """Updates of one struct each, as clients write them, plus hand-made ones that refer
    to unknown items, to themselves, or name a parent or a root."""
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    out: list[bytes] = []

    def step(change: Any) -> None:
        before = peer.get_state()
        with peer.transaction():
            change()
        out.append(peer.get_update(before))
        doc.apply_update(out[-1])

    notes = peer.get("notes", type=Map)
    step(lambda: notes.__setitem__("n1", Map({"field": "A1", "text": Text("ab")})))
    text = notes["n1"]["text"]
    for i in range(3):
        step(lambda i=i: text.insert(2 + i, "x"))  # a keystroke at the end
    step(lambda: text.insert(0, "y"))  # at the start: a right origin only
    step(lambda: text.insert(3, "z"))  # in the middle
    step(lambda: notes["n1"].__setitem__("x", 0.5))  # a key set: origin none, parent named
    step(lambda: notes["n1"].__setitem__("x", 0.25))  # set again: an origin
    unknown = h.uint(1 << 20) + h.uint(5)
    # an item of a string whose origin is unknown, and one whose origin is itself
    out.append(h.update([b"\x84" + unknown + h.string("q")], client=77))
    out.append(h.update([b"\x84" + h.uint(77) + h.uint(0) + h.string("q")], client=77))
    return out


@pytest.mark.parametrize("built", [False, True])
def test_p107_a_single_struct_resolves_as_the_general_walk_does(built: bool) -> None:
    from server.sync.precheck.index import _resolve_all, resolve_depths
    from server.sync.precheck.parse import parse_update

    doc, _ = board()
    singles = 0
    for update in _single_struct_updates(doc):
        index = TypeIndex.from_state(doc.get_update()) if built else TypeIndex()
        if not built:
            index.record(doc.get_update())  # ends only: not built, so depths are not exact
        outcomes: list[tuple[object, ...]] = []
        for resolve in (resolve_depths, lambda p, pr, i: _resolve_all(p, pr, i, p.exact)):
            parsed = parse_update(update, CLIENT)
            parsed.exact = index is None or parsed.has_types or index.built
            try:
                resolve(parsed, CLIENT, index)
                outcomes.append(("ok", parsed.depths, parsed.exact))
            except UpdateRefusedError as exc:
                outcomes.append(("refused", exc.rule, str(exc)))
        singles += len(parse_update(update, CLIENT).structs) == 1
        assert outcomes[0] == outcomes[1], update.hex()
    assert singles >= 8  # the keystrokes, the key sets and both hand-made ones
