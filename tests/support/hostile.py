"""Hand-built Yjs v1 updates that pycrdt's encoder never writes: deep, huge or malformed.

Each builder returns the bytes of one update; `struct_*` helpers return one struct so that
tests can combine a harmless write with a hostile one in the same update.
"""

from __future__ import annotations

from typing import Any

ATTACKER = 987_654_321  # a client id no test doc uses


def uint(n: int) -> bytes:
    out = bytearray()
    while True:
        if n < 0x80:
            out.append(n)
            return bytes(out)
        out.append(0x80 | (n & 0x7F))
        n >>= 7


def string(s: str) -> bytes:
    raw = s.encode()
    return uint(len(raw)) + raw


def nested_array(depth: int) -> bytes:
    """A lib0 Any: `depth` arrays, each holding the next, around a null."""
    return b"\x75\x01" * depth + b"\x7e"


def struct_any_in_root(root: str, key: str, value: bytes) -> bytes:
    """An Item writing one Any value under `root[key]` (info 0x28: parentSub | ContentAny)."""
    return b"\x28\x01" + string(root) + string(key) + b"\x01" + value


def update(structs: list[bytes], client: int = ATTACKER, clock: int = 0) -> bytes:
    """One client section holding `structs` (each of length 1) and an empty delete set."""
    return uint(1) + uint(len(structs)) + uint(client) + uint(clock) + b"".join(structs) + b"\x00"


def deep_any(depth: int, root: str = "notes", key: str = "deep") -> bytes:
    return update([struct_any_in_root(root, key, nested_array(depth))])


def deep_any_with_writes(depth: int) -> bytes:
    """A forbidden write to `meta` and `control` plus one deeply nested note value."""
    return update(
        [
            struct_any_in_root("meta", "title", b"\x77" + string("taken over")),
            struct_any_in_root("control", "locks", b"\x76\x00"),
            struct_any_in_root("notes", "deep", nested_array(depth)),
        ]
    )


def map_chain(depth: int, client: int = ATTACKER) -> bytes:
    """`depth` Y.Maps, each the value of key "k" in the one before, starting at notes["chain"]."""
    structs = [b"\x27\x01" + string("notes") + string("chain") + b"\x01"]  # Type, YMap
    for i in range(1, depth):
        structs.append(b"\x27\x00" + uint(client) + uint(i - 1) + string("k") + b"\x01")
    return update(structs, client)


def read_state_vector(data: bytes) -> dict[int, int]:
    """client -> clock from an encoded state vector (pycrdt.get_state)."""
    numbers: list[int] = []
    value = shift = 0
    for b in data:
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            numbers.append(value)
            value = shift = 0
    return dict(zip(numbers[1::2], numbers[2::2], strict=True))


def waiting_update(ghost: int = 4242, text: str = "x") -> bytes:
    """An edit inside a note that client `ghost` created and never sent: it refers to ids
    no board has, so it waits on its connection (P114) for as long as it is allowed."""
    from pycrdt import Doc, Map, Text

    creator: Doc[Any] = Doc(client_id=ghost)
    creator.get("notes", type=Map)["g"] = Map({"field": "A1", "text": Text("nie")})
    editor: Doc[Any] = Doc()
    editor.apply_update(creator.get_update())
    seen = editor.get_state()
    editor.get("notes", type=Map)["g"]["text"].insert(0, text)
    return editor.get_update(seen)


def delete_set(ranges: dict[int, list[tuple[int, int]]]) -> bytes:
    """A v1 delete set: per client, (first clock, length) ranges."""
    out = uint(len(ranges))
    for client, spans in ranges.items():
        out += uint(client) + uint(len(spans))
        for start, length in spans:
            out += uint(start) + uint(length)
    return out


def deletion(ranges: dict[int, list[tuple[int, int]]]) -> bytes:
    """An update with no structs that deletes `ranges` (ids a board may not have yet)."""
    return uint(0) + delete_set(ranges)


def any_after(origin: tuple[int, int], values: list[str], client: int = ATTACKER) -> bytes:
    """An Item of Any values (strings) right after the item `origin`, in its sequence: in
    a text, values its words never show (info 0x88: origin | ContentAny)."""
    body = b"".join(b"\x77" + string(v) for v in values)
    struct = b"\x88" + uint(origin[0]) + uint(origin[1]) + uint(len(values)) + body
    return update([struct], client)


def last_char(text_state: bytes, words: str) -> tuple[int, int]:
    """The id of the last character of the String struct that holds exactly `words`."""
    from server.sync.precheck.limits import RECORD, STRING
    from server.sync.precheck.parse import parse_update

    units = len(words.encode("utf-16-le")) // 2
    for s in parse_update(text_state, RECORD).structs:
        if s[3] == STRING and s[2] == units:
            return s[0], s[1] + units - 1
    raise LookupError(words)
