"""The `cocanvas` command: serve, new, boards, snapshot, export, import, backup, restore,
migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import logging.config
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .settings import Settings, settings_from_env
from .sync.vocabulary import ARCHIVE_FORMAT, EXPORT_FORMATS

if TYPE_CHECKING:
    from .history import Rendered
    from .store.base import DocStore

EPILOG = """examples:
  cocanvas serve                         start on http://127.0.0.1:8000 with data in ./data
  cocanvas new --title "Smart City Ulm"  create a board and print its four links
  cocanvas boards                        list the boards in ./data
  cocanvas snapshot BOARD --label "end of part A"
  cocanvas export BOARD --format pdf -o protokoll.pdf
  cocanvas import board.cocanvas
  cocanvas backup backup-2026-03-03.db   while the server runs
  cocanvas restore backup-2026-03-03.db  with the server stopped
  cocanvas migrate --to postgresql://cocanvas@db/cocanvas   copy ./data into PostgreSQL
  cocanvas boards --store postgresql://cocanvas@db/cocanvas  new, boards, snapshot, export
                                         and import work on PostgreSQL too

Settings can also come from the environment (COCANVAS_PORT, COCANVAS_DATA_DIR, ...);
see README.md for every setting and limit."""


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cocanvas",
        description="Collaborative whiteboard for the Ko-Kreation Canvas workshop.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def data_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--data", type=Path, help="data directory with the SQLite database (default ./data)"
        )

    def store_arg(sp: argparse.ArgumentParser) -> None:
        data_arg(sp)
        sp.add_argument(
            "--store",
            help="store URL, e.g. postgresql://... (default: COCANVAS_STORE_URL, else SQLite "
            "in --data)",
        )

    s = sub.add_parser("serve", help="run the server", description="Run the server.")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to listen on (default 8000)")
    data_arg(s)
    s.add_argument("--store", help="store URL for larger installs (default: SQLite in --data)")
    s.add_argument("--relay", help="relay URL for several server processes (default: none)")
    s.add_argument("--public-url", help="base URL used in board links (default: from request)")
    s.add_argument(
        "--allow-origin",
        action="append",
        default=None,
        help="extra browser origin allowed to open websockets (repeatable)",
    )
    s.add_argument(
        "--trusted-proxy",
        action="append",
        default=None,
        help="address or CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable)",
    )
    s.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    s.add_argument(
        "--allow-empty",
        action="store_true",
        default=None,
        help="start even though the data directory held boards and the database has none",
    )

    n = sub.add_parser(
        "new", help="create a board and print its links", description="Create a board."
    )
    n.add_argument("--canvas", default="ko-kreation", help="canvas id (default ko-kreation)")
    n.add_argument("--title", required=True, help="board title, e.g. the city and date")
    n.add_argument("--locale", help="board language: de or en (default: the canvas default)")
    n.add_argument(
        "--url", default=None, help="server base URL for the links (default http://HOST:PORT)"
    )
    store_arg(n)

    b = sub.add_parser("boards", help="list boards", description="List the boards.")
    store_arg(b)

    ex = sub.add_parser(
        "export",
        help="write a board (or a snapshot) as PDF, Markdown, CSV, JSON, SVG, PNG, iCal or archive",
        description="Export a board.",
    )
    ex.add_argument("board", help="board id (see `cocanvas boards`)")
    ex.add_argument(
        "--format",
        required=True,
        help=", ".join((*EXPORT_FORMATS, ARCHIVE_FORMAT)),
    )
    ex.add_argument(
        "-o", "--output", type=Path, help="file to write (default: a name from the title)"
    )
    ex.add_argument("--snapshot", help="export this snapshot instead of the board as it is now")
    ex.add_argument("--anonymize", action="store_true", help="leave out every name")
    ex.add_argument("--locale", choices=["de", "en"], help="language of headings")
    store_arg(ex)

    im = sub.add_parser(
        "import", help="create a board from a .cocanvas archive", description="Import a board."
    )
    im.add_argument("file", type=Path, help="a .cocanvas archive made by `cocanvas export`")
    im.add_argument("--title", help="title of the new board (default: the archive's)")
    im.add_argument("--url", default=None, help="server base URL for the links")
    store_arg(im)

    sn = sub.add_parser(
        "snapshot", help="save a labelled snapshot of a board", description="Save a snapshot."
    )
    sn.add_argument("board", help="board id (see `cocanvas boards`)")
    sn.add_argument("--label", default="", help="what this snapshot marks")
    store_arg(sn)

    bk = sub.add_parser(
        "backup",
        help="copy the database to a file, also while the server runs",
        description="Copy the whole database (every board, snapshot and secret) into one "
        "file, consistently, while the server keeps running. The file is readable by its "
        "owner only: it holds everything the server holds.",
    )
    bk.add_argument("dest", type=Path, help="file to write, e.g. backup-2026-03-03.db")
    bk.add_argument("--force", action="store_true", help="replace DEST if it exists")
    data_arg(bk)

    rs = sub.add_parser(
        "restore",
        help="put a backup in place of the database (server stopped)",
        description="Replace the database in --data with a backup made by `cocanvas "
        "backup`. Stop the server first. The database it replaces is moved aside, not "
        "deleted.",
    )
    rs.add_argument("backup", type=Path, help="a file made by `cocanvas backup`")
    data_arg(rs)

    mg = sub.add_parser(
        "migrate",
        help="copy every board of --data into a PostgreSQL database (server stopped)",
        description="Copy every board of the SQLite database in --data, with its history, "
        "snapshots and secrets, into a PostgreSQL database, and verify each board by "
        "comparing rows and JSON exports. Stop the server first. The SQLite database is "
        "left as it is. Boards already copied are only verified, so it can be run again.",
    )
    mg.add_argument("--to", required=True, help="postgresql://USER[:PASSWORD]@HOST/DATABASE")
    data_arg(mg)
    return p


def _settings(args: argparse.Namespace) -> Settings:
    try:
        base = settings_from_env()
    except ValueError as exc:
        raise CliError(f"bad environment setting: {exc}") from exc
    origins = tuple(args.allow_origin) if getattr(args, "allow_origin", None) else None
    proxies = tuple(args.trusted_proxy) if getattr(args, "trusted_proxy", None) else None
    return base.with_overrides(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        data_dir=getattr(args, "data", None),
        store_url=getattr(args, "store", None),
        relay_url=getattr(args, "relay", None),
        public_url=getattr(args, "public_url", None),
        allowed_origins=origins,
        trusted_proxies=proxies,
        log_level=getattr(args, "log_level", None),
        allow_empty=getattr(args, "allow_empty", None),
    )


def _check_data_dir(path: Path) -> None:
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


def _where(settings: Settings) -> str:
    """The store in words for messages: a PostgreSQL URL without its password, or the
    SQLite file."""
    from .compose import database_path
    from .store.postgres_db import redact_url

    return redact_url(settings.store_url) if settings.store_url else str(database_path(settings))


def _stored_boards_exist(settings: Settings) -> bool:
    """False when a SQLite data directory has no database yet (reading commands stop
    there instead of creating an empty one); a store URL is always opened."""
    from .compose import database_path

    return bool(settings.store_url) or database_path(settings).exists()


def _check_port(host: str, port: int) -> None:
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


def _prepare_postgres(url: str) -> str:
    """Check the URL, connect and apply pending migrations before listening (P300)."""
    from .compose import postgres_store
    from .store.postgres_db import redact_url

    try:
        store = postgres_store(url)
    except ValueError as exc:
        raise CliError(str(exc)) from exc

    async def prepare() -> None:
        await store.open()
        await store.close()

    asyncio.run(prepare())
    return redact_url(url)


def cmd_serve(settings: Settings) -> None:
    from .app import create_app
    from .compose import database_path
    from .redact import logging_config
    from .serve import GracefulServer
    from .store.base import StoreError
    from .store.startup import check_database
    from .uvicorn_options import raise_file_limit, uvicorn_config

    if settings.relay_url and not settings.relay_url.startswith(("redis://", "rediss://")):
        raise CliError("--relay must be a redis:// or rediss:// URL")
    _check_store(settings)
    if settings.header_timeout_seconds <= 0:
        raise CliError("COCANVAS_HEADER_TIMEOUT_SECONDS must be more than 0")
    _check_data_dir(settings.data_dir)
    try:
        if settings.store_url:
            where = _prepare_postgres(settings.store_url)
        else:
            check_database(database_path(settings), settings.allow_empty)
            where = str(settings.data_dir.resolve())
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    _check_port(settings.host, settings.port)
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
    config = uvicorn_config(app, settings, log_config)
    # fewer, larger collections: the fan-out path allocates many short-lived objects and
    # young-generation sweeps showed up as latency spikes
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    GracefulServer(config).run()


async def cmd_new(settings: Settings, args: argparse.Namespace) -> None:
    from .boards import BoardInputError, board_links, create_board

    if not settings.store_url:
        _check_data_dir(settings.data_dir)
    async with _opened(settings) as store:
        try:
            dirs = (settings.canvas_dir,) if settings.canvas_dir else ()
            new = await create_board(
                store,
                args.canvas,
                args.title,
                args.locale,
                settings.limits.max_title_chars,
                dirs,
                settings.join_code_hours,
            )
        except BoardInputError as exc:
            raise CliError(str(exc)) from exc
    url = args.url or settings.public_url or f"http://{settings.host}:{settings.port}"
    links = board_links(url, new.record.id, new.tokens)
    print(f"board:       {new.record.id}  ({new.record.title})")
    print(f"moderator:   {links['moderator']}")
    print(f"participant: {links['participant']}")
    print(f"viewer:      {links['viewer']}")
    print(f"projector:   {links['projector']}")
    print("Keep the moderator link to yourself; share the participant link with the group.")
    print("The projector link is for the shared screen: it shows the join code; viewers do not.")


async def cmd_boards(settings: Settings) -> None:
    if not _stored_boards_exist(settings):
        print(f"no boards yet (no database at {_where(settings)})")
        return
    async with _opened(settings) as store:
        records = await store.list_boards()
    if not records:
        print("no boards yet")
    for r in records:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_at))
        print(f"{r.id}  {created}  {r.canvas}  {r.locale}  {r.title}")


async def cmd_snapshot(settings: Settings, args: argparse.Namespace) -> None:
    from .boards import BoardInputError, clean_text, snapshot_board

    db = _where(settings)
    if not _stored_boards_exist(settings):
        raise CliError(f"no database at {db}; pass the server's --data directory or --store")
    try:
        label = clean_text(args.label, "label", 200, required=False)
    except BoardInputError as exc:
        raise CliError(str(exc)) from exc
    async with _opened(settings) as store:
        if await store.get_board(args.board) is None:
            raise CliError(f"no board {args.board!r} in {db}; see `cocanvas boards`")
        info = await snapshot_board(store, None, args.board, label, "manual")
    print(f"snapshot {info.sid} of board {info.board}: {info.notes} notes, label {label!r}")


async def cmd_export(settings: Settings, args: argparse.Namespace) -> Rendered:
    from .history import ALL_FORMATS, HistoryError, render_export

    if args.format not in ALL_FORMATS:
        raise CliError(f"unknown format {args.format!r}; one of: {', '.join(ALL_FORMATS)}")
    db = _where(settings)
    if not _stored_boards_exist(settings):
        raise CliError(f"no database at {db}; pass the server's --data directory or --store")
    async with _opened(settings) as store:
        record = await store.get_board(args.board)
        if record is None:
            raise CliError(f"no board {args.board!r} in {db}; see `cocanvas boards`")
        try:
            rendered = await render_export(
                store,
                None,
                record,
                args.format,
                sid=args.snapshot,
                anonymize=args.anonymize,
                locale=args.locale,
                canvas_dirs=(settings.canvas_dir,) if settings.canvas_dir else (),
            )
        except HistoryError as exc:
            raise CliError(str(exc)) from exc
    return rendered


def write_export(args: argparse.Namespace, rendered: Rendered) -> None:
    out: Path = args.output or Path(rendered.filename)
    try:
        out.write_bytes(rendered.data)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    print(f"wrote {out} ({len(rendered.data):,} bytes)")


async def cmd_import(settings: Settings, args: argparse.Namespace, data: bytes) -> None:
    from .boards import board_links
    from .export import ArchiveError
    from .history import import_archive

    if not settings.store_url:
        _check_data_dir(settings.data_dir)
    async with _opened(settings) as store:
        try:
            new = await import_archive(
                store, data, args.title, join_code_hours=settings.join_code_hours
            )
        except ArchiveError as exc:
            raise CliError(f"{args.file}: {exc}") from exc
    url = args.url or settings.public_url or f"http://{settings.host}:{settings.port}"
    links = board_links(url, new.record.id, new.tokens)
    print(f"board:       {new.record.id}  ({new.record.title})")
    for role in ("moderator", "participant", "viewer", "projector"):
        print(f"{role + ':':<13}{links[role]}")


def _sqlite_only(settings: Settings, command: str) -> None:
    if settings.store_url:
        raise CliError(
            f"`cocanvas {command}` copies the SQLite database; with a PostgreSQL store "
            "(COCANVAS_STORE_URL) use pg_dump and pg_restore (README, Running on several "
            "machines)"
        )


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from .compose import database_path
    from .store.base import StoreError
    from .store.sqlite_backup import backup_database

    _sqlite_only(settings, "backup")
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
    from .compose import database_path
    from .store.base import StoreError
    from .store.sqlite_backup import restore_database

    _sqlite_only(settings, "restore")
    _check_data_dir(settings.data_dir)
    try:
        moved = restore_database(args.backup, database_path(settings))
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    print(f"restored {args.backup} into {settings.data_dir}; start the server again")
    if moved is not None:
        print(f"the database it replaced is now {moved}; delete it when you no longer need it")


@contextlib.asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[DocStore]:
    """The configured store, opened (migrations applied); an unreachable one is a CliError."""
    from .compose import opened_store
    from .store.base import StoreError

    try:
        async with opened_store(settings) as store:
            yield store
    except StoreError as exc:
        raise CliError(f"{_where(settings)}: {exc}") from exc


def _check_store(settings: Settings) -> None:
    from .compose import check_store_settings

    try:
        check_store_settings(settings)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from .compose import postgres_store
    from .migrate import MigrateError, migrate_boards
    from .store.base import StoreError
    from .store.postgres import PostgresStore
    from .store.sqlite import SqliteStore

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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        if args.command != "serve":
            _check_store(settings)
        if args.command == "serve":
            cmd_serve(settings)
        elif args.command == "new":
            asyncio.run(cmd_new(settings, args))
        elif args.command == "boards":
            asyncio.run(cmd_boards(settings))
        elif args.command == "snapshot":
            asyncio.run(cmd_snapshot(settings, args))
        elif args.command == "export":
            write_export(args, asyncio.run(cmd_export(settings, args)))
        elif args.command == "import":
            try:
                data = args.file.read_bytes()
            except OSError as exc:
                raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
            asyncio.run(cmd_import(settings, args, data))
        elif args.command == "backup":
            cmd_backup(settings, args)
        elif args.command == "restore":
            cmd_restore(settings, args)
        elif args.command == "migrate":
            asyncio.run(cmd_migrate(settings, args))
    except CliError as exc:
        print(f"cocanvas: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
