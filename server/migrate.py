"""`cocanvas migrate --to postgresql://...`: copy every board of a SQLite data directory
into a PostgreSQL database, with its update log, snapshots, secrets and tokens (P303).

Each board is copied in one transaction and then checked twice: every row read back
equals the row read from SQLite, and the JSON export of the board and of each snapshot
is the same from both stores. A board already in the destination is only checked, so an
interrupted migration can simply be run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .history import render_export
from .store.base import BoardRecord, DocStore
from .store.dump import BoardDump
from .store.postgres import PostgresStore
from .store.sqlite import SqliteStore


class MigrateError(Exception):
    """A board differs after copying, or clashes with one already in the destination."""


@dataclass
class MigrateReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    exports_compared: int = 0


def _rows(dump: BoardDump) -> dict[str, list[tuple[Any, ...]]]:
    # order-free and type-normalised (SQLite gives int where PostgreSQL gives float)
    return {
        table: sorted(
            tuple(
                float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in row
            )
            for row in rows
        )
        for table, _, rows in dump.tables()
    }


async def json_export(store: DocStore, record: BoardRecord, sid: str | None) -> Any:
    rendered = await render_export(store, None, record, "json", sid=sid)
    data = json.loads(rendered.data)
    data.pop("exported_at", None)
    return data


async def _verify(source: SqliteStore, dest: PostgresStore, board_id: str) -> int:
    before, after = await source.dump_board(board_id), await dest.dump_board(board_id)
    if before is None or after is None or _rows(before) != _rows(after):
        raise MigrateError(
            f"board {board_id}: the rows in the destination differ from SQLite; was a server"
            " still writing? Stop it, empty the destination database and migrate again"
        )
    record = await source.get_board(board_id)
    copied = await dest.get_board(board_id)
    if record is None or copied is None:
        raise MigrateError(f"board {board_id}: missing after copying")
    sids: list[str | None] = [None, *(s.sid for s in await source.list_snapshots(board_id))]
    for sid in sids:
        if await json_export(source, record, sid) != await json_export(dest, copied, sid):
            what = f"snapshot {sid}" if sid else "the board"
            raise MigrateError(f"board {board_id}: the JSON export of {what} differs")
    return len(sids)


async def migrate_boards(
    source: SqliteStore,
    dest: PostgresStore,
    progress: Callable[[str], None] = lambda line: None,
) -> MigrateReport:
    """Copy and verify every board of `source` into `dest`.

    Raises:
        MigrateError: a board differs after copying (the copy stays for inspection).
    """
    report = MigrateReport()
    for record in await source.list_boards():
        dump = await source.dump_board(record.id)
        if dump is None:
            continue  # deleted meanwhile
        if await dest.get_board(record.id) is None:
            await dest.restore_dump(dump)
            report.copied.append(record.id)
            verb = "copied"
        else:
            report.already_there.append(record.id)
            verb = "already there"
        report.exports_compared += await _verify(source, dest, record.id)
        progress(f"{record.id}  {verb}, verified  {record.title}")
    return report
