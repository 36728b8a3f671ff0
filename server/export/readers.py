"""Defensive readers of raw board JSON: wrong types and odd values read as empty.

Pure: each function takes any value and returns a bounded value of one type, never raising.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bounds, so a hostile or broken board cannot make an export huge.
MAX_TEXT = 20_000
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
# Due dates outside these years are typos ("0202-03-20"), read as text, not as dates.
MIN_YEAR, MAX_YEAR = 2000, 2100


def str_of(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def opt_str_of(value: Any, limit: int = MAX_TEXT) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def num_of(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def int_of(value: Any) -> int | None:
    number = num_of(value)
    return int(number) if number is not None else None


def ms_of(value: Any) -> int | None:
    """Epoch milliseconds between 1970 and 9999 (anything else is not a time we can show)."""
    number = int_of(value)
    return number if number is not None and 0 <= number <= MAX_MS else None


def unit_of(value: Any) -> float | None:
    number = num_of(value)
    return None if number is None else min(1.0, max(0.0, number))


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def color_of(value: Any, fallback: str) -> str:
    return value if isinstance(value, str) and HEX_COLOR.match(value) else fallback


def due_of(value: Any) -> tuple[str, date | None]:
    """(text as written, the date): a date only for an ISO date of a year from MIN_YEAR to
    MAX_YEAR; "bald", "2026-02-30" or "0202-03-20" stay text (shown, never calendared)."""
    raw = str_of(value, 40).strip()
    if _DATE.match(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return raw, None
        return raw, day if MIN_YEAR <= day.year <= MAX_YEAR else None
    return raw, None


def json_safe(value: Any, depth: int = 0) -> Any:
    """Plain JSON data only (finite numbers, string keys), nested at most 8 deep."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# P270: a heading is one line; old or odd data is made one before any renderer sees it
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def cluster_of(raw: dict[str, Any], field_kind: str) -> tuple[str | None, str]:
    """A note's group and heading (P270): only in plain note fields, only both together."""
    cluster, heading = raw.get("cluster"), raw.get("heading")
    if field_kind != "notes" or not isinstance(cluster, str) or not isinstance(heading, str):
        return None, ""
    if not cluster:
        return None, ""
    return cluster[:64], _NOT_ONE_LINE.sub(" ", heading[:120]).strip()
