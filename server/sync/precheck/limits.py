"""The precheck's limits and values: profiles per input, the refusal error, a parsed update."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def __init__(
        self, rule: str, reason: str, malformed: bool = False, waits: bool = False
    ) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason
        self.malformed = malformed
        self.waits = waits  # only ids the room may still get are missing (P114)


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
    # P116: per client, the end of its deleted ranges, and where its first skip starts
    deleted_ends: dict[int, int] = field(default_factory=dict)
    gaps: dict[int, int] = field(default_factory=dict)
    exact: bool = True  # False: an outside origin's depth was not looked up (no type item)


def _malformed(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=True)


def _forbidden(rule: str, reason: str) -> UpdateRefusedError:
    return UpdateRefusedError(rule, reason, malformed=False)


def _too_much(limit: int) -> UpdateRefusedError:
    return _forbidden("P112", f"more than {limit} structs, values and deleted ranges")
