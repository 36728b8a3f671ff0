"""One board's rows, table by table, as copied between stores (`cocanvas migrate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Row = tuple[Any, ...]
BOARD_COLUMNS: tuple[str, ...] = (
    "id",
    "canvas",
    "canvas_version",
    "title",
    "locale",
    "created_at",
    "join_code",
    "join_code_expires",
    "active_at",
)
# child tables in insertion order, with their columns; the first column is the board
CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "tokens": ("board", "role", "hash"),
    "states": ("board", "state", "seq", "updated_at"),
    "updates": ("board", "seq", "data", "actor", "created_at"),
    "secrets": ("board", "kind", "key", "value"),
    "snapshots": ("board", "sid", "label", "kind", "state", "seq", "notes", "created_at"),
}


@dataclass(frozen=True)
class BoardDump:
    """The board row (BOARD_COLUMNS) and its rows in every child table (CHILD_COLUMNS)."""

    board: Row
    children: dict[str, list[Row]]

    @property
    def id(self) -> str:
        return str(self.board[0])

    def tables(self) -> list[tuple[str, tuple[str, ...], list[Row]]]:
        """(table, columns, rows) for the board and then each child table."""
        out = [("boards", BOARD_COLUMNS, [self.board])]
        out += [(t, cols, self.children.get(t, [])) for t, cols in CHILD_COLUMNS.items()]
        return out
