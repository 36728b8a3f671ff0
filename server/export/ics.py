"""The C3 action items as iCalendar to-dos (RFC 5545 `VTODO`).

CRLF line ends, content lines folded at 75 octets (never inside a UTF-8 sequence), TEXT
values escaped (`\\`, `;`, `,`, newlines). The UID is stable per board and note, so
importing a newer export updates the same to-dos instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from .build import build_report
from .model import ExportInput
from .report import Note, Report

PRODID = "-//cocanvas//Ko-Kreation Canvas export//DE"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11): escape `\\ ; ,` and newlines, drop control chars."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (3.1): CRLF plus one space before each continuation."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    chunks: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        # step back to a character boundary (UTF-8 continuation bytes are 10xxxxxx)
        while end < len(data) and end > start and (data[end] & 0xC0) == 0x80:
            end -= 1
        chunks.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(chunks)


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_part(value: str) -> str:
    """`value` when it is a plain id, else a hash of it (distinct ids stay distinct)."""
    if re.fullmatch(r"[A-Za-z0-9._-]{1,100}", value):
        return value
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _todo(report: Report, note: Note, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VTODO",
        f"UID:{_uid_part(note.id)}.{_uid_part(report.board_key)}@cocanvas",
        f"DTSTAMP:{stamp}",
    ]
    if note.created_at is not None:
        lines.append(f"CREATED:{_stamp(note.created_at / 1000)}")
    if note.updated_at is not None:
        lines.append(f"LAST-MODIFIED:{_stamp(note.updated_at / 1000)}")
    summary = note.text.strip() or report.t("ics.untitled")
    lines.append(f"SUMMARY:{escape_text(summary)}")
    description = []
    if note.owner.strip():
        description.append(f"{report.t('ics.owner')}: {note.owner.strip()}")
    if note.due and note.due_date is None:
        description.append(f"{report.t('ics.due')}: {note.due}")
    description.append(report.t("ics.board", title=report.title))
    lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
    if note.due_date is not None:
        lines.append(f"DUE;VALUE=DATE:{note.due_date.strftime('%Y%m%d')}")
    if note.done:
        lines += ["STATUS:COMPLETED", "PERCENT-COMPLETE:100"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    lines.append(f"CATEGORIES:{escape_text(report.canvas_title or 'cocanvas')}")
    lines.append("END:VTODO")
    return lines


def render_ics(inp: ExportInput) -> bytes:
    """The board's action items (every note in C3 and every note of kind "action").

    Args:
        inp: the export input.

    Returns:
        UTF-8 bytes of a VCALENDAR with one VTODO per action item.
    """
    report = build_report(inp)
    stamp = _stamp(report.exported_at)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(report.title)}",
    ]
    for field in report.fields():
        for note in field.notes:
            if field.kind == "actions" or note.kind == "action":
                lines += _todo(report, note, stamp)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
