"""One client's structs in the room's type index (P107): merged clock ranges with their
parent depth, type items, and collected items."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

_MAX_STORED_DEPTH = 255  # deeper than every profile allows; depths above are stored as this


@dataclass
class Ranges:
    """One client's structs as merged ranges of equal parent depth, plus its type items.

    Sorted arrays, not lists or sets of ints: 8 bytes an entry instead of about 40.
    """

    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    depths: bytearray = field(default_factory=bytearray)
    types: array[int] = field(default_factory=lambda: array("q"))
    # collected items (GC, Deleted): a deleted type is one of them once the document
    # was rebuilt or loaded, and yrs drops what is written into any of them
    dead_starts: array[int] = field(default_factory=lambda: array("q"))
    dead_ends: array[int] = field(default_factory=lambda: array("q"))

    def is_dead(self, clock: int) -> bool:
        i = bisect_right(self.dead_starts, clock) - 1
        return i >= 0 and clock < self.dead_ends[i]

    def cut(self, clock: int) -> None:
        """Forget everything from `clock` on (P267)."""
        _cut(self.starts, self.ends, clock, self.depths)
        _cut(self.dead_starts, self.dead_ends, clock)
        del self.types[bisect_left(self.types, clock) :]

    def add_dead(self, start: int, end: int) -> None:
        starts, ends = self.dead_starts, self.dead_ends
        if starts and start == ends[-1]:
            ends[-1] = end
        elif not starts or start > ends[-1]:
            starts.append(start)
            ends.append(end)
        else:
            i = bisect_right(starts, start)
            starts.insert(i, start)
            ends.insert(i, end)

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

    def add(self, start: int, end: int, depth: int) -> bool:
        """Add a struct's range; False when the room had its first clock already."""
        depth = min(depth, _MAX_STORED_DEPTH)
        starts, ends = self.starts, self.ends
        new = True
        if starts and start < ends[-1] < end:
            start = ends[-1]  # a struct the room partly had: keep only what is new
            new = False
        if start >= end:
            return False
        if not starts or start >= ends[-1]:
            if starts and start == ends[-1] and self.depths[-1] == depth:
                ends[-1] = end
                return new
            starts.append(start)
            ends.append(end)
            self.depths.append(depth)
            return new
        if self.find(start) is not None:
            return False  # already known (a duplicate an update may carry again)
        i = bisect_right(starts, start)
        starts.insert(i, start)
        ends.insert(i, end)
        self.depths.insert(i, depth)
        return True


def _cut(starts: array[int], ends: array[int], clock: int, *more: bytearray) -> None:
    """Drop the ranges from `clock` on, shortening the one that holds it (sorted, apart)."""
    i = bisect_left(ends, clock + 1)  # the first range that reaches past clock
    for column in (starts, ends, *more):
        del column[i + 1 :]
    if i < len(starts):
        if starts[i] >= clock:
            for column in (starts, ends, *more):
                del column[i]
        else:
            ends[i] = clock
