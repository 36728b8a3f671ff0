"""Retention: boards idle longer than COCANVAS_RETENTION_DAYS are deleted (PROTOCOL.md P201).

Idle means no update, snapshot or connection for that long; a loaded board is never
deleted. The log names board ids and counts only, never content.
"""

from __future__ import annotations

import logging
import time

import anyio

from .store.base import DeletedBoard, DocStore, StoreError
from .sync.rooms import Rooms

log = logging.getLogger(__name__)
DAY = 86_400.0


async def delete_idle_boards(
    store: DocStore, rooms: Rooms, idle_seconds: float, now: float | None = None
) -> list[DeletedBoard]:
    """Delete every board idle for longer than idle_seconds that is not loaded, then
    erase what was deleted."""
    idle_since = (time.time() if now is None else now) - idle_seconds
    deleted: list[DeletedBoard] = []
    for board_id in await store.idle_boards(idle_since):

        async def delete(board_id: str = board_id) -> DeletedBoard | None:
            return await store.delete_idle_board(board_id, idle_since)

        _, gone = await rooms.run_if_unloaded(board_id, delete)
        if gone is not None:
            log.info(
                "retention: deleted board %s, idle for more than %g days"
                " (%d snapshots, %d secrets, %d log rows)",
                gone.board,
                idle_seconds / DAY,
                gone.snapshots,
                gone.secrets,
                gone.updates,
            )
            deleted.append(gone)
    if deleted:
        await store.erase_deleted()  # one rewrite of the file for the whole sweep
    return deleted


async def run_retention(store: DocStore, rooms: Rooms, days: float, check_seconds: float) -> None:
    """Sweep at start and then every check_seconds, until cancelled."""
    while True:
        try:
            await delete_idle_boards(store, rooms, days * DAY)
        except StoreError as exc:
            log.error("retention: sweep failed, next try in %g s: %s", check_seconds, exc)
        await anyio.sleep(check_seconds)
