"""The SQLite store's tables, and bringing an older database file up to them."""

from __future__ import annotations

import logging
import sqlite3

from .base import StoreError

log = logging.getLogger(__name__)
SCHEMA_VERSION = 3  # 2: boards.join_code_expires; 3: boards.active_at
SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    canvas TEXT NOT NULL,
    canvas_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at REAL NOT NULL,
    join_code TEXT UNIQUE,
    join_code_expires REAL NOT NULL DEFAULT 0,
    active_at REAL
);
CREATE TABLE IF NOT EXISTS tokens (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (board, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS states (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    state BLOB NOT NULL,
    seq INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    actor TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (board, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (board, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    sid TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    state BLOB NOT NULL,
    seq INTEGER NOT NULL,
    notes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (board, sid)
) WITHOUT ROWID;
"""


def create_tables(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the database was written by a newer cocanvas (schema {version}); upgrade cocanvas"
        )
    if version == 1:
        # codes made before expiry existed get their lifetime when their board loads
        conn.execute("ALTER TABLE boards ADD COLUMN join_code_expires REAL NOT NULL DEFAULT 0")
    if version in (1, 2):
        conn.execute("ALTER TABLE boards ADD COLUMN active_at REAL")
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    if version in (1, 2):
        log.info("database upgraded to schema %d; rewriting it once", SCHEMA_VERSION)
        # older schemas deleted without secure_delete: rewrite the file once so the free
        # pages holding deleted boards and compacted log rows are gone
        conn.execute("VACUUM")
