"""The append journal's files (PROTOCOL.md P373): the record format, reading a file back,
and copying what a stopped server left into its database.

There are two files, `cocanvas.db-appends` and `cocanvas.db-appends-2`, taking turns:
the server appends to one while the other's records are copied into SQLite, and a file
is emptied only after its copy committed. The first file also carries the lock that
says which process owns the journal. A record is its body's length and CRC-32, then
the body: seq, time, the board and actor lengths, the board, the actor, the update.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from .base import StoreError

log = logging.getLogger(__name__)

SUFFIXES = ("-appends", "-appends-2")
_HEAD = struct.Struct("<II")  # body length, CRC-32 of the body
_BODY = struct.Struct("<qdHH")  # seq, created_at, board length, actor length
# the copy: only into a board that exists, and only above its compacted state, so a
# row copied twice, or after its board was compacted or deleted, changes nothing
COPY_SQL = (
    "INSERT OR IGNORE INTO updates (board, seq, data, actor, created_at)"
    " SELECT ?, ?, ?, ?, ? FROM states WHERE board = ? AND seq < ?"
)

Row = tuple[str, int, bytes, str, float]  # board, seq, data, actor, created_at


class JournalInUse(StoreError):
    """A running server holds the journal."""


def journal_paths(db_path: Path) -> tuple[Path, Path]:
    first, second = (db_path.with_name(db_path.name + s) for s in SUFFIXES)
    return first, second


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
    return bool(scan(data[nxt:]).rows)


def read_rows(db_path: Path) -> list[Row]:
    """The sound records of both files, as they are now (a running server's: backup)."""
    rows: list[Row] = []
    for path in journal_paths(db_path):
        try:
            rows += scan(path.read_bytes()).rows
        except FileNotFoundError:
            pass
    return rows


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


def _recover_file(db_path: Path, path: Path, fd: int) -> int:
    """Copy the sound records of `fd` into the database, keep a damaged file beside it,
    and empty it. Returns how many records were copied."""
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


def open_files(db_path: Path) -> tuple[list[int], int] | None:
    """Both files, created if missing, the first locked for this process, after what a
    previous run left in them was copied into the database (blocking), and how many
    records that was; None when another process holds the lock. Raises StoreError when
    they cannot be opened or copied."""
    fds: list[int] = []
    copied = 0
    try:
        for path in journal_paths(db_path):
            fds.append(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        try:
            fcntl.flock(fds[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            for fd in fds:
                os.close(fd)
            return None
        for path, fd in zip(journal_paths(db_path), fds, strict=True):
            copied += _recover_file(db_path, path, fd)
    except (OSError, sqlite3.Error) as exc:
        for fd in fds:
            os.close(fd)
        raise StoreError(
            f"cannot open or copy the append journal beside {db_path} ({exc}): is the disk"
            " full, or the directory not writable?"
        ) from exc
    return fds, copied


def fold(db_path: Path) -> int:
    """Copy the journal left beside a stopped server's database into it and remove its
    files (restore, tests). Raises JournalInUse while a server holds it."""
    paths = journal_paths(db_path)
    if not any(p.exists() for p in paths):
        return 0
    opened = open_files(db_path)
    if opened is None:
        raise JournalInUse(f"{paths[0]} is in use: stop the server first")
    fds, copied = opened
    for path in paths:
        path.unlink(missing_ok=True)
    for fd in fds:
        os.close(fd)
    return copied
