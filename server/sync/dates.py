"""Due dates of next steps (P241): empty, or a real calendar day in a sane range."""

from __future__ import annotations

import datetime as dt
import re

EARLIEST_DUE = dt.date(2000, 1, 1)
LATEST_DUE = dt.date(2100, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def due_problem(value: object) -> str | None:
    """Why `value` is not a due date a note may hold, or None when it is fine."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and EARLIEST_DUE <= day <= LATEST_DUE:
            return None
    return (
        f"'due' must be empty or a date YYYY-MM-DD from {EARLIEST_DUE.isoformat()}"
        f" to {LATEST_DUE.isoformat()}"
    )
