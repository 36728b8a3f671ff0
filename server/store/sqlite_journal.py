"""The append journal in front of the SQLite update log (PROTOCOL.md P373).

A keystroke's update used to cost one SQLite commit: a WAL frame of a whole page, the
WAL index, the b-tree. Under synchronous=NORMAL that commit is no more durable than one
`write` to a plain file, yet it costs several times as much. So an append is written to
the journal (one `pwrite` for all the appends of one loop turn) and is acknowledged
then; the records are copied into `updates` later, thousands per transaction, on the
writer thread, while the appends go on into the other file (sqlite_journal_file.py).

What keeps it safe:
- every read of the log, a board's deletion and the store's close first wait until
  everything acknowledged so far is copied (`flushed`);
- copying is idempotent: a row lands only if its board still exists and it is newer
  than the board's compacted state, so a crash between a copy's commit and the
  truncation, or a compaction or deletion before a copy, changes nothing; rows a
  compaction already holds are not even sent;
- a file is emptied only after its copy committed; at start both are copied first;
- only boards this store loaded take the journal, each append above the last seq, so
  the journal never acknowledges a row SQLite would refuse.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from .base import Ack, StoreError
from .sqlite_journal_file import Row, copy_rows, encode, journal_paths, open_files
from .sqlite_txn import AfterCommit

log = logging.getLogger(__name__)

COPY_ROWS = 2048  # a copy starts once this many records wait...
COPY_BYTES = 2 << 20  # ...or this many bytes...
COPY_DELAY = 2.0  # ...or this long after the first of them
RETRY_SECONDS = 1.0  # a failed copy is tried again after this


class _Copy(AfterCommit):
    """A writer job (on the writer thread): one file's records into `updates`."""

    __slots__ = ("rows", "done")

    def __init__(self, rows: list[Row], done: Callable[[], None]) -> None:
        self.rows = rows
        self.done = done

    def __call__(self, conn: sqlite3.Connection) -> None:
        if self.rows:
            copy_rows(conn, self.rows)

    def committed(self) -> None:
        self.done()


class Journal:
    """The open journal of one SqliteStore; all methods run on the event loop."""

    def __init__(self, db_path: Path, fds: list[int]) -> None:
        self.paths = journal_paths(db_path)
        self.fds = fds
        self.sizes = [0, 0]
        self.active = 0  # the file appends go to; the other is free or being copied
        # boards this store loaded, and the last seq each has in the log: the journal
        # takes only appends above it, so it never holds a seq SQLite would refuse
        self.known: dict[str, int] = {}
        self.compacted: dict[str, int] = {}  # seq of each board's committed compaction
        self.rows: list[Row] = []  # written to the active file, not yet copied
        self.row_bytes = 0
        self.pending: list[tuple[Row, Ack]] = []  # not yet written
        self._pending_blobs: list[bytes] = []
        self._write_due = False
        self._copy_due: asyncio.TimerHandle | None = None
        # the other file's copy: running, or failed and waiting for a retry
        self.copying: asyncio.Future[None] | None = None
        self._failed: list[Row] | None = None
        self.switches = 0  # copies started
        self.copied_through = 0  # every copy up to this one has committed
        self.queue_copy: Callable[[_Copy], asyncio.Future[None]] | None = None  # the store's
        self.wrote: Callable[[float, int], None] | None = None  # seconds, appends (metrics)

    @classmethod
    def open(cls, db_path: Path) -> Journal | None:
        """Copy what a previous run left (blocking: call on a thread), then hold the
        files for this process; None when another process holds them."""
        opened = open_files(db_path)
        return None if opened is None else cls(db_path, opened[0])

    def close(self) -> None:
        """After the last copy: the files are empty; remove them."""
        if self._copy_due is not None:
            self._copy_due.cancel()
            self._copy_due = None
        if self.fds[0] < 0:
            return
        if not self.holds:
            for path in reversed(self.paths):  # the lock's file last
                path.unlink(missing_ok=True)
        for fd in self.fds:
            os.close(fd)  # the first one releases the lock
        self.fds = [-1, -1]

    @property
    def holds(self) -> bool:
        """Appends acknowledged or waiting that are not yet in the database."""
        return bool(self.rows or self.pending or self.copying or self._failed is not None)

    # ---- appends -----------------------------------------------------------------------

    def append(self, board: str, seq: int, data: bytes, actor: str) -> Ack:
        loop = asyncio.get_running_loop()
        fut = Ack(loop)
        at = time.time()
        self.pending.append(((board, seq, data, actor, at), fut))
        self._pending_blobs.append(encode(board, seq, data, actor, at))
        if not self._write_due:
            self._write_due = True
            loop.call_soon(self._write)
        return fut

    def _write(self) -> None:
        self._write_due = False
        settled = self._write_pending()
        _run_then(settled)  # the fan-out of what was just written, in this turn
        if settled and self.rows:
            self._maybe_copy()

    def _write_pending(self) -> list[Ack]:
        """One write for every append of the loop turn; each is acknowledged once the
        kernel has it (what a synchronous=NORMAL commit gave), or failed. Returns the
        appends settled, whose `then` callbacks the caller runs."""
        pending = self.pending
        if not pending:
            return []
        blobs = self._pending_blobs
        blob = blobs[0] if len(blobs) == 1 else b"".join(blobs)
        self.pending = []
        self._pending_blobs = []
        active = self.active
        started = time.perf_counter()
        try:
            written = os.pwrite(self.fds[active], blob, self.sizes[active])
            if written != len(blob):
                raise OSError(f"short write ({written} of {len(blob)} bytes)")
        except OSError as exc:
            self._undo_write(exc)
            err = StoreError(f"cannot write the append journal: {exc}")
            for _, fut in pending:
                if not fut.done():
                    fut.set_exception(err)
            return [fut for _, fut in pending]
        self.sizes[active] += written
        rows = self.rows
        for row, fut in pending:
            rows.append(row)
            self.row_bytes += len(row[2])
            if not fut.done():
                fut.set_result(None)
        if self.wrote is not None:
            self.wrote(time.perf_counter() - started, len(pending))
        return [fut for _, fut in pending]

    def _undo_write(self, exc: OSError) -> None:
        path = self.paths[self.active]
        log.error("append journal %s: write failed: %s", path, exc)
        try:  # no torn record stays in the file
            os.ftruncate(self.fds[self.active], self.sizes[self.active])
        except OSError as again:
            log.error("append journal %s: cannot cut back a failed write: %s", path, again)

    # ---- copies into SQLite ------------------------------------------------------------

    def _maybe_copy(self) -> None:
        if self.copying is not None or self._failed is not None or not self.rows:
            return
        if len(self.rows) >= COPY_ROWS or self.row_bytes >= COPY_BYTES:
            self._start_copy()
        elif self._copy_due is None:
            loop = asyncio.get_running_loop()
            self._copy_due = loop.call_later(COPY_DELAY, self._copy_timer)

    def _copy_timer(self) -> None:
        self._copy_due = None
        try:
            if self._failed is not None:
                self._submit(self._failed)  # the other file's copy, again
            else:
                self._maybe_copy_now()
        except StoreError as exc:  # the store is closing: the next start copies them
            log.warning("append journal: no copy now: %s", exc)

    def _maybe_copy_now(self) -> None:
        if self.copying is None and self._failed is None and (self.rows or self.pending):
            self._start_copy()

    def _start_copy(self) -> None:
        """Appends go on into the other file (empty: its copy committed); this one's
        records go to the writer thread."""
        settled = self._write_pending()  # what this turn appended goes with them
        if settled:  # not from inside whatever asked for this copy
            asyncio.get_running_loop().call_soon(_run_then, settled)
        if self._copy_due is not None:
            self._copy_due.cancel()
            self._copy_due = None
        rows = self.rows
        self.rows = []
        self.row_bytes = 0
        self.active = 1 - self.active
        self.switches += 1
        self._failed = rows  # until the copy is queued: the files are not let go of
        self._submit(rows)

    def _submit(self, rows: list[Row]) -> None:
        assert self.queue_copy is not None
        number = self.switches
        copied = 1 - self.active
        compacted = self.compacted
        # rows a committed compaction holds need no copy (the SQL would skip them too)
        rows = [r for r in rows if r[1] > compacted.get(r[0], 0)] if compacted else rows
        fut = self.queue_copy(_Copy(rows, lambda: self._copied(copied, number)))
        self._failed = None  # only now: a store that cannot queue it keeps the files
        self.copying = fut
        fut.add_done_callback(lambda f: self._copy_ended(f, rows))

    def _copied(self, index: int, number: int) -> None:
        """A copy committed (on the loop): its file can be emptied and reused."""
        self.copied_through = number
        self.copying = None  # done: its future's callbacks run a turn later
        try:
            os.ftruncate(self.fds[index], 0)
        except OSError as exc:  # its rows are in SQLite: copying them again changes nothing
            log.warning("append journal %s: cannot empty it: %s", self.paths[index], exc)
        else:
            self.sizes[index] = 0

    def _copy_ended(self, fut: asyncio.Future[None], rows: list[Row]) -> None:
        if self.copying is fut:
            self.copying = None
        if fut.cancelled() or fut.exception() is not None:
            error = "cancelled" if fut.cancelled() else fut.exception()
            log.error("append journal: copy into the database failed (will retry): %s", error)
            self._failed = rows
            if self._copy_due is None and self.fds[0] >= 0:
                loop = asyncio.get_running_loop()
                self._copy_due = loop.call_later(RETRY_SECONDS, self._copy_timer)
            return
        self._maybe_copy()

    async def flushed(self) -> None:
        """Wait until every append acknowledged before the call is in the database.

        Raises StoreError when a copy fails (the records stay in the journal)."""
        target = self.switches + (1 if self.rows or self.pending else 0)
        while self.copied_through < target:
            if self.copying is not None:
                await asyncio.shield(self.copying)  # raises if it failed
                await asyncio.sleep(0)  # its callbacks run
            elif self._failed is not None:
                self._submit(self._failed)
            elif self.switches < target:
                self._start_copy()
            else:
                raise StoreError("append journal: a copy was lost")  # cannot happen


def _run_then(settled: list[Ack]) -> None:
    """Run the `then` callbacks of settled appends, each one once, in order."""
    seen: set[Callable[[], None]] = set()
    for ack in settled:
        for fn in ack.then:
            if fn in seen:
                continue
            seen.add(fn)
            try:
                fn()
            except Exception:  # as the loop would for a callback: the others still run
                log.exception("append journal: a callback of a settled append failed")
