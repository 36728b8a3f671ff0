"""Checks of the SQLite data directory before the server starts (P224).

Each problem is one sentence that names the path and says what to do. A data directory
that once held boards carries a marker file; finding it beside an empty or missing
database means the database was lost or replaced, and starting empty would silently
serve 404 for every board, so the server refuses unless told `--allow-empty`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
from pathlib import Path

from .base import StoreError
from .sqlite_journal_file import journal_paths, scan

log = logging.getLogger(__name__)
MARKER = "cocanvas.boards"  # written beside the database once it holds a board


def mark_boards(db_path: Path) -> None:
    """Note that this data directory holds boards (idempotent, cheap)."""
    marker = db_path.with_name(MARKER)
    if not marker.exists():
        marker.write_text("this data directory holds cocanvas boards\n", encoding="utf-8")


def _wal_checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum over 8-byte steps, continued from (s0, s1)."""
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def skipped_wal_commits(wal: Path) -> int:
    """Committed transactions in the WAL that SQLite would silently skip.

    SQLite replays frames up to the first one whose checksum fails. A torn last write
    (a crash mid-commit) only ever damages the tail; a damaged frame followed by further
    commit frames of the same WAL generation means committed work would vanish unseen.
    """
    try:
        data = wal.read_bytes()
    except FileNotFoundError:
        return 0
    if len(data) < 32:
        return 0
    magic, _, page_size, _, salt1, salt2, c0, c1 = struct.unpack(">8I", data[:32])
    if magic not in (0x377F0682, 0x377F0683) or not 512 <= page_size <= 65536:
        return 0
    big = magic & 1 == 1
    s0, s1 = _wal_checksum(data[:24], big, 0, 0)
    if (s0, s1) != (c0, c1):
        return 0  # an unused or foreign header: SQLite ignores the whole file
    frame = 24 + page_size
    damaged = False
    skipped = 0
    for at in range(32, len(data) - frame + 1, frame):
        page, commit, f1, f2, k0, k1 = struct.unpack(">6I", data[at : at + 24])
        if (f1, f2) != (salt1, salt2):
            break  # frames of an older generation: not replayed, and not lost either
        if damaged:
            skipped += commit != 0
            continue
        s0, s1 = _wal_checksum(data[at : at + 8], big, s0, s1)
        s0, s1 = _wal_checksum(data[at + 24 : at + frame], big, s0, s1)
        damaged = (s0, s1) != (k0, k1)
    return skipped


def check_journal(db_path: Path) -> None:
    """P373: a damaged record with sound ones after it would drop acknowledged appends;
    a torn last one, what a power cut leaves, was never acknowledged."""
    for path in journal_paths(db_path):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(
                f"{path} cannot be read ({exc}): fix its owner or permissions"
            ) from exc
        found = scan(data)
        if found.damaged:
            raise StoreError(
                f"{path} is damaged after {len(found.rows)} sound appends, and more follow the"
                f" damage: restore {db_path} from a backup, or move {path.name} aside to start"
                " without the appends it holds"
            )
        if found.good_bytes < found.size:
            log.warning("%s: the last append was torn and is skipped", path)


def check_database(db_path: Path, allow_empty: bool = False) -> None:
    """Raise StoreError with one clear sentence when the database cannot be used as is."""
    marker = db_path.with_name(MARKER)
    wal = db_path.with_name(db_path.name + "-wal")
    lost = skipped_wal_commits(wal)
    if lost == 1:  # a power cut can tear the last commit's writes: expected, and unacknowledged
        log.warning("%s: the last transaction was torn and is skipped", wal)
    elif lost:
        raise StoreError(
            f"{wal} is damaged: {lost} committed changes after the damage would be lost"
            f" silently; restore {db_path} from a backup, or move {wal.name} aside to start"
            " with what was saved before the damage"
        )
    check_journal(db_path)
    if not db_path.exists() or db_path.stat().st_size == 0:
        if marker.exists() and not allow_empty:
            raise StoreError(
                f"{db_path} is missing or empty, but {db_path.parent} held boards: restore the"
                " database from a backup, or start with --allow-empty to begin without them"
            )
        return
    if not os.access(db_path, os.R_OK | os.W_OK) or not os.access(db_path.parent, os.W_OK):
        raise StoreError(
            f"{db_path} (or its directory) is not writable for this user: fix its owner or"
            " permissions, e.g. chown it to the user that runs cocanvas"
        )
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path} cannot be opened ({exc}): restore it from a backup") from exc
    try:
        result = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'boards'"
        ).fetchone()
        boards = conn.execute("SELECT COUNT(*) FROM boards").fetchone()[0] if has_table else 0
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{db_path} is not a readable cocanvas database ({exc}): restore it from a backup"
            " or point --data at another directory"
        ) from exc
    finally:
        conn.close()
    if result != ["ok"]:
        raise StoreError(
            f"{db_path} is damaged (integrity check: {'; '.join(result)}): restore it from a"
            " backup (see README, Backups)"
        )
    if boards == 0 and marker.exists() and not allow_empty:
        raise StoreError(
            f"{db_path} holds no boards, but {db_path.parent} did: restore the database from a"
            " backup, or start with --allow-empty to begin without them"
        )
    if boards:
        mark_boards(db_path)
    log.info("database %s: integrity ok, %d boards", db_path, boards)
