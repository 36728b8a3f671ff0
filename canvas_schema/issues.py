"""Validation issues, the error that carries them, and the checks they are built from."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard


@dataclass(frozen=True)
class Issue:
    """One problem found in a canvas or board: where (`parts[1].fields[2].kind`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"


class CanvasError(ValueError):
    """A canvas file that cannot be used; `issues` says why, one `Issue` each."""

    def __init__(self, issues: Sequence[Issue], source: str | None = None) -> None:
        self.issues = tuple(issues)
        self.source = source
        where = f" {source}" if source else ""
        lines = [f"invalid canvas{where} ({len(self.issues)} issues):"]
        lines += [f"  {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


def json_type(value: object) -> str:
    """Name a value's JSON type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def describe(value: object) -> str:
    """A short description of a value for messages: `string 'abc'`, `array`."""
    kind = json_type(value)
    if isinstance(value, str | int | float) or value is None:
        text = repr(value)
        return f"{kind} {text[:40]}…" if len(text) > 40 else f"{kind} {text}"
    return kind


def short(value: object) -> str:
    """`repr` cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def join(path: str, key: object) -> str:
    """Extend a path by an object key."""
    return f"{path}.{key}" if path else str(key)


def is_number(value: object) -> TypeGuard[float]:
    """True for finite JSON numbers (not booleans)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# stands in for a required key that is absent, already reported; checks skip it
MISSING: Any = _Missing()


class Checker:
    """Collects issues; each check reports what is wrong and returns the value if it is usable.

    `obj` fills absent required keys with `MISSING`, which every other check skips,
    so a missing key is reported once.
    """

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))

    def obj(
        self,
        value: object,
        path: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> dict[str, Any] | None:
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.add(path, f"expected an object, got {describe(value)}")
            return None
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.add(join(path, key), f"unknown key {short(key)}; expected one of: {expected}")
        missing = {key: MISSING for key in required if key not in value}
        for key in missing:
            self.add(join(path, key), f"missing required key '{key}'")
        return {**value, **missing}

    def array(self, value: object, path: str, what: str, min_len: int = 0) -> list[Any]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.add(path, f"expected an array of {what}s, got {describe(value)}")
            return []
        if len(value) < min_len:
            plural = what if min_len == 1 else what + "s"
            self.add(path, f"needs at least {min_len} {plural}, got {len(value)}")
        return value

    def integer(self, value: object, path: str, lo: int, hi: int, what: str) -> int | None:
        if value is MISSING:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
            return value
        self.add(path, f"{what} must be a whole number from {lo} to {hi}, got {describe(value)}")
        return None

    def ident(self, value: object, path: str, pattern: re.Pattern[str], what: str) -> str | None:
        if value is MISSING:
            return None
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        self.add(path, f"invalid {what} {short(value)}; expected {_ID_HINTS[pattern.pattern]}")
        return None

    def unique(self, ident: str | None, seen: dict[str, str], path: str, what: str) -> None:
        if ident is None:
            return
        if ident in seen:
            self.add(path, f"duplicate {what} '{ident}' (first used at {seen[ident]})")
        else:
            seen[ident] = path


ID = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")
PART_ID = re.compile(r"[A-Z]")
FIELD_ID = re.compile(r"[A-Z][0-9]{1,2}")
LOCALE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")

_ID_HINTS = {
    ID.pattern: "1 to 41 lowercase letters, digits or '-', starting with a letter or digit",
    PART_ID.pattern: "one capital letter, such as 'A'",
    FIELD_ID.pattern: "the part letter and a number, such as 'A1'",
    LOCALE.pattern: "a language code such as 'de' or 'pt-BR'",
    COLOR.pattern: "a colour written as '#rrggbb'",
}


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
