"""The append journal in front of the SQLite update log (PROTOCOL.md P373).

A keystroke's update used to cost one SQLite commit: a WAL frame of a whole page, the
WAL index, the b-tree. Under synchronous=NORMAL that commit is no more durable than one
`write` to a plain file, yet it costs several times as much. So an append is written to
`cocanvas.db-appends` (one `pwrite` for all the appends of one loop turn) and is
acknowledged then; the records are copied into `updates` later, a few hundred per
transaction, and the file is emptied after the copy commits.

What keeps it safe:
- the copy runs before every other write and before every read of the log, in the
  writer's queue, so nothing ever sees the table without the journal's rows;
- copying is idempotent: a row lands only if its board still exists and it is newer
  than the board's compacted state, so a crash between a copy's commit and the
  truncation, or a copy after a compaction, changes nothing;
- at start the complete records are copied (each has a length and a CRC); a torn last
  record, what a power cut leaves, was never acknowledged and is dropped; a damaged
  record with more after it moves the file aside, never silently away;
- one process owns the journal (an exclusive lock on the file); another process that
  opens the same database (`cocanvas migrate`, `check`) writes straight to SQLite.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .base import StoreError
from .sqlite_txn import AfterCommit

log = logging.getLogger(__name__)

SUFFIX = "-appends"
_HEAD = struct.Struct("<II")  # body length, CRC-32 of the body
_BODY = struct.Struct("<qdHH")  # seq, created_at, board length, actor length
COPY_ROWS = 256  # a copy is queued once this many records wait...
COPY_BYTES = 1 << 20  # ...or this many bytes...
COPY_DELAY = 0.5  # ...or this long after the first of them
# the copy: only into a board that exists, and only above its compacted state
COPY_SQL = (
    "INSERT OR IGNORE INTO updates (board, seq, data, actor, created_at)"
    " SELECT ?, ?, ?, ?, ? FROM states WHERE board = ? AND seq < ?"
)

Row = tuple[str, int, bytes, str, float]  # board, seq, data, actor, created_at


class JournalInUse(StoreError):
    """A running server holds the journal."""


def journal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + SUFFIX)


def encode(board: str, seq: int, data: bytes, actor: str, at: float) -> bytes:
    b = board.encode()
    a = actor.encode("utf-8", "replace")[:65535]
    body = b"".join((_BODY.pack(seq, at, len(b), len(a)), b, a, data))
    return _HEAD.pack(len(body), zlib.crc32(body)) + body


@dataclass
class Scan:
    rows: list[Row]
    good_bytes: int  # the complete, sound records at the start of the file
    size: int
    damaged: bool  # a bad record with sound records after it (not a torn tail)


def scan(data: bytes) -> Scan:
    """The sound records at the start of `data`, and whether anything after them is
    more than the torn tail a power cut leaves."""
    rows: list[Row] = []
    at, end = 0, len(data)
    while at + _HEAD.size <= end:
        length, crc = _HEAD.unpack_from(data, at)
        body_at = at + _HEAD.size
        if length < _BODY.size or body_at + length > end:
            break
        body = data[body_at : body_at + length]
        if zlib.crc32(body) != crc:
            break
        seq, created, blen, alen = _BODY.unpack_from(body)
        if _BODY.size + blen + alen > length:
            break
        b_at = _BODY.size
        board = body[b_at : b_at + blen].decode("utf-8", "replace")
        actor = body[b_at + blen : b_at + blen + alen].decode("utf-8", "replace")
        rows.append((board, seq, bytes(body[b_at + blen + alen :]), actor, created))
        at = body_at + length
    return Scan(rows, at, end, at < end and _sound_after(data, at))


def _sound_after(data: bytes, at: int) -> bool:
    """True when the bad record at `at` has a plausible length and a sound record after
    it: damage in the middle, not a torn end."""
    length, _ = _HEAD.unpack_from(data, at) if at + _HEAD.size <= len(data) else (0, 0)
    nxt = at + _HEAD.size + length
    if length < _BODY.size or nxt + _HEAD.size > len(data):
        return False
    rest = scan(data[nxt:])
    return bool(rest.rows)


def copy_rows(conn: sqlite3.Connection, rows: list[Row]) -> None:
    conn.executemany(COPY_SQL, [(b, s, d, a, t, b, s) for b, s, d, a, t in rows])


def _copy_now(db_path: Path, rows: list[Row]) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=10)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            copy_rows(conn, rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()


def _recover(db_path: Path, fd: int) -> int:
    """Copy the sound records of the locked journal `fd` into the database, keep a
    damaged rest beside it, and empty the file. Returns how many records were copied."""
    path = journal_path(db_path)
    size = os.fstat(fd).st_size
    if size == 0:
        return 0
    data = os.pread(fd, size, 0)
    found = scan(data)
    if found.rows:
        _copy_now(db_path, found.rows)
    if found.damaged:
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        out = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(out, data)
            os.fsync(out)
        finally:
            os.close(out)
        log.error(
            "%s is damaged after %d sound records: those are saved, the whole file is kept as %s",
            path,
            len(found.rows),
            aside,
        )
    elif found.good_bytes < found.size:
        log.warning("%s: the last append was torn (never acknowledged); dropped", path)
    if found.rows:
        log.info("%s: %d appends copied into the database", path, len(found.rows))
    os.ftruncate(fd, 0)
    return len(found.rows)


def _lock(db_path: Path) -> int | None:
    """The journal's file, created if missing and locked for this process; None when
    another process holds it."""
    path = journal_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot open the append journal {path}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def fold(db_path: Path) -> int:
    """Copy a journal left beside a stopped server's database into it and remove the
    file (restore, tests). Raises StoreError while a server holds it."""
    if not journal_path(db_path).exists():
        return 0
    fd = _lock(db_path)
    if fd is None:
        raise JournalInUse(f"{journal_path(db_path)} is in use: stop the server first")
    try:
        copied = _recover(db_path, fd)
        journal_path(db_path).unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot copy {journal_path(db_path)} into {db_path}: {exc}") from exc
    finally:
        os.close(fd)
    return copied


class _Copy(AfterCommit):
    """A writer job: every record of the journal into `updates`, then the file emptied."""

    __slots__ = ("journal", "taken", "pending")

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.taken = 0
        self.pending = 0

    def __call__(self, conn: sqlite3.Connection) -> None:
        j = self.journal
        # taken at run time, on the loop: nothing is written between here and committed()
        self.taken = len(j.rows)
        self.pending = len(j.pending)
        rows = j.rows + [row for row, _ in j.pending]
        if rows:
            copy_rows(conn, rows)

    def committed(self) -> None:
        self.journal.copied(self)


class Journal:
    """The open journal of one SqliteStore; all methods run on the event loop."""

    def __init__(self, db_path: Path) -> None:
        self.path = journal_path(db_path)
        self.fd = -1
        self.size = 0
        # boards this store loaded, and the last seq each has in the log: the journal
        # takes only appends above it, so it never holds a seq SQLite would refuse
        self.known: dict[str, int] = {}
        self.rows: list[Row] = []  # written, not yet copied
        self.row_bytes = 0
        self.pending: list[tuple[Row, asyncio.Future[None]]] = []  # not yet written
        self._pending_blobs: list[bytes] = []
        self._write_due = False
        self._copy_due: asyncio.TimerHandle | None = None
        self.copy_queued = False
        self.queue_copy: Callable[[_Copy], asyncio.Future[None]] | None = None  # the store's
        self.wrote: Callable[[float, int], None] | None = None  # seconds, appends (metrics)

    @classmethod
    def open(cls, db_path: Path) -> Journal | None:
        """Fold what a previous run left (blocking: call on a thread), then hold the file
        for this process; None when another process holds it (it owns the appends)."""
        fd = _lock(db_path)
        if fd is None:
            return None
        try:
            _recover(db_path, fd)
        except (OSError, sqlite3.Error) as exc:
            os.close(fd)
            raise StoreError(
                f"cannot copy the append journal into {db_path} ({exc}): is the disk full?"
            ) from exc
        self = cls(db_path)
        self.fd = fd
        return self

    def close(self) -> None:
        """After the last copy: the file is empty; remove it."""
        if self._copy_due is not None:
            self._copy_due.cancel()
            self._copy_due = None
        if self.fd < 0:
            return
        if not self.rows and not self.pending:
            self.path.unlink(missing_ok=True)
        os.close(self.fd)  # releases the lock
        self.fd = -1

    # ---- appends -----------------------------------------------------------------------

    def append(self, board: str, seq: int, data: bytes, actor: str) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        at = time.time()
        self.pending.append(((board, seq, data, actor, at), fut))
        self._pending_blobs.append(encode(board, seq, data, actor, at))
        if not self._write_due:
            self._write_due = True
            loop.call_soon(self._write)
        return fut

    def _write(self) -> None:
        """One write for every append of the loop turn; each is acknowledged once the
        kernel has it (what a synchronous=NORMAL commit gave)."""
        self._write_due = False
        pending = self.pending
        if not pending:
            return  # a copy took them straight into SQLite
        blobs = self._pending_blobs
        blob = blobs[0] if len(blobs) == 1 else b"".join(blobs)
        self.pending = []
        self._pending_blobs = []
        started = time.perf_counter()
        try:
            written = os.pwrite(self.fd, blob, self.size)
            if written != len(blob):
                raise OSError(f"short write ({written} of {len(blob)} bytes)")
        except OSError as exc:
            self._undo_write(exc)
            err = StoreError(f"cannot write the append journal: {exc}")
            for _, fut in pending:
                if not fut.done():
                    fut.set_exception(err)
            return
        self.size += written
        for row, fut in pending:
            self.rows.append(row)
            self.row_bytes += len(row[2])
            if not fut.done():
                fut.set_result(None)
        if self.wrote is not None:
            self.wrote(time.perf_counter() - started, len(pending))
        self._maybe_copy()

    def _undo_write(self, exc: OSError) -> None:
        log.error("append journal %s: write failed: %s", self.path, exc)
        try:
            os.ftruncate(self.fd, self.size)  # no torn record stays in the file
        except OSError as again:
            log.error("append journal %s: cannot cut back a failed write: %s", self.path, again)

    # ---- copies into SQLite ------------------------------------------------------------

    def _maybe_copy(self) -> None:
        if self.copy_queued:
            return
        if len(self.rows) >= COPY_ROWS or self.row_bytes >= COPY_BYTES:
            self.request_copy()
        elif self._copy_due is None:
            loop = asyncio.get_running_loop()
            self._copy_due = loop.call_later(COPY_DELAY, self._copy_timer)

    def _copy_timer(self) -> None:
        self._copy_due = None
        if self.rows and not self.copy_queued:
            self.request_copy()

    @property
    def holds(self) -> bool:
        return bool(self.rows or self.pending)

    def request_copy(self) -> asyncio.Future[None]:
        """Queue a copy in the writer's queue; its future (a failed copy leaves every
        record where it was, and the next one tries again)."""
        assert self.queue_copy is not None
        if self._copy_due is not None:
            self._copy_due.cancel()
            self._copy_due = None
        self.copy_queued = True
        fut = self.queue_copy(_Copy(self))
        fut.add_done_callback(self._copy_ended)
        return fut

    def _copy_ended(self, fut: asyncio.Future[None]) -> None:
        self.copy_queued = False
        if fut.cancelled() or fut.exception() is not None:
            log.error("append journal %s: copy into the database failed", self.path)
        if self.rows and self.fd >= 0:
            self._maybe_copy()  # written meanwhile, or the copy failed: try again later

    def copied(self, job: _Copy) -> None:
        """The copy committed (on the loop, before anything else runs): empty the file
        and acknowledge what the copy took before it was written."""
        assert len(self.rows) == job.taken, "a record was written between a copy and its commit"
        self.copy_queued = False
        self.rows = []
        self.row_bytes = 0
        acked = self.pending[: job.pending]
        del self.pending[: job.pending]
        del self._pending_blobs[: job.pending]
        for _, fut in acked:
            if not fut.done():
                fut.set_result(None)
        self._empty()

    def _empty(self) -> None:
        if self.size == 0:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError as exc:  # the rows are in SQLite: copying them again changes nothing
            log.warning("append journal %s: cannot empty it: %s", self.path, exc)
            return
        self.size = 0
