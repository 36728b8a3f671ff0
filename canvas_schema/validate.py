"""Check canvas JSON and board JSON views, returning precise issues instead of raising."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .board import validate_board as validate_board
from .catalog import shared_texts
from .field_rules import MAX_GRID, MAX_MINUTES, FieldRules
from .issues import COLOR, ID, LOCALE, MISSING, PART_ID, contrast, describe, join, short
from .issues import CanvasError as CanvasError
from .issues import Issue as Issue
from .model import AgendaKind
from .parse import parse_canvas

REQUIRED = ("id", "version", "locales", "default_locale", "grid", "parts", "agenda", "note_colors")
OPTIONAL = ("groups", "formats", "texts")
NOTE_TEXT_COLOR = "#1a1a1a"
_MINUTES = "minutes"
_AGENDA_KINDS = ", ".join(sorted(AgendaKind))


def validate(data: object) -> list[Issue]:
    """Check canvas JSON against the canvas rules.

    Args:
        data: anything, typically the result of `json.loads` on a canvas file.

    Returns:
        The issues found, in document order; empty when the canvas is usable.
        Never raises on malformed input.
    """
    check = _CanvasCheck()
    check.canvas(data)
    return check.issues


class _CanvasCheck(FieldRules):
    def __init__(self) -> None:
        super().__init__()
        self.part_minutes: dict[str, tuple[int | None, str]] = {}
        self.parts_checked = False

    def canvas(self, data: object) -> None:
        root = self.obj(data, "", REQUIRED, OPTIONAL)
        if root is None:
            return
        canvas_id = self.ident(root["id"], "id", ID, "canvas id")
        self.integer(root["version"], "version", 1, 1_000_000, "version")
        locales = self.locales(root["locales"])
        default = root["default_locale"]
        if default is not MISSING and default not in locales:
            known = ", ".join(locales) or "none"
            self.add("default_locale", f"default locale {short(default)} is not one of: {known}")
        self.grid_of(root["grid"])
        self.format_cards(root.get("formats", []))
        self.parts(root["parts"])
        self.agenda(root["agenda"])
        self.groups(root.get("groups", []), self.note_colors(root["note_colors"]))
        if "texts" in root:
            self.inline_texts(root["texts"], canvas_id, locales)
        if not self.issues:
            self.text_keys(root)

    def locales(self, value: object) -> list[str]:
        locales: list[str] = []
        seen: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "locales", "locale", 1)):
            locale = self.ident(item, f"locales[{i}]", LOCALE, "locale")
            self.unique(locale, seen, f"locales[{i}]", "locale")
            if locale is not None:
                locales.append(locale)
        return locales

    def grid_of(self, value: object) -> None:
        grid = self.obj(value, "grid", ("columns", "rows"))
        if grid is None:
            return
        cols = self.integer(grid["columns"], "grid.columns", 1, MAX_GRID, "columns")
        rows = self.integer(grid["rows"], "grid.rows", 1, MAX_GRID, "rows")
        if cols is not None and rows is not None:
            self.grid = (cols, rows)

    def format_cards(self, value: object) -> None:
        seen: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "formats", "format card")):
            path = f"formats[{i}]"
            card = self.obj(item, path, ("id", "dos", "donts"))
            if card is None:
                continue
            card_id = self.ident(card.get("id"), join(path, "id"), ID, "format card id")
            self.unique(card_id, seen, join(path, "id"), "format card id")
            for key in ("dos", "donts"):
                self.integer(card.get(key), join(path, key), 0, 9, f"number of {key}")
        self.format_ids = set(seen)

    def parts(self, value: object) -> None:
        # without a parts list, agenda references cannot be judged; say nothing about them
        self.parts_checked = isinstance(value, list)
        seen: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "parts", "part", 1)):
            path = f"parts[{i}]"
            part = self.obj(item, path, ("id", "minutes", "fields"))
            if part is None:
                continue
            part_id = self.ident(part.get("id"), join(path, "id"), PART_ID, "part id")
            self.unique(part_id, seen, join(path, "id"), "part id")
            minutes = self.integer(
                part.get(_MINUTES), join(path, _MINUTES), 1, MAX_MINUTES, _MINUTES
            )
            if part_id is not None and part_id not in self.part_minutes:
                self.part_minutes[part_id] = (minutes, join(path, _MINUTES))
            fields = self.array(part.get("fields"), join(path, "fields"), "field", 1)
            planned = [self.field(f, f"{path}.fields[{j}]", part_id) for j, f in enumerate(fields)]
            if minutes is not None and sum(planned) > minutes:
                self.add(
                    join(path, "fields"),
                    f"field minutes add up to {sum(planned)}, more than the part's {minutes}",
                )

    def agenda(self, value: object) -> None:
        seen: dict[str, str] = {}
        planned: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "agenda", "agenda item", 1)):
            path = f"agenda[{i}]"
            entry = self.obj(item, path, ("id", "kind", _MINUTES), ("part",))
            if entry is None:
                continue
            item_id = self.ident(entry.get("id"), join(path, "id"), ID, "agenda item id")
            self.unique(item_id, seen, join(path, "id"), "agenda item id")
            minutes = self.integer(
                entry.get(_MINUTES), join(path, _MINUTES), 1, MAX_MINUTES, _MINUTES
            )
            kind, part = entry["kind"], entry.get("part")
            if kind is MISSING or (kind == AgendaKind.PART and not self.parts_checked):
                continue
            if kind not in tuple(AgendaKind):
                expected = _AGENDA_KINDS
                self.add(
                    join(path, "kind"),
                    f"unknown agenda kind {short(kind)}; expected one of: {expected}",
                )
            elif kind != AgendaKind.PART:
                if part is not None:
                    self.add(
                        join(path, "part"),
                        f"only agenda items of kind 'part' name a part, not '{kind}'",
                    )
            elif not isinstance(part, str) or part not in self.part_minutes:
                known = ", ".join(self.part_minutes) or "none"
                self.add(join(path, "part"), f"unknown part {short(part)}; known parts: {known}")
            elif part in planned:
                self.add(
                    join(path, "part"), f"part '{part}' is already on the agenda at {planned[part]}"
                )
            else:
                planned[part] = path
                part_minutes, where = self.part_minutes[part]
                if minutes is not None and part_minutes is not None and minutes != part_minutes:
                    self.add(
                        join(path, _MINUTES),
                        f"{minutes} minutes differ from the {part_minutes} at {where}; "
                        "make them equal",
                    )
        for part in self.part_minutes:
            if isinstance(value, list) and part not in planned:
                self.add("agenda", f"part '{part}' has no agenda item; add one of kind 'part'")

    def note_colors(self, value: object) -> dict[str, str]:
        note_colors: dict[str, str] = {}
        seen: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "note_colors", "note colour", 1)):
            path = f"note_colors[{i}]"
            color = self.obj(item, path, ("id", "value"))
            if color is None:
                continue
            color_id = self.ident(color.get("id"), join(path, "id"), ID, "note colour id")
            self.unique(color_id, seen, join(path, "id"), "note colour id")
            value = self.ident(color.get("value"), join(path, "value"), COLOR, "colour")
            if value is None:
                continue
            ratio = contrast(value, NOTE_TEXT_COLOR)
            if ratio < 4.5:
                self.add(
                    join(path, "value"),
                    f"contrast with the note text ({NOTE_TEXT_COLOR}) is {ratio:.1f}:1; "
                    "needs at least 4.5:1 (WCAG AA)",
                )
            note_colors[color_id or path] = value
        return note_colors

    def groups(self, value: object, note_colors: dict[str, str]) -> None:
        seen: dict[str, str] = {}
        used: dict[str, str] = {}
        for i, item in enumerate(self.array(value, "groups", "group")):
            path = f"groups[{i}]"
            group = self.obj(item, path, ("id", "color"))
            if group is None:
                continue
            group_id = self.ident(group.get("id"), join(path, "id"), ID, "group id")
            self.unique(group_id, seen, join(path, "id"), "group id")
            value = self.ident(group.get("color"), join(path, "color"), COLOR, "colour")
            if value is None:
                continue
            if value.lower() in used:
                self.add(
                    join(path, "color"), f"colour {value} is already used by {used[value.lower()]}"
                )
            used[value.lower()] = group_id or path
            for note_id, note_value in note_colors.items():
                ratio = contrast(value, note_value)
                if ratio < 3:
                    self.add(
                        join(path, "color"),
                        f"contrast with note colour '{note_id}' ({note_value}) is {ratio:.1f}:1; "
                        "a group badge needs at least 3:1",
                    )

    def inline_texts(self, value: object, canvas_id: str | None, locales: list[str]) -> None:
        if not isinstance(value, dict):
            self.add("texts", f"expected an object of locale -> texts, got {describe(value)}")
            return
        prefix = f"canvas.{canvas_id}."
        for locale, texts in value.items():
            path = join("texts", locale)
            if locale not in locales:
                known = ", ".join(locales) or "none"
                self.add(path, f"locale {short(locale)} is not one of the canvas locales: {known}")
            if not isinstance(texts, dict):
                self.add(path, f"expected an object of text key -> text, got {describe(texts)}")
                continue
            for key, text in texts.items():
                where = f'{path}["{key}"]'
                if canvas_id is not None and not str(key).startswith(prefix):
                    self.add(
                        where, f"text key does not belong to this canvas; start it with '{prefix}'"
                    )
                elif not isinstance(text, str) or not text.strip():
                    self.add(where, f"text must be a non-empty string, got {describe(text)}")

    def text_keys(self, root: Mapping[str, Any]) -> None:
        canvas = parse_canvas(root)
        needed = canvas.text_keys()
        for locale in canvas.locales:
            inline = canvas.texts.get(locale, {})
            shared = shared_texts(locale)
            for key in needed:
                text = inline.get(key) or shared.get(key)
                if not text or not text.strip():
                    self.add(
                        join("texts", locale), f"missing text for key '{key}' in locale '{locale}'"
                    )
            for key in sorted(set(inline) - set(needed)):
                self.add(
                    f'texts.{locale}["{key}"]',
                    "unused text key: the canvas has no element with this key; check the spelling",
                )
