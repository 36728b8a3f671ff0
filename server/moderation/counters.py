"""Live counters for moderators (P293): per field, how many of the participants here have
written and, while a vote is open, how many have voted.

Only counts travel, and only to moderator connections: who wrote what stays with the server
(private notes, ballots) or in the shared document (notes).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import anyio
from pycrdt import Map

from ..sync.document import NOTES
from ..sync.extension import RoomExtension, Task
from ..sync.room import Room
from .private import PrivateWriting
from .voting import Voting

# a moderator's view lags about this long
INTERVAL_SECONDS = 0.5
# reading every note from pycrdt costs ~25 µs a note (8 ms for 300, 60 ms for 2000): the
# document is read again only after it changed, and at most at 1/20 of the loop's time
SCAN_SHARE = 20


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
        self._scanned_seq: int | None = None
        self._scanned_at = float("-inf")
        self._scan_seconds = 0.0

    def tasks(self) -> Sequence[Task]:
        return (self._run,)

    async def _run(self) -> None:
        while True:
            await anyio.sleep(self.interval)
            self.push()

    def push(self) -> None:
        """Send the counts to every moderator whose last copy differs."""
        mods = [c for c in self.room.conns if c.role == "moderator" and c.speaks_app]
        self._sent = {cid: v for cid, v in self._sent.items() if any(c.id == cid for c in mods)}
        if not mods:
            return
        counts = self.counts()
        for conn in mods:
            if self._sent.get(conn.id) != counts:
                self.room.send_event(conn, "counts", counts)
                self._sent[conn.id] = counts

    def counts(self) -> dict[str, Any]:
        """`present`: participants here (distinct author ids); `written`: field -> how many
        of them have a note there, shared or private; while a vote is open `voted`: how many
        have cast a dot, and `voted_fields`: field -> how many have a dot on a note there."""
        present = {c.author_id for c in self.room.conns if c.role == "participant" and c.author_id}
        self._scan()
        writers: dict[str, set[str]] = {}
        for field, author in self._notes.values():
            if author in present:
                writers.setdefault(field, set()).add(author)
        for entry in self.private.notes.values():
            owner, field = entry.get("owner"), entry.get("note", {}).get("field")
            if owner in present and isinstance(field, str):
                writers.setdefault(field, set()).add(owner)
        out: dict[str, Any] = {
            "present": len(present),
            "written": {f: len(a) for f, a in sorted(writers.items())},
        }
        if self.voting.state().get("state") == "open":
            voted: set[str] = set()
            by_field: dict[str, set[str]] = {}
            for author, ballot in self.voting.ballots.items():
                if author not in present:
                    continue
                for note_id, dots in ballot.get("dots", {}).items():
                    note = self._notes.get(note_id)
                    if dots > 0 and note is not None:
                        field = note[0]
                        voted.add(author)
                        by_field.setdefault(field, set()).add(author)
            out["voted"] = len(voted)
            out["voted_fields"] = {f: len(a) for f, a in sorted(by_field.items())}
        return out

    def _scan(self) -> None:
        """Read each note's field and author again if the document changed since."""
        started = time.monotonic()
        if self._scanned_seq == self.room.seq:
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
        self._scanned_seq = self.room.seq
        self._scanned_at = started
        self._scan_seconds = time.monotonic() - started
