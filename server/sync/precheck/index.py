"""The room's index of the types its document holds, and each struct's parent depth
resolved against it: unknown ids and cycles are refused (P107-P109)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from .limits import (
    DELETED,
    GC,
    NOTES,
    RECORD,
    SKIP,
    TYPE,
    Id,
    Parsed,
    Profile,
    Struct,
    UpdateRefusedError,
    _forbidden,
    _malformed,
)
from .parse import parse_update, read_state_vector
from .ranges import Ranges


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
        self.clients: dict[int, Ranges] | None = None if load_state else {}
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

    def _build(self) -> dict[int, Ranges]:
        assert self._load_state is not None
        full = TypeIndex()
        parsed = parse_update(self._load_state(), RECORD)
        resolve_depths(parsed, RECORD, full)
        full._add(parsed)
        self._refresh()
        self.clients = full.clients
        assert self.clients is not None
        return self.clients

    @property
    def last_checked(self) -> Parsed | None:
        """What the last accepted update holds, until it is recorded."""
        return None if self._checked is None else self._checked[1]

    def parsed_of(self, update: bytes) -> Parsed | None:
        """The parse of `update` when it is the accepted update not yet recorded."""
        checked = self._checked
        return checked[1] if checked is not None and checked[0] is update else None

    def checked(self, update: bytes, parsed: Parsed) -> None:
        """Remember an accepted client update: recording it then needs no second parse."""
        self._checked = (update, parsed)

    def assume_checked(self) -> None:
        """P370: make the update checked last known to the next update of the same burst,
        before either is applied. The room applies every update of a burst that passed
        the pre-check, and a refused one leaves its ids in the document (P120), so
        knowing them early is never wrong. The burst's transaction is recorded again
        from its own update afterwards, which adds nothing twice."""
        checked, self._checked = self._checked, None
        if checked is None:
            return
        parsed = checked[1]
        if self.clients is None:
            self._build()  # from the document as it is: the burst's types come next
        self._refresh()
        ends = self._ends
        if not all(c <= ends.get(client, 0) for client, c in parsed.start_clocks.items()):
            return  # it will wait in pycrdt unintegrated, as it would alone
        for client, end in parsed.end_clocks.items():
            if end > ends.get(client, 0):
                ends[client] = end
        if not parsed.exact:
            resolve_depths(parsed, RECORD, self)
        self._add(parsed)

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
                        resolve_depths(parsed, RECORD, self)
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
            resolve_depths(parsed, RECORD, self)
            self._add(parsed)

    def _add(self, parsed: Parsed) -> None:
        clients = self.clients
        assert clients is not None
        ranges: Ranges | None = None
        last = -1
        for s, depth in zip(parsed.structs, parsed.depths, strict=True):
            client, clock, length, kind = s[0], s[1], s[2], s[3]
            if kind == SKIP:
                continue
            if client != last:
                ranges = clients.get(client)
                if ranges is None:
                    ranges = clients[client] = Ranges()
                last = client
            assert ranges is not None
            # a duplicate must not make a known value a type, nor a live item dead
            if ranges.add(clock, clock + length, depth):
                if kind == TYPE:
                    ranges.add_type(clock)
                elif kind == GC or kind == DELETED:
                    ranges.add_dead(clock, clock + length)

    def _refresh(self) -> None:
        if self._stale and self._load_vector is not None:
            self._ends = read_state_vector(self._load_vector())
        self._stale = False

    def continues(self, parsed: Parsed) -> bool:
        """P113: whether every client's structs start at or below its known end clock."""
        if self._stale:
            self._refresh()
        ends = self._ends
        return all(c <= ends.get(client, 0) for client, c in parsed.start_clocks.items())

    def covers(self, parsed: Parsed) -> bool:
        """P116: whether every deleted range ends within what the room has of its client,
        or within what the update itself adds to it before any gap. yrs keeps a deletion
        of ids it does not have and applies it to them when they arrive, in someone
        else's update."""
        deleted = parsed.deleted_ends
        if not deleted:
            return True
        if self._stale:
            self._refresh()
        ends, adds, gaps = self._ends, parsed.end_clocks, parsed.gaps
        for client, end in deleted.items():
            if end > ends.get(client, 0) and end > gaps.get(client, adds.get(client, 0)):
                return False
        return True

    def forget(self, client: int, clock: int) -> None:
        """Drop what `client` wrote from `clock` on: the room replaced its document by a
        copy without those ids, and writes new content under them (P267). Only the
        server's own client id, whose ids nobody has seen yet, is ever forgotten."""
        if clock < self._ends.get(client, 0):
            self._ends[client] = clock
        ranges = None if self.clients is None else self.clients.get(client)
        if ranges is not None:
            ranges.cut(clock)

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
        if ranges is None or not (ranges.is_type(clock) or ranges.is_dead(clock)):
            return None
        found = ranges.find(clock)
        return None if found is None else found + 1

    def size(self) -> int:
        """Number of known clients, stored ranges and type ids (for measuring memory)."""
        ranges = self.clients.values() if self.clients is not None else ()
        return len(self._ends) + sum(
            len(r.starts) + len(r.types) + len(r.dead_starts) for r in ranges
        )


def resolve_depths(parsed: Parsed, profile: Profile, index: TypeIndex | None) -> None:
    """Give each struct its parent depth, iteratively, refusing unknown ids and cycles.

    Without a type item in the update no depth is checked, so an origin outside it is only
    looked up as known (depth 0 stands in, `parsed.exact` becomes False) unless the index
    has its depths built already.
    """
    exact = index is None or parsed.has_types or index.built
    parsed.exact = exact
    if len(parsed.structs) == 1:
        depth = _one_outside_ref(parsed.structs[0], index, exact)
        if depth is not None:
            parsed.depths = [depth]
            return
    _resolve_all(parsed, profile, index, exact)


def _one_outside_ref(s: Struct, index: TypeIndex | None, exact: bool) -> int | None:
    """The depth of an update's only struct when it is an item that names no parent and
    no root and refers to an item outside itself (a keystroke): what `_resolve_all`
    gives it, without its bookkeeping. None for any other struct."""
    kind, origin, right, root, parent = s[3], s[4], s[5], s[6], s[7]
    ref = origin if origin is not None else right
    if kind == TYPE or kind == GC or kind == SKIP or root is not None or parent is not None:
        return None
    if ref is None or (ref[0] == s[0] and s[1] <= ref[1] < s[1] + s[2]):
        return None
    return _outside_depth(ref, index, exact)


def _unknown(rule: str, reason: str) -> UpdateRefusedError:
    """Refused for an id the room does not have (yet): the update may wait (P114)."""
    return UpdateRefusedError(rule, reason, malformed=True, waits=True)


def _outside_depth(ref: Id, index: TypeIndex | None, exact: bool) -> int:
    """The depth of an item the update refers to but does not hold: looked up in the
    index (0 stands in while its depths are not built); unknown ids are refused."""
    found = None
    if index is not None:
        if exact:
            found = index.depth_at(*ref)
        elif index.knows(*ref):
            found = 0
    if found is None:
        raise _unknown("P107", "the update refers to an unknown item")
    return found


def _resolve_all(parsed: Parsed, profile: Profile, index: TypeIndex | None, exact: bool) -> None:
    """resolve_depths for any update."""
    structs = parsed.structs
    count = len(structs)
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
                            reason = "parent is not a known shared type"
                            if index is not None and not index.knows(*parent):
                                raise _unknown("P107", reason)
                            raise _malformed("P107", reason)
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
                            found = outside[ref] = _outside_depth(ref, index, exact)
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
