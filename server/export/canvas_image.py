"""The whole canvas as SVG and PNG, laid out like the board.

Fields sit on `canvas["grid"]` by their `layout`; notes of 176 x 132 px are centred on
their x/y on a 2400 x 2160 px board.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .build import build_report
from .diagram_image import draw_axes, draw_y_tick_labels, place_diagram_notes
from .model import ExportInput
from .report import NEUTRAL_GROUP_COLOR, FieldView, Report
from .svgdraw import INK, LINE, MUTED, Style, el, note_card, serialise, svg_root, text_lines, to_png
from .svgtext import BOLD, one_line, wrap
from .wording import is_rtl, partner_cell

BOARD_W, BOARD_H = 2400, 2160
HEADER_H = 110
NOTE_W, NOTE_H = 176, 132
GAP = 8


def _auto_position(index: int, width: float, height: float) -> tuple[float, float]:
    """A place for a note without x/y: a tidy grid, overlapping once the field is full."""
    cols = max(1, int(width // (NOTE_W + GAP)))
    rows = max(1, int(height // (NOTE_H + GAP)))
    col, row = index % cols, (index // cols) % rows
    shift = (index // (cols * rows)) * 14
    return (
        (col * (NOTE_W + GAP) + NOTE_W / 2 + shift) / max(width, 1),
        (row * (NOTE_H + GAP) + NOTE_H / 2 + shift) / max(height, 1),
    )


def _free_notes(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    box: tuple[float, float, float, float],
    style: Style,
) -> None:
    x0, y0, w, h = box
    unplaced = 0
    for note in field.notes:
        if note.x is None or note.y is None:
            fx, fy = _auto_position(unplaced, w, h)
            unplaced += 1
        else:
            fx, fy = note.x, note.y
        cx = min(max(x0 + fx * w, x0 + NOTE_W / 2), x0 + w - NOTE_W / 2)
        cy = min(max(y0 + fy * h, y0 + NOTE_H / 2), y0 + h - NOTE_H / 2)
        note_card(parent, report, note, cx, cy, NOTE_W, NOTE_H, style)


def _rows(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    box: tuple[float, float, float, float],
    style: Style,
) -> None:
    """B4 partners as a table, C3 actions as a checklist; what does not fit is counted."""
    x0, y0, w, h = box
    size = 13
    columns = list(field.columns) or [
        (c, c) for c in ("actor", "resources", "competences", "tasks")
    ]
    col_w = w / len(columns)
    if field.kind == "table":
        for i, (_, label) in enumerate(columns):
            el(
                parent,
                "text",
                one_line(label, col_w - 10, size * BOLD),
                x=f"{x0 + i * col_w + 8:.1f}",
                y=f"{y0 + size:.1f}",
                font_size=size,
                font_weight="bold",
                fill=INK,
            )
        row_h, y = 2 * size * 1.25 + 12, y0 + size + 8
    else:
        row_h, y = 2 * size * 1.25 + size * 1.3 + 12, y0
    shown = 0
    for note in field.notes:
        if y + row_h > y0 + h - size * 1.6 and shown < len(field.notes) - 1:
            break
        el(
            parent,
            "rect",
            x=x0,
            y=f"{y:.1f}",
            width=w,
            height=f"{row_h - 4:.1f}",
            fill="#f6f7f9",
            stroke=LINE,
            stroke_width=0.6,
        )
        el(
            parent,
            "rect",
            x=x0,
            y=f"{y:.1f}",
            width=5,
            height=f"{row_h - 4:.1f}",
            fill=note.group_color or NEUTRAL_GROUP_COLOR,
        )
        if field.kind == "table":
            for i, (cid, _) in enumerate(columns):
                value = partner_cell(note, cid)
                text_lines(
                    parent,
                    wrap(value, col_w - 16, size * (BOLD if i == 0 else 1), 2),
                    x0 + i * col_w + 10,
                    y + size + 5,
                    col_w - 16,
                    size,
                    style,
                    rtl=is_rtl(value),
                    fill="#111111",
                    font_weight="bold" if i == 0 else "normal",
                )
        else:
            box_x = x0 + 12
            el(
                parent,
                "rect",
                x=box_x,
                y=f"{y + 7:.1f}",
                width=16,
                height=16,
                rx=2,
                fill="#ffffff",
                stroke=INK,
                stroke_width=1.5,
            )
            if note.done:
                el(
                    parent,
                    "path",
                    d=f"M{box_x + 3} {y + 15:.1f} l4 4 l7 -9",
                    fill="none",
                    stroke=INK,
                    stroke_width=2.2,
                )
            what = wrap(note.text, w - 60, size * BOLD, 2)
            text_lines(
                parent,
                what,
                box_x + 26,
                y + size + 6,
                w - 60,
                size,
                style,
                rtl=is_rtl(note.text),
                fill="#111111",
                font_weight="bold",
            )
            meta = [
                f"{report.t('action.owner')}: {note.owner.strip() or report.t('action.none_owner')}"
            ]
            if note.due:
                meta.append(f"{report.t('action.due')} {report.day(note.due_date, note.due)}")
            if note.done is not None:
                meta.append(report.t("action.done") if note.done else report.t("action.open"))
            el(
                parent,
                "text",
                one_line(" · ".join(meta), w - 60, size - 1),
                x=f"{box_x + 26:.1f}",
                y=f"{y + len(what) * size * 1.25 + size + 6:.1f}",
                font_size=size - 1,
                fill=MUTED,
            )
        y += row_h
        shown += 1
    rest = len(field.notes) - shown
    if rest > 0:
        more = f"+ {rest} …"
        el(parent, "text", more, x=x0 + 4, y=f"{y + size + 2:.1f}", font_size=size, fill=MUTED)


def _field_frame(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    x: float,
    y: float,
    w: float,
    h: float,
    style: Style,
) -> float:
    """The field's box and header; returns the y where its body starts."""
    color = next((p.color for p in report.parts if p.id == field.part), INK)
    el(
        parent,
        "rect",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        width=f"{w:.1f}",
        height=f"{h:.1f}",
        rx=8,
        fill="#ffffff",
        stroke=LINE,
        stroke_width=1.2,
    )
    el(parent, "rect", x=f"{x:.1f}", y=f"{y:.1f}", width=f"{w:.1f}", height=6, fill=color)
    badge_w = 14 + 13 * len(field.id)
    el(
        parent,
        "rect",
        x=f"{x + 12:.1f}",
        y=f"{y + 16:.1f}",
        width=badge_w,
        height=28,
        rx=5,
        fill=color,
    )
    el(
        parent,
        "text",
        field.id,
        x=f"{x + 12 + badge_w / 2:.1f}",
        y=f"{y + 36:.1f}",
        font_size=18,
        font_weight="bold",
        fill="#ffffff",
        text_anchor="middle",
    )
    count = f"({len(field.notes)})"
    el(
        parent,
        "text",
        one_line(field.label, w - badge_w - 80, 22 * BOLD),
        x=f"{x + 20 + badge_w:.1f}",
        y=f"{y + 38:.1f}",
        font_size=22,
        font_weight="bold",
        fill=INK,
    )
    el(
        parent,
        "text",
        count,
        x=f"{x + w - 12:.1f}",
        y=f"{y + 38:.1f}",
        font_size=14,
        fill=MUTED,
        text_anchor="end",
    )
    prompt = wrap(field.prompt, w - 24, 13, 2)
    text_lines(parent, prompt, x + 12, y + 62, w - 24, 13, style, fill=MUTED)
    return y + 62 + 13 * 1.25 * max(1, len(prompt)) + 6


def _canvas_svg(report: Report, style: Style) -> bytes:
    cols, rows = report.grid
    width, height = BOARD_W, BOARD_H + HEADER_H
    root = svg_root(width, height, report.title, f"{report.canvas_title} – {report.t('doc.kind')}")
    el(
        root,
        "text",
        one_line(report.title, width - 48, 40 * BOLD),
        x=24,
        y=54,
        font_size=40,
        font_weight="bold",
        fill=INK,
    )
    sub = [
        report.canvas_title,
        f"{report.t('doc.exported')} {report.when(int(report.exported_at * 1000))}",
    ]
    sub.append(report.source_label or report.t("doc.source.live"))
    el(
        root,
        "text",
        one_line(" · ".join(s for s in sub if s), width - 48, 20),
        x=24,
        y=88,
        font_size=20,
        fill=MUTED,
    )
    cell_w, cell_h = BOARD_W / cols, BOARD_H / rows
    for field in report.fields():
        if field.layout is None:
            continue
        lay = field.layout
        x = (lay.col - 1) * cell_w + GAP
        y = HEADER_H + (lay.row - 1) * cell_h + GAP
        w, h = lay.colspan * cell_w - 2 * GAP, lay.rowspan * cell_h - 2 * GAP
        group = el(root, "g", id=f"field-{field.id}")
        body_y = _field_frame(group, report, field, x, y, w, h, style)
        body = (x + 10, body_y, w - 20, y + h - 10 - body_y)
        if field.kind == "diagram" and field.axes is not None:
            plot = (body[0] + 34, body[1], body[2] - 40, body[3] - 68)
            draw_axes(group, field, plot, 13, style)
            draw_y_tick_labels(group, field, plot, 13)
            unplaced = place_diagram_notes(group, report, field, plot, 150, 84, style, 12.5)
            if unplaced:
                label = (
                    report.t("diagram.unplaced.list") + ": " + ", ".join(n.text for n in unplaced)
                )
                el(
                    group,
                    "text",
                    one_line(label, plot[2], 12),
                    x=f"{plot[0]:.1f}",
                    y=f"{body[1] + body[3] - 2:.1f}",
                    font_size=12,
                    fill=MUTED,
                )
        elif field.kind in ("table", "actions"):
            _rows(group, report, field, body, style)
        else:
            _free_notes(group, report, field, body, style)
    return serialise(root)


def render_svg(inp: ExportInput) -> bytes:
    """The whole canvas as SVG (2400 x 2270 px, fields laid out as on the board)."""
    return _canvas_svg(build_report(inp), Style(cairo=False))


def render_png(inp: ExportInput) -> bytes:
    """The whole canvas as PNG (the SVG rasterised at 2400 x 2270 px)."""
    return to_png(_canvas_svg(build_report(inp), Style(cairo=True)))
