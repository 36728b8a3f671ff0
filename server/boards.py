"""Board operations shared by the HTTP routes and the CLI: create, link, snapshot."""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map

from canvas_schema import Canvas, load_canvas

from .auth import hash_token, new_board_id, new_join_code, new_token
from .moderation.agenda import default_agenda
from .moderation.joincode import DEFAULT_JOIN_CODE_HOURS, join_code_expiry
from .recovery import load_board
from .store.base import ROLES, BoardRecord, DocStore, SnapshotInfo
from .sync.document import META, NOTES, count_notes, initial_update, load_doc, make_equal
from .sync.room import Room
from .sync.rooms import Rooms
from .sync.vocabulary import SnapshotKind


class BoardInputError(ValueError):
    """Bad input for creating or changing a board; the message says what to fix."""


@dataclass(frozen=True)
class NewBoard:
    record: BoardRecord
    tokens: dict[str, str]


def clean_text(value: object, name: str, max_chars: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise BoardInputError(f"'{name}' must be a string")
    text = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if required and not text:
        raise BoardInputError(f"'{name}' must not be empty")
    if len(text) > max_chars:
        raise BoardInputError(f"'{name}' is longer than {max_chars} characters")
    return text


def resolve_canvas(canvas_id: str, extra_dirs: tuple[Path, ...] = ()) -> Canvas:
    """The canvas a board uses; BoardInputError if there is no such canvas."""
    if not isinstance(canvas_id, str) or not canvas_id:
        raise BoardInputError("'canvas' must be a canvas id such as 'ko-kreation'")
    try:
        return load_canvas(canvas_id, extra_dirs)
    except LookupError as exc:
        raise BoardInputError(str(exc).strip("'\"")) from exc


async def create_board(
    store: DocStore,
    canvas_id: object,
    title: object,
    locale: object = None,
    max_title_chars: int = 200,
    extra_dirs: tuple[Path, ...] = (),
    join_code_hours: float = DEFAULT_JOIN_CODE_HOURS,
) -> NewBoard:
    canvas = resolve_canvas(str(canvas_id) if isinstance(canvas_id, str) else "", extra_dirs)
    clean_title = clean_text(title, "title", max_title_chars)
    if locale is None:
        locale = canvas.default_locale
    if locale not in canvas.locales:
        known = ", ".join(canvas.locales)
        raise BoardInputError(f"'locale' must be one of: {known}")
    now = time.time()
    tokens: dict[str, str] = {role: new_token() for role in ROLES}
    record = BoardRecord(
        id=new_board_id(),
        canvas=canvas.id,
        canvas_version=canvas.version,
        title=clean_title,
        locale=str(locale),
        created_at=now,
        token_hashes={role: hash_token(tok) for role, tok in tokens.items()},
        join_code=new_join_code(),
        join_code_expires_at=join_code_expiry(now, join_code_hours),
    )
    meta = {
        "canvas": record.canvas,
        "canvas_version": record.canvas_version,
        "title": record.title,
        "locale": record.locale,
        "created_at": now * 1000,
        "groups": [g.id for g in canvas.groups],
        "anonymous_allowed": True,
        "private_anonymous": False,
        "show_join_code": True,
    }
    control = {"agenda": default_agenda(canvas)}
    await store.create_board(record, initial_update(meta, control))
    return NewBoard(record, tokens)


def board_links(base_url: str, board_id: str, tokens: dict[str, str]) -> dict[str, str]:
    # the token travels in the fragment: browsers never send it in a request line.
    # The projector link is for the screen everyone sees: read-only, with the join code.
    base = base_url.rstrip("/")
    return {role: f"{base}/b/{board_id}#k={tok}" for role, tok in tokens.items()}


def new_snapshot_id() -> str:
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(3)}"


async def _save_snapshot(
    store: DocStore, board_id: str, doc: Doc[Any], seq: int, label: str, kind: SnapshotKind
) -> SnapshotInfo:
    info = SnapshotInfo(
        board=board_id,
        sid=new_snapshot_id(),
        label=label,
        kind=kind,
        created_at=time.time(),
        seq=seq,
        notes=count_notes(doc),
    )
    await store.create_snapshot(info, doc.get_update())
    return info


async def snapshot_room(
    store: DocStore, room: Room, label: str, kind: SnapshotKind
) -> SnapshotInfo:
    await room.flushed()
    room.collect()  # deleted and refused content never enters a snapshot (P120)
    return await _save_snapshot(store, room.board_id, room.doc, room.seq, label, kind)


def restore_in_place(room: Room, state: bytes) -> None:
    """Make the live board's notes and settings equal a snapshot, as new operations:
    history is kept and every client converges. The control root (timer, log,
    locks) stays as it is now."""
    target = load_doc(state, [])

    def change(doc: Doc[Any]) -> None:
        for root in (NOTES, META):
            make_equal(doc.get(root, type=Map), target.get(root, type=Map))

    room.transact(change, actor="restore")


async def snapshot_board(
    store: DocStore, rooms: Rooms | None, board_id: str, label: str, kind: SnapshotKind
) -> SnapshotInfo:
    """Snapshot the live room if loaded, else the stored board."""
    room = rooms.get_loaded(board_id) if rooms is not None else None
    if room is not None:
        return await snapshot_room(store, room, label, kind)
    doc, loaded, _ = await load_board(store, board_id, keep_aside=False)
    return await _save_snapshot(store, board_id, doc, loaded.last_seq, label, kind)
