"""Loading a board whose stored data may be damaged: recover what can be read (P223).

The compacted state and every log row are read by the pre-check before pycrdt sees them
(a damaged row must not crash the process). A state that cannot be read is replaced by
the newest snapshot that can; log rows that cannot be read are skipped. Whatever was not
readable is moved aside as a secret of kind `damaged`, never deleted, so an administrator
can still look at it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from .store.base import DocStore, LoadedDoc, SnapshotInfo
from .sync import precheck
from .sync.document import new_doc

log = logging.getLogger(__name__)
DAMAGED = "damaged"  # secrets kind for unreadable stored bytes, kept for inspection


class BoardDamagedError(Exception):
    """Nothing of the board could be read: no readable state and no readable snapshot."""


@dataclass(frozen=True)
class Recovery:
    state_damaged: bool = False
    snapshot: SnapshotInfo | None = None
    applied: int = 0
    skipped: int = 0

    @property
    def damaged(self) -> bool:
        return self.state_damaged or self.skipped > 0

    def details(self) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "state_damaged": self.state_damaged,
            "snapshot": None if snap is None else {"label": snap.label, "at": snap.created_at},
            "applied": self.applied,
            "skipped": self.skipped,
        }


def _apply(doc: Doc[Any], update: bytes, full_check: bool) -> bool:
    """Apply stored bytes if the pre-check and pycrdt both accept them."""
    try:
        if full_check:
            precheck.check_update(update, precheck.ARCHIVE)
        else:  # a log row refers to items of the state: check its structure only
            precheck.parse_update(update, precheck.ARCHIVE)
        with doc.transaction(origin="load"):
            doc.apply_update(update)
    except (precheck.UpdateRefusedError, ValueError, RuntimeError):
        return False
    return True


async def load_board(
    store: DocStore, board_id: str, keep_aside: bool = True
) -> tuple[Doc[Any], LoadedDoc, Recovery]:
    """The board's document from its state and log, recovering from damage where it can.

    Args:
        store: the store.
        board_id: the board.
        keep_aside: store unreadable bytes as `damaged` secrets (the room's load does;
            read-only paths such as exports of an unloaded board do not).

    Raises:
        BoardDamagedError: neither the state nor any snapshot could be read.
    """
    loaded = await store.load(board_id)
    doc = new_doc()
    state_damaged = False
    snapshot: SnapshotInfo | None = None
    aside: list[tuple[str, bytes]] = []
    if loaded.state and not _apply(doc, loaded.state, full_check=True):
        state_damaged = True
        aside.append(("state", loaded.state))
        doc, snapshot = await _from_snapshots(store, board_id)
    applied = skipped = 0
    for i, row in enumerate(loaded.updates):
        if _apply(doc, row, full_check=False):
            applied += 1
        else:
            skipped += 1
            aside.append((f"row-{i}", row))
    recovery = Recovery(state_damaged, snapshot, applied, skipped)
    if recovery.damaged and keep_aside:
        stamp = f"{time.time():.0f}"
        for name, data in aside:
            await store.put_secret(board_id, DAMAGED, f"{stamp}-{name}", data)
        log.error(
            "board %s: stored data was damaged; state %s, snapshot %s, %d log rows applied,"
            " %d unreadable (kept aside as '%s' secrets)",
            board_id,
            "unreadable" if state_damaged else "ok",
            snapshot.sid if snapshot else "not needed",
            applied,
            skipped,
            DAMAGED,
        )
    return doc, loaded, recovery


async def _from_snapshots(store: DocStore, board_id: str) -> tuple[Doc[Any], SnapshotInfo]:
    for info in reversed(await store.list_snapshots(board_id)):
        found = await store.get_snapshot(board_id, info.sid)
        if found is None:
            continue
        doc = new_doc()
        if _apply(doc, found[1], full_check=True):
            return doc, info
    raise BoardDamagedError(f"board {board_id}: no readable state and no readable snapshot")
