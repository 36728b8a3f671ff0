"""The A3 initiative diagram: axes, tick labels and initiatives placed as on the board.

Drawn alone as SVG/PNG (`render_diagram_svg`, `render_diagram_png`), inside the PDF
(`diagram_svg`), and inside the whole-canvas image, which uses the drawing helpers here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from canvas_schema.placement import NOTE_H, NOTE_W, layout

from .build import build_report
from .flow import board_order
from .model import ExportInput
from .report import FieldView, Note, Report
from .svgdraw import INK, MUTED, Style, el, note_card, serialise, svg_root, text_lines, to_png
from .svgtext import BOLD, one_line, text_width, wrap

DIAGRAM_W, DIAGRAM_H = 1400, 1000
CARD_GAP = 8.0


def draw_y_tick_labels(
    parent: ET.Element, field: FieldView, box: tuple[float, float, float, float], size: float
) -> None:
    """Labels of the y ticks on a light backing (over grid lines; notes go on top of them)."""
    assert field.axes is not None
    x0, y0, w, h = box
    for tick in field.axes[1].ticks:
        ty = y0 + (1 - tick.at) * h
        baseline = ty + size + 4 if tick.at >= 1 else ty - 6
        label = one_line(tick.label, w * 0.6, size)
        el(
            parent,
            "rect",
            x=f"{x0 + 4:.1f}",
            y=f"{baseline - size:.1f}",
            width=f"{text_width(label, size) + 8:.1f}",
            height=f"{size * 1.3:.1f}",
            fill="#ffffff",
            fill_opacity=0.85,
        )
        el(
            parent,
            "text",
            label,
            x=f"{x0 + 8:.1f}",
            y=f"{baseline:.1f}",
            font_size=size,
            fill=MUTED,
        )


def draw_axes(
    parent: ET.Element,
    field: FieldView,
    box: tuple[float, float, float, float],
    size: float,
    style: Style,
) -> None:
    """Axes with ticks and labels around a plot box (x, y, w, h); y = 0 at the bottom."""
    assert field.axes is not None
    ax, ay = field.axes
    x0, y0, w, h = box
    for tick in ay.ticks:
        ty = y0 + (1 - tick.at) * h
        if 0 < tick.at < 1:
            el(
                parent,
                "line",
                x1=x0,
                y1=f"{ty:.1f}",
                x2=x0 + w,
                y2=f"{ty:.1f}",
                stroke="#9aa4ae",
                stroke_dasharray="6 5",
            )
    el(parent, "line", x1=x0, y1=y0 + h, x2=x0 + w, y2=y0 + h, stroke="#59636e", stroke_width=2)
    el(parent, "line", x1=x0, y1=y0, x2=x0, y2=y0 + h, stroke="#59636e", stroke_width=2)
    for tick in ax.ticks:
        tx = x0 + tick.at * w
        anchor = "start" if tick.at <= 0 else "end" if tick.at >= 1 else "middle"
        el(
            parent,
            "line",
            x1=f"{tx:.1f}",
            y1=y0 + h,
            x2=f"{tx:.1f}",
            y2=y0 + h + 6,
            stroke="#59636e",
            stroke_width=2,
        )
        el(
            parent,
            "text",
            one_line(tick.label, w * 0.45, size),
            x=f"{tx:.1f}",
            y=f"{y0 + h + size + 8:.1f}",
            font_size=size,
            fill=MUTED,
            text_anchor=anchor,
        )
    el(
        parent,
        "text",
        one_line(ax.label + " →", w, size * 1.1 * BOLD),
        x=f"{x0 + w / 2:.1f}",
        y=f"{y0 + h + 2 * size + 18:.1f}",
        font_size=size * 1.1,
        font_weight="bold",
        fill=INK,
        text_anchor="middle",
    )
    lx, ly = x0 - size, y0 + h / 2
    el(
        parent,
        "text",
        one_line(ay.label + " →", h, size * 1.1 * BOLD),
        x=f"{lx:.1f}",
        y=f"{ly:.1f}",
        font_size=size * 1.1,
        font_weight="bold",
        fill=INK,
        text_anchor="middle",
        transform=f"rotate(-90 {lx:.1f} {ly:.1f})",
    )


def place_diagram_notes(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    box: tuple[float, float, float, float],
    style: Style,
    size: float,
) -> list[Note]:
    """Initiatives placed by the shared layout (P281), y = 0 at the bottom; returns the
    unplaced ones. A card covers the shared footprint less a small gap, so none hides
    another; a full diagram stacks cards, offset, with the count atop the one below."""
    x0, y0, w, h = box
    placed = [n for n in board_order(field.notes) if n.x is not None and n.y is not None]
    spots = layout([(n.x or 0.0, 1 - (n.y or 0.0)) for n in placed])
    card_w, card_h = NOTE_W * w - CARD_GAP, NOTE_H * h - CARD_GAP
    stacks = Counter(p.on for p in spots if p.on >= 0)
    for i, (note, p) in enumerate(zip(placed, spots, strict=True)):
        cx, cy = x0 + p.x * w, y0 + p.y * h
        note_card(parent, report, note, cx, cy, card_w, card_h, style, size)
        if stacks[i]:
            el(
                parent,
                "text",
                f"+{stacks[i]}",
                x=f"{cx + card_w / 2 - 4:.1f}",
                y=f"{cy - card_h / 2 + size + 6:.1f}",
                font_size=size,
                font_weight="bold",
                fill=INK,
                text_anchor="end",
            )
    return [n for n in field.notes if n.x is None or n.y is None]


# Above this many placed initiatives the PDF's diagram shows dots, not cards: 30 cards fill
# the plot's free spots, more are stacked, and each card's text costs the PDF render ~10 ms.
PDF_CARD_LIMIT = 30


def place_diagram_dots(
    parent: ET.Element, field: FieldView, box: tuple[float, float, float, float]
) -> list[Note]:
    """Initiatives as dots in their group colour at (x, y); returns the unplaced ones."""
    x0, y0, w, h = box
    unplaced = []
    for note in field.notes:
        if note.x is None or note.y is None:
            unplaced.append(note)
            continue
        cx, cy = x0 + note.x * w, y0 + (1 - note.y) * h
        el(parent, "circle", cx=f"{cx:.1f}", cy=f"{cy:.1f}", r=7, fill=note.group_color)
    return unplaced


def _diagram_svg(report: Report, style: Style) -> bytes:
    """The A3 diagram; compact (for the PDF, which has its own heading) leaves out the title."""
    field = next((f for f in report.fields() if f.kind == "diagram" and f.axes is not None), None)
    top = 20.0 if style.compact else 100.0
    width, height = DIAGRAM_W, int(DIAGRAM_H - 100 + top)
    title = f"{field.id} · {field.label}" if field else report.title
    root = svg_root(width, height, f"{report.title} – {title}", report.canvas_title)
    if not style.compact:
        el(
            root,
            "text",
            one_line(title, width - 48, 30 * BOLD),
            x=24,
            y=44,
            font_size=30,
            font_weight="bold",
            fill=INK,
        )
        subtitle = one_line(report.title, width - 48, 18)
        el(root, "text", subtitle, x=24, y=72, font_size=18, fill=MUTED)
    if field is None:
        return serialise(root)
    plot = (80.0, top, width - 120.0, DIAGRAM_H - 230.0)
    el(root, "rect", x=plot[0], y=plot[1], width=plot[2], height=plot[3], fill="#fbfcfd")
    draw_axes(root, field, plot, 16, style)
    draw_y_tick_labels(root, field, plot, 16)
    placed = sum(1 for n in field.notes if n.x is not None and n.y is not None)
    if style.compact and placed > PDF_CARD_LIMIT:
        unplaced = place_diagram_dots(root, field, plot)
        caption = report.t("diagram.dots", n=placed)
        el(root, "text", one_line(caption, width - 48, 15), x=24, y=height - 70, font_size=15)
    else:
        unplaced = place_diagram_notes(root, report, field, plot, style, 18)
    if unplaced:
        label = report.t("diagram.unplaced.list") + ": " + ", ".join(n.text for n in unplaced)
        lines = wrap(label, width - 48, 15, 2)
        text_lines(root, lines, 24, height - 44, width - 48, 15, style, fill=MUTED)
    return serialise(root)


def render_diagram_svg(inp: ExportInput) -> bytes:
    """The A3 diagram alone as SVG: labelled axes, initiatives placed at (x, y)."""
    return _diagram_svg(build_report(inp), Style(cairo=False))


def render_diagram_png(inp: ExportInput) -> bytes:
    """The A3 diagram alone as PNG (2800 x 2000 px: twice the SVG size, for slides)."""
    return to_png(_diagram_svg(build_report(inp), Style(cairo=True)), scale=2.0)


def diagram_svg(report: Report) -> bytes:
    """The A3 diagram SVG for a report already built, cards without author lines (for the PDF)."""
    return _diagram_svg(report, Style(cairo=False, compact=True))
