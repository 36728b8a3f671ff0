"""The `.cocanvas` archive: a whole board with its history, to restore it anywhere.

A msgpack map::

    {"format": "cocanvas", "version": 1,
     "board": {"id", "canvas", "canvas_version", "title", "locale", "created_at"},
     "state": <Yjs update of the board document>,
     "snapshots": [{"sid", "label", "kind", "created_at", "seq", "notes", "state"}]}

`unpack_archive` trusts nothing: size first, then msgpack with bounded lengths and no
extension types, then every key and type, then each Yjs state is read by the bounded
pre-check (`sync/precheck/`, archive profile) and only then applied to a fresh
`pycrdt.Doc`. Every failure is an `ArchiveError` whose message names the problem and the
place (`snapshots[2].state`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgpack
import pycrdt

from ..sync.precheck import ARCHIVE, UpdateRefusedError, check_update
from ..sync.vocabulary import SNAPSHOT_KINDS, SnapshotKind

FORMAT = "cocanvas"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
MAX_SNAPSHOTS = 10_000
MAX_TEXT = 10_000
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_BOARD_KEYS = ("id", "canvas", "canvas_version", "title", "locale", "created_at")
_SNAPSHOT_KEYS = ("sid", "label", "kind", "created_at", "seq", "notes", "state")
_TOP_KEYS = ("format", "version", "board", "state", "snapshots")


class ArchiveError(ValueError):
    """The data is not a valid `.cocanvas` archive; the message says why and where."""


@dataclass(frozen=True)
class ArchiveBoard:
    id: str
    canvas: str
    canvas_version: int
    title: str
    locale: str
    created_at: int


@dataclass(frozen=True)
class ArchiveSnapshot:
    sid: str
    label: str | None
    kind: SnapshotKind
    created_at: int
    seq: int
    notes: int
    state: bytes


@dataclass(frozen=True)
class Archive:
    """A checked archive: board data, the Yjs state, and the snapshots (oldest first)."""

    board: ArchiveBoard
    state: bytes
    snapshots: tuple[ArchiveSnapshot, ...]


def pack_archive(board: dict[str, Any], state: bytes, snapshots: list[dict[str, Any]]) -> bytes:
    """Pack a board, its Yjs state and its snapshots into `.cocanvas` bytes.

    Args:
        board: `{"id", "canvas", "canvas_version", "title", "locale", "created_at"}`.
        state: the board document as one Yjs update (`doc.get_update()`).
        snapshots: `[{"sid", "label", "kind", "created_at", "seq", "notes", "state"}]`.

    Returns:
        The archive bytes.

    Raises:
        ArchiveError: when the input would not make a valid archive (checked like on import).
    """
    data = {
        "format": FORMAT,
        "version": VERSION,
        # other keys of the given dicts (a fuller meta, store bookkeeping) are left out
        "board": {key: board[key] for key in _BOARD_KEYS if key in board},
        "state": state,
        "snapshots": [{key: s[key] for key in _SNAPSHOT_KEYS if key in s} for s in snapshots],
    }
    _check(data)  # fail when writing, not years later when importing
    packed: bytes = msgpack.packb(data, use_bin_type=True)
    return packed


def unpack_archive(data: bytes, max_bytes: int = MAX_BYTES) -> Archive:
    """Read and validate `.cocanvas` bytes.

    Args:
        data: the archive file's bytes.
        max_bytes: refuse bigger archives before decoding anything.

    Returns:
        The checked `Archive`.

    Raises:
        ArchiveError: with a message that says what is wrong and where.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ArchiveError(f"archive must be bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise ArchiveError(
            f"archive too big: {len(data)} bytes, the limit is {max_bytes} bytes; "
            "raise the import limit if this board is really that large"
        )
    if not data:
        raise ArchiveError("archive is empty: expected a .cocanvas file (msgpack)")
    try:
        raw = msgpack.unpackb(
            bytes(data),
            raw=False,
            strict_map_key=True,
            use_list=True,
            max_bin_len=max_bytes,
            max_str_len=max_bytes,
            max_array_len=MAX_SNAPSHOTS,
            max_map_len=64,
            max_ext_len=0,
        )
    except (ValueError, TypeError, msgpack.exceptions.UnpackException) as exc:
        raise ArchiveError(
            f"not a .cocanvas archive: the data is not valid msgpack ({exc})"
        ) from exc
    return _check(raw)


# ---- validation ----------------------------------------------------------------------------


def _check(raw: Any) -> Archive:
    if not isinstance(raw, dict):
        raise ArchiveError(f"not a .cocanvas archive: expected a map at the top, got {_kind(raw)}")
    if raw.get("format") != FORMAT:
        raise ArchiveError(
            f"not a .cocanvas archive: 'format' is {raw.get('format')!r}, expected {FORMAT!r}"
        )
    version = raw.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ArchiveError(
            f"unsupported .cocanvas version {version!r}: this server reads version {VERSION}"
        )
    _keys(raw, _TOP_KEYS, "archive")
    board = _map(raw["board"], "board")
    _keys(board, _BOARD_KEYS, "board")
    checked_board = ArchiveBoard(
        id=_text(board["id"], "board.id", 200, required=True),
        canvas=_text(board["canvas"], "board.canvas", 200, required=True),
        canvas_version=_int(board["canvas_version"], "board.canvas_version"),
        title=_text(board["title"], "board.title", MAX_TEXT),
        locale=_text(board["locale"], "board.locale", 20, required=True),
        created_at=_int(board["created_at"], "board.created_at"),
    )
    state = _state(raw["state"], "state")
    snapshots_raw = raw["snapshots"]
    if not isinstance(snapshots_raw, list):
        raise ArchiveError(f"'snapshots' must be a list, got {_kind(snapshots_raw)}")
    snapshots = []
    seen: set[str] = set()
    for i, item in enumerate(snapshots_raw):
        where = f"snapshots[{i}]"
        snap = _map(item, where)
        _keys(snap, _SNAPSHOT_KEYS, where)
        sid = _text(snap["sid"], f"{where}.sid", 200, required=True)
        if sid in seen:
            raise ArchiveError(f"'{where}.sid' {sid!r} appears twice: snapshot ids must be unique")
        seen.add(sid)
        label = snap["label"]
        kind = _text(snap["kind"], f"{where}.kind", 40, required=True)
        if not _KIND.match(kind):
            raise ArchiveError(f"'{where}.kind' {kind!r} is not a snapshot kind (like 'manual')")
        snapshots.append(
            ArchiveSnapshot(
                sid=sid,
                label=None if label is None else _text(label, f"{where}.label", MAX_TEXT),
                kind=_snapshot_kind(kind),
                created_at=_int(snap["created_at"], f"{where}.created_at"),
                seq=_int(snap["seq"], f"{where}.seq"),
                notes=_int(snap["notes"], f"{where}.notes"),
                state=_state(snap["state"], f"{where}.state"),
            )
        )
    return Archive(board=checked_board, state=state, snapshots=tuple(snapshots))


def _snapshot_kind(kind: str) -> SnapshotKind:
    for known in SNAPSHOT_KINDS:
        if kind == known:
            return known
    return "manual"  # a kind this version does not know (a newer one's): kept as manual


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _map(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ArchiveError(f"'{where}' must be a map, got {_kind(value)}")
    return value


def _keys(value: dict[str, Any], expected: tuple[str, ...], where: str) -> None:
    missing = [k for k in expected if k not in value]
    if missing:
        raise ArchiveError(f"'{where}' is missing {', '.join(repr(k) for k in missing)}")
    extra = sorted(str(k) for k in value if k not in expected)
    if extra:
        raise ArchiveError(
            f"'{where}' has unknown keys {', '.join(repr(k) for k in extra)}: "
            f"an archive of version {VERSION} has exactly {', '.join(expected)}"
        )


def _text(value: Any, where: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ArchiveError(f"'{where}' must be a string, got {_kind(value)}")
    if required and not value:
        raise ArchiveError(f"'{where}' must not be empty")
    if len(value) > limit:
        raise ArchiveError(f"'{where}' is {len(value)} characters long, the limit is {limit}")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArchiveError(f"'{where}' must be an integer, got {_kind(value)}")
    if value < 0:
        raise ArchiveError(f"'{where}' must not be negative, got {value}")
    return value


def _state(value: Any, where: str) -> bytes:
    if not isinstance(value, bytes):
        raise ArchiveError(f"'{where}' must be binary (a Yjs update), got {_kind(value)}")
    try:
        check_update(value, ARCHIVE)  # P110: nothing deep or foreign reaches pycrdt
    except UpdateRefusedError as exc:
        raise ArchiveError(f"'{where}' is not a valid Yjs update: {exc}") from exc
    try:
        pycrdt.Doc().apply_update(value)
    # pycrdt raises ValueError for undecodable bytes and RuntimeError for some decodable but
    # inconsistent updates (seen with corrupted updates: "block parent ... must be deleted")
    except (ValueError, RuntimeError) as exc:
        raise ArchiveError(f"'{where}' is not a valid Yjs update: {exc}") from exc
    return value
