"""Exports, archives, snapshot comparison, restore and import: the follow-up of a board.

Shared by the HTTP routes and the CLI. Renderers run off the event loop: on a server in
the export workers behind the export queue (P180-P186), for the CLI in a thread, so a live
board never waits (P80).
"""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio
from pycrdt import Map

from canvas_schema import MigrationError, validate_board

from .boards import BoardInputError, NewBoard, create_board, resolve_canvas
from .export import (
    ARCHIVE_EXTENSION,
    ARCHIVE_MEDIA_TYPE,
    FORMATS,
    Archive,
    ArchiveError,
    pack_archive,
    unpack_archive,
)
from .export_job import RenderJob, run_job
from .export_queue import ExportQueue
from .moderation.joincode import DEFAULT_JOIN_CODE_HOURS
from .recovery import load_board
from .store.base import BoardRecord, DocStore, SnapshotInfo
from .sync.document import META, doc_view, load_doc
from .sync.rooms import Rooms
from .upgrade import restorable_state, upgrade_state

ALL_FORMATS = (*FORMATS, ARCHIVE_EXTENSION)


class HistoryError(LookupError):
    """No such board or snapshot, or an unknown format; the message says which."""


@dataclass(frozen=True)
class Rendered:
    data: bytes
    media_type: str
    filename: str


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "board"


async def board_state(
    store: DocStore, rooms: Rooms | None, board_id: str, sid: str | None
) -> tuple[bytes, SnapshotInfo | None]:
    """The board's state as one update: live (the loaded room, or the store) or a snapshot."""
    if sid:
        found = await store.get_snapshot(board_id, sid)
        if found is None:
            raise HistoryError(f"no snapshot {sid!r} on this board")
        return found[1], found[0]
    room = rooms.get_loaded(board_id) if rooms is not None else None
    if room is not None:
        await room.flushed()
        return room.state(), None
    doc, _, _ = await load_board(store, board_id, keep_aside=False)
    return doc.get_update(), None


def source_label(info: SnapshotInfo | None, locale: str) -> str | None:
    if info is None:
        return None
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created_at))
    word = "Snapshot" if locale == "en" else "Stand"
    return f"{word} \u201c{info.label}\u201d, {when}" if info.label else f"{word} {when}"


async def render_export(
    store: DocStore,
    rooms: Rooms | None,
    record: BoardRecord,
    fmt: str,
    *,
    sid: str | None = None,
    anonymize: bool = False,
    locale: str | None = None,
    queue: ExportQueue | None = None,
    canvas_dirs: tuple[Path, ...] = (),
) -> Rendered:
    """Render the board (or a snapshot) as `fmt`; through `queue` when given, else a thread.

    Raises:
        HistoryError: unknown format or snapshot.
        ExportBusyError, ExportTimeoutError, ExportFailedError: from the queue.
    """
    date = time.strftime("%Y-%m-%d")
    name = f"{slug(record.title)}-{date}"
    if fmt == ARCHIVE_EXTENSION:
        if queue is None:
            data = await archive_board(store, rooms, record)
        else:
            async with queue.slot(record.id):  # bounded like renders (P180)
                data = await archive_board(store, rooms, record)
        return Rendered(data, ARCHIVE_MEDIA_TYPE, f"{name}.{ARCHIVE_EXTENSION}")
    spec = FORMATS.get(fmt)
    if spec is None:
        raise HistoryError(f"unknown format {fmt!r}; one of: {', '.join(ALL_FORMATS)}")
    state, info = await board_state(store, rooms, record.id, sid)
    lang = locale if locale in ("de", "en") else record.locale
    job = RenderJob(
        fmt=fmt,
        state=state,
        canvas=resolve_canvas(record.canvas, canvas_dirs),
        locale=lang,
        exported_at=time.time(),
        source_label=source_label(info, lang),
        anonymize=anonymize,
        board_id=record.id,
    )
    if queue is None:
        data = await anyio.to_thread.run_sync(run_job, job)
    else:
        key = job.cache_key(record.canvas, record.canvas_version)
        data = await queue.render(key, record.id, job)
    return Rendered(data, spec.media_type, f"{name}.{spec.extension}")


async def archive_board(store: DocStore, rooms: Rooms | None, record: BoardRecord) -> bytes:
    state, _ = await board_state(store, rooms, record.id, None)
    snapshots = []
    for info in await store.list_snapshots(record.id):
        found = await store.get_snapshot(record.id, info.sid)
        if found is not None:
            snapshots.append(
                {
                    "sid": info.sid,
                    "label": info.label,
                    "kind": info.kind,
                    "created_at": int(info.created_at * 1000),
                    "seq": info.seq,
                    "notes": info.notes,
                    "state": found[1],
                }
            )
    board = {
        "id": record.id,
        "canvas": record.canvas,
        "canvas_version": record.canvas_version,
        "title": record.title,
        "locale": record.locale,
        "created_at": int(record.created_at * 1000),
    }
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, pack_archive, board, state, snapshots)


def fit_to_canvas(archive: Archive, canvas_dirs: tuple[Path, ...] = ()) -> Archive:
    """P82, P381: the archive brought to this server's version of its canvas.

    An archive of an older canvas version is migrated (its state and every snapshot);
    a newer one is refused. The migrated board must then fit the canvas
    (canvas_schema.validate_board). Raises ArchiveError naming the first problems.
    """
    try:
        canvas = resolve_canvas(archive.board.canvas, canvas_dirs)
    except BoardInputError:
        return archive  # creating the board says which canvases there are
    version = archive.board.canvas_version
    if version > canvas.version:
        raise ArchiveError(
            f"the archive uses version {version} of canvas '{canvas.id}', newer than this "
            f"server's version {canvas.version}; import it into an up-to-date server"
        )
    try:
        state = upgrade_state(archive.state, canvas, version)
        snapshots = tuple(
            replace(snap, state=upgrade_state(snap.state, canvas, version))
            for snap in archive.snapshots
        )
    except MigrationError as exc:
        raise ArchiveError(f"the archive cannot be brought to this server's canvas: {exc}") from exc
    issues = validate_board(doc_view(load_doc(state, [])), canvas)
    if issues:
        shown = "; ".join(str(issue) for issue in issues[:3])
        more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        raise ArchiveError(f"the board does not fit canvas '{canvas.id}': {shown}{more}")
    board = replace(archive.board, canvas_version=canvas.version)
    return Archive(board=board, state=state, snapshots=snapshots)


async def import_archive(
    store: DocStore,
    data: bytes,
    title: str | None = None,
    max_bytes: int = 64 * 1024 * 1024,
    join_code_hours: float = DEFAULT_JOIN_CODE_HOURS,
    canvas_dirs: tuple[Path, ...] = (),
) -> NewBoard:
    """A new board (new id, new links) with the archive's content and snapshots, brought
    to this server's version of its canvas (`fit_to_canvas`)."""
    loop = asyncio.get_running_loop()
    unpacked = await loop.run_in_executor(None, unpack_archive, data, max_bytes)
    archive = await loop.run_in_executor(None, fit_to_canvas, unpacked, canvas_dirs)
    new = await create_board(
        store,
        archive.board.canvas,
        title or archive.board.title,
        archive.board.locale,
        extra_dirs=canvas_dirs,
        join_code_hours=join_code_hours,
    )
    await store.compact(new.record.id, _rebased(archive.state, new.record), 0)
    for snap in archive.snapshots:
        info = SnapshotInfo(
            board=new.record.id,
            sid=snap.sid,
            label=snap.label or "",
            kind=snap.kind,
            created_at=snap.created_at / 1000,
            seq=0,
            notes=snap.notes,
        )
        await store.create_snapshot(info, snap.state)
    return new


def _rebased(state: bytes, record: BoardRecord) -> bytes:
    """The imported content with this board's title in `meta` (an update on top of it)."""
    doc = load_doc(state, [])
    meta = doc.get(META, type=Map)
    with doc.transaction():
        meta["title"] = record.title
    return doc.get_update()


async def restore_as_copy(
    store: DocStore,
    record: BoardRecord,
    sid: str,
    title: str | None = None,
    join_code_hours: float = DEFAULT_JOIN_CODE_HOURS,
    canvas_dirs: tuple[Path, ...] = (),
) -> NewBoard:
    found = await store.get_snapshot(record.id, sid)
    if found is None:
        raise HistoryError(f"no snapshot {sid!r} on this board")
    copy_title = title or f"{record.title} (copy)"
    new = await create_board(
        store,
        record.canvas,
        copy_title,
        record.locale,
        extra_dirs=canvas_dirs,
        join_code_hours=join_code_hours,
    )
    canvas = resolve_canvas(record.canvas, canvas_dirs)
    state = restorable_state(found[1], canvas, record.canvas_version)
    await store.compact(new.record.id, _rebased(state, new.record), 0)
    return new


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What was added, removed and changed between two board views (notes only)."""
    old, new = before.get("notes", {}), after.get("notes", {})
    added = [{"id": k, **new[k]} for k in sorted(new.keys() - old.keys())]
    removed = [{"id": k, **old[k]} for k in sorted(old.keys() - new.keys())]
    changed = []
    for key in sorted(old.keys() & new.keys()):
        if old[key] != new[key]:
            keys = sorted(
                k for k in old[key].keys() | new[key].keys() if old[key].get(k) != new[key].get(k)
            )
            changed.append({"id": key, "before": old[key], "after": new[key], "keys": keys})
    return {"added": added, "removed": removed, "changed": changed}


async def compare_states(
    store: DocStore, rooms: Rooms | None, board_id: str, sid_from: str, sid_to: str | None
) -> dict[str, Any]:
    first, _ = await board_state(store, rooms, board_id, sid_from)
    second, _ = await board_state(store, rooms, board_id, sid_to)
    return compare(doc_view(load_doc(first, [])), doc_view(load_doc(second, [])))
