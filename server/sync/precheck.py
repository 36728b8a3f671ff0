"""Bounded, iterative reader of untrusted Yjs v1 updates, run before pycrdt sees the bytes.

pycrdt/yrs and yjs decode and walk nested values recursively, so depth alone can crash the
server or every browser (PROTOCOL.md P100-P112). This module reads the whole update with
loops only, checks every count against the bytes left, caps the work per update, and
refuses what the board never uses. Like `errors`, it needs nothing but the standard library.

Usage::

    index = TypeIndex.lazy(doc.get_state, doc.get_update)  # once per loaded room
    check_client_update(update, index)                    # raises a SyncError
    index.record(integrated_update)                       # after every applied transaction
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ForbiddenError, MalformedMessageError

# P101: what one varUint may hold (lib0 writes at most 8 bytes for 2^53-1)
MAX_SAFE = 2**53 - 1
# P103: yrs keeps clocks in 32 bits and wraps silently; stay well below that
MAX_CLOCK = 2**31 - 1
# P112: structs + Any values + deleted ranges in one client update. 2,000 notes as the
# client writes them need about 55,500; a 1 MiB frame of tiny map entries holds 140,000
MAX_CLIENT_WORK = 60_000

GC, DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
Y_ARRAY, Y_MAP, Y_TEXT = 0, 1, 2
ROOTS = frozenset({"meta", "notes", "control"})
NOTES = "notes"


class UpdateRefusedError(ValueError):
    """The update was refused; `rule` is its PROTOCOL.md id, `malformed` tells the close code."""

    def __init__(self, rule: str, reason: str, malformed: bool = False) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason
        self.malformed = malformed


@dataclass(frozen=True)
class Profile:
    """Limits for one kind of input (P110): strict for clients, wider for archives."""

    name: str
    max_any_depth: int
    max_type_depth: int
    contents: frozenset[int]
    type_refs: frozenset[int]
    roots: frozenset[str] | None  # None: any root name (recording the server's own state)
    max_work: int = MAX_SAFE  # P112


CLIENT = Profile(
    "client",
    max_any_depth=16,
    max_type_depth=4,
    contents=frozenset({DELETED, STRING, TYPE, ANY}),
    type_refs=frozenset({Y_MAP, Y_TEXT}),
    roots=ROOTS,
    max_work=MAX_CLIENT_WORK,
)
ARCHIVE = Profile(
    "archive",
    max_any_depth=32,
    max_type_depth=8,
    contents=frozenset({DELETED, STRING, TYPE, ANY}),
    type_refs=frozenset({Y_ARRAY, Y_MAP, Y_TEXT}),
    roots=ROOTS,
)
# reading the server's own, already integrated state into the index: parse everything
# that is well formed, refuse nothing for policy reasons
RECORD = Profile(
    "record",
    max_any_depth=MAX_SAFE,
    max_type_depth=MAX_SAFE,
    contents=frozenset(range(1, 10)),
    type_refs=frozenset(range(7)),
    roots=None,
)

_CONTENT_NAMES = {
    JSON: "JSON content",
    BINARY: "binary content",
    EMBED: "embeds in text",
    FORMAT: "formatting attributes in text",
    DOC: "subdocuments",
}
_TYPE_NAMES = {0: "Y.Array", 3: "Y.XmlElement", 4: "Y.XmlFragment", 5: "Y.XmlHook", 6: "Y.XmlText"}

Id = tuple[int, int]
# one struct: client, clock, length, kind (GC, SKIP or the item's content ref), origin,
# right origin, root name, parent id, has a key. Tuples: a class costs more per struct.
Struct = tuple[int, int, int, int, Id | None, Id | None, str | None, Id | None, bool]


@dataclass
class Parsed:
    """What a checked update contains: its structs and each client's first and end clock."""

    structs: list[Struct]
    end_clocks: dict[int, int]
    start_clocks: dict[int, int] = field(default_factory=dict)
    has_types: bool = False
    depths: list[int] = field(default_factory=list)  # parent depth per struct, 0 = none
    exact: bool = True  # False: an outside origin's depth was not looked up (no type item)


def _malformed(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=True)


def _forbidden(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=False)


def _too_much(limit: int) -> UpdateRefusedError:
    return _forbidden("P112", f"more than {limit} structs, values and deleted ranges")


# The readers below take and return positions in `data`; reading past the end raises
# IndexError, which parse_update turns into P101 (one check instead of one per byte).


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    b = data[pos]
    if b < 0x80:  # most numbers on the wire fit in one or two bytes
        return b, pos + 1
    c = data[pos + 1]
    if c < 0x80:
        if not c:
            raise _malformed("P101", "overlong number")
        return (b & 0x7F) | c << 7, pos + 2
    d = data[pos + 2]
    if d < 0x80:  # clocks up to 2 million
        if not d:
            raise _malformed("P101", "overlong number")
        return (b & 0x7F) | (c & 0x7F) << 7 | d << 14, pos + 3
    return _long_uint(data, pos)


# the client id read last, as one tuple (archives are read in a worker thread): the bytes
# of a complete varUint and its value
_last_client = (b"\x00", 0)


def _client(data: bytes, pos: int) -> tuple[int, int]:
    """The client of an id: in most updates the same few, so first try the last one."""
    global _last_client
    raw, value = _last_client
    if data.startswith(raw, pos):  # raw's last byte is its only one below 0x80
        return value, pos + len(raw)
    value, end = _uint(data, pos)
    _last_client = (data[pos:end], value)
    return value, end


# client ids take 5 to 8 bytes and repeat in every id: decode each such byte string once
_VARUINT = re.compile(rb"[\x80-\xff]{3,7}[\x00-\x7f]").match
_CLIENT_IDS: dict[bytes, int] = {}


def _long_uint(data: bytes, pos: int) -> tuple[int, int]:
    found = _VARUINT(data, pos)
    if found is None:
        if pos + 8 >= len(data):
            raise IndexError  # ends in the middle of the number
        raise _malformed("P101", "number longer than 8 bytes")
    end = found.end()
    raw = data[pos:end]
    value = _CLIENT_IDS.get(raw) if end - pos >= 5 else None
    if value is None:
        if raw[-1] == 0:
            raise _malformed("P101", "overlong number")
        value = 0
        for i, b in enumerate(raw):
            value |= (b & 0x7F) << (7 * i)
        if value > MAX_SAFE:
            raise _malformed("P101", "number above 2^53-1")
        if end - pos >= 5:
            if len(_CLIENT_IDS) >= 1024:
                _CLIENT_IDS.clear()
            _CLIENT_IDS[raw] = value
    return value, end


def _varint(data: bytes, pos: int) -> int:
    first = data[pos]
    pos += 1
    if first < 0x80:
        return pos
    value = first & 0x3F
    shift = 6
    for _ in range(7):
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            if b == 0:
                raise _malformed("P101", "overlong integer")
            if value > MAX_SAFE:
                raise _malformed("P101", "integer above 2^53-1")
            return pos
        shift += 7
    raise _malformed("P101", "integer longer than 8 bytes")


def _count(data: bytes, pos: int, min_size: int) -> tuple[int, int]:
    n, pos = _uint(data, pos)
    if n * min_size > len(data) - pos:
        raise _malformed("P102", f"count {n} cannot fit in the {len(data) - pos} bytes left")
    return n, pos


def _string(data: bytes, pos: int) -> tuple[int, int]:
    """Skip a UTF-8 string; return its end and its length in UTF-16 units (Yjs clocks)."""
    n, pos = _uint(data, pos)
    end = pos + n
    if end > len(data):
        raise _malformed("P101", "length past the end of the update")
    raw = data[pos:end]
    if raw.isascii():
        return end, n
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed("P101", "text is not valid UTF-8") from exc
    return end, len(text.encode("utf-16-le")) // 2


def _name(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = _uint(data, pos)
    end = pos + n
    if end > len(data):
        raise _malformed("P101", "length past the end of the update")
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise _malformed("P101", "text is not valid UTF-8") from exc


def _raw(data: bytes, pos: int) -> int:
    n, pos = _uint(data, pos)
    if pos + n > len(data):
        raise _malformed("P101", "length past the end of the update")
    return pos + n


def _skip(data: bytes, pos: int, n: int) -> int:
    if pos + n > len(data):
        raise _malformed("P101", "update ends in the middle of a value")
    return pos + n


def _read_any(data: bytes, pos: int, max_depth: int, budget: int) -> tuple[int, int]:
    """One lib0 Any value with an explicit stack of [entries left, is object] frames.

    Returns the position after it and the work budget left (one unit per value, P112).
    """
    stack: list[list[int]] = []
    while True:
        budget -= 1
        if stack and stack[-1][1]:
            pos, _ = _string(data, pos)  # object key
        tag = data[pos]
        pos += 1
        if tag == 0x77:
            pos, _ = _string(data, pos)
        elif tag == 0x7D:
            pos = _varint(data, pos)
        elif tag == 0x7E or tag == 0x7F or tag == 0x78 or tag == 0x79:
            pass  # null, undefined, false, true
        elif tag == 0x7B or tag == 0x7A:
            pos = _skip(data, pos, 8)
        elif tag == 0x7C:
            pos = _skip(data, pos, 4)
        elif tag == 0x74:
            pos = _raw(data, pos)
        elif tag == 0x75 or tag == 0x76:
            n, pos = _count(data, pos, 2 if tag == 0x76 else 1)
            if n:
                if len(stack) + 1 > max_depth:
                    raise _forbidden("P100", f"value nested deeper than {max_depth} levels")
                if n > budget:
                    raise _too_much(MAX_CLIENT_WORK)
                stack.append([n, tag == 0x76])
                continue
        else:
            raise _malformed("P101", f"unknown value tag {tag:#x}")
        # the value is finished: close every container it completes
        while stack:
            top = stack[-1]
            top[0] -= 1
            if top[0]:
                break
            stack.pop()
        if not stack:
            return pos, budget


def _forbidden_content(ref: int) -> UpdateRefusedError:
    what = _CONTENT_NAMES.get(ref, f"content {ref}")
    return _forbidden("P105", f"{what} are not used on a board")


def _other_content(data: bytes, pos: int, ref: int, profile: Profile) -> tuple[int, int]:
    """Contents only the record profile reads (clients and archives refuse them)."""
    if ref == JSON:
        n, pos = _count(data, pos, 1)
        for _ in range(n):
            pos, _ = _string(data, pos)
        return pos, n
    if ref == BINARY or ref == EMBED:
        return _raw(data, pos), 1
    if ref == FORMAT:
        pos, _ = _string(data, pos)
        pos, _ = _string(data, pos)
        return pos, 1
    # DOC: guid, then options as Any
    pos, _ = _string(data, pos)
    pos, _ = _read_any(data, pos, profile.max_any_depth, MAX_SAFE)
    return pos, 1


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
    seen: set[int] = set()
    clients, pos = _count(data, pos, 2)
    for _ in range(clients):
        client, pos = _uint(data, pos)
        if client in seen:
            raise _malformed("P106", f"client {client} appears twice in the delete set")
        seen.add(client)
        n, pos = _count(data, pos, 2)
        budget -= n
        if budget < 0:
            raise _too_much(limit)
        for _ in range(n):
            start, pos = _uint(data, pos)
            length, pos = _uint(data, pos)
            if start + length > MAX_CLOCK:
                raise _forbidden("P103", "deleted range passes clock 2^31-1")
    if pos != len(data):
        raise _malformed("P106", f"{len(data) - pos} bytes after the end of the update")
    return Parsed(structs, ends, starts, has_types)


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


_MAX_STORED_DEPTH = 255  # deeper than every profile allows; depths above are stored as this


@dataclass
class _Ranges:
    """One client's structs as merged ranges of equal parent depth, plus its type items.

    Sorted arrays, not lists or sets of ints: 8 bytes an entry instead of about 40.
    """

    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    depths: bytearray = field(default_factory=bytearray)
    types: array[int] = field(default_factory=lambda: array("q"))

    def is_type(self, clock: int) -> bool:
        types = self.types
        i = bisect_left(types, clock)
        return i < len(types) and types[i] == clock

    def add_type(self, clock: int) -> None:
        types = self.types
        if not types or clock > types[-1]:
            types.append(clock)
        elif not self.is_type(clock):
            types.insert(bisect_left(types, clock), clock)

    def find(self, clock: int) -> int | None:
        i = bisect_right(self.starts, clock) - 1
        if i >= 0 and clock < self.ends[i]:
            return self.depths[i]
        return None

    def add(self, start: int, end: int, depth: int) -> None:
        depth = min(depth, _MAX_STORED_DEPTH)
        starts, ends = self.starts, self.ends
        if starts and start < ends[-1] < end:
            start = ends[-1]  # a struct the room partly had: keep only what is new
        if start >= end:
            return
        if not starts or start >= ends[-1]:
            if starts and start == ends[-1] and self.depths[-1] == depth:
                ends[-1] = end
                return
            starts.append(start)
            ends.append(end)
            self.depths.append(depth)
            return
        if self.find(start) is not None:
            return  # already known (a duplicate an update may carry again)
        i = bisect_right(starts, start)
        starts.insert(i, start)
        ends.insert(i, end)
        self.depths.insert(i, depth)


class TypeIndex:
    """What a room holds, to refuse unknown ids and bound shared-type nesting (P107).

    Two parts: each client's end clock (an id is known if its clock is below it), always
    kept; and the parent depth of every struct plus the ids of type items, built from the
    document only when an update first needs a depth or a type (one that nests a type, or
    names a parent by id), then kept up to date. Keystrokes need only the first part.
    """

    def __init__(
        self,
        load_vector: Callable[[], bytes] | None = None,
        load_state: Callable[[], bytes] | None = None,
    ) -> None:
        self._ends: dict[int, int] = {}
        self.clients: dict[int, _Ranges] | None = None if load_state else {}
        self._load_vector = load_vector
        self._load_state = load_state
        self._stale = load_vector is not None  # ends are read from load_vector() first
        self._checked: tuple[bytes, Parsed] | None = None

    @classmethod
    def from_state(cls, state: bytes) -> TypeIndex:
        """The full index of a document state, built now."""
        index = cls()
        index.record(state)
        return index

    @classmethod
    def lazy(cls, load_vector: Callable[[], bytes], load_state: Callable[[], bytes]) -> TypeIndex:
        """An index that reads the document (its state vector, its state) only when needed.

        Neither is called while a transaction runs: pycrdt refuses that.
        """
        return cls(load_vector, load_state)

    @property
    def built(self) -> bool:
        return self.clients is not None

    def _build(self) -> dict[int, _Ranges]:
        assert self._load_state is not None
        full = TypeIndex()
        parsed = parse_update(self._load_state(), RECORD)
        _resolve(parsed, RECORD, full)
        full._add(parsed)
        self._refresh()
        self.clients = full.clients
        assert self.clients is not None
        return self.clients

    def checked(self, update: bytes, parsed: Parsed) -> None:
        """Remember an accepted client update: recording it then needs no second parse."""
        self._checked = (update, parsed)

    def record(self, update: bytes) -> None:
        """Add what an applied transaction integrated (the server's own, checked data)."""
        checked, self._checked = self._checked, None
        if checked is not None and checked[0] == update:
            parsed = checked[1]
            ends = self._ends
            # a section that starts past what the room has waits in pycrdt, unintegrated
            if self._stale or all(
                c <= ends.get(client, 0) for client, c in parsed.start_clocks.items()
            ):
                for client, end in parsed.end_clocks.items():
                    if end > ends.get(client, 0):
                        ends[client] = end
                if self.clients is not None:
                    if not parsed.exact:
                        _resolve(parsed, RECORD, self)
                    self._add(parsed)
                return
        if self.clients is None and self._load_vector is not None:
            self._stale = True  # cheaper than parsing what the room wrote (a restore)
            return
        parsed = parse_update(update, RECORD)
        for client, end in parsed.end_clocks.items():
            if end > self._ends.get(client, 0):
                self._ends[client] = end
        if self.clients is not None:
            _resolve(parsed, RECORD, self)
            self._add(parsed)

    def _add(self, parsed: Parsed) -> None:
        clients = self.clients
        assert clients is not None
        ranges: _Ranges | None = None
        last = -1
        for s, depth in zip(parsed.structs, parsed.depths, strict=True):
            client, clock, length, kind = s[0], s[1], s[2], s[3]
            if kind == SKIP:
                continue
            if client != last:
                ranges = clients.get(client)
                if ranges is None:
                    ranges = clients[client] = _Ranges()
                last = client
            assert ranges is not None
            ranges.add(clock, clock + length, depth)
            if kind == TYPE:
                ranges.add_type(clock)

    def _refresh(self) -> None:
        if self._stale and self._load_vector is not None:
            self._ends = read_state_vector(self._load_vector())
        self._stale = False

    def knows(self, client: int, clock: int) -> bool:
        if self._stale:
            self._refresh()
        return clock < self._ends.get(client, 0)

    def end_clocks(self) -> dict[int, int]:
        """Each known client's end clock (the document's state vector)."""
        self._refresh()
        return dict(self._ends)

    def depth_at(self, client: int, clock: int) -> int | None:
        clients = self.clients if self.clients is not None else self._build()
        ranges = clients.get(client)
        return None if ranges is None else ranges.find(clock)

    def type_depth(self, client: int, clock: int) -> int | None:
        clients = self.clients if self.clients is not None else self._build()
        ranges = clients.get(client)
        if ranges is None or not ranges.is_type(clock):
            return None
        found = ranges.find(clock)
        return None if found is None else found + 1

    def size(self) -> int:
        """Number of known clients, stored ranges and type ids (for measuring memory)."""
        ranges = self.clients.values() if self.clients is not None else ()
        return len(self._ends) + sum(len(r.starts) + len(r.types) for r in ranges)


def _resolve(parsed: Parsed, profile: Profile, index: TypeIndex | None) -> None:
    """Give each struct its parent depth, iteratively, refusing unknown ids and cycles.

    Without a type item in the update no depth is checked, so an origin outside it is only
    looked up as known (depth 0 stands in, `parsed.exact` becomes False) unless the index
    has its depths built already.
    """
    structs = parsed.structs
    count = len(structs)
    exact = index is None or parsed.has_types or index.built
    parsed.exact = exact
    clocks = [s[1] for s in structs]
    sections: dict[int, tuple[int, int]] = {}
    first = 0
    for i in range(1, count + 1):  # each client's structs are one run (P106)
        if i == count or structs[i][0] != structs[first][0]:
            sections[structs[first][0]] = (first, i)
            first = i

    def local(client: int, clock: int) -> int:
        """The struct of this update holding the id, or -1."""
        found = sections.get(client)
        if found is None:
            return -1
        lo, hi = found
        j = bisect_right(clocks, clock, lo, hi) - 1
        if j < lo:
            return -1
        s = structs[j]
        # zero-length items own no clock; the next struct may start at the same clock
        while s[2] == 0 and j > lo:
            j -= 1
            s = structs[j]
        if s[3] == SKIP or not s[1] <= clock < s[1] + s[2]:
            return -1  # a Skip is a gap: what it stands for is in the room already
        return j

    roots = profile.roots
    max_type_depth = profile.max_type_depth
    depths = [-1] * count  # -1 unknown, -2 on the stack
    outside: dict[Id, int] = {}  # depths of origins outside the update, looked up once
    waits = [-1] * count  # the struct of this update a struct on the stack waits for
    for first in range(count):
        if depths[first] >= 0:
            continue
        stack = [first]
        while stack:
            i = stack[-1]
            _, _, _, kind, origin, right, root, parent, keyed = structs[i]
            k = waits[i]
            if k >= 0:  # back on top: what it waited for has its depth now
                depth = depths[k] + 1 if parent is not None else depths[k]
            else:
                depths[i] = -2
                need = -1
                depth = 0
                if kind == GC or kind == SKIP:
                    pass
                elif root is not None:
                    if roots is not None and root not in roots:
                        raise _forbidden("P108", f"unknown top-level type {root!r}")
                    if root == NOTES and not keyed and roots is not None:
                        raise _forbidden("P109", "an item in notes without a note id")
                    depth = 1
                elif parent is not None:
                    k = local(*parent)
                    if k >= 0:
                        p = structs[k]
                        if p[3] != TYPE or p[1] != parent[1]:
                            raise _malformed("P107", "parent is not a shared type")
                        if depths[k] < 0:
                            need = k
                        else:
                            depth = depths[k] + 1
                    else:
                        found = index.type_depth(*parent) if index else None
                        if found is None:
                            raise _malformed("P107", "parent is not a known shared type")
                        depth = found
                else:
                    ref = origin if origin is not None else right
                    assert ref is not None  # an item without origins names its parent
                    k = local(*ref)
                    if k >= 0:
                        if depths[k] < 0:
                            need = k
                        else:
                            depth = depths[k]
                    else:
                        found = outside.get(ref)
                        if found is None:
                            if index is None:
                                pass
                            elif exact:
                                found = index.depth_at(*ref)
                            elif index.knows(*ref):
                                found = 0
                            if found is None:
                                raise _malformed("P107", "the update refers to an unknown item")
                            outside[ref] = found
                        depth = found
                if need >= 0:
                    if depths[need] == -2:
                        raise _malformed("P107", "items refer to each other in a cycle")
                    waits[i] = need
                    stack.append(need)
                    continue
            if kind == TYPE and depth + 1 > max_type_depth:
                raise _forbidden("P107", f"shared types nested deeper than {max_type_depth} levels")
            depths[i] = depth
            stack.pop()
    parsed.depths = depths


def check_update(update: bytes, profile: Profile, index: TypeIndex | None = None) -> Parsed:
    """Check an untrusted update before it is applied; raise UpdateRefusedError if refused.

    Args:
        update: the v1 update bytes.
        profile: `CLIENT` for websocket updates, `ARCHIVE` for imported states.
        index: the room's `TypeIndex` (None for a self-contained state such as an archive's).

    Returns:
        The parsed structs with their parent depths.
    """
    parsed = parse_update(update, profile)
    _resolve(parsed, profile, index)
    return parsed


def check_client_update(update: bytes, index: TypeIndex) -> None:
    """Check a writer's websocket update; raise the SyncError that closes its connection.

    The index remembers the accepted update, so recording it after it is applied costs no
    second parse.

    Raises:
        MalformedMessageError: bytes that are not a well-formed v1 update (4400).
        ForbiddenError: a well-formed update with content a board never holds (4403).
    """
    try:
        index.checked(update, check_update(update, CLIENT, index))
    except UpdateRefusedError as exc:
        error = MalformedMessageError if exc.malformed else ForbiddenError
        raise error(f"update refused ({exc})") from exc
