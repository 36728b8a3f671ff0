"""Errors a user can fix, and the checks commands run before they start."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import Settings

if TYPE_CHECKING:
    from ..store.base import DocStore


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def check_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(
            f"cannot use data directory {path}: {exc.strerror or exc}; "
            "pick another with --data or fix its permissions"
        ) from exc


def check_port(host: str, port: int) -> None:
    if not 0 <= port <= 65535:
        raise CliError(f"port {port} is not between 0 and 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is already in use; stop the other program "
                    "or choose another port with --port"
                ) from exc
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def prepare_postgres(url: str) -> str:
    """Check the URL, connect and apply pending migrations before listening (P300)."""
    from ..compose import postgres_store
    from ..store.postgres_db import redact_url

    try:
        store = postgres_store(url)
    except ValueError as exc:
        raise CliError(str(exc)) from exc

    async def prepare() -> None:
        await store.open()
        await store.close()

    asyncio.run(prepare())
    return redact_url(url)


def check_store(settings: Settings) -> None:
    from ..compose import check_store_settings

    try:
        check_store_settings(settings)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def where(settings: Settings) -> str:
    """The store in words for messages: a PostgreSQL URL without its password, or the
    SQLite file."""
    from ..compose import database_path
    from ..store.postgres_db import redact_url

    return redact_url(settings.store_url) if settings.store_url else str(database_path(settings))


def stored_boards_exist(settings: Settings) -> bool:
    """False when a SQLite data directory has no database yet (reading commands stop
    there instead of creating an empty one); a store URL is always opened."""
    from ..compose import database_path

    return bool(settings.store_url) or database_path(settings).exists()


@contextlib.asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[DocStore]:
    """The configured store, opened (migrations applied); an unreachable one is a
    CliError (P333)."""
    from ..compose import opened_store
    from ..store.base import StoreError

    try:
        async with opened_store(settings) as store:
            yield store
    except StoreError as exc:
        raise CliError(f"{where(settings)}: {exc}") from exc


def sqlite_only(settings: Settings, command: str) -> None:
    if settings.store_url:
        raise CliError(
            f"`cocanvas {command}` copies the SQLite database; with a PostgreSQL store "
            "(COCANVAS_STORE_URL) use pg_dump and pg_restore (README, Running on several "
            "machines)"
        )
