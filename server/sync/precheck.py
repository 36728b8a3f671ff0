"""Bounded, iterative reader of untrusted Yjs v1 updates, run before pycrdt sees the bytes.

pycrdt/yrs and yjs decode and walk nested values recursively, so depth alone can crash the
server or every browser (PROTOCOL.md P100-P112). This module reads the whole update with
loops only, checks every count against the bytes left, and refuses what the board never
uses. Like `errors`, it needs nothing but the standard library.

Usage::

    index = TypeIndex.from_state(doc.get_update())    # once per loaded room
    check_update(update, CLIENT, index)                # raises UpdateRefusedError
    index.record(integrated_update)                    # after every applied transaction
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .errors import ForbiddenError, MalformedMessageError

# P101: what one varUint may hold (lib0 writes at most 8 bytes for 2^53-1)
MAX_SAFE = 2**53 - 1
# P103: yrs keeps clocks in 32 bits and wraps silently; stay well below that
MAX_CLOCK = 2**31 - 1

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


CLIENT = Profile(
    "client",
    max_any_depth=16,
    max_type_depth=4,
    contents=frozenset({DELETED, STRING, TYPE, ANY}),
    type_refs=frozenset({Y_MAP, Y_TEXT}),
    roots=ROOTS,
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


@dataclass(slots=True)
class _Struct:
    client: int
    clock: int
    length: int
    kind: int  # GC, SKIP or the content ref of an item
    origin: tuple[int, int] | None = None
    right: tuple[int, int] | None = None
    root: str | None = None
    parent: tuple[int, int] | None = None
    key: str | None = None


@dataclass
class Parsed:
    """What a checked update contains: its structs and each client's end clock."""

    structs: list[_Struct]
    end_clocks: dict[int, int]
    depths: list[int] = field(default_factory=list)  # parent depth per struct, 0 = none


class _Reader:
    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)

    def left(self) -> int:
        return self.end - self.pos

    def byte(self) -> int:
        if self.pos >= self.end:
            raise _malformed("P101", "update ends in the middle of a value")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uint(self) -> int:
        pos = self.pos
        if pos < self.end:
            b = self.data[pos]
            if b < 0x80:  # most numbers on the wire fit in one byte
                self.pos = pos + 1
                return b
        return self._long_uint()

    def _long_uint(self) -> int:
        data, pos, end = self.data, self.pos, self.end
        value = 0
        shift = 0
        for n in range(8):
            if pos >= end:
                raise _malformed("P101", "update ends in the middle of a number")
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            if b < 0x80:
                if b == 0 and n:
                    raise _malformed("P101", "overlong number")
                if value > MAX_SAFE:
                    raise _malformed("P101", "number above 2^53-1")
                self.pos = pos
                return value
            shift += 7
        raise _malformed("P101", "number longer than 8 bytes")

    def count(self, min_size: int) -> int:
        n = self.uint()
        if n * min_size > self.left():
            raise _malformed("P102", f"count {n} cannot fit in the {self.left()} bytes left")
        return n

    def varint(self) -> None:
        first = self.byte()
        value = first & 0x3F
        if first < 0x80:
            return
        shift = 6
        for _ in range(7):
            b = self.byte()
            value |= (b & 0x7F) << shift
            if b < 0x80:
                if b == 0:
                    raise _malformed("P101", "overlong integer")
                if value > MAX_SAFE:
                    raise _malformed("P101", "integer above 2^53-1")
                return
            shift += 7
        raise _malformed("P101", "integer longer than 8 bytes")

    def skip(self, n: int) -> None:
        if n > self.left():
            raise _malformed("P101", "update ends in the middle of a value")
        self.pos += n

    def raw(self) -> bytes:
        n = self.uint()
        if n > self.left():
            raise _malformed("P101", "length past the end of the update")
        start = self.pos
        self.pos += n
        return self.data[start : self.pos]

    def string(self) -> str:
        try:
            return self.raw().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _malformed("P101", "text is not valid UTF-8") from exc


def _malformed(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=True)


def _forbidden(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=False)


def _read_any(r: _Reader, max_depth: int) -> None:
    """One lib0 Any value, with an explicit stack of [entries left, is object] frames."""
    stack: list[list[int]] = []
    while True:
        if stack and stack[-1][1]:
            r.string()  # object key
        tag = r.byte()
        if tag == 0x75 or tag == 0x76:
            n = r.count(2 if tag == 0x76 else 1)
            if n:
                if len(stack) + 1 > max_depth:
                    raise _forbidden("P100", f"value nested deeper than {max_depth} levels")
                stack.append([n, tag == 0x76])
                continue
        elif tag == 0x77:
            r.string()
        elif tag == 0x74:
            r.raw()
        elif tag == 0x7D:
            r.varint()
        elif tag == 0x7C:
            r.skip(4)
        elif tag == 0x7B or tag == 0x7A:
            r.skip(8)
        elif tag < 0x78 or tag > 0x7F:
            raise _malformed("P101", f"unknown value tag {tag:#x}")
        # the value is finished: close every container it completes
        while stack:
            top = stack[-1]
            top[0] -= 1
            if top[0]:
                break
            stack.pop()
        if not stack:
            return


def _read_content(r: _Reader, ref: int, profile: Profile) -> int:
    """Read an item's content; return its length in clock units."""
    if ref not in profile.contents:
        what = _CONTENT_NAMES.get(ref, f"content {ref}")
        raise _forbidden("P105", f"{what} are not used on a board")
    if ref == DELETED:
        return r.uint()
    if ref == STRING:
        text = r.string()
        return len(text.encode("utf-16-le")) // 2
    if ref == ANY:
        n = r.count(1)
        for _ in range(n):
            _read_any(r, profile.max_any_depth)
        return n
    if ref == TYPE:
        type_ref = r.uint()
        if type_ref >= 7 or type_ref == 5:
            raise _malformed("P104", f"unknown shared type {type_ref}")
        if type_ref not in profile.type_refs:
            what = _TYPE_NAMES.get(type_ref, f"type {type_ref}")
            raise _forbidden("P105", f"{what} is not used on a board")
        if type_ref == 3:
            r.string()  # XmlElement node name
        return 1
    if ref == JSON:
        n = r.count(1)
        for _ in range(n):
            r.string()
        return n
    if ref == BINARY:
        r.raw()
        return 1
    if ref == EMBED:
        r.raw()
        return 1
    if ref == FORMAT:
        r.string()
        r.string()
        return 1
    # DOC: guid, then options as Any
    r.string()
    _read_any(r, profile.max_any_depth)
    return 1


def parse_update(update: bytes, profile: Profile) -> Parsed:
    """Read a v1 update with loops only and check its format and content (P100-P107)."""
    r = _Reader(update)
    structs: list[_Struct] = []
    ends: dict[int, int] = {}
    clients = r.count(3)
    for _ in range(clients):
        n = r.count(2)
        client = r.uint()
        clock = r.uint()
        if client in ends:
            raise _malformed("P106", f"client {client} has two sections")
        if clock > MAX_CLOCK:
            raise _forbidden("P103", f"clock of client {client} passes 2^31-1")
        for _ in range(n):
            info = r.byte()
            ref = info & 0x1F
            if ref > SKIP or info & 0x10:
                raise _malformed("P104", f"unknown struct info byte {info:#x}")
            if ref == GC or ref == SKIP:
                if info != ref:
                    raise _malformed("P104", f"flags on a gap struct ({info:#x})")
                length = r.uint()
                if not length:
                    raise _malformed("P104", "empty gap struct")
                s = _Struct(client, clock, length, ref)
            else:
                s = _Struct(client, clock, 0, ref)
                if info & 0x80:
                    s.origin = (r.uint(), r.uint())
                if info & 0x40:
                    s.right = (r.uint(), r.uint())
                if not info & 0xC0:
                    parent_info = r.uint()
                    if parent_info == 1:
                        s.root = r.string()
                    elif parent_info == 0:
                        s.parent = (r.uint(), r.uint())
                    else:
                        raise _malformed("P104", f"unknown parent kind {parent_info}")
                    if info & 0x20:
                        s.key = r.string()
                s.length = _read_content(r, ref, profile)
            clock += s.length
            if clock > MAX_CLOCK:
                raise _forbidden("P103", f"clock of client {client} passes 2^31-1")
            structs.append(s)
        ends[client] = clock
    seen: set[int] = set()
    for _ in range(r.count(2)):
        client = r.uint()
        if client in seen:
            raise _malformed("P106", f"client {client} appears twice in the delete set")
        seen.add(client)
        for _ in range(r.count(2)):
            if r.uint() + r.uint() > MAX_CLOCK:
                raise _forbidden("P103", "deleted range passes clock 2^31-1")
    if r.left():
        raise _malformed("P106", f"{r.left()} bytes after the end of the update")
    return Parsed(structs, ends)


@dataclass
class _Ranges:
    """One client's structs as merged ranges of equal parent depth, plus its type items."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    depths: list[int] = field(default_factory=list)
    types: set[int] = field(default_factory=set)

    def find(self, clock: int) -> int | None:
        i = bisect.bisect_right(self.starts, clock) - 1
        if i >= 0 and clock < self.ends[i]:
            return self.depths[i]
        return None

    def add(self, start: int, end: int, depth: int) -> None:
        if start == end:
            return
        if not self.starts or start >= self.ends[-1]:
            if self.starts and start == self.ends[-1] and self.depths[-1] == depth:
                self.ends[-1] = end
                return
            self.starts.append(start)
            self.ends.append(end)
            self.depths.append(depth)
            return
        if self.find(start) is not None:
            return  # already known (a duplicate an update may carry again)
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.depths.insert(i, depth)


class TypeIndex:
    """Parent depth of every struct a room holds, to bound shared-type nesting (P107)."""

    def __init__(self) -> None:
        self.clients: dict[int, _Ranges] = {}

    @classmethod
    def from_state(cls, state: bytes) -> TypeIndex:
        index = cls()
        index.record(state)
        return index

    def record(self, update: bytes) -> None:
        """Add what an applied update integrated (the server's own, already checked data)."""
        parsed = parse_update(update, RECORD)
        _resolve(parsed, RECORD, self)
        self._add(parsed)

    def _add(self, parsed: Parsed) -> None:
        for s, depth in zip(parsed.structs, parsed.depths, strict=True):
            if s.kind == SKIP:
                continue
            ranges = self.clients.get(s.client)
            if ranges is None:
                ranges = self.clients[s.client] = _Ranges()
            ranges.add(s.clock, s.clock + s.length, depth)
            if s.kind == TYPE:
                ranges.types.add(s.clock)

    def depth_at(self, client: int, clock: int) -> int | None:
        ranges = self.clients.get(client)
        return None if ranges is None else ranges.find(clock)

    def type_depth(self, client: int, clock: int) -> int | None:
        ranges = self.clients.get(client)
        if ranges is None or clock not in ranges.types:
            return None
        found = ranges.find(clock)
        return None if found is None else found + 1

    def size(self) -> int:
        """Number of stored ranges and type ids (for measuring memory)."""
        return sum(len(r.starts) + len(r.types) for r in self.clients.values())


def _resolve(parsed: Parsed, profile: Profile, index: TypeIndex | None) -> None:
    """Give each struct its parent depth, iteratively, refusing unknown ids and cycles."""
    structs = parsed.structs
    by_client: dict[int, tuple[list[int], list[int]]] = {}
    for i, s in enumerate(structs):
        starts, idx = by_client.setdefault(s.client, ([], []))
        starts.append(s.clock)
        idx.append(i)

    def local(id_: tuple[int, int]) -> int | None:
        found = by_client.get(id_[0])
        if found is None:
            return None
        starts, idx = found
        j = bisect.bisect_right(starts, id_[1]) - 1
        if j < 0:
            return None
        k = idx[j]
        s = structs[k]
        # zero-length items own no clock; the next struct may start at the same clock
        while s.length == 0 and j > 0:
            j -= 1
            k = idx[j]
            s = structs[k]
        if s.kind == SKIP or not s.clock <= id_[1] < s.clock + s.length:
            return None  # a Skip is a gap: what it stands for is in the room already
        return k

    depths = [-1] * len(structs)  # -1 unknown, -2 on the stack
    for first in range(len(structs)):
        if depths[first] >= 0:
            continue
        stack = [first]
        while stack:
            i = stack[-1]
            s = structs[i]
            depths[i] = -2
            need: int | None = None
            depth = 0
            if s.kind == GC or s.kind == SKIP:
                depth = 0
            elif s.root is not None:
                if profile.roots is not None and s.root not in profile.roots:
                    raise _forbidden("P108", f"unknown top-level type {s.root!r}")
                if s.root == NOTES and s.key is None and profile.roots is not None:
                    raise _forbidden("P109", "an item in notes without a note id")
                depth = 1
            elif s.parent is not None:
                k = local(s.parent)
                if k is not None:
                    p = structs[k]
                    if p.kind != TYPE or p.clock != s.parent[1]:
                        raise _malformed("P107", "parent is not a shared type")
                    if depths[k] < 0:
                        need = k
                    else:
                        depth = depths[k] + 1
                else:
                    found = index.type_depth(*s.parent) if index else None
                    if found is None:
                        raise _malformed("P107", "parent is not a known shared type")
                    depth = found
            else:
                ref = s.origin if s.origin is not None else s.right
                assert ref is not None  # an item without origins names its parent
                k = local(ref)
                if k is not None:
                    if depths[k] < 0:
                        need = k
                    else:
                        depth = depths[k]
                else:
                    found = index.depth_at(*ref) if index else None
                    if found is None:
                        raise _malformed("P107", "the update refers to an unknown item")
                    depth = found
            if need is not None:
                if depths[need] == -2:
                    raise _malformed("P107", "items refer to each other in a cycle")
                stack.append(need)
                continue
            if s.kind == TYPE and depth + 1 > profile.max_type_depth:
                raise _forbidden(
                    "P107", f"shared types nested deeper than {profile.max_type_depth} levels"
                )
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

    Raises:
        MalformedMessageError: bytes that are not a well-formed v1 update (4400).
        ForbiddenError: a well-formed update with content a board never holds (4403).
    """
    try:
        check_update(update, CLIENT, index)
    except UpdateRefusedError as exc:
        error = MalformedMessageError if exc.malformed else ForbiddenError
        raise error(f"update refused ({exc})") from exc
