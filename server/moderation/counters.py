"""Live counters for moderators (P293): per field, how many of the participants here have
written and, while a vote is open, how many have voted.

Only counts travel, and only to moderator connections: who wrote what stays with the server
(private notes, ballots) or in the shared document (notes). With several nodes each node
counts its own participants (their private notes and ballots are in its memory) and
relays that tally to the others, so a moderator on any node sees the whole board.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import anyio
from pycrdt import Map

from ..sync.connection import Connection
from ..sync.document import NOTES
from ..sync.extension import RoomExtension, Task
from ..sync.room import Room
from .private import PrivateWriting
from .tally import Tally, read_tally
from .voting import Voting

# a moderator's view lags about this long
INTERVAL_SECONDS = 0.5
# reading every note from pycrdt costs ~25 µs a note (8 ms for 300, 60 ms for 2000): the
# document is read again only after it changed, and at most at 1/20 of the loop's time
SCAN_SHARE = 20
# a tally unchanged is relayed again this often, so other nodes never count it stale
TALLY_RESEND_SECONDS = 2.0


class Counters(RoomExtension):
    def __init__(
        self,
        room: Room,
        private: PrivateWriting,
        voting: Voting,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.room = room
        self.private = private
        self.voting = voting
        self.interval = interval
        self._sent: dict[int, dict[str, Any]] = {}  # connection id -> last counts sent
        self._notes: dict[str, tuple[str, str | None]] = {}  # note id -> (field, author id)
        self._scanned_state: bytes | None = None  # the document's state vector at the scan
        self._scanned_at = float("-inf")
        self._scan_seconds = 0.0
        self._relayed: bytes | None = None  # the tally last relayed (P293)
        self._relayed_at = float("-inf")
        self._heard: dict[bytes, Tally | None] = {}  # relayed tally -> what it reads as
        self._wanted: anyio.Event | None = None  # set by a moderator's hello

    def node_tasks(self) -> Sequence[Task]:
        # every node counts: its moderators need counts, the others its tally
        return (self._run,)

    async def _run(self) -> None:
        while True:
            if not self._needed():
                # most rooms have no moderator here most of the time: a tick twice a second
                # in each of them was half of an idle server's CPU; a hello wakes this
                self._wanted = anyio.Event()
                await self._wanted.wait()
            await anyio.sleep(self.interval)
            self.push()

    def _needed(self) -> bool:
        """Someone wants counts: a moderator here, or the other nodes this node's tally."""
        return self.room.shared is not None or bool(self._moderators())

    def _moderators(self) -> list[Connection]:
        return [c for c in self.room.conns if c.role == "moderator" and c.speaks_app]

    async def hello(self, conn: Connection) -> dict[str, Any]:
        if conn.role == "moderator" and self._wanted is not None:
            self._wanted.set()
        return {}

    def push(self) -> None:
        """Send the counts to every moderator here whose last copy differs; with several
        nodes, relay this node's tally when it changed (or now and then)."""
        mods = self._moderators()
        self._sent = {cid: v for cid, v in self._sent.items() if any(c.id == cid for c in mods)}
        if self.room.shared is None and not mods:
            return
        tally = self._tally()
        if self.room.shared is not None:
            self._relay(tally)
        if not mods:
            return
        counts = self.counts(tally)
        for conn in mods:
            if self._sent.get(conn.id) != counts:
                self.room.send_event(conn, "counts", counts)
                self._sent[conn.id] = counts

    def _relay(self, tally: Tally) -> None:
        assert self.room.shared is not None
        payload = tally.encode()
        now = time.monotonic()
        if payload == self._relayed:
            if tally.empty or now - self._relayed_at < TALLY_RESEND_SECONDS:
                return
        elif tally.empty and self._relayed is None:
            return  # nobody here, and nobody was: nothing to tell
        self.room.shared.tally(payload)
        self._relayed = payload
        self._relayed_at = now

    def counts(self, tally: Tally) -> dict[str, Any]:
        """`present`: participants on the board (distinct author ids, on every node);
        `written`: field -> how many of them have a note there, shared or private; while a
        vote is open `voted`: how many have cast a dot, and `voted_fields`: field -> how
        many have a dot on a note there. `tally` is this node's."""
        total = tally
        if self.room.shared is not None:
            # each relayed tally is read once, not every tick: a bad one is logged once
            known = self._heard
            heard = {
                p: known[p] if p in known else read_tally(p) for p in self.room.shared.tallies()
            }
            self._heard = heard
            for other in heard.values():
                if other is not None:  # a bad tally counts nobody
                    total = total.union(other)
        out: dict[str, Any] = {
            "present": len(total.present),
            "written": {f: len(a) for f, a in sorted(total.written.items())},
        }
        if self.voting.state().get("state") == "open":
            out["voted"] = len(total.voted)
            out["voted_fields"] = {f: len(a) for f, a in sorted(total.voted_fields.items())}
        return out

    def _tally(self) -> Tally:
        """What the participants connected here wrote and, while a vote is open, voted."""
        present = {c.author_id for c in self.room.conns if c.role == "participant" and c.author_id}
        if not present:
            return Tally()
        self._scan()
        writers: dict[str, set[str]] = {}
        for field, author in self._notes.values():
            if author in present:
                writers.setdefault(field, set()).add(author)
        for entry in self.private.notes.values():
            owner, field = entry.get("owner"), entry.get("note", {}).get("field")
            if owner in present and isinstance(field, str):
                writers.setdefault(field, set()).add(owner)
        voted: set[str] = set()
        by_field: dict[str, set[str]] = {}
        if self.voting.state().get("state") == "open":
            for author, ballot in self.voting.ballots.items():
                if author not in present:
                    continue
                for note_id, dots in ballot.get("dots", {}).items():
                    note = self._notes.get(note_id)
                    if dots > 0 and note is not None:
                        voted.add(author)
                        by_field.setdefault(note[0], set()).add(author)
        return Tally(present, writers, voted, by_field)

    def _scan(self) -> None:
        """Read each note's field and author again if the document changed since."""
        started = time.monotonic()
        # the state vector, not the room's seq: updates relayed from other nodes (P324)
        # leave the seq alone
        state = self.room.doc.get_state()
        if self._scanned_state == state:
            return
        if started - self._scanned_at < self._scan_seconds * SCAN_SHARE:
            return
        notes: dict[str, tuple[str, str | None]] = {}
        for note_id, note in self.room.doc.get(NOTES, type=Map).items():
            if not isinstance(note, Map):
                continue
            field = note.get("field")
            author = note.get("author_id")
            if isinstance(field, str):
                notes[note_id] = (field, author if isinstance(author, str) else None)
        self._notes = notes
        self._scanned_state = state
        self._scanned_at = started
        self._scan_seconds = time.monotonic() - started
