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
    if settings.store_url:
        raise ValueError(
            f"store URL {settings.store_url!r} is not supported by this build; "
            "leave it empty for SQLite in the data directory"
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
    """The configured store, not yet opened; raises ValueError as check_store_settings."""
    check_store_settings(settings)
    mode = settings.sqlite_synchronous.upper()
    return SqliteStore(database_path(settings), synchronous=mode)


@contextlib.asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[DocStore]:
    """open_store(settings), opened for the block and closed after it."""
    store = open_store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
