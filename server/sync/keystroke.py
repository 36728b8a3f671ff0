"""Where writers are typing (P374): the last character of each run of text the full judge
accepted, with the note and key whose text holds it, and how long each such text may be.

A Yjs item that names no parent goes into its left neighbour's parent, for good. So a
character typed right after one of these runs goes into that note's text, and the room
can judge it without the policy's reads. The room forgets a note's runs whenever the
note changes in any other way than such a keystroke, and all of them when it cannot
tell which notes changed.
"""

from __future__ import annotations

MAX_RUNS = 1024  # cursors remembered per board; past it the room learns them again

Place = tuple[str, str]  # note id, text key


class TextRuns:
    def __init__(self) -> None:
        # (client, clock) of a run's last character -> the text holding it
        self.ends: dict[tuple[int, int], Place] = {}
        # text -> an upper bound of its characters (a keystroke adds its UTF-16 length)
        self.chars: dict[Place, int] = {}

    def clear(self) -> None:
        if self.ends:
            self.ends = {}
            self.chars = {}

    def forget(self, notes: set[str]) -> None:
        """Changes the full judge took or another node made touched these notes."""
        if any(place[0] in notes for place in self.chars):
            self.ends = {end: p for end, p in self.ends.items() if p[0] not in notes}
            self.chars = {p: n for p, n in self.chars.items() if p[0] not in notes}

    def learn(self, client: int, last: int, place: Place, chars: int) -> None:
        """The full judge accepted `client`'s run ending at clock `last` into `place`,
        whose text then held `chars` characters."""
        if len(self.ends) >= MAX_RUNS:
            self.clear()
        self.ends[(client, last)] = place
        self.chars[place] = chars

    def advance(
        self, origin: tuple[int, int], client: int, last: int, place: Place, chars: int
    ) -> None:
        """A keystroke after `origin` went into `place`: its writer's cursor moves on."""
        if origin[0] == client:
            self.ends.pop(origin, None)
        elif len(self.ends) >= MAX_RUNS:
            self.clear()
        self.ends[(client, last)] = place
        self.chars[place] = chars


def _uint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    out.append(n)
    return bytes(out)


def plain(update: bytes, client: int, clock: int, origin: tuple[int, int]) -> bool:
    """P375: whether `update` is byte for byte what yrs writes for one run of characters
    by `client` at `clock` right after `origin`, deleting nothing: one client, one item
    (info 0x84: an origin and a string), every number in its shortest form, no byte more.
    Such an update can be stored and sent before pycrdt reads it."""
    head = _uint(1) + _uint(1) + _uint(client) + _uint(clock) + b"\x84"
    head += _uint(origin[0]) + _uint(origin[1])
    if not update.startswith(head):
        return False
    pos = len(head)
    n = shift = 0
    while pos < len(update):
        byte = update[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    else:
        return False
    return update[len(head) : pos] == _uint(n) and pos + n + 1 == len(update) and update[-1] == 0
