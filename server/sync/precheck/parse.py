"""Reading a whole v1 update, with loops only, into its structs (P100-P107, P112)."""

from __future__ import annotations

from .limits import (
    ANY,
    DELETED,
    GC,
    MAX_CLOCK,
    SKIP,
    STRING,
    TYPE,
    Id,
    Parsed,
    Profile,
    Struct,
    _forbidden,
    _malformed,
    _too_much,
)
from .reader import (
    _client,
    _count,
    _forbidden_content,
    _name,
    _other_content,
    _read_any,
    _skip,
    _string,
    _uint,
)

_TYPE_NAMES = {0: "Y.Array", 3: "Y.XmlElement", 4: "Y.XmlFragment", 5: "Y.XmlHook", 6: "Y.XmlText"}


def parse_update(update: bytes, profile: Profile) -> Parsed:
    """Read a v1 update with loops only and check its format and content (P100-P107, P112)."""
    try:
        return _parse(update, profile)
    except IndexError:
        raise _malformed("P101", "update ends in the middle of a value") from None


def _parse(data: bytes, profile: Profile) -> Parsed:
    contents = profile.contents
    budget = limit = profile.max_work
    max_any_depth = profile.max_any_depth
    structs: list[Struct] = []
    add = structs.append
    ends: dict[int, int] = {}
    starts: dict[int, int] = {}
    gaps: dict[int, int] = {}
    has_types = False
    clients, pos = _count(data, 0, 3)
    for _ in range(clients):
        n, pos = _count(data, pos, 2)
        client, pos = _uint(data, pos)
        clock, pos = _uint(data, pos)
        if client in ends:
            raise _malformed("P106", f"client {client} has two sections")
        if clock > MAX_CLOCK:
            raise _forbidden("P103", f"clock of client {client} passes 2^31-1")
        budget -= n
        if budget < 0:
            raise _too_much(limit)
        starts[client] = clock
        for _ in range(n):
            info = data[pos]
            pos += 1
            ref = info & 0x1F
            if ref > SKIP or info & 0x10:
                raise _malformed("P104", f"unknown struct info byte {info:#x}")
            if ref == GC or ref == SKIP:
                if info != ref:
                    raise _malformed("P104", f"flags on a gap struct ({info:#x})")
                length, pos = _uint(data, pos)
                if not length:
                    raise _malformed("P104", "empty gap struct")
                if ref == SKIP and client not in gaps:
                    gaps[client] = clock  # what follows waits in pycrdt for the gap
                add((client, clock, length, ref, None, None, None, None, False))
            else:
                origin: Id | None = None
                right: Id | None = None
                root: str | None = None
                parent: Id | None = None
                keyed = False
                if info & 0x80:
                    a, pos = _client(data, pos)
                    b = data[pos]  # a clock: often one byte
                    if b < 0x80:
                        pos += 1
                    else:
                        b, pos = _uint(data, pos)
                    origin = (a, b)
                if info & 0x40:
                    a, pos = _client(data, pos)
                    b = data[pos]  # a clock: often one byte
                    if b < 0x80:
                        pos += 1
                    else:
                        b, pos = _uint(data, pos)
                    right = (a, b)
                if not info & 0xC0:
                    parent_info = data[pos]
                    pos += 1
                    if parent_info == 1:
                        root, pos = _name(data, pos)
                    elif parent_info == 0:
                        a, pos = _client(data, pos)
                        b = data[pos]  # a clock: often one byte
                        if b < 0x80:
                            pos += 1
                        else:
                            b, pos = _uint(data, pos)
                        parent = (a, b)
                    else:  # 2 and more, or a longer varUint: neither library writes it
                        raise _malformed("P104", f"unknown parent kind {parent_info}")
                    if info & 0x20:
                        pos, _ = _string(data, pos)
                        keyed = True
                if ref not in contents:
                    raise _forbidden_content(ref)
                if ref == STRING:
                    pos, length = _string(data, pos)
                elif ref == ANY:
                    length, pos = _count(data, pos, 1)
                    if length > budget:
                        raise _too_much(limit)
                    for _ in range(length):
                        tag = data[pos]  # most values are one string, number or constant
                        if tag == 0x77:
                            pos, _ = _string(data, pos + 1)
                            budget -= 1
                        elif tag == 0x7B:
                            pos = _skip(data, pos + 1, 8)
                            budget -= 1
                        elif tag == 0x7E or tag == 0x7F or tag == 0x78 or tag == 0x79:
                            pos += 1  # null, undefined, false, true
                            budget -= 1
                        else:
                            pos, budget = _read_any(data, pos, max_any_depth, budget)
                    if budget < 0:
                        raise _too_much(limit)
                elif ref == DELETED:
                    length = data[pos]
                    if length < 0x80:
                        pos += 1
                    else:
                        length, pos = _uint(data, pos)
                elif ref == TYPE:
                    has_types = True
                    length = 1
                    type_ref = data[pos]
                    pos += 1
                    if type_ref >= 7 or type_ref == 5:
                        raise _malformed("P104", f"unknown shared type {type_ref}")
                    if type_ref not in profile.type_refs:
                        what = _TYPE_NAMES.get(type_ref, f"type {type_ref}")
                        raise _forbidden("P105", f"{what} is not used on a board")
                    if type_ref == 3:
                        pos, _ = _string(data, pos)  # XmlElement node name
                else:
                    pos, length = _other_content(data, pos, ref, profile)
                add((client, clock, length, ref, origin, right, root, parent, keyed))
            clock += length
            if clock > MAX_CLOCK:
                raise _forbidden("P103", f"clock of client {client} passes 2^31-1")
        ends[client] = clock
    deleted: dict[int, int] = {}
    clients, pos = _count(data, pos, 2)
    for _ in range(clients):
        client, pos = _uint(data, pos)
        if client in deleted:
            raise _malformed("P106", f"client {client} appears twice in the delete set")
        n, pos = _count(data, pos, 2)
        budget -= n
        if budget < 0:
            raise _too_much(limit)
        last = 0
        for _ in range(n):
            start, pos = _uint(data, pos)
            length, pos = _uint(data, pos)
            if start + length > MAX_CLOCK:
                raise _forbidden("P103", "deleted range passes clock 2^31-1")
            if length and start + length > last:
                last = start + length
        deleted[client] = last
    if pos != len(data):
        raise _malformed("P106", f"{len(data) - pos} bytes after the end of the update")
    return Parsed(structs, ends, starts, has_types, deleted_ends=deleted, gaps=gaps)


def read_state_vector(data: bytes) -> dict[int, int]:
    """Decode a state vector the server's own document wrote."""
    try:
        n, pos = _count(data, 0, 2)
        out: dict[int, int] = {}
        for _ in range(n):
            client, pos = _uint(data, pos)
            out[client], pos = _uint(data, pos)
        return out
    except IndexError:
        raise _malformed("P101", "state vector ends in the middle of a value") from None
