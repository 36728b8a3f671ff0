"""What every export renderer gets: one frozen, picklable input value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canvas_schema import Canvas


@dataclass(frozen=True)
class ExportInput:
    """Everything a renderer needs; renderers are pure functions of this value.

    Args:
        board: the board's JSON view (`server.sync.document.doc_view`):
            `{"meta": {...}, "notes": {...}, "control": {...}}`. Any key may be missing.
        canvas: the board's canvas, `canvas_schema.load_canvas(meta["canvas"])`; renderers
            take its texts in `locale` (`labels.canvas_text`).
        locale: language of headings and labels, `"de"` or `"en"` (note text stays as written).
        exported_at: unix seconds.
        source_label: e.g. `'Snapshot "Ende Teil A", 2026-03-03 11:02'`; None for the live board.
        anonymize: moderator option: no author names or author ids anywhere; the decision log
            names roles only. Owners of actions (C3 "who") are kept: they are assignments,
            not authorship.
        board_id: the board id, for stable iCalendar UIDs and the JSON export; when None a
            stable key is derived from the board's creation time and canvas.
        timezone: IANA zone for the times people read (dates in PDF, Markdown, CSV);
            falls back to UTC when the zone database is missing.
    """

    board: dict[str, Any]
    canvas: Canvas
    locale: str
    exported_at: float
    source_label: str | None
    anonymize: bool = False
    board_id: str | None = None
    timezone: str = "Europe/Berlin"
