"""Full JSON export of a board, documented by `board.schema.json` (JSON Schema 2020-12).

Shape: `{"format": "cocanvas-board", "version": 1, "exported_at", "locale", "source",
"anonymized", "board", "canvas", "groups", "parts", "notes", "agenda", "voting", "roster",
"decisions", "log"}`. Times are ISO 8601 in UTC (`2026-03-03T08:00:00.000Z`); every key is always
present (null when unknown), so consumers need no guessing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from .build import build_report
from .model import ExportInput
from .report import Note, Report

FORMAT = "cocanvas-board"
VERSION = 1
SCHEMA_FILE = "board.schema.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema of this export (shipped as package data beside this module)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def iso(ms: int | float | None) -> str | None:
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _opt(value: str) -> str | None:
    return value if value else None


def _note(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "field": note.field,
        "stored_field": note.raw_field,
        "part": _opt(note.part),
        "kind": note.kind,
        "text": note.text,
        "cluster": note.cluster,
        "heading": note.heading if note.cluster is not None else None,
        "group": note.group,
        "group_label": _opt(note.group_label),
        "author": note.author,
        "author_id": note.author_id,
        "anonymous": note.anonymous,
        "votes": note.votes,
        "votes_by_group": dict(note.votes_by_group) if note.votes is not None else None,
        "x": note.x,
        "y": note.y,
        "color": note.color,
        "owner": _opt(note.owner),
        "due": _opt(note.due),
        "done": note.done,
        "resources": _opt(note.resources),
        "competences": _opt(note.competences),
        "tasks": _opt(note.tasks),
        "format": note.format,
        "order": note.order,
        "created_at": iso(note.created_at),
        "updated_at": iso(note.updated_at),
    }


def export_data(report: Report) -> dict[str, Any]:
    """The export as plain data (what `render_json` serialises)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(report.exported_at * 1000),
        "locale": report.locale,
        "source": report.source_label,
        "anonymized": report.anonymize,
        "board": {
            "id": report.board_id,
            "title": report.title,
            "created_at": iso(report.created_at),
            "anonymous_allowed": report.anonymous_allowed,
        },
        "canvas": {"id": report.canvas_id, "version": report.canvas_version},
        "groups": [{"id": g.id, "label": g.label, "color": g.color} for g in report.groups],
        "parts": [
            {
                "id": part.id,
                "label": part.label,
                "subtitle": part.subtitle,
                "fields": [
                    {
                        "id": f.id,
                        "kind": f.kind,
                        "label": f.label,
                        "prompt": f.prompt,
                        "notes": len(f.notes),
                    }
                    for f in part.fields
                ],
            }
            for part in report.parts
        ],
        "notes": [_note(n) for n in report.notes()],
        "agenda": [
            {
                "id": item.id,
                "kind": item.kind,
                "part": item.part,
                "label": item.label,
                "planned_minutes": item.planned_minutes,
                "actual_ms": item.actual_ms,
                "started_at": iso(item.started_at),
                "ended_at": iso(item.ended_at),
            }
            for item in report.agenda
        ],
        "voting": {
            "state": report.voting.state,
            "fields": list(report.voting.fields),
            "per_person": report.voting.per_person,
            "results_shown": report.voting.shown,
        },
        "roster": [{"group": e.group, "label": e.label, "count": e.count} for e in report.roster],
        "decisions": [
            {
                "id": d.id,
                "text": d.text,
                "at": iso(d.at),
                "role": d.role,
                "name": d.name,
                "field": d.field,
                "note": d.note,
                "link": d.link,
                "edited_at": iso(d.edited_at),
            }
            for d in report.decisions
        ],
        "log": [
            {
                "at": iso(entry.at),
                "role": entry.role,
                "name": entry.name,
                "op": entry.op,
                "summary": entry.summary,
                "details": entry.details,
            }
            for entry in report.log
        ],
    }


def render_json(inp: ExportInput) -> bytes:
    """The board as JSON (UTF-8, indented, non-ASCII kept), valid against the schema.

    Args:
        inp: the export input.

    Returns:
        UTF-8 bytes of the JSON document.
    """
    data = export_data(build_report(inp))
    return (json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")
