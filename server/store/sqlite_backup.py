"""Backup and restore of the SQLite database file (PROTOCOL.md P203).

A backup uses SQLite's online backup API: one consistent copy while a server keeps
writing, with the appends its journal holds that are not yet in the database (P373). A
restore puts a backup in place of a data directory's database, and only when no server has
that database open.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .base import StoreError
from .sqlite_journal_file import SUFFIXES, JournalInUse, copy_rows, fold, journal_paths, read_rows
from .sqlite_schema import SCHEMA_VERSION


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    boards: int
    bytes: int
    seconds: float


def _check(path: Path) -> int:
    """Boards in a database file that passes SQLite's quick check and is ours."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError(f"{path} is damaged (SQLite quick_check failed)")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if not 1 <= version <= SCHEMA_VERSION:
            raise StoreError(f"{path} is not a cocanvas database this version can read")
        return int(conn.execute("SELECT COUNT(*) FROM boards").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(f"{path} is not a cocanvas database: {exc}") from exc
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_database(source: Path, dest: Path) -> BackupInfo:
    """Copy the database at `source` to the new file `dest`, consistently, while a server
    may be writing to it. The copy is one self-contained file (no WAL), readable by its
    owner only. Raises StoreError with what to check."""
    if not source.is_file():
        raise StoreError(f"no database at {source}; pass the server's --data directory")
    started = time.perf_counter()
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # read before the copy: an append the server copies into the database meanwhile
        # is in the copy or in these rows, so the backup holds every board's log up to
        # at least this moment, without gaps (rows the copy already has are skipped)
        appends = read_rows(source)
        src = sqlite3.connect(source, timeout=30)
        try:
            # created private: the copy holds everything the server holds
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # every page in one step: one consistent snapshot
                dst.execute("PRAGMA journal_mode=DELETE")
                if appends:
                    with dst:
                        copy_rows(dst, appends)
            finally:
                dst.close()
        finally:
            src.close()
        boards = _check(partial)
        _fsync(partial)
        os.replace(partial, dest)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup to {dest} failed: {exc}") from exc
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    return BackupInfo(dest, boards, dest.stat().st_size, time.perf_counter() - started)


def restore_database(backup: Path, target: Path) -> Path | None:
    """Put `backup` in place of the database `target` (a stopped server's).

    Returns:
        Where the database it replaced was moved (nothing is lost), or None.
    Raises StoreError if the backup is not a sound cocanvas database or a server still
    has `target` open."""
    _check(backup)
    moved: Path | None = None
    journal = journal_paths(target)
    if target.exists() and any(p.exists() for p in journal):
        try:  # the appends a killed server left belong to the database moved aside
            fold(target)
        except JournalInUse as exc:
            raise StoreError(f"{exc} before restoring") from exc
        except StoreError:
            pass  # an unreadable database: its journal is moved aside with it below
    if target.exists():
        try:
            conn = sqlite3.connect(target, timeout=0)
            try:
                # only possible when no other connection has the file open; it also
                # folds the WAL into the file, so nothing stale is left beside it
                conn.execute("PRAGMA journal_mode=DELETE")
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise StoreError(
                    f"{target} is in use ({exc}); stop the server before restoring"
                ) from exc
            # unreadable: exactly what a restore is for; it is moved aside below
        except sqlite3.DatabaseError:
            pass  # damaged or not a database: moved aside below, like any other
        moved = target.with_name(f"{target.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(target, moved)
        for left, beside in zip(journal, journal_paths(moved), strict=True):
            if left.exists():
                os.replace(left, beside)
    for leftover in (target.with_name(target.name + s) for s in ("-wal", "-shm", *SUFFIXES)):
        leftover.unlink(missing_ok=True)  # never replay another database's WAL onto this one
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(backup, partial)
    os.chmod(partial, 0o600)
    _fsync(partial)
    os.replace(partial, target)
    return moved
