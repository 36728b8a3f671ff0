"""SVG and PNG images: the whole canvas, and the A3 initiative diagram alone.

The canvas is laid out like the board (`canvas["grid"]`, each field's `layout`; notes of
176 x 132 px centred on their x/y on a 2400 x 2160 px board). Documents are built with
ElementTree, which escapes every text node and attribute; user text additionally loses
characters XML forbids. Right-to-left notes are set with `direction="rtl"`.

PNG is the same SVG rasterised by CairoSVG. CairoSVG ignores `direction`, so the SVG made
for it anchors right-to-left lines at their end instead (same picture, other mechanism).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .model import ExportInput
from .report import (
    NEUTRAL_GROUP_COLOR,
    FieldView,
    Note,
    Report,
    build_report,
    is_rtl,
    note_by,
    partner_cell,
)
from .svgtext import BOLD, one_line, text_width, wrap, xml_safe

SVG_NS = "http://www.w3.org/2000/svg"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
INK = "#1a1d21"
MUTED = "#4a525c"
LINE = "#c5ccd3"
PART_COLORS = {"A": "#1d5f8a", "B": "#74398a", "C": "#2d6a37"}
BOARD_W, BOARD_H = 2400, 2160
HEADER_H = 110
NOTE_W, NOTE_H = 176, 132
GAP = 8
PNG_SCALE = 1.0
DIAGRAM_W, DIAGRAM_H = 1400, 1000


@dataclass(frozen=True)
class _Style:
    """How right-to-left lines are set (per the SVG spec, or for CairoSVG), and whether cards
    leave out the author line (the PDF lists authors under the diagram; less text to lay out)."""

    cairo: bool
    compact: bool = False


def _el(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: object) -> ET.Element:
    """A child element; `font_size=12` becomes `font-size="12"`, `class_` becomes `class`."""
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): xml_safe(str(v)) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = xml_safe(text)
    return element


def _root(width: int, height: int, title: str, desc: str) -> ET.Element:
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "font-family": FONT,
            "role": "img",
        },
    )
    _el(root, "title", title)
    _el(root, "desc", desc)
    _el(root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    return root


def _lines(
    parent: ET.Element,
    lines: list[str],
    x: float,
    y: float,
    width: float,
    size: float,
    style: _Style,
    rtl: bool = False,
    leading: float = 1.25,
    **attrs: object,
) -> None:
    """Lines of text; `y` is the first baseline. RTL lines are right-aligned in `width`."""
    if not lines:
        return
    text_attrs: dict[str, object] = {"font_size": size, **attrs}
    anchor_x = x
    if rtl:
        anchor_x = x + width
        text_attrs["direction"] = "rtl"
        text_attrs["unicode_bidi"] = "embed"
        text_attrs["text_anchor"] = "end" if style.cairo else "start"
    text = _el(parent, "text", x=f"{anchor_x:.1f}", y=f"{y:.1f}", **text_attrs)
    text.set(XML_SPACE, "preserve")
    for i, line in enumerate(lines):
        _el(text, "tspan", line, x=f"{anchor_x:.1f}", y=f"{y + i * size * leading:.1f}")


def _note_card(
    parent: ET.Element,
    report: Report,
    note: Note,
    cx: float,
    cy: float,
    w: float,
    h: float,
    style: _Style,
    size: float = 14.0,
) -> None:
    """A sticky note centred at (cx, cy): group band, who, text (`size` px), votes badge."""
    x, y = cx - w / 2, cy - h / 2
    pad = size * 0.45
    group = _el(parent, "g", class_="note", data_note=note.id)
    _el(
        group,
        "rect",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        width=w,
        height=h,
        rx=4,
        fill=note.color_value,
        stroke="#8a8f96",
        stroke_width=0.6,
    )
    _el(group, "rect", x=f"{x:.1f}", y=f"{y:.1f}", width=w, height=5, fill=note.group_color)
    badge = size * 0.9 if note.votes else 0.0
    who = "" if style.compact else note_by(report, note)
    baseline = y + 5 + pad
    if who:
        who_size = round(size * 0.8, 1)
        baseline += who_size
        _el(
            group,
            "text",
            one_line(who, w - 2 * pad - 2 * badge, who_size),
            x=f"{x + pad:.1f}",
            y=f"{baseline:.1f}",
            font_size=who_size,
            fill="#33383e",
            font_style="italic" if note.anonymous and not report.anonymize else "normal",
        )
        baseline += size * 0.35
    baseline += size
    max_lines = max(1, int((y + h - pad - baseline) // (size * 1.25)) + 1)
    width = w - 2 * pad - (2 * badge if not who else 0)
    lines = wrap(note.text, width, size, max_lines)
    if note.format_title:
        lines = [one_line(note.format_title, width, size)] + lines[: max_lines - 1]
    rtl = is_rtl(note.text)
    _lines(group, lines, x + pad, baseline, width, size, style, rtl=rtl, fill="#111111")
    if note.votes:
        bx, by = x + w - badge - 2, y + 5 + badge + 1
        _el(group, "circle", cx=f"{bx:.1f}", cy=f"{by:.1f}", r=f"{badge:.1f}", fill=INK)
        _el(
            group,
            "text",
            str(note.votes),
            x=f"{bx:.1f}",
            y=f"{by + size * 0.32:.1f}",
            font_size=round(size * 0.85, 1),
            font_weight="bold",
            fill="#ffffff",
            text_anchor="middle",
        )


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
    style: _Style,
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
        _note_card(parent, report, note, cx, cy, NOTE_W, NOTE_H, style)


def _y_tick_labels(
    parent: ET.Element, field: FieldView, box: tuple[float, float, float, float], size: float
) -> None:
    """Labels of the y ticks on a light backing (over grid lines; notes go on top of them)."""
    assert field.axes is not None
    x0, y0, w, h = box
    for tick in field.axes[1].ticks:
        ty = y0 + (1 - tick.at) * h
        baseline = ty + size + 4 if tick.at >= 1 else ty - 6
        label = one_line(tick.label, w * 0.6, size)
        _el(
            parent,
            "rect",
            x=f"{x0 + 4:.1f}",
            y=f"{baseline - size:.1f}",
            width=f"{text_width(label, size) + 8:.1f}",
            height=f"{size * 1.3:.1f}",
            fill="#ffffff",
            fill_opacity=0.85,
        )
        _el(
            parent,
            "text",
            label,
            x=f"{x0 + 8:.1f}",
            y=f"{baseline:.1f}",
            font_size=size,
            fill=MUTED,
        )


def _axes(
    parent: ET.Element,
    field: FieldView,
    box: tuple[float, float, float, float],
    size: float,
    style: _Style,
) -> None:
    """Axes with ticks and labels around a plot box (x, y, w, h); y = 0 at the bottom."""
    assert field.axes is not None
    ax, ay = field.axes
    x0, y0, w, h = box
    for tick in ay.ticks:
        ty = y0 + (1 - tick.at) * h
        if 0 < tick.at < 1:
            _el(
                parent,
                "line",
                x1=x0,
                y1=f"{ty:.1f}",
                x2=x0 + w,
                y2=f"{ty:.1f}",
                stroke="#9aa4ae",
                stroke_dasharray="6 5",
            )
    _el(parent, "line", x1=x0, y1=y0 + h, x2=x0 + w, y2=y0 + h, stroke="#59636e", stroke_width=2)
    _el(parent, "line", x1=x0, y1=y0, x2=x0, y2=y0 + h, stroke="#59636e", stroke_width=2)
    for tick in ax.ticks:
        tx = x0 + tick.at * w
        anchor = "start" if tick.at <= 0 else "end" if tick.at >= 1 else "middle"
        _el(
            parent,
            "line",
            x1=f"{tx:.1f}",
            y1=y0 + h,
            x2=f"{tx:.1f}",
            y2=y0 + h + 6,
            stroke="#59636e",
            stroke_width=2,
        )
        _el(
            parent,
            "text",
            one_line(tick.label, w * 0.45, size),
            x=f"{tx:.1f}",
            y=f"{y0 + h + size + 8:.1f}",
            font_size=size,
            fill=MUTED,
            text_anchor=anchor,
        )
    _el(
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
    _el(
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


def _diagram_notes(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    box: tuple[float, float, float, float],
    note_w: float,
    note_h: float,
    style: _Style,
    size: float,
) -> list[Note]:
    """Initiatives placed at (x, y) with y = 0 at the bottom; returns the unplaced ones."""
    x0, y0, w, h = box
    unplaced = []
    for note in field.notes:
        if note.x is None or note.y is None:
            unplaced.append(note)
            continue
        cx = min(max(x0 + note.x * w, x0 + note_w / 2), x0 + w - note_w / 2)
        cy = min(max(y0 + (1 - note.y) * h, y0 + note_h / 2), y0 + h - note_h / 2)
        _note_card(parent, report, note, cx, cy, note_w, note_h, style, size)
    return unplaced


def _rows(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    box: tuple[float, float, float, float],
    style: _Style,
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
            _el(
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
        _el(
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
        _el(
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
                _lines(
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
            _el(
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
                _el(
                    parent,
                    "path",
                    d=f"M{box_x + 3} {y + 15:.1f} l4 4 l7 -9",
                    fill="none",
                    stroke=INK,
                    stroke_width=2.2,
                )
            what = wrap(note.text, w - 60, size * BOLD, 2)
            _lines(
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
            _el(
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
        _el(parent, "text", more, x=x0 + 4, y=f"{y + size + 2:.1f}", font_size=size, fill=MUTED)


def _field_frame(
    parent: ET.Element,
    report: Report,
    field: FieldView,
    x: float,
    y: float,
    w: float,
    h: float,
    style: _Style,
) -> float:
    """The field's box and header; returns the y where its body starts."""
    color = PART_COLORS.get(field.part, INK)
    _el(
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
    _el(parent, "rect", x=f"{x:.1f}", y=f"{y:.1f}", width=f"{w:.1f}", height=6, fill=color)
    badge_w = 14 + 13 * len(field.id)
    _el(
        parent,
        "rect",
        x=f"{x + 12:.1f}",
        y=f"{y + 16:.1f}",
        width=badge_w,
        height=28,
        rx=5,
        fill=color,
    )
    _el(
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
    _el(
        parent,
        "text",
        one_line(field.label, w - badge_w - 80, 22 * BOLD),
        x=f"{x + 20 + badge_w:.1f}",
        y=f"{y + 38:.1f}",
        font_size=22,
        font_weight="bold",
        fill=INK,
    )
    _el(
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
    _lines(parent, prompt, x + 12, y + 62, w - 24, 13, style, fill=MUTED)
    return y + 62 + 13 * 1.25 * max(1, len(prompt)) + 6


def _canvas_svg(report: Report, style: _Style) -> bytes:
    cols, rows = report.grid
    width, height = BOARD_W, BOARD_H + HEADER_H
    root = _root(width, height, report.title, f"{report.canvas_title} – {report.t('doc.kind')}")
    _el(
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
    _el(
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
        group = _el(root, "g", id=f"field-{field.id}")
        body_y = _field_frame(group, report, field, x, y, w, h, style)
        body = (x + 10, body_y, w - 20, y + h - 10 - body_y)
        if field.kind == "diagram" and field.axes is not None:
            plot = (body[0] + 34, body[1], body[2] - 40, body[3] - 68)
            _axes(group, field, plot, 13, style)
            _y_tick_labels(group, field, plot, 13)
            unplaced = _diagram_notes(group, report, field, plot, 150, 84, style, 12.5)
            if unplaced:
                label = (
                    report.t("diagram.unplaced.list") + ": " + ", ".join(n.text for n in unplaced)
                )
                _el(
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
    return _serialise(root)


def _diagram_svg(report: Report, style: _Style) -> bytes:
    """The A3 diagram; compact (for the PDF, which has its own heading) leaves out the title."""
    field = next((f for f in report.fields() if f.kind == "diagram" and f.axes is not None), None)
    top = 20.0 if style.compact else 100.0
    width, height = DIAGRAM_W, int(DIAGRAM_H - 100 + top)
    title = f"{field.id} · {field.label}" if field else report.title
    root = _root(width, height, f"{report.title} – {title}", report.canvas_title)
    if not style.compact:
        _el(
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
        _el(root, "text", subtitle, x=24, y=72, font_size=18, fill=MUTED)
    if field is None:
        return _serialise(root)
    plot = (80.0, top, width - 120.0, DIAGRAM_H - 230.0)
    _el(root, "rect", x=plot[0], y=plot[1], width=plot[2], height=plot[3], fill="#fbfcfd")
    _axes(root, field, plot, 16, style)
    _y_tick_labels(root, field, plot, 16)
    unplaced = _diagram_notes(root, report, field, plot, 230, 104, style, 18)
    if unplaced:
        label = report.t("diagram.unplaced.list") + ": " + ", ".join(n.text for n in unplaced)
        lines = wrap(label, width - 48, 15, 2)
        _lines(root, lines, 24, height - 44, width - 48, 15, style, fill=MUTED)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _png(svg: bytes, scale: float = PNG_SCALE) -> bytes:
    import cairosvg  # type: ignore[import-untyped]

    data: bytes = cairosvg.svg2png(bytestring=svg, scale=scale, unsafe=False)
    return data


def render_svg(inp: ExportInput) -> bytes:
    """The whole canvas as SVG (2400 x 2270 px, fields laid out as on the board)."""
    return _canvas_svg(build_report(inp), _Style(cairo=False))


def render_png(inp: ExportInput) -> bytes:
    """The whole canvas as PNG (the SVG rasterised at 2400 x 2270 px)."""
    return _png(_canvas_svg(build_report(inp), _Style(cairo=True)))


def render_diagram_svg(inp: ExportInput) -> bytes:
    """The A3 diagram alone as SVG: labelled axes, initiatives placed at (x, y)."""
    return _diagram_svg(build_report(inp), _Style(cairo=False))


def render_diagram_png(inp: ExportInput) -> bytes:
    """The A3 diagram alone as PNG (2800 x 2000 px: twice the SVG size, for slides)."""
    return _png(_diagram_svg(build_report(inp), _Style(cairo=True)), scale=2.0)


def diagram_svg(report: Report) -> bytes:
    """The A3 diagram SVG for a report already built, cards without author lines (for the PDF)."""
    return _diagram_svg(report, _Style(cairo=False, compact=True))
