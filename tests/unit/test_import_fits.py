"""P82: an imported archive's board must fit its canvas (canvas_schema.validate_board)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from server.export import ArchiveError
from server.history import import_archive
from server.store.sqlite import SqliteStore
from tests.unit.test_export_archive import archive_map, board, packed

pytestmark = pytest.mark.anyio


def state_with(note: dict[str, Any]) -> bytes:
    doc: Doc[Any] = Doc()
    with doc.transaction():
        doc.get("meta", type=Map)["title"] = "Import"
        values = {k: Text(v) if k == "text" else v for k, v in note.items()}
        doc.get("notes", type=Map)["n1"] = Map(values)
    return doc.get_update()


async def test_p82_an_archive_that_fits_its_canvas_is_imported(tmp_path: Path) -> None:
    data = packed(archive_map(state=state_with({"field": "B4", "text": "x", "kind": "partner"})))
    async with SqliteStore(tmp_path / "i.db") as store:
        new = await import_archive(store, data)
        assert await store.get_board(new.record.id) is not None


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ({"field": "Z9", "text": "x"}, "notes.n1.field: unknown field 'Z9'"),
        ({"field": "A1", "text": "x", "kind": "partner"}, "belongs in a table field"),
        ({"field": "A1", "text": "x", "x": 7}, "x must be a number from 0 to 1"),
    ],
)
async def test_p82_an_archive_whose_board_does_not_fit_its_canvas_creates_nothing(
    tmp_path: Path, note: dict[str, Any], said: str
) -> None:
    data = packed(archive_map(state=state_with(note)))
    async with SqliteStore(tmp_path / "i.db") as store:
        with pytest.raises(ArchiveError, match="does not fit canvas 'ko-kreation'") as raised:
            await import_archive(store, data)
        assert said in str(raised.value)
        assert await store.list_boards() == []


async def test_p82_an_archive_of_a_newer_canvas_version_is_refused(tmp_path: Path) -> None:
    data = packed(archive_map(board={**board(), "canvas_version": 2}))
    async with SqliteStore(tmp_path / "i.db") as store:
        with pytest.raises(ArchiveError, match="version 2 of canvas 'ko-kreation'"):
            await import_archive(store, data)
        assert await store.list_boards() == []
