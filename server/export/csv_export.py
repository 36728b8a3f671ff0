"""CSV of all notes for spreadsheet programs, safe against formula injection.

One row per note. UTF-8 with BOM and CRLF so Excel and LibreOffice detect the encoding.
German exports use `;` as separator and a decimal comma (what German Excel expects when a
file is opened by double click); English exports use `,` and a decimal point.

Formula injection (OWASP "CSV Injection"): a cell that starts with `=`, `+`, `-`, `@`, tab
or carriage return is prefixed with `'`, so spreadsheets show it as text instead of
evaluating it. Every cell is quoted.
"""

from __future__ import annotations

import csv
import io

from .build import build_report
from .model import ExportInput
from .report import Decision, Note, Report
from .wording import role_label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def guard_cell(value: str) -> str:
    """`value`, prefixed with `'` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _number(report: Report, value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if report.locale == "de" else text


def _yes_no(report: Report, value: bool | None) -> str:
    if value is None:
        return ""
    return report.t("yes") if value else report.t("no")


HEADER_KEYS = (
    "csv.part",
    "csv.field_id",
    "csv.field",
    "csv.kind",
    "csv.text",
    "csv.group",
    "csv.author",
    "csv.votes",
    "csv.x",
    "csv.y",
    "csv.owner",
    "csv.due",
    "csv.done",
    "csv.resources",
    "csv.competences",
    "csv.tasks",
    "csv.format",
    "csv.cluster",
    "csv.created",
    "csv.updated",
    "csv.id",
)


def _row(report: Report, note: Note, field_label: str) -> list[str]:
    is_action = note.kind == "action"
    return [
        note.part,
        note.raw_field,
        field_label,
        report.t(f"kind.{note.kind}"),
        note.text,
        note.group_label,
        note.author or report.t("note.anonymous"),
        "" if note.votes is None else str(note.votes),
        _number(report, note.x),
        _number(report, note.y),
        note.owner,
        note.due,
        _yes_no(report, note.done if is_action else None),
        note.resources,
        note.competences,
        note.tasks,
        note.format_title,
        note.heading if note.cluster is not None else "",
        report.local_iso(note.created_at),
        report.local_iso(note.updated_at),
        note.id,
    ]


def _decision_row(report: Report, d: Decision) -> list[str]:
    """A decision (P232) as a row of kind decision: its field, text, author and times."""
    part = field_label = ""
    for p in report.parts:
        for f in p.fields:
            if f.id == d.field:
                part, field_label = p.id, f.label
    cells = [part, d.field or "", field_label, report.t("kind.decision"), d.text]
    cells += ["", d.name or role_label(report.locale, d.role)]
    cells += [""] * 11
    cells += [report.local_iso(d.at), report.local_iso(d.edited_at), d.id]
    return cells


def render_csv(inp: ExportInput) -> bytes:
    """All notes as CSV, one row per note, in canvas order.

    Args:
        inp: the export input.

    Returns:
        UTF-8 bytes with BOM, CRLF line ends, every cell quoted and formula-guarded.
    """
    report = build_report(inp)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=";" if report.locale == "de" else ",",
        quoting=csv.QUOTE_ALL,
        lineterminator="\r\n",
    )
    writer.writerow([report.t(key) for key in HEADER_KEYS])
    for field in report.fields():
        for note in field.notes:
            writer.writerow([guard_cell(cell) for cell in _row(report, note, field.label)])
    for d in report.decisions:
        writer.writerow([guard_cell(cell) for cell in _decision_row(report, d)])
    return (BOM + buffer.getvalue()).encode("utf-8")
