"""The .cocanvas archive: exact round trip, and a precise error for each kind of breakage."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgpack
import pytest
from pycrdt import Doc, Map, Text

from server.export.archive import (
    Archive,
    ArchiveBoard,
    ArchiveError,
    ArchiveSnapshot,
    pack_archive,
    unpack_archive,
)

Json = dict[str, Any]


def board_state(texts: list[str]) -> bytes:
    doc: Doc[Any] = Doc()
    notes = doc.get("notes", type=Map)
    meta = doc.get("meta", type=Map)
    with doc.transaction():
        meta["title"] = "Ko-Kreation Musterstadt"
        for i, text in enumerate(texts):
            notes[f"n{i}"] = Map({"field": "A1", "text": Text(text), "x": 0.5})
    return doc.get_update()


def board() -> Json:
    return {
        "id": "brd_0001",
        "canvas": "ko-kreation",
        "canvas_version": 1,
        "title": "Ko-Kreation Musterstadt – Grüße, مرحبا",
        "locale": "de",
        "created_at": 1_772_524_800_000,
    }


def snapshots() -> list[Json]:
    return [
        {
            "sid": "s1",
            "label": "Ende Teil A",
            "kind": "part-end",
            "created_at": 1_772_529_660_000,
            "seq": 120,
            "notes": 1,
            "state": board_state(["erste Notiz"]),
        },
        {
            "sid": "s2",
            "label": None,
            "kind": "auto",
            "created_at": 1_772_530_260_000,
            "seq": 180,
            "notes": 2,
            "state": board_state(["erste Notiz", "zweite Notiz"]),
        },
    ]


def archive_map(**changes: Any) -> Json:
    data: Json = {
        "format": "cocanvas",
        "version": 1,
        "board": board(),
        "state": board_state(["erste Notiz", "zweite Notiz", "dritte"]),
        "snapshots": snapshots(),
    }
    data.update(changes)
    return data


def packed(data: object) -> bytes:
    out: bytes = msgpack.packb(data, use_bin_type=True)
    return out


def test_archive_round_trip_is_exact() -> None:
    state = board_state(["erste Notiz", "zweite Notiz", "dritte"])
    snaps = snapshots()
    data = pack_archive(board(), state, snaps)
    archive = unpack_archive(data)
    assert archive == Archive(
        board=ArchiveBoard(**board()),
        state=state,
        snapshots=tuple(ArchiveSnapshot(**s) for s in snaps),
    )
    again = pack_archive(vars(archive.board), archive.state, [vars(s) for s in archive.snapshots])
    assert again == data


def test_archive_state_restores_the_same_document() -> None:
    state = board_state(["Grüße", "مرحبا"])
    archive = unpack_archive(pack_archive(board(), state, []))
    doc: Doc[Any] = Doc()
    doc.apply_update(archive.state)
    notes = doc.get("notes", type=Map)
    assert sorted(str(notes[k]["text"]) for k in notes.keys()) == sorted(["Grüße", "مرحبا"])


def expect(data: bytes, message: str, **kwargs: Any) -> None:
    with pytest.raises(ArchiveError, match=re.escape(message)):
        unpack_archive(data, **kwargs)


def test_archive_with_wrong_format_is_refused() -> None:
    expect(
        packed(archive_map(format="zip")),
        "not a .cocanvas archive: 'format' is 'zip', expected 'cocanvas'",
    )


def test_archive_with_unknown_version_is_refused() -> None:
    expect(
        packed(archive_map(version=2)),
        "unsupported .cocanvas version 2: this server reads version 1",
    )


def test_archive_too_big_is_refused_before_decoding() -> None:
    data = packed(archive_map())
    expect(data, f"archive too big: {len(data)} bytes, the limit is 100 bytes", max_bytes=100)


def test_archive_that_is_not_msgpack_is_refused() -> None:
    expect(
        b"PK\x03\x04 this is a zip file", "not a .cocanvas archive: the data is not valid msgpack"
    )
    expect(b"", "archive is empty")


def test_archive_with_truncated_msgpack_is_refused() -> None:
    expect(packed(archive_map())[:-10], "the data is not valid msgpack")


def test_archive_that_is_not_a_map_is_refused() -> None:
    expect(packed([1, 2, 3]), "expected a map at the top, got list")


def test_archive_with_bad_state_bytes_is_refused() -> None:
    expect(packed(archive_map(state=b"garbage")), "'state' is not a valid Yjs update")
    expect(packed(archive_map(state="text")), "'state' must be binary (a Yjs update), got str")


def test_archive_with_bad_snapshot_state_names_the_snapshot() -> None:
    snaps = snapshots()
    snaps[1]["state"] = b"\x01\x02\x03"
    expect(packed(archive_map(snapshots=snaps)), "'snapshots[1].state' is not a valid Yjs update")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("board"), "'archive' is missing 'board'"),
        (lambda d: d.pop("snapshots"), "'archive' is missing 'snapshots'"),
        (lambda d: d["board"].pop("title"), "'board' is missing 'title'"),
        (lambda d: d["snapshots"][0].pop("seq"), "'snapshots[0]' is missing 'seq'"),
    ],
)
def test_archive_with_missing_keys_names_them(mutate: Callable[[Json], Any], message: str) -> None:
    data = archive_map()
    mutate(data)
    expect(packed(data), message)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["board"].update(created_at="gestern"),
            "'board.created_at' must be an integer, got str",
        ),
        (lambda d: d["board"].update(id=""), "'board.id' must not be empty"),
        (lambda d: d["board"].update(extra=1), "'board' has unknown keys 'extra'"),
        (lambda d: d.update(snapshots={}), "'snapshots' must be a list, got dict"),
        (lambda d: d["snapshots"][1].update(sid="s1"), "'snapshots[1].sid' 's1' appears twice"),
        (lambda d: d["snapshots"][0].update(kind="Manual!"), "'snapshots[0].kind' 'Manual!'"),
        (lambda d: d["snapshots"][0].update(notes=-1), "'snapshots[0].notes' must not be negative"),
        (
            lambda d: d["board"].update(canvas_version=True),
            "'board.canvas_version' must be an integer",
        ),
        (lambda d: d["board"].update(title="x" * 10_001), "'board.title' is 10001 characters long"),
    ],
)
def test_archive_with_wrong_types_says_where(mutate: Callable[[Json], Any], message: str) -> None:
    data = archive_map()
    mutate(data)
    expect(packed(data), message)


def test_archive_pack_refuses_what_import_would_refuse() -> None:
    with pytest.raises(ArchiveError, match=re.escape("'board' is missing")):
        pack_archive({"id": "b"}, board_state([]), [])
    with pytest.raises(ArchiveError, match=re.escape("'state' is not a valid Yjs update")):
        pack_archive(board(), b"nope", [])


def test_archive_error_is_a_value_error() -> None:
    assert issubclass(ArchiveError, ValueError)
