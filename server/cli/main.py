"""`cocanvas COMMAND`: parse the arguments and run the command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from .admin import cmd_backup, cmd_migrate, cmd_restore, cmd_serve
from .args import build_parser, settings_from_args
from .boards import cmd_boards, cmd_export, cmd_import, cmd_new, cmd_snapshot, write_export
from .checks import CliError, check_store


def main(argv: Sequence[str] | None = None) -> int:
    """Run `cocanvas` with `argv` (default: the process arguments); returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
        if args.command != "serve":
            check_store(settings)
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
