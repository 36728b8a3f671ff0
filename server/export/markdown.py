"""Markdown protocol: the board as a record to paste into a wiki or an email.

Every user string goes through `md_text` / `md_cell`, which escape what Markdown (and the
HTML that Markdown passes through) would interpret, so a note cannot add links, HTML,
headings or table cells. Line breaks inside notes are kept as hard breaks.
"""

from __future__ import annotations

import re

from . import labels
from .build import build_report
from .flow import board_order, flow_entries
from .logwords import log_sentence
from .model import ExportInput
from .report import FieldView, Note, Report
from .wording import (
    RANKING_TOP,
    agenda_table,
    axis_words,
    groups_text,
    note_by,
    partner_cell,
    role_label,
    roster_label,
    shows_votes,
    vote_ranking,
    votes_text,
)

# characters that start or end Markdown/HTML constructs anywhere in a line
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# an HTML entity or character reference would be decoded by the renderer: keep "&" literal
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# block constructs a line may start with: headings, quotes, lists, setext underlines
_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    return [line.strip() for line in text.split("\n")]


def _escape_inline(line: str) -> str:
    return _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", line))


def _escape_line(line: str) -> str:
    line = _escape_inline(line)
    match = _LINE_START.match(line)
    if match:
        token = match.group(1)
        line = (token[:-1] + "\\" + token[-1]) + line[len(token) :]
    return line


def md_text(text: str, indent: str = "  ") -> str:
    """User text for a paragraph or list item; line breaks become hard breaks."""
    lines = [_escape_line(line) for line in _lines(text) if line]
    return ("  \n" + indent).join(lines) or "…"


def md_cell(text: str) -> str:
    """User text for one line: a table cell or a heading (line breaks become " / ")."""
    return " / ".join(_escape_inline(line) for line in _lines(text) if line)


def _by(report: Report, note: Note) -> str:
    parts = [md_cell(note_by(report, note))]
    votes = votes_text(report, note)
    if votes:
        parts.append(f"**{md_cell(votes)}**")
    return " · ".join(p for p in parts if p)


def _note_item(report: Report, note: Note, indent: str = "") -> str:
    text = md_text(note.text)
    if note.format_title:
        text = f"**{labels.t(report.locale, 'format')}: {md_cell(note.format_title)}** – {text}"
    by = _by(report, note)
    return f"{indent}- {text}" + (f" — {by}" if by else "")


def _notes_list(report: Report, field: FieldView) -> list[str]:
    if not any(n.cluster for n in field.notes):
        return [_note_item(report, note) for note in field.notes]
    out = []
    for entry in flow_entries(board_order(field.notes)):  # groups as the board shows them
        if not isinstance(entry, list):
            out.append(_note_item(report, entry))
            continue
        title = md_cell(entry[0].heading or report.t("group.untitled"))
        out.append(f"- **{title}** ({report.t('group.count', count=len(entry))})")
        out += [_note_item(report, note, "  ") for note in entry]
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return out


def _diagram(report: Report, field: FieldView) -> list[str]:
    assert field.axes is not None
    ax, ay = field.axes
    votes = shows_votes(field)
    header = [report.t("diagram.initiative"), md_cell(ax.label), md_cell(ay.label)]
    header.append(report.t("note.by"))
    if votes:
        header.append(report.t("note.votes"))
    rows = []
    for note in field.notes:
        row = [
            md_cell(note.text),
            md_cell(axis_words(ax, note.x, report.locale)),
            md_cell(axis_words(ay, note.y, report.locale)),
            md_cell(note_by(report, note)),
        ]
        if votes:
            row.append(md_cell(votes_text(report, note, detail=False)))
        rows.append(row)
    return _table(header, rows)


def _partners(report: Report, field: FieldView) -> list[str]:
    columns = list(field.columns) or [
        (c, c) for c in ("actor", "resources", "competences", "tasks")
    ]
    votes = shows_votes(field)
    header = [md_cell(label) for _, label in columns]
    header.append(report.t("note.by"))
    if votes:
        header.append(report.t("note.votes"))
    rows = []
    for note in field.notes:
        row = [md_cell(partner_cell(note, cid)) for cid, _ in columns]
        row.append(md_cell(note_by(report, note)))
        if votes:
            row.append(md_cell(votes_text(report, note, detail=False)))
        rows.append(row)
    return _table(header, rows)


def _actions(report: Report, field: FieldView) -> list[str]:
    out = []
    for note in field.notes:
        box = "[x]" if note.done else "[ ]"
        extra = []
        owner = md_cell(note.owner) if note.owner.strip() else report.t("action.none_owner")
        extra.append(f"{report.t('action.owner')}: {owner}")
        if note.due:
            extra.append(f"{report.t('action.due')} {md_cell(report.day(note.due_date, note.due))}")
        votes = votes_text(report, note, detail=False)
        if votes:
            extra.append(f"**{votes}**")
        out.append(f"- {box} {md_text(note.text, indent='      ')} — " + " · ".join(extra))
    return out


def _field(report: Report, field: FieldView) -> list[str]:
    title = field.label if field.id == "other" else f"{field.id} · {field.label}"
    out = [f"### {md_cell(title)}", ""]
    if field.prompt:
        out += [f"*{md_cell(field.prompt)}*", ""]
    if not field.notes:
        return [*out, report.t("field.empty"), ""]
    if field.kind == "diagram" and field.axes is not None:
        out += _diagram(report, field)
    elif field.kind == "table":
        out += _partners(report, field)
    elif field.kind == "actions":
        out += _actions(report, field)
    else:
        out += _notes_list(report, field)
    return [*out, ""]


def _header(report: Report) -> list[str]:
    out = [f"# {md_cell(report.title)}", ""]
    out += [f"{md_cell(report.canvas_title)} · {report.t('doc.kind')}", ""]
    exported = report.when(int(report.exported_at * 1000))
    out.append(f"- **{report.t('doc.exported')}:** {exported}")
    if report.created_at is not None:
        out.append(f"- **{report.t('doc.created')}:** {report.when(report.created_at)}")
    source = md_cell(report.source_label) if report.source_label else report.t("doc.source.live")
    out.append(f"- **{report.t('doc.source')}:** {source}")
    out.append("")
    if report.anonymize:
        out += [f"*{report.t('doc.anonymized')}*", ""]
    if report.voting.shown:
        out += [f"*{report.t('voting.closed')}*", ""]
    elif report.voting.state == "open":
        out += [f"*{report.t('voting.open')}*", ""]
    return out


def _agenda(report: Report) -> list[str]:
    out = [f"## {report.t('agenda.title')}", ""]
    if not report.agenda:
        return [*out, report.t("agenda.none"), ""]
    header, rows, total = agenda_table(report)
    rows = [[md_cell(label), *rest] for label, *rest in rows]
    rows.append([f"**{total[0]}**", total[1], total[2], " "])
    return [*out, *_table(header, rows), ""]


def _roster(report: Report) -> list[str]:
    out = [f"## {report.t('roster.title')}", ""]
    if not report.roster:
        return [*out, report.t("roster.none"), ""]
    out += [f"- {md_cell(roster_label(e))}: {e.count}" for e in report.roster]
    total = sum(e.count for e in report.roster)
    return [*out, f"- **{report.t('roster.total')}: {total}**", ""]


def _ranking(report: Report) -> list[str]:
    """The dot-vote ranking per field, as in the PDF."""
    ranking = vote_ranking(report)
    if not ranking:
        return []
    out = [f"## {report.t('ranking.title')}", "", report.t("ranking.intro", n=RANKING_TOP), ""]
    header = [
        report.t("ranking.rank"),
        report.t("ranking.note"),
        report.t("ranking.dots"),
        report.t("ranking.by_group"),
    ]
    for field, notes in ranking:
        out += [f"### {md_cell(f'{field.id} {field.label}')}", ""]
        if not notes:
            out += [report.t("ranking.none"), ""]
            continue
        rows = [
            [str(i), md_cell(n.text), str(n.votes or 0), md_cell(groups_text(report, n))]
            for i, n in enumerate(notes, 1)
        ]
        out += [*_table(header, rows), ""]
    return out


def _decisions(report: Report) -> list[str]:
    """The group's decisions, first in the decision section (P232)."""
    if not report.decisions:
        return []
    out = [f"### {report.t('decisions.title')}", ""]
    for n, d in enumerate(report.decisions, 1):
        said = [report.when(d.at)] if d.at is not None else []
        if d.link:
            said.insert(0, d.link)
        if d.edited_at is not None:
            said.append(report.t("decisions.edited", when=report.when(d.edited_at)))
        tail = f" ({md_cell(' · '.join(said))})" if said else ""
        out.append(f"{n}. **{md_cell(report.t('decisions.label'))}:** {md_cell(d.text)}{tail}")
    out += ["", f"### {report.t('decisions.history')}", ""]
    return out


def _log(report: Report) -> list[str]:
    out = [f"## {report.t('log.title')}", "", *_decisions(report)]
    if not report.log:
        return [*out, report.t("log.none"), ""]
    header = [report.t("log.time"), report.t("log.by"), report.t("log.what")]
    rows = []
    for entry in report.log:
        by = role_label(report.locale, entry.role)
        if entry.name:
            by = f"{by} ({entry.name})"
        what = log_sentence(report, entry)
        rows.append([report.when(entry.at) or "–", md_cell(by), md_cell(what)])
    return [*out, *_table(header, rows), ""]


def render_md(inp: ExportInput) -> bytes:
    """The board as a Markdown protocol (UTF-8, LF line ends).

    Args:
        inp: the export input.

    Returns:
        UTF-8 bytes of the Markdown document.
    """
    report = build_report(inp)
    out = _header(report) + _agenda(report) + _roster(report) + _ranking(report)
    for part in report.parts:
        heading = report.t("part.heading", id=part.id, label=part.label)
        out += [f"## {md_cell(heading)}", ""]
        if part.subtitle:
            out += [f"*{md_cell(part.subtitle)}*", ""]
        for field in part.fields:
            out += _field(report, field)
    if report.other is not None:
        out += _field(report, report.other)
    out += _log(report)
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")
