"""Rules for one canvas field: id, kind, kind-specific data and its place on the grid."""

from __future__ import annotations

from .issues import FIELD_ID, ID, MISSING, Checker, describe, is_number, join, short
from .model import FieldKind

MAX_GRID = 48
MAX_MINUTES = 240
# which extra key each kind needs; the key on any other kind is a mistake
KIND_KEYS = {
    "axes": (FieldKind.DIAGRAM,),
    "columns": (FieldKind.TABLE, FieldKind.ACTIONS),
    "formats": (FieldKind.FORMATS,),
}
_KINDS = ", ".join(sorted(FieldKind))
_MINUTES = "minutes"


class FieldRules(Checker):
    """Field checks; the canvas check sets `grid` and `format_ids` before calling `field`."""

    def __init__(self) -> None:
        super().__init__()
        self.grid: tuple[int, int] | None = None
        self.format_ids: set[str] = set()
        self.field_ids: dict[str, str] = {}
        self.cells: dict[tuple[int, int], str] = {}
        self.diagram: str | None = None

    def field(self, value: object, path: str, part_id: str | None) -> int:
        """Check one field; return its suggested minutes (0 if none) for the part's sum."""
        field = self.obj(value, path, ("id", "kind", "layout"), ("minutes", *KIND_KEYS))
        if field is None:
            return 0
        field_id = self.ident(field.get("id"), join(path, "id"), FIELD_ID, "field id")
        self.unique(field_id, self.field_ids, join(path, "id"), "field id")
        if field_id and part_id and not field_id.startswith(part_id):
            self.add(
                join(path, "id"), f"field id '{field_id}' must start with its part id '{part_id}'"
            )
        kind = field["kind"]
        if kind is MISSING:
            kind = None
        elif kind not in tuple(FieldKind):
            self.add(
                join(path, "kind"), f"unknown field kind {short(kind)}; expected one of: {_KINDS}"
            )
            kind = None
        for key, kinds in KIND_KEYS.items():
            where = join(path, key)
            names = " and ".join(kinds)
            if key in field and kind is not None and kind not in kinds:
                self.add(where, f"'{key}' is only used by {names} fields, not by {kind} fields")
            elif key not in field and kind in kinds:
                self.add(where, f"a {kind} field needs '{key}'")
        if kind == FieldKind.DIAGRAM and "axes" in field:
            self.axes(field["axes"], join(path, "axes"))
            if self.diagram is not None:
                self.add(
                    join(path, "kind"),
                    f"only one diagram field per canvas (axis texts are keyed per canvas); "
                    f"{self.diagram} is one already",
                )
            self.diagram = path
        if kind in KIND_KEYS["columns"] and "columns" in field:
            self.columns(field["columns"], join(path, "columns"))
        if kind == FieldKind.FORMATS and "formats" in field:
            self.format_refs(field["formats"], join(path, "formats"))
        if "layout" in field:
            self.layout(field["layout"], join(path, "layout"), field_id or path)
        minutes = field.get(_MINUTES)
        if minutes is None:
            return 0
        return self.integer(minutes, join(path, _MINUTES), 1, MAX_MINUTES, _MINUTES) or 0

    def axes(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path, f"expected an object with axes 'x' and 'y', got {describe(value)}")
            return
        for key in value:
            if key not in ("x", "y"):
                self.add(
                    join(path, key), f"unknown axis {short(key)}; a diagram has axes 'x' and 'y'"
                )
        for name in ("x", "y"):
            if name not in value:
                self.add(join(path, name), f"missing axis '{name}'; a diagram has axes 'x' and 'y'")
                continue
            axis = self.obj(value[name], join(path, name), ("ticks",))
            if axis is not None and "ticks" in axis:
                self.ticks(axis["ticks"], f"{path}.{name}.ticks")

    def ticks(self, value: object, path: str) -> None:
        seen: dict[str, str] = {}
        previous: float | None = None
        for i, item in enumerate(self.array(value, path, "tick", 2)):
            where = f"{path}[{i}]"
            tick = self.obj(item, where, ("id", "at"))
            if tick is None:
                continue
            tick_id = self.ident(tick.get("id"), join(where, "id"), ID, "tick id")
            self.unique(tick_id, seen, join(where, "id"), "tick id")
            at = tick["at"]
            if at is MISSING:
                continue
            if not is_number(at) or not 0 <= at <= 1:
                self.add(
                    join(where, "at"), f"tick position must be from 0 to 1, got {describe(at)}"
                )
                continue
            if previous is not None and at <= previous:
                self.add(
                    join(where, "at"),
                    f"ticks must be in ascending order; {at} is not above the previous {previous}",
                )
            previous = at

    def columns(self, value: object, path: str) -> None:
        seen: dict[str, str] = {}
        for i, item in enumerate(self.array(value, path, "column", 1)):
            column = self.obj(item, f"{path}[{i}]", ("id",))
            if column is not None:
                column_id = self.ident(column.get("id"), f"{path}[{i}].id", ID, "column id")
                self.unique(column_id, seen, f"{path}[{i}].id", "column id")

    def format_refs(self, value: object, path: str) -> None:
        seen: dict[str, str] = {}
        known = ", ".join(sorted(self.format_ids)) or "none (add them under 'formats')"
        for i, ref in enumerate(self.array(value, path, "format card id", 1)):
            if not isinstance(ref, str) or ref not in self.format_ids:
                self.add(f"{path}[{i}]", f"unknown format card {short(ref)}; known: {known}")
            else:
                self.unique(ref, seen, f"{path}[{i}]", "format card")

    def layout(self, value: object, path: str, name: str) -> None:
        layout = self.obj(value, path, ("col", "row", "colspan", "rowspan"))
        if layout is None:
            return
        col, row, colspan, rowspan = (
            self.integer(layout[k], join(path, k), 1, MAX_GRID, k)
            for k in ("col", "row", "colspan", "rowspan")
        )
        if col is None or row is None or colspan is None or rowspan is None or not self.grid:
            return
        last_col, last_row = col + colspan - 1, row + rowspan - 1
        if last_col > self.grid[0]:
            self.add(
                path, f"field reaches column {last_col}, but the grid has {self.grid[0]} columns"
            )
        elif last_row > self.grid[1]:
            self.add(path, f"field reaches row {last_row}, but the grid has {self.grid[1]} rows")
        else:
            for c in range(col, last_col + 1):
                for r in range(row, last_row + 1):
                    if (c, r) in self.cells:
                        other = self.cells[(c, r)]
                        self.add(path, f"overlaps field {other} at column {c}, row {r}")
                        return
            self.cells.update(
                ((c, r), name) for c in range(col, last_col + 1) for r in range(row, last_row + 1)
            )
