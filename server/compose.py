"""What the server and the `cocanvas` command both build from Settings: one place picks
the store implementation, so every entry point honours the same settings."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from .settings import Settings
from .store.base import DocStore
from .store.sqlite import SqliteStore

SYNCHRONOUS_MODES = ("NORMAL", "FULL")


def database_path(settings: Settings) -> Path:
    return settings.data_dir / "cocanvas.db"


def check_store_settings(settings: Settings) -> None:
    """Raises ValueError for a store URL this build cannot serve, a bad
    COCANVAS_SQLITE_SYNCHRONOUS or retention setting, with a message for the person who
    set it."""
    if settings.store_url and not settings.store_url.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            "COCANVAS_STORE_URL must start with postgresql:// (or be empty for SQLite in"
            " the data directory)"
        )
    mode = settings.sqlite_synchronous.upper()
    if mode not in SYNCHRONOUS_MODES:
        raise ValueError(f"COCANVAS_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {mode!r}")
    if settings.retention_days < 0 or settings.retention_check_seconds <= 0:
        raise ValueError(
            "COCANVAS_RETENTION_DAYS must be 0 (keep boards) or more, and "
            "COCANVAS_RETENTION_CHECK_SECONDS more than 0"
        )


def open_store(settings: Settings) -> DocStore:
    """The configured store, not yet opened: PostgreSQL for a store URL, else SQLite in
    the data directory; raises ValueError as check_store_settings."""
    check_store_settings(settings)
    if settings.store_url:
        return postgres_store(settings.store_url, erase_full=settings.pg_erase_full)
    mode = settings.sqlite_synchronous.upper()
    return SqliteStore(database_path(settings), synchronous=mode)


def postgres_store(url: str, erase_full: bool = False) -> DocStore:
    """The PostgreSQL store for a postgresql:// URL (needs the extra [postgres]);
    `erase_full`: rewrite the tables after a deletion (P334)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            "COCANVAS_STORE_URL must start with postgresql:// (or be empty for SQLite in"
            " the data directory)"
        )
    try:
        from .store.postgres import PostgresStore
    except ImportError as exc:
        raise ValueError(
            f"a PostgreSQL store needs psycopg: pip install 'cocanvas[postgres]' ({exc})"
        ) from exc
    return PostgresStore(url, erase_full=erase_full)


@contextlib.asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[DocStore]:
    """open_store(settings), opened for the block and closed after it."""
    store = open_store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
