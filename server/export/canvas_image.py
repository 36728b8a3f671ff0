"""The whole canvas as SVG and PNG, laid out like the board.

Fields sit on the canvas grid by their `layout` on a 2400 x 2160 px board whose rows grow
when a field's notes need more room; plain fields flow (`flow.py`), the A3 diagram places
notes with the shared placement (`canvas_schema.placement`), as the board does.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from .build import build_report
from .diagram_image import draw_axes, draw_y_tick_labels, place_diagram_notes
from .flow import Card, Frame, board_order, flow_height, flow_layout
from .model import ExportInput
from .report import NEUTRAL_GROUP_COLOR, FieldView, Report
from .svgdraw import INK, LINE, MUTED, Style, el, note_card, serialise, svg_root, text_lines, to_png
from .svgtext import BOLD, one_line, wrap
from .wording import is_rtl, partner_cell

BOARD_W, BOARD_H = 2400, 2160
HEADER_H = 110
GAP = 8
# the diagram keeps its proportions when its rows grow, as on the board
DIAGRAM_BODY_H = 620


def _group_frames(parent: ET.Element, report: Report, frames: list[Frame]) -> None:
    """Each group (P273): a dashed frame, its heading as plain text and its count."""
    for f in frames:
        el(
            parent,
            "rect",
            x=f"{f.x:.1f}",
            y=f"{f.y:.1f}",
            width=f"{f.w:.1f}",
            height=f"{f.h:.1f}",
            rx=8,
            class_="cluster",
            data_cluster=f.group,
            fill="#ffffff",
            fill_opacity="0.6",
            stroke="#6b7580",
            stroke_width=2,
            stroke_dasharray="6 5",
        )
        count = report.t("group.count", count=f.count)
        heading = one_line(f.heading or report.t("group.untitled"), f.w - 140, 16 * BOLD)
        el(
            parent,
            "text",
            heading,
            x=f"{f.x + 10:.1f}",
            y=f"{f.y + 21:.1f}",
            font_size=16,
            font_weight="bold",
            fill=INK,
        )
        el(
            parent,
            "text",
            count,
            x=f"{f.x + f.w - 10:.1f}",
            y=f"{f.y + 21:.1f}",
            font_size=13,
            fill=MUTED,
            text_anchor="end",
        )


def _free_notes(parent: ET.Element, report: Report, cards: list[Card], style: Style) -> None:
    for c in cards:
        note_card(parent, report, c.note, c.x + c.w / 2, c.y + c.h / 2, c.w, c.h, style)


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
    return y + _header_h(field, w)


def _header_h(field: FieldView, w: float) -> float:
    return 62 + 13 * 1.25 * max(1, len(wrap(field.prompt, w - 24, 13, 2))) + 6


def _flows(field: FieldView) -> bool:
    return field.kind not in ("diagram", "table", "actions") or (
        field.kind == "diagram" and field.axes is None
    )


def _row_heights(report: Report, style: Style) -> list[float]:
    """Each grid row's height: its share of the board, or more when a field's notes need it."""
    cols, rows = report.grid
    cell_w, cell_h = BOARD_W / cols, BOARD_H / rows
    heights = [cell_h] * rows
    for field in report.fields():
        lay = field.layout
        if lay is None or not _flows(field):
            continue
        w = lay.colspan * cell_w - 2 * GAP
        cards, frames = flow_layout(report, board_order(field.notes), 0, 0, w - 20, style)
        need = _header_h(field, w) + flow_height(cards, 0, frames) + 10 + 2 * GAP
        span = range(lay.row - 1, min(rows, lay.row - 1 + lay.rowspan))
        have = sum(heights[r] for r in span)
        if need > have and span:
            heights[span[-1]] += need - have
    return heights


def _canvas_svg(report: Report, style: Style) -> bytes:
    cols, rows = report.grid
    heights = _row_heights(report, style)
    tops = [HEADER_H + sum(heights[:r]) for r in range(rows + 1)]
    width, height = BOARD_W, math.ceil(tops[-1])
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
    cell_w = BOARD_W / cols
    for field in report.fields():
        if field.layout is None:
            continue
        lay = field.layout
        x = (lay.col - 1) * cell_w + GAP
        last = min(rows, lay.row - 1 + lay.rowspan)
        y = tops[lay.row - 1] + GAP
        w, h = lay.colspan * cell_w - 2 * GAP, tops[last] - tops[lay.row - 1] - 2 * GAP
        group = el(root, "g", id=f"field-{field.id}")
        body_y = _field_frame(group, report, field, x, y, w, h, style)
        body = (x + 10, body_y, w - 20, y + h - 10 - body_y)
        if field.kind == "diagram" and field.axes is not None:
            plot = (body[0] + 34, body[1], body[2] - 40, min(body[3], DIAGRAM_BODY_H) - 68)
            draw_axes(group, field, plot, 13, style)
            draw_y_tick_labels(group, field, plot, 13)
            unplaced = place_diagram_notes(group, report, field, plot, style, 12.5)
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
            notes = board_order(field.notes)
            cards, frames = flow_layout(report, notes, body[0], body[1], body[2], style)
            _group_frames(group, report, frames)
            _free_notes(group, report, cards, style)
    return serialise(root)


def render_svg(inp: ExportInput) -> bytes:
    """The whole canvas as SVG (2400 px wide, 2270 px or taller: laid out as on the board)."""
    return _canvas_svg(build_report(inp), Style(cairo=False))


def render_png(inp: ExportInput) -> bytes:
    """The whole canvas as PNG (the SVG rasterised: 2400 px wide, 2270 px or taller)."""
    return to_png(_canvas_svg(build_report(inp), Style(cairo=True)))
