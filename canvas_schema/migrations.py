"""Named, ordered migrations of board JSON views from one canvas version to the next.

When a canvas changes in a way that affects existing boards (a field renamed,
split or removed), bump its `version` and append a `Migration` here that turns a
board of the old version into one of the new. Version 1 is the first; there are
no migrations yet. The server applies them to stored boards when they load, to
imported archives and to restored snapshots (`server/upgrade.py`, PROTOCOL.md P380).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BoardJson = dict[str, Any]


@dataclass(frozen=True)
class Migration:
    """One step: `up` turns a board at `from_version` into one at `to_version`.

    `up` gets its own deep copy of the board and returns the migrated board; it
    need not touch `meta.canvas_version`, `migrate_board` sets it.
    """

    from_version: int
    to_version: int
    name: str
    up: Callable[[BoardJson], BoardJson]


class MigrationError(ValueError):
    """A board cannot be brought to the wanted version."""


MIGRATIONS: dict[str, list[Migration]] = {
    "ko-kreation": [],
}


def migrate_board(
    board_json: Mapping[str, Any],
    canvas_id: str,
    from_version: int,
    to_version: int,
    registry: Mapping[str, Sequence[Migration]] | None = None,
) -> BoardJson:
    """Apply the migrations of a canvas in order, from one version to another.

    Args:
        board_json: the board's JSON view (`{"meta": ..., "notes": ...}`); not modified.
        canvas_id: the canvas whose migrations apply.
        from_version: the board's current canvas version.
        to_version: the wanted version, not lower than `from_version`.
        registry: migrations per canvas id; `MIGRATIONS` by default.

    Returns:
        A migrated copy, with `meta.canvas_version` set to `to_version` when `meta` exists.

    Raises:
        MigrationError: a downgrade was asked for, or a step of the chain is missing.
    """
    if to_version < from_version:
        raise MigrationError(
            f"cannot migrate canvas '{canvas_id}' down from version {from_version} to "
            f"{to_version}; boards only move forward"
        )
    steps = (MIGRATIONS if registry is None else registry).get(canvas_id, ())
    board: BoardJson = copy.deepcopy(dict(board_json))
    version = from_version
    while version < to_version:
        step = _next_step(steps, canvas_id, version)
        if step.to_version > to_version:
            raise MigrationError(
                f"migration '{step.name}' of canvas '{canvas_id}' goes to version "
                f"{step.to_version}, past the wanted {to_version}"
            )
        board = step.up(copy.deepcopy(board))
        version = step.to_version
        meta = board.get("meta")
        if isinstance(meta, dict):
            meta["canvas_version"] = version
    return board


def _next_step(steps: Sequence[Migration], canvas_id: str, version: int) -> Migration:
    found = [m for m in steps if m.from_version == version and m.to_version > version]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"'{m.name}'" for m in found)
        raise MigrationError(
            f"canvas '{canvas_id}' has several migrations from version {version}: {names}"
        )
    known = ", ".join(f"{m.from_version}->{m.to_version} '{m.name}'" for m in steps) or "none"
    raise MigrationError(
        f"canvas '{canvas_id}' has no migration from version {version}; known migrations: {known}"
    )
