"""The HTML and stylesheet the PDF protocol is rendered from.

Every user string goes through `html.escape`; right-to-left text carries `dir="rtl"` so
Arabic runs right to left, and the document carries `lang`.

Speed (DESIGN.md section 8): WeasyPrint lays out plain block boxes fast and flexbox or
inline-block slowly, so the stylesheet uses only block layout and a few small tables with
a fixed layout; a note is two or three paragraphs with no inline elements and no wrapper
box. A 500-note board takes about 2.5-3 s of CPU, a 2,000-note board about 13 s
(`bench/export_bench.py`, WeasyPrint 70, tagged PDF/A included).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable

from . import labels
from .diagram_image import diagram_svg
from .flow import board_order, flow_entries
from .logwords import log_sentence
from .pdf_fonts import FONT_FAMILY, font_css
from .readers import HEX_COLOR
from .report import NEUTRAL_GROUP_COLOR, FieldView, Note, Report
from .wording import (
    RANKING_TOP,
    agenda_table,
    axis_words,
    groups_text,
    is_rtl,
    note_by,
    partner_cell,
    role_label,
    roster_label,
    shows_votes,
    vote_ranking,
    votes_text,
)


def _css(report: Report) -> str:
    page = labels.t(report.locale, "doc.page")
    of = labels.t(report.locale, "doc.page.of")
    generated = labels.t(report.locale, "doc.generated")
    # by position, not id: ids come from the canvas, colours from our palette only
    part_borders = "\n".join(
        f".part-n{i} h2 {{ border-color: {part.color}; }}" for i, part in enumerate(report.parts)
    )
    return f"""
{font_css()}
@page {{
  size: A4; margin: 20mm 18mm 20mm 20mm;
  @top-left {{ content: string(doctitle); font-size: 8pt; color: #4a525c; }}
  @top-right {{ content: string(part); font-size: 8pt; color: #4a525c; }}
  @bottom-left {{ content: "{generated}"; font-size: 8pt; color: #4a525c; }}
  @bottom-right {{ content: "{page} " counter(page) " {of} " counter(pages);
                   font-size: 8pt; color: #4a525c; }}
}}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} }}
html {{ font-family: {FONT_FAMILY}, "DejaVu Sans", "Liberation Sans", sans-serif;
        font-size: 9.5pt; line-height: 1.35; color: #1a1d21; }}
body {{ margin: 0; }}
h1 {{ font-size: 20pt; line-height: 1.2; margin: 0 0 4mm; string-set: doctitle content(); }}
h2 {{ font-size: 14pt; margin: 7mm 0 2mm; }}
h3 {{ font-size: 11.5pt; margin: 5mm 0 1mm; break-after: avoid; }}
p {{ margin: 0; }}
.kicker {{ font-size: 10pt; color: #4a525c; margin: 0 0 2mm; }}
.decisions li {{ margin: 0 0 1.5mm; break-inside: avoid; }}
.decision-link {{ font-size: 8.5pt; color: #4a525c; }}
.meta {{ margin: 0 0 4mm; }}
.meta p {{ margin: 0 0 0.6mm; }}
.notice {{ border-left: 3pt solid #4a525c; padding: 1mm 0 1mm 3mm; margin: 2mm 0; }}
.part {{ break-before: page; }}
.part h2 {{ margin-top: 0; string-set: part content(); border-bottom: 1.5pt solid #1a1d21;
            padding-bottom: 1mm; }}
{part_borders}
.subtitle {{ font-style: italic; color: #4a525c; margin-bottom: 2mm; }}
.fid {{ color: #4a525c; }}
.prompt {{ font-style: italic; color: #4a525c; margin: 0 0 2mm; break-after: avoid; }}
.n {{ border-left: 3pt solid #5f6b76; padding: 0.4mm 0 0 2.5mm; }}
.k {{ break-after: avoid; }}
.e {{ padding-bottom: 0.4mm; margin-bottom: 1.8mm; }}
.l {{ white-space: pre-line; }}
.m {{ font-size: 8pt; color: #4a525c; }}
.f {{ font-weight: bold; }}
.empty {{ color: #4a525c; }}
h4.cluster {{ font-size: 10.5pt; margin: 3mm 0 1mm; padding-top: 1mm; break-after: avoid;
  border-top: 1px dashed #6b7580; }}
h4.cluster span {{ font-weight: normal; color: #4a525c; }}
table {{ border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }}
th, td {{ border-bottom: 0.5pt solid #c5ccd3; padding: 1mm 1.5mm 1mm 0; text-align: left;
          vertical-align: top; white-space: pre-line; }}
th {{ font-size: 8pt; color: #4a525c; border-bottom: 1pt solid #1a1d21; }}
td.num {{ text-align: right; }}
table.fixed {{ table-layout: fixed; }}
tr {{ break-inside: avoid; }}
.diagram {{ width: 100%; margin: 1mm 0 2mm; }}
{_color_css(report)}
.a {{ border-left-color: #2d6a37; }}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _color_class(value: str) -> str:
    """A class per group colour: inline `style` attributes cost WeasyPrint ~15 % of a render.

    Colours are validated as #rrggbb when the report is built, so the name is always safe.
    """
    return "c" + value.lstrip("#").lower()


def _color_css(report: Report) -> str:
    colors = {NEUTRAL_GROUP_COLOR, *(g.color for g in report.groups)}
    return "\n".join(
        f".{_color_class(c)} {{ border-left-color: {c}; }}"
        for c in sorted(colors)
        if HEX_COLOR.match(c)
    )


def _dir(text: str) -> str:
    # `dir` only where needed: WeasyPrint lays out plain paragraphs faster
    return ' dir="rtl"' if is_rtl(text) else ""


def _p(cls: str, text: str) -> str:
    return f'<p class="{cls}"{_dir(text)}>{_e(text)}</p>'


def _text_class(text: str) -> str:
    # pre-line only where a line break is kept: WeasyPrint sets plain text faster
    return "t l" if "\n" in text else "t"


def _meta(parts: Iterable[str], votes: str = "") -> str:
    # one text run, no inline boxes: each inline element costs a line-box split
    return " · ".join(p for p in (*parts, votes) if p)


def _card(band: str, paragraphs: list[tuple[str, str]]) -> str:
    """A note as paragraphs sharing one coloured band, kept together. No wrapper box:
    WeasyPrint lays the protocol out ~15 % faster without one per note."""
    shown = [(cls, text) for cls, text in paragraphs if text]
    out = []
    for i, (cls, text) in enumerate(shown):
        edge = "e" if i == len(shown) - 1 else "k"
        out.append(f'<p class="{cls} n {band} {edge}"{_dir(text)}>{_e(text)}</p>')
    return "".join(out)


def _note(report: Report, note: Note) -> str:
    text = note.text if note.text.strip() else "…"
    head = f"{report.t('format')}: {note.format_title}" if note.format_title else ""
    meta = _meta([note_by(report, note)], votes_text(report, note))
    paragraphs = [("m f", head), (_text_class(text), text), ("m", meta)]
    return _card(_color_class(note.group_color), paragraphs)


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
        out.append(f'<h4 class="cluster"{_dir(title)}>{_e(title)} <span>· {_e(count)}</span></h4>')
        out += [_note(report, note) for note in entry]
    return out


def _table(
    header: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    widths: list[int] | None = None,
) -> str:
    """A table; with `widths` (percent per column) a fixed layout, which WeasyPrint lays
    out without measuring every cell first."""
    numeric = numeric or set()
    cols, cls = "", ""
    if widths:
        cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"
        cls = ' class="fixed"'
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td{_dir(c)}>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table{cls}>{cols}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _diagram(report: Report, field: FieldView) -> list[str]:
    """The diagram drawn, then each initiative with its position in words."""
    assert field.axes is not None
    ax, ay = field.axes
    svg = base64.b64encode(diagram_svg(report)).decode("ascii")
    alt = report.t("diagram.title", x=ax.label, y=ay.label)
    out = [f'<img class="diagram" src="data:image/svg+xml;base64,{svg}" alt="{_e(alt)}">']
    for note in field.notes:
        position = (
            f"{ax.label}: {axis_words(ax, note.x, report.locale)} · "
            f"{ay.label}: {axis_words(ay, note.y, report.locale)}"
        )
        meta = _meta([note_by(report, note)], votes_text(report, note))
        paragraphs = [("t", note.text or "…"), ("m", position), ("m", meta)]
        out.append(_card(_color_class(note.group_color), paragraphs))
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
    return [_table(header, rows, widths=widths)]


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
        meta = _meta(parts, votes_text(report, note, detail=False))
        text = f"{box} {note.text or '…'}"
        out.append(_card("a", [(_text_class(text), text), ("m", meta)]))
    return out


def _field(report: Report, field: FieldView) -> list[str]:
    fid = "" if field.id == "other" else f'<span class="fid">{_e(field.id)}</span> '
    out = [f'<section class="field"><h3>{fid}{_e(field.label)}</h3>']
    if field.prompt:
        out.append(_p("prompt", field.prompt))
    if not field.notes:
        out.append(_p("empty", report.t("field.empty")))
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


def _cover(report: Report) -> list[str]:
    out = [
        '<section class="cover">',
        _p("kicker", f"{report.canvas_title} · {report.t('doc.kind')}"),
        f"<h1{_dir(report.title)}>{_e(report.title)}</h1>",
        '<div class="meta">',
        _p("", f"{report.t('doc.exported')}: {report.when(int(report.exported_at * 1000))}"),
    ]
    if report.created_at is not None:
        out.append(_p("", f"{report.t('doc.created')}: {report.when(report.created_at)}"))
    source = report.source_label or report.t("doc.source.live")
    out += [_p("", f"{report.t('doc.source')}: {source}"), "</div>"]
    if report.anonymize:
        out.append(_p("notice", report.t("doc.anonymized")))
    if report.voting.shown:
        out.append(_p("notice", report.t("voting.closed")))
    elif report.voting.state == "open":
        out.append(_p("notice", report.t("voting.open")))

    out.append(f"<h2>{_e(report.t('roster.title'))}</h2>")
    if report.roster:
        rows = [[roster_label(e), str(e.count)] for e in report.roster]
        rows.append([report.t("roster.total"), str(sum(e.count for e in report.roster))])
        out.append(_table([report.t("roster.group"), report.t("roster.count")], rows, {1}))
    else:
        out.append(_p("empty", report.t("roster.none")))

    out.append(f"<h2>{_e(report.t('agenda.title'))}</h2>")
    if report.agenda:
        header, rows, total = agenda_table(report)
        out.append(_table(header, [*rows, total], {1, 2, 3}))
    else:
        out.append(_p("empty", report.t("agenda.none")))
    out.append("</section>")
    return out


def _ranking(report: Report) -> list[str]:
    """Per voted field its top notes, with their dots by the voters' groups."""
    ranking = vote_ranking(report)
    if not ranking:
        return []
    out = [
        f'<section class="part"><h2>{_e(report.t("ranking.title"))}</h2>',
        _p("prompt", report.t("ranking.intro", n=RANKING_TOP)),
    ]
    header = [
        report.t("ranking.rank"),
        report.t("ranking.note"),
        report.t("ranking.dots"),
        report.t("ranking.by_group"),
    ]
    for field, notes in ranking:
        out.append(f"<h3>{_e(f'{field.id} {field.label}')}</h3>")
        if not notes:
            out.append(_p("empty", report.t("ranking.none")))
            continue
        rows = [
            [str(i), n.text.strip() or "…", str(n.votes or 0), groups_text(report, n)]
            for i, n in enumerate(notes, 1)
        ]
        out.append(_table(header, rows, {0, 2}, widths=[8, 52, 10, 30]))
    out.append("</section>")
    return out


def _decisions(report: Report) -> list[str]:
    """The group's decisions, first in the decision section (P232)."""
    if not report.decisions:
        return []
    out = [f"<h3>{_e(report.t('decisions.title'))}</h3>", '<ol class="decisions">']
    for d in report.decisions:
        said = [report.when(d.at)] if d.at is not None else []
        if d.link:
            said.insert(0, d.link)
        if d.edited_at is not None:
            said.append(report.t("decisions.edited", when=report.when(d.edited_at)))
        out.append(
            f"<li><strong>{_e(report.t('decisions.label'))}:</strong> {_e(d.text)}"
            + (f'<br><span class="decision-link">{_e(" · ".join(said))}</span>' if said else "")
            + "</li>"
        )
    out += ["</ol>", f"<h3>{_e(report.t('decisions.history'))}</h3>"]
    return out


def _log(report: Report) -> list[str]:
    out = [f'<section class="part"><h2>{_e(report.t("log.title"))}</h2>', *_decisions(report)]
    if not report.log:
        out.append(_p("empty", report.t("log.none")))
    else:
        rows = []
        for entry in report.log:
            by = role_label(report.locale, entry.role)
            if entry.name:
                by = f"{by} ({entry.name})"
            rows.append([report.when(entry.at) or "–", by, log_sentence(report, entry)])
        header = [report.t("log.time"), report.t("log.by"), report.t("log.what")]
        out.append(_table(header, rows, widths=[20, 25, 55]))
    out.append("</section>")
    return out


def document_title(report: Report) -> str:
    """The PDF's title (shown by readers instead of the file name): board and kind."""
    return f"{report.title} – {report.t('doc.kind')}"


def build_html(report: Report) -> str:
    """The HTML the PDF is rendered from (every user string escaped)."""
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(report.locale)}"><head><meta charset="utf-8">',
        f"<title>{_e(document_title(report))}</title>",
        '<meta name="generator" content="cocanvas">',
        f"<style>{_css(report)}</style></head><body>",
    ]
    out += _cover(report)
    out += _ranking(report)
    for index, part in enumerate(report.parts):
        heading = report.t("part.heading", id=part.id, label=part.label)
        out.append(f'<section class="part part-{_e(part.id)} part-n{index}"><h2>{_e(heading)}</h2>')
        if part.subtitle:
            out.append(_p("subtitle", part.subtitle))
        for field in part.fields:
            out += _field(report, field)
        out.append("</section>")
    if report.other is not None:
        out += _field(report, report.other)
    out += _log(report)
    out.append("</body></html>")
    return "\n".join(out)
