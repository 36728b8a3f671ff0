"""What the SQLite writer runs on its connection: a batch of queued writes in one
transaction, each in its own savepoint so one failing write does not take the others
with it, and the WAL checkpoints."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from .base import StoreError

log = logging.getLogger(__name__)

Write = Callable[[sqlite3.Connection], Any]
TRUNCATE_ATTEMPTS = 2
TRUNCATE_WAIT_MS = 250
BUSY_TIMEOUT_MS = 10_000


class Statement:
    """A write that is one SQL statement (an append). Alone in a batch it runs without
    BEGIN and COMMIT: SQLite makes a statement outside a transaction atomic by itself,
    so the common commit of one keystroke costs one call into SQLite instead of three."""

    __slots__ = ("sql", "params")

    def __init__(self, sql: str, params: tuple[Any, ...]) -> None:
        self.sql = sql
        self.params = params

    def __call__(self, conn: sqlite3.Connection) -> None:
        conn.execute(self.sql, self.params)


class AfterCommit:
    """A write whose `committed()` runs right after its transaction commits, on the same
    thread and before anything else can run there (the journal empties its file)."""

    __slots__ = ()

    def __call__(self, conn: sqlite3.Connection) -> Any:
        raise NotImplementedError

    def committed(self) -> None:
        raise NotImplementedError


def run_batch(conn: sqlite3.Connection, writes: list[Write]) -> list[tuple[bool, Any]]:
    """Run `writes` in one transaction; each result is (True, value) or (False, error)."""
    if len(writes) == 1:
        write = writes[0]
        if type(write) is Statement and not conn.in_transaction:
            return [run_statement(conn, write)]
        return [run_one(conn, write)]
    results: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for fn in writes:
            conn.execute("SAVEPOINT job")
            try:
                results.append((True, fn(conn)))
                conn.execute("RELEASE job")
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                results.append((False, StoreError(str(exc))))
            except (StoreError, ValueError, KeyError) as exc:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                results.append((False, exc))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


def run_one(conn: sqlite3.Connection, fn: Write) -> tuple[bool, Any]:
    """A batch of one needs no savepoint: a failing job rolls the transaction back
    (three statements instead of five: the common case at a few writes a second)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        value = fn(conn)
    except (sqlite3.Error, StoreError, ValueError, KeyError) as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return (False, StoreError(str(exc)) if isinstance(exc, sqlite3.Error) else exc)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return (True, value)


def run_statement(conn: sqlite3.Connection, write: Statement) -> tuple[bool, Any]:
    """One statement in autocommit mode: it is committed, or SQLite has undone it."""
    try:
        conn.execute(write.sql, write.params)
    except sqlite3.Error as exc:
        return (False, StoreError(str(exc)))
    return (True, None)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Move the WAL into the database file without blocking writers."""
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error as exc:
        log.warning("WAL checkpoint failed (will retry): %s", exc)


def truncate_wal(conn: sqlite3.Connection) -> bool:
    """Checkpoint everything and empty the WAL file; True once it is empty.

    Waits at most about TRUNCATE_WAIT_MS per attempt for readers (another process's
    backup, say), since writes wait meanwhile."""
    conn.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")
    try:
        for _ in range(TRUNCATE_ATTEMPTS):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
    except sqlite3.Error as exc:
        log.warning("WAL truncation failed (will retry): %s", exc)
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    log.warning("WAL truncation postponed: another connection kept reading")
    return False
