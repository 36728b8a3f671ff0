"""Server-side presence: entries applied by clock, owned by the connection that sent them.

Stock clients re-send every awareness change they receive; applying by clock and
broadcasting only what is new turns those echoes into nothing (PROTOCOL.md P12-P16).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from .codec import AwarenessEntry

NULL = "null"


@dataclass(slots=True)
class _Known:
    clock: int
    state_json: str
    owner: Hashable | None
    updated_at: float


MIRROR = "relay"  # first item of the owner key of presence relayed from another node


class AwarenessRegistry:
    def __init__(self, max_ids_per_owner: int = 4, max_state_bytes: int = 8192) -> None:
        self.max_ids_per_owner = max_ids_per_owner
        self.max_state_bytes = max_state_bytes
        self._known: dict[int, _Known] = {}
        self._owned: dict[Hashable, set[int]] = {}
        self.version = 0  # changes whenever join_entries() may answer differently

    def apply(
        self, owner: Hashable, entries: list[AwarenessEntry], now: float
    ) -> tuple[list[AwarenessEntry], int]:
        """Apply entries from one connection; return (accepted changes, refused count)."""
        accepted: list[AwarenessEntry] = []
        refused = 0
        owned = self._owned.setdefault(owner, set())
        for entry in entries:
            known = self._known.get(entry.client_id)
            if len(entry.state_json.encode()) > self.max_state_bytes:
                refused += 1
                continue
            if known is None:
                if len(owned) >= self.max_ids_per_owner:
                    refused += 1
                    continue
            else:
                newer = entry.clock > known.clock
                leaving = entry.clock == known.clock and entry.is_null and known.state_json != NULL
                if not (newer or leaving):
                    continue  # an echo or stale: nothing new
                live_elsewhere = (
                    known.owner is not None
                    and known.owner != owner
                    and known.state_json != NULL
                    and not _mirrored(known.owner)  # P324: its client may have moved here
                )
                if live_elsewhere:
                    refused += 1  # P14: only the owning connection may change an entry
                    continue
                if known.owner != owner and len(owned) >= self.max_ids_per_owner:
                    refused += 1
                    continue
                if known.owner is not None and known.owner != owner:
                    self._owned.get(known.owner, set()).discard(entry.client_id)
            self._known[entry.client_id] = _Known(entry.clock, entry.state_json, owner, now)
            owned.add(entry.client_id)
            accepted.append(entry)
        if accepted:
            self.version += 1
        return accepted, refused

    def remove_owner(self, owner: Hashable, now: float) -> list[AwarenessEntry]:
        """The connection closed: null its live entries for everyone (P15)."""
        out = []
        self.version += 1  # orphaned entries join the snapshot (P16)
        for client_id in sorted(self._owned.pop(owner, set())):
            known = self._known.get(client_id)
            if known is None or known.owner != owner:
                continue
            known.owner = None
            if known.state_json != NULL:
                known.clock += 1
                known.state_json = NULL
                known.updated_at = now
                out.append(AwarenessEntry(client_id, known.clock, NULL))
        return out

    def expire(self, now: float, timeout: float) -> list[AwarenessEntry]:
        """Null entries not renewed within timeout seconds (clients renew every 15 s);
        forget null entries after ten timeouts."""
        out = []
        for client_id, known in list(self._known.items()):
            if known.state_json == NULL:
                if known.owner is None and now - known.updated_at > 10 * timeout:
                    del self._known[client_id]
                    self.version += 1
            elif now - known.updated_at > timeout:
                known.clock += 1
                known.state_json = NULL
                known.updated_at = now
                out.append(AwarenessEntry(client_id, known.clock, NULL))
        if out:
            self.version += 1
        return out

    def join_entries(self) -> list[AwarenessEntry]:
        """What a new connection receives: live states, plus the nulls of orphaned ids so a
        client that reconnects under its old id bumps its clock and is seen again (P16)."""
        return [
            AwarenessEntry(cid, k.clock, k.state_json)
            for cid, k in self._known.items()
            if k.state_json != NULL or k.owner is None
        ]

    def live(self) -> list[AwarenessEntry]:
        return [
            AwarenessEntry(cid, k.clock, k.state_json)
            for cid, k in self._known.items()
            if k.state_json != NULL
        ]

    def states(self) -> dict[int, str]:
        return {e.client_id: e.state_json for e in self.live()}

    def owned_by(self, owner: Hashable) -> set[int]:
        return set(self._owned.get(owner, set()))


def _mirrored(owner: Hashable) -> bool:
    """An entry another node's client owns, kept here as a copy (Room.apply_relayed_presence)."""
    return isinstance(owner, tuple) and owner[:1] == (MIRROR,)
