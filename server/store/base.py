"""DocStore: what rooms, routes and the CLI need from durable storage.

An update handed to append() is durable once the returned future resolves; rooms
broadcast only after that (PROTOCOL.md P20).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..sync.vocabulary import ROLES as ROLES
from ..sync.vocabulary import Role as Role
from ..sync.vocabulary import SnapshotKind as SnapshotKind


class StoreError(Exception):
    """Storage failed; the message says what to check (path, permissions, disk)."""


class Ack(asyncio.Future[None]):
    """An append's future that the store settles on the event loop itself. Besides the
    usual callbacks, which run a loop turn later, it runs those in `then` right where
    it is settled: a room fans out an update in the turn its commit ends, not after
    the next poll's reads have been judged (P373)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop=loop)
        self.then: list[Callable[[], None]] = []


@dataclass(frozen=True)
class BoardRecord:
    id: str
    canvas: str
    canvas_version: int
    title: str
    locale: str
    created_at: float
    token_hashes: dict[str, bytes] = field(default_factory=dict)
    # the current join code; a store hands out "" once it expired (P143)
    join_code: str = ""
    join_code_expires_at: float = 0.0  # epoch seconds; 0: never


@dataclass(frozen=True)
class LoadedDoc:
    """Compacted state plus the log tail after it, in sequence order."""

    state: bytes | None
    updates: list[bytes]
    last_seq: int


@dataclass(frozen=True)
class SnapshotInfo:
    board: str
    sid: str
    label: str
    kind: SnapshotKind
    created_at: float
    seq: int
    notes: int

    def row(self, state: bytes) -> tuple[str, str, str, str, bytes, int, int, float]:
        """The values of SNAPSHOT_COLUMNS, for the snapshots table of either store."""
        return (
            self.board,
            self.sid,
            self.label,
            self.kind,
            state,
            self.seq,
            self.notes,
            self.created_at,
        )


SNAPSHOT_COLUMNS = "board, sid, label, kind, state, seq, notes, created_at"


@dataclass(frozen=True)
class DeletedBoard:
    """What a deletion removed, by count only (for logs that carry no content)."""

    board: str
    snapshots: int
    secrets: int
    updates: int


@dataclass(frozen=True)
class LogStats:
    rows: int
    bytes: int


class DocStore(Protocol):
    # P320: several nodes append to the same boards; append's seq is then a floor and the
    # store numbers the row itself, inside the commit
    shared_log: bool

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # boards
    async def create_board(self, record: BoardRecord, initial_update: bytes) -> None: ...

    async def get_board(self, board_id: str) -> BoardRecord | None: ...

    async def list_boards(self) -> list[BoardRecord]: ...

    async def delete_board(self, board_id: str) -> bool:
        """Delete the board and everything of it; once this returns, none of its content
        can be read back from storage (PROTOCOL.md P200). False if there was no board."""
        ...

    async def touch_board(self, board_id: str, at: float) -> None:
        """Record that someone used the board at `at` (epoch seconds): it is not idle."""
        ...

    async def idle_boards(self, idle_since: float) -> list[str]:
        """Boards with no update, snapshot, connection or creation after `idle_since`."""
        ...

    async def delete_idle_board(self, board_id: str, idle_since: float) -> DeletedBoard | None:
        """Delete the board if it is still idle since `idle_since`, checked in the same
        transaction; None if it was used meanwhile or is gone. Its content is
        unrecoverable once erase_deleted() has returned (one call after many deletions)."""
        ...

    async def erase_deleted(self) -> None:
        """Make everything deleted so far unrecoverable from storage (P200)."""
        ...

    async def set_token_hash(self, board_id: str, role: Role, token_hash: bytes) -> None: ...

    async def set_title(self, board_id: str, title: str) -> None: ...

    # the canvas version the board's content follows, after a migration (P380)
    async def set_canvas_version(self, board_id: str, version: int) -> None: ...

    async def get_board_by_join_code(self, code: str) -> BoardRecord | None: ...

    async def set_join_code(self, board_id: str, code: str, expires_at: float = 0.0) -> None: ...

    # values held back from the shared document (private notes, votes)
    async def put_secret(self, board_id: str, kind: str, key: str, value: bytes | None) -> None: ...

    async def get_secrets(self, board_id: str, kind: str) -> dict[str, bytes]: ...

    # documents
    async def load(self, board_id: str) -> LoadedDoc: ...

    def append(
        self, board_id: str, seq: int, update: bytes, actor: str
    ) -> asyncio.Future[None]: ...

    def compact(self, board_id: str, state: bytes, seq: int) -> asyncio.Future[None]: ...

    async def flush(self) -> None: ...

    async def log_stats(self, board_id: str) -> LogStats: ...

    # snapshots
    async def create_snapshot(self, info: SnapshotInfo, state: bytes) -> None: ...

    async def list_snapshots(self, board_id: str) -> list[SnapshotInfo]: ...

    async def prune_snapshots(self, board_id: str, kinds: tuple[str, ...], keep: int) -> int: ...

    async def get_snapshot(self, board_id: str, sid: str) -> tuple[SnapshotInfo, bytes] | None: ...


@runtime_checkable
class CommitTimed(Protocol):
    """A store that reports each group commit: (seconds, writes in the batch)."""

    commit_seconds: Callable[[float, int], None] | None
