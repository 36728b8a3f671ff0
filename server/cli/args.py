"""The command line's arguments, and the settings they override."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..settings import Settings, settings_from_env
from ..sync.vocabulary import ARCHIVE_FORMAT, EXPORT_FORMATS
from .checks import CliError

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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cocanvas",
        description="Collaborative whiteboard for the Ko-Kreation Canvas workshop.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def store_arg(sp: argparse.ArgumentParser) -> None:
        data_arg(sp)
        sp.add_argument(
            "--store",
            help="store URL, e.g. postgresql://... (default: COCANVAS_STORE_URL, else SQLite "
            "in --data)",
        )

    def data_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--data", type=Path, help="data directory with the SQLite database (default ./data)"
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


def settings_from_args(args: argparse.Namespace) -> Settings:
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
