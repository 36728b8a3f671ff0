"""P380, P381: boards of an older canvas version are migrated, in the store and on import.

A city canvas goes from version 1 to 2 by renaming field A4 to A9; its migration moves
the notes. Boards and archives are made by the real code at version 1, then read by a
server whose canvas directory holds version 2.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Map, Text

from canvas_schema import MIGRATIONS, Canvas, Migration, clear_cache
from server.app import room_builder
from server.boards import create_board, resolve_canvas
from server.export import ArchiveError
from server.export_job import RenderJob, run_job
from server.history import archive_board, import_archive, restore_as_copy
from server.metrics import Metrics
from server.recovery import load_board
from server.settings import Settings
from server.store.base import SnapshotInfo
from server.store.sqlite import SqliteStore
from server.sync.document import doc_view, load_doc
from server.throttle import Guards
from server.upgrade import content_version, upgrade_doc, upgrade_stored
from tests.unit.test_canvas_schema import city_canvas, write_canvas
from tests.unit.test_export_archive import archive_map, packed

pytestmark = pytest.mark.anyio
CITY = "upgradestadt"
Json = dict[str, Any]


def city_v2() -> Json:
    data = city_canvas(CITY)
    data["version"] = 2
    for f in data["parts"][0]["fields"]:
        if f["id"] == "A4":
            f["id"] = "A9"
    texts = data["texts"]["de"]
    for key in [k for k in texts if ".field.A4." in k]:
        texts[key.replace(".field.A4.", ".field.A9.")] = texts.pop(key)
    return data


def rename_a4(board: Json) -> Json:
    for note in board.get("notes", {}).values():
        if note.get("field") == "A4":
            note["field"] = "A9"
    return board


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[tuple[tuple[Path, ...], tuple[Path, ...]]]:
    """(canvas dirs of version 1, of version 2)."""
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir()
    v2.mkdir()
    write_canvas(v1, city_canvas(CITY))
    write_canvas(v2, city_v2())
    clear_cache()
    yield (v1,), (v2,)
    clear_cache()


@pytest.fixture
def migration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(MIGRATIONS, CITY, [Migration(1, 2, "rename A4 to A9", rename_a4)])


async def old_board(store: SqliteStore, v1: tuple[Path, ...]) -> str:
    """A version-1 board with notes in A4 and A1 and a snapshot, stored as the server does."""
    new = await create_board(store, CITY, "Alt", extra_dirs=v1)
    board_id = new.record.id
    doc, loaded, _ = await load_board(store, board_id)
    with doc.transaction():
        notes = doc.get("notes", type=Map)
        notes["n1"] = Map({"field": "A4", "text": Text("Quartier"), "x": 0.25, "y": 0.5})
        notes["n2"] = Map({"field": "A1", "text": Text("Begriff"), "x": 0.5, "y": 0.5})
    await store.compact(board_id, doc.get_update(), loaded.last_seq)
    info = SnapshotInfo(board_id, "s1", "Ende A", "manual", time.time(), 0, 2)
    await store.create_snapshot(info, doc.get_update())
    return board_id


def fields_of(state: bytes) -> dict[str, str]:
    view = doc_view(load_doc(state, []))
    return {nid: note["field"] for nid, note in view["notes"].items()}


def v2_canvas(v2: tuple[Path, ...]) -> Canvas:
    return resolve_canvas(CITY, v2)


async def test_p381_an_archive_of_an_older_canvas_version_is_migrated_on_import(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "old.db") as old:
        record = await old.get_board(await old_board(old, v1))
        assert record is not None
        data = await archive_board(old, None, record)
    clear_cache()
    async with SqliteStore(tmp_path / "new.db") as store:
        new = await import_archive(store, data, canvas_dirs=v2)
        stored = await store.get_board(new.record.id)
        assert stored is not None and stored.canvas_version == 2
        loaded = await store.load(new.record.id)
        assert loaded.state is not None
        assert fields_of(loaded.state) == {"n1": "A9", "n2": "A1"}
        view = doc_view(load_doc(loaded.state, []))
        assert view["meta"]["canvas_version"] == 2
        assert view["notes"]["n1"]["text"] == "Quartier"
        snaps = await store.list_snapshots(new.record.id)
        found = await store.get_snapshot(new.record.id, snaps[0].sid)
        assert found is not None and fields_of(found[1]) == {"n1": "A9", "n2": "A1"}


async def test_p381_an_older_archive_without_a_migration_is_refused(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]]
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "old.db") as old:
        record = await old.get_board(await old_board(old, v1))
        assert record is not None
        data = await archive_board(old, None, record)
    clear_cache()
    async with SqliteStore(tmp_path / "new.db") as store:
        with pytest.raises(ArchiveError, match="no migration from version 1"):
            await import_archive(store, data, canvas_dirs=v2)
        assert await store.list_boards() == []


async def test_p380_a_stored_board_of_an_older_version_is_migrated_once_on_load(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        clear_cache()
        canvas = v2_canvas(v2)
        record = await store.get_board(board_id)
        assert record is not None and record.canvas_version == 1
        doc, loaded, _ = await load_board(store, board_id)
        assert await upgrade_stored(store, record, doc, loaded.last_seq, canvas)
        record = await store.get_board(board_id)
        assert record is not None and record.canvas_version == 2
        again, loaded, _ = await load_board(store, board_id)
        assert doc_view(again) == doc_view(doc)
        assert {k: v["field"] for k, v in doc_view(again)["notes"].items()} == {
            "n1": "A9",
            "n2": "A1",
        }
        assert not await upgrade_stored(store, record, again, loaded.last_seq, canvas)


async def test_p380_a_board_that_cannot_be_migrated_opens_unchanged(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]]
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        clear_cache()
        record = await store.get_board(board_id)
        assert record is not None
        doc, loaded, _ = await load_board(store, board_id)
        before = doc_view(doc)
        assert not await upgrade_stored(store, record, doc, loaded.last_seq, v2_canvas(v2))
        assert doc_view(doc) == before
        record = await store.get_board(board_id)
        assert record is not None and record.canvas_version == 1


def test_p380_the_migration_reaches_other_replicas_as_one_update(
    dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    _, v2 = dirs
    doc = load_doc(None, [])
    with doc.transaction():
        doc.get("meta", type=Map)["canvas_version"] = 1
        doc.get("notes", type=Map)["n1"] = Map({"field": "A4", "text": Text("eins")})
    replica = load_doc(doc.get_update(), [])
    updates: list[bytes] = []

    def seen(event: Any) -> None:
        updates.append(event.update)

    doc.observe(seen)
    assert upgrade_doc(doc, v2_canvas(v2), 1)
    assert len(updates) == 1
    replica.apply_update(updates[0])
    assert doc_view(replica) == doc_view(doc)
    assert doc_view(replica)["notes"]["n1"] == {"field": "A9", "text": "eins"}
    assert isinstance(replica.get("notes", type=Map)["n1"]["text"], Text)


async def test_p380_a_snapshot_restored_as_a_copy_is_migrated(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        clear_cache()
        record = await store.get_board(board_id)
        assert record is not None
        new = await restore_as_copy(store, record, "s1", canvas_dirs=v2)
        assert new.record.canvas_version == 2
        loaded = await store.load(new.record.id)
        assert loaded.state is not None
        assert fields_of(loaded.state) == {"n1": "A9", "n2": "A1"}


async def test_p380_an_export_of_an_older_snapshot_shows_it_migrated(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        found = await store.get_snapshot(board_id, "s1")
    assert found is not None
    clear_cache()
    job = RenderJob("json", found[1], v2_canvas(v2), "de", 0.0, None, False, board_id)
    notes = {n["id"]: n for n in json.loads(run_job(job))["notes"]}
    assert (notes["n1"]["field"], notes["n1"]["stored_field"]) == ("A9", "A9")


async def test_p380_a_snapshot_that_cannot_be_migrated_is_restored_as_it_is(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]]
) -> None:
    v1, v2 = dirs
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        clear_cache()
        record = await store.get_board(board_id)
        assert record is not None
        new = await restore_as_copy(store, record, "s1", canvas_dirs=v2)
        loaded = await store.load(new.record.id)
        assert loaded.state is not None
        assert fields_of(loaded.state) == {"n1": "A4", "n2": "A1"}


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1.5, 2**40, True, "2", None])
def test_p381_an_odd_canvas_version_in_meta_reads_as_the_records(value: object) -> None:
    doc = load_doc(None, [])
    with doc.transaction():
        doc.get("meta", type=Map)["canvas_version"] = value
    assert content_version(doc, 1) == 1


def test_p381_a_whole_canvas_version_in_meta_is_the_contents() -> None:
    doc = load_doc(None, [])
    with doc.transaction():
        doc.get("meta", type=Map)["canvas_version"] = 3.0
    assert content_version(doc, 1) == 3


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 99])
async def test_p381_an_archive_whose_meta_claims_an_odd_version_answers_an_archive_error(
    tmp_path: Path, value: float
) -> None:
    doc = load_doc(None, [])
    with doc.transaction():
        doc.get("meta", type=Map)["canvas_version"] = value
    data = packed(archive_map(state=doc.get_update(), snapshots=[]))
    async with SqliteStore(tmp_path / "i.db") as store:
        with pytest.raises(ArchiveError, match="canvas"):
            await import_archive(store, data)
        assert await store.list_boards() == []


async def test_p380_the_room_builder_migrates_a_board_it_loads(
    tmp_path: Path, dirs: tuple[tuple[Path, ...], tuple[Path, ...]], migration: None
) -> None:
    v1, v2 = dirs
    settings = Settings(data_dir=tmp_path, canvas_dir=v2[0])
    async with SqliteStore(tmp_path / "b.db") as store:
        board_id = await old_board(store, v1)
        clear_cache()
        record = await store.get_board(board_id)
        assert record is not None
        build = room_builder(settings, store, Metrics(), Guards.from_settings(settings))
        room = await build(record)
        notes = doc_view(room.doc)["notes"]
        assert {k: v["field"] for k, v in notes.items()} == {"n1": "A9", "n2": "A1"}
        stored = await store.get_board(board_id)
        assert stored is not None and stored.canvas_version == 2
