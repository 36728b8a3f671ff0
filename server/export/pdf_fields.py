"""A field of the PDF protocol: its notes as cards (grouped as on the board), a diagram with
positions in words, the partner table or the action list.
"""

from __future__ import annotations

import base64

from .diagram_image import diagram_svg
from .flow import board_order, flow_entries
from .pdf_blocks import card, esc, meta_line, para, rtl_attr, table, text_class
from .pdf_css import color_class
from .report import FieldView, Note, Report
from .wording import axis_words, note_by, partner_cell, shows_votes, votes_text


def _note(report: Report, note: Note) -> str:
    text = note.text if note.text.strip() else "…"
    head = f"{report.t('format')}: {note.format_title}" if note.format_title else ""
    meta = meta_line([note_by(report, note)], votes_text(report, note))
    paragraphs = [("m f", head), (text_class(text), text), ("m", meta)]
    return card(color_class(note.group_color), paragraphs)


def _notes(report: Report, field: FieldView) -> list[str]:
    if not any(n.cluster for n in field.notes):
        return [_note(report, note) for note in field.notes]
    out = []
    for entry in flow_entries(board_order(field.notes)):  # groups as the board shows them
        if not isinstance(entry, list):
            out.append(_note(report, entry))
            continue
        title = entry[0].heading or report.t("group.untitled")
        count = report.t("group.count", count=len(entry))
        out.append(
            f'<h4 class="cluster"{rtl_attr(title)}>{esc(title)} <span>· {esc(count)}</span></h4>'
        )
        out += [_note(report, note) for note in entry]
    return out


def _diagram(report: Report, field: FieldView) -> list[str]:
    """The diagram drawn, then each initiative with its position in words."""
    assert field.axes is not None
    ax, ay = field.axes
    svg = base64.b64encode(diagram_svg(report)).decode("ascii")
    alt = report.t("diagram.title", x=ax.label, y=ay.label)
    out = [f'<img class="diagram" src="data:image/svg+xml;base64,{svg}" alt="{esc(alt)}">']
    for note in field.notes:
        position = (
            f"{ax.label}: {axis_words(ax, note.x, report.locale)} · "
            f"{ay.label}: {axis_words(ay, note.y, report.locale)}"
        )
        meta = meta_line([note_by(report, note)], votes_text(report, note))
        paragraphs = [("t", note.text or "…"), ("m", position), ("m", meta)]
        out.append(card(color_class(note.group_color), paragraphs))
    return out


def _partners(report: Report, field: FieldView) -> list[str]:
    columns = list(field.columns) or [
        (c, c) for c in ("actor", "resources", "competences", "tasks")
    ]
    header = [label for _, label in columns] + [report.t("note.by")]
    votes = shows_votes(field)
    if votes:
        header.append(report.t("note.votes"))
    rows = []
    for note in field.notes:
        row = [partner_cell(note, cid) for cid, _ in columns] + [note_by(report, note)]
        if votes:
            row.append(votes_text(report, note, detail=False))
        rows.append(row)
    # the text columns share the room; "by" and votes stay narrow; the sum is 100 %
    vote_w = 8 if votes else 0
    share = (100 - 16 - vote_w) // len(columns)
    widths = [share] * len(columns) + [100 - share * len(columns) - vote_w]
    widths += [vote_w] if votes else []
    return [table(header, rows, widths=widths)]


def _actions(report: Report, field: FieldView) -> list[str]:
    """The action list: checkbox and what, then who and by when (blocks: fast to lay out)."""
    out = []
    for note in field.notes:
        box = "☑" if note.done else "☐"
        owner = note.owner.strip() or report.t("action.none_owner")
        parts = [f"{report.t('action.owner')}: {owner}"]
        if note.due:
            parts.append(f"{report.t('action.due')} {report.day(note.due_date, note.due)}")
        parts.append(report.t("action.done") if note.done else report.t("action.open"))
        meta = meta_line(parts, votes_text(report, note, detail=False))
        text = f"{box} {note.text or '…'}"
        out.append(card("a", [(text_class(text), text), ("m", meta)]))
    return out


def field_html(report: Report, field: FieldView) -> list[str]:
    """A field's section: heading, prompt, then its notes in the form its kind asks for."""
    fid = "" if field.id == "other" else f'<span class="fid">{esc(field.id)}</span> '
    out = [f'<section class="field"><h3>{fid}{esc(field.label)}</h3>']
    if field.prompt:
        out.append(para("prompt", field.prompt))
    if not field.notes:
        out.append(para("empty", report.t("field.empty")))
    elif field.kind == "diagram" and field.axes is not None:
        out += _diagram(report, field)
    elif field.kind == "table":
        out += _partners(report, field)
    elif field.kind == "actions":
        out += _actions(report, field)
    else:
        out += _notes(report, field)
    out.append("</section>")
    return out
