"""The C3 action items as iCalendar (RFC 5545): all-day events and to-dos.

Calendar programs show `VEVENT`s and mostly ignore `VTODO`s, so every dated action is an
all-day event on its due date (beside its to-do, for task apps); the undated ones are
listed in the description of one summary event on the export day.

CRLF line ends, content lines folded at 75 octets (never inside a UTF-8 sequence), TEXT
values escaped (`\\`, `;`, `,`, newlines). The UID is stable per board and note, so
importing a newer export updates the same to-dos instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

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


def calendar_date(note: Note) -> date | None:
    """The due date when it is a real ISO date in a sane range (`readers.due_of` checks)."""
    return note.due_date


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
    if note.due and calendar_date(note) is None:
        description.append(f"{report.t('ics.due')}: {note.due}")
    description.append(report.t("ics.board", title=report.title))
    lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
    due = calendar_date(note)
    if due is not None:
        lines.append(f"DUE;VALUE=DATE:{due.strftime('%Y%m%d')}")
    if note.done:
        lines += ["STATUS:COMPLETED", "PERCENT-COMPLETE:100"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    lines.append(f"CATEGORIES:{escape_text(report.canvas_title or 'cocanvas')}")
    lines.append("END:VTODO")
    return lines


def _event(report: Report, note: Note, due: date, stamp: str) -> list[str]:
    """One all-day event on the due date (DTEND is the next day: RFC 5545 3.6.1)."""
    return [
        "BEGIN:VEVENT",
        f"UID:event.{_uid_part(note.id)}.{_uid_part(report.board_key)}@cocanvas",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{due.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(due + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(note.text.strip() or report.t('ics.untitled'))}",
        f"DESCRIPTION:{escape_text(_description(report, note))}",
        "TRANSP:TRANSPARENT",  # a deadline, not a meeting: it blocks no time
        f"CATEGORIES:{escape_text(report.canvas_title or 'cocanvas')}",
        "END:VEVENT",
    ]


def _undated_event(report: Report, notes: list[Note], stamp: str) -> list[str]:
    """One all-day event on the export day listing the actions without a (valid) date."""
    day = datetime.fromtimestamp(report.exported_at, report.tz).date()
    items = []
    for note in notes:
        item = f"- {note.text.strip() or report.t('ics.untitled')}"
        if note.owner.strip():
            item += f" ({report.t('ics.owner')}: {note.owner.strip()})"
        if note.due:
            item += f" ({report.t('ics.due')}: {note.due})"
        items.append(item)
    items.append(report.t("ics.board", title=report.title))
    return [
        "BEGIN:VEVENT",
        f"UID:undated.{_uid_part(report.board_key)}@cocanvas",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(report.t('ics.undated', n=len(notes)))}",
        f"DESCRIPTION:{escape_text(chr(10).join(items))}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _description(report: Report, note: Note) -> str:
    lines = []
    if note.owner.strip():
        lines.append(f"{report.t('ics.owner')}: {note.owner.strip()}")
    lines.append(report.t("action.done") if note.done else report.t("action.open"))
    lines.append(report.t("ics.board", title=report.title))
    return "\n".join(lines)


def render_ics(inp: ExportInput) -> bytes:
    """The board's action items (every note in C3 and every note of kind "action").

    Args:
        inp: the export input.

    Returns:
        UTF-8 bytes of a VCALENDAR: per action a VTODO, per dated action an all-day
        VEVENT, and one VEVENT listing the undated actions (when there are any).
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
    undated: list[Note] = []
    for field in report.fields():
        for note in field.notes:
            if field.kind == "actions" or note.kind == "action":
                lines += _todo(report, note, stamp)
                due = calendar_date(note)
                if due is None:
                    undated.append(note)
                else:
                    lines += _event(report, note, due, stamp)
    if undated:
        lines += _undated_event(report, undated, stamp)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
