"""Commands that run or look after the server: serve, backup, restore, migrate."""

from __future__ import annotations

import argparse
import gc
import logging.config
from pathlib import Path

from ..settings import Settings
from .checks import (
    CliError,
    check_data_dir,
    check_port,
    check_store,
    prepare_postgres,
    sqlite_only,
)


def cmd_serve(settings: Settings) -> None:
    from ..app import create_app
    from ..compose import database_path
    from ..redact import logging_config
    from ..serve import GracefulServer
    from ..store.base import StoreError
    from ..store.startup import check_database
    from ..uvicorn_options import raise_file_limit, uvicorn_config

    if settings.relay_url and not settings.relay_url.startswith(("redis://", "rediss://")):
        raise CliError("--relay must be a redis:// or rediss:// URL")
    check_store(settings)
    if settings.header_timeout_seconds <= 0:
        raise CliError("COCANVAS_HEADER_TIMEOUT_SECONDS must be more than 0")
    check_data_dir(settings.data_dir)
    try:
        if settings.store_url:
            where = prepare_postgres(settings.store_url)
        else:
            check_database(database_path(settings), settings.allow_empty)
            where = str(settings.data_dir.resolve())
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    check_port(settings.host, settings.port)
    log_config = logging_config(settings.log_level)
    logging.config.dictConfig(log_config)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"cocanvas is starting on http://{host}:{settings.port}/", flush=True)
    print(f"data: {where}", flush=True)
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if settings.max_open_connections > 0:
        raise_file_limit(settings.max_open_connections)
    try:
        config = uvicorn_config(app, settings, log_config)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    # fewer, larger collections: the fan-out path allocates many short-lived objects and
    # young-generation sweeps showed up as latency spikes
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    GracefulServer(config).run()


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from ..compose import database_path
    from ..store.base import StoreError
    from ..store.sqlite_backup import backup_database

    sqlite_only(settings, "backup")
    dest: Path = args.dest
    if dest.exists() and not args.force:
        raise CliError(f"{dest} exists; choose another name or pass --force")
    try:
        info = backup_database(database_path(settings), dest)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    print(
        f"backed up {info.boards} boards ({info.bytes:,} bytes) to {dest} "
        f"in {info.seconds:.2f} s; restore with `cocanvas restore {dest}` (server stopped)"
    )


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    from ..compose import database_path
    from ..store.base import StoreError
    from ..store.sqlite_backup import restore_database

    sqlite_only(settings, "restore")
    check_data_dir(settings.data_dir)
    try:
        moved = restore_database(args.backup, database_path(settings))
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    print(f"restored {args.backup} into {settings.data_dir}; start the server again")
    if moved is not None:
        print(f"the database it replaced is now {moved}; delete it when you no longer need it")


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from ..compose import postgres_store
    from ..migrate import MigrateError, migrate_boards
    from ..store.base import StoreError
    from ..store.postgres import PostgresStore
    from ..store.sqlite import SqliteStore

    db = settings.data_dir / "cocanvas.db"
    if not db.exists():
        raise CliError(f"no database at {db}; pass the server's --data directory")
    try:
        dest = postgres_store(args.to)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    assert isinstance(dest, PostgresStore)
    try:
        async with SqliteStore(db) as source, dest:
            report = await migrate_boards(source, dest, print)
    except (StoreError, MigrateError) as exc:
        raise CliError(str(exc)) from exc
    print(
        f"{len(report.copied)} boards copied, {len(report.already_there)} already there;"
        f" {report.exports_compared} JSON exports compared equal. Start the server with"
        f" --store {dest.name}"
    )
