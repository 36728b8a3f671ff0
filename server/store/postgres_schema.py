"""The PostgreSQL schema as numbered migrations, applied in order when a store opens.

`cocanvas_schema` records every applied version. Nodes that start together take an
advisory lock, so one applies the migrations and the others find them done. A database
with a version this code does not know was written by a newer cocanvas: it is refused,
never changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from .base import StoreError

ADVISORY_LOCK = 0x636F_6361  # "coca": serialises migrations between nodes


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "boards, tokens, states, update log, secrets, snapshots",
        """
CREATE TABLE boards (
    id TEXT PRIMARY KEY,
    canvas TEXT NOT NULL,
    canvas_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    join_code TEXT UNIQUE,
    join_code_expires DOUBLE PRECISION NOT NULL DEFAULT 0,
    active_at DOUBLE PRECISION
);
CREATE TABLE tokens (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (board, role)
);
CREATE TABLE states (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    state BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE updates (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    actor TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (board, seq)
);
CREATE TABLE secrets (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (board, kind, key)
);
CREATE TABLE snapshots (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    sid TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    state BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    notes INTEGER NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (board, sid)
);
""",
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


async def schema_version(conn: AsyncConnection[TupleRow]) -> int:
    """The highest applied migration; 0 for a database cocanvas never touched."""
    cur = await conn.execute("SELECT to_regclass('cocanvas_schema') IS NOT NULL")
    row = await cur.fetchone()
    if row is None or not row[0]:
        return 0
    cur = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM cocanvas_schema")
    row = await cur.fetchone()
    return int(row[0]) if row is not None else 0


async def migrate(
    conn: AsyncConnection[TupleRow], migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[int]:
    """Apply the pending migrations in one transaction; returns the versions applied.

    Raises:
        StoreError: the database has a newer schema than this code knows.
    """
    known = migrations[-1].version
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS cocanvas_schema ("
            " version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
            " applied_at DOUBLE PRECISION NOT NULL)"
        )
        current = await schema_version(conn)
        if current > known:
            raise StoreError(
                f"the database was written by a newer cocanvas (schema {current}, this"
                f" version knows up to {known}); upgrade cocanvas on this node"
            )
        applied = []
        for m in migrations:
            if m.version <= current:
                continue
            await conn.execute(m.sql.encode())
            await conn.execute(
                "INSERT INTO cocanvas_schema (version, description, applied_at)"
                " VALUES (%s, %s, %s)",
                (m.version, m.description, time.time()),
            )
            applied.append(m.version)
    return applied
