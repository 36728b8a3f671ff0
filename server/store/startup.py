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
from pathlib import Path

from .base import StoreError

log = logging.getLogger(__name__)
MARKER = "cocanvas.boards"  # written beside the database once it holds a board


def mark_boards(db_path: Path) -> None:
    """Note that this data directory holds boards (idempotent, cheap)."""
    marker = db_path.with_name(MARKER)
    if not marker.exists():
        marker.write_text("this data directory holds cocanvas boards\n", encoding="utf-8")


def check_database(db_path: Path, allow_empty: bool = False) -> None:
    """Raise StoreError with one clear sentence when the database cannot be used as is."""
    marker = db_path.with_name(MARKER)
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
