"""Commands on the boards of any store (SQLite in --data, or --store): new, boards,
snapshot, export, import (P333)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import Settings
from .checks import CliError, check_data_dir, opened, stored_boards_exist, where

if TYPE_CHECKING:
    from ..history import Rendered


async def cmd_new(settings: Settings, args: argparse.Namespace) -> None:
    from ..boards import BoardInputError, board_links, create_board

    if not settings.store_url:
        check_data_dir(settings.data_dir)
    async with opened(settings) as store:
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
    if not stored_boards_exist(settings):
        print(f"no boards yet (no database at {where(settings)})")
        return
    async with opened(settings) as store:
        records = await store.list_boards()
    if not records:
        print("no boards yet")
    for r in records:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_at))
        print(f"{r.id}  {created}  {r.canvas}  {r.locale}  {r.title}")


async def cmd_snapshot(settings: Settings, args: argparse.Namespace) -> None:
    from ..boards import BoardInputError, clean_text, snapshot_board

    db = where(settings)
    if not stored_boards_exist(settings):
        raise CliError(f"no database at {db}; pass the server's --data directory or --store")
    try:
        label = clean_text(args.label, "label", 200, required=False)
    except BoardInputError as exc:
        raise CliError(str(exc)) from exc
    async with opened(settings) as store:
        if await store.get_board(args.board) is None:
            raise CliError(f"no board {args.board!r} in {db}; see `cocanvas boards`")
        info = await snapshot_board(store, None, args.board, label, "manual")
    print(f"snapshot {info.sid} of board {info.board}: {info.notes} notes, label {label!r}")


async def cmd_export(settings: Settings, args: argparse.Namespace) -> Rendered:
    from ..history import ALL_FORMATS, HistoryError, render_export

    if args.format not in ALL_FORMATS:
        raise CliError(f"unknown format {args.format!r}; one of: {', '.join(ALL_FORMATS)}")
    db = where(settings)
    if not stored_boards_exist(settings):
        raise CliError(f"no database at {db}; pass the server's --data directory or --store")
    async with opened(settings) as store:
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
    from ..boards import board_links
    from ..export import ArchiveError
    from ..history import import_archive

    if not settings.store_url:
        check_data_dir(settings.data_dir)
    async with opened(settings) as store:
        try:
            new = await import_archive(
                store,
                data,
                args.title,
                join_code_hours=settings.join_code_hours,
                canvas_dirs=(settings.canvas_dir,) if settings.canvas_dir else (),
            )
        except ArchiveError as exc:
            raise CliError(f"{args.file}: {exc}") from exc
    url = args.url or settings.public_url or f"http://{settings.host}:{settings.port}"
    links = board_links(url, new.record.id, new.tokens)
    print(f"board:       {new.record.id}  ({new.record.title})")
    for role in ("moderator", "participant", "viewer", "projector"):
        print(f"{role + ':':<13}{links[role]}")
