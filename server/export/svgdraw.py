"""Building blocks of the SVG and PNG images: elements, text lines, note cards, output.

Documents are built with ElementTree, which escapes every text node and attribute; user
text additionally loses characters XML forbids. Right-to-left notes are set with
`direction="rtl"`.

PNG is the same SVG rasterised by CairoSVG. CairoSVG ignores `direction`, so the SVG made
for it anchors right-to-left lines at their end instead (same picture, other mechanism).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .report import Note, Report
from .svgtext import one_line, wrap, xml_safe
from .wording import is_rtl, note_by

SVG_NS = "http://www.w3.org/2000/svg"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
INK = "#1a1d21"
MUTED = "#4a525c"
LINE = "#c5ccd3"
PNG_SCALE = 1.0


@dataclass(frozen=True)
class Style:
    """How right-to-left lines are set (per the SVG spec, or for CairoSVG), and whether cards
    leave out the author line (the PDF lists authors under the diagram; less text to lay out)."""

    cairo: bool
    compact: bool = False


def el(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: object) -> ET.Element:
    """A child element; `font_size=12` becomes `font-size="12"`, `class_` becomes `class`."""
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): xml_safe(str(v)) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = xml_safe(text)
    return element


def svg_root(width: int, height: int, title: str, desc: str) -> ET.Element:
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
    el(root, "title", title)
    el(root, "desc", desc)
    el(root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    return root


def text_lines(
    parent: ET.Element,
    lines: list[str],
    x: float,
    y: float,
    width: float,
    size: float,
    style: Style,
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
    text = el(parent, "text", x=f"{anchor_x:.1f}", y=f"{y:.1f}", **text_attrs)
    text.set(XML_SPACE, "preserve")
    for i, line in enumerate(lines):
        el(text, "tspan", line, x=f"{anchor_x:.1f}", y=f"{y + i * size * leading:.1f}")


def card_height(
    report: Report, note: Note, w: float, style: Style, size: float, max_lines: int
) -> float:
    """The height a card `w` px wide needs to show its text (up to `max_lines` lines)."""
    pad = size * 0.45
    top = 5 + pad + size
    if not style.compact and note_by(report, note):
        top += round(size * 0.8, 1) + size * 0.35
    badge = size * 0.9 if note.votes else 0.0
    width = w - 2 * pad - (2 * badge if style.compact or not note_by(report, note) else 0)
    lines = len(wrap(note.text, width, size, max_lines)) + (1 if note.format_title else 0)
    lines = min(max(1, lines), max_lines)
    # inverse of note_card's line budget: `lines` lines fit below `top` with `pad` to spare
    return top + pad + (lines - 1) * size * 1.25 + 1


def note_card(
    parent: ET.Element,
    report: Report,
    note: Note,
    cx: float,
    cy: float,
    w: float,
    h: float,
    style: Style,
    size: float = 14.0,
) -> None:
    """A sticky note centred at (cx, cy): group band, who, text (`size` px), votes badge."""
    x, y = cx - w / 2, cy - h / 2
    pad = size * 0.45
    group = el(parent, "g", class_="note", data_note=note.id)
    el(
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
    el(group, "rect", x=f"{x:.1f}", y=f"{y:.1f}", width=w, height=5, fill=note.group_color)
    badge = size * 0.9 if note.votes else 0.0
    who = "" if style.compact else note_by(report, note)
    baseline = y + 5 + pad
    if who:
        who_size = round(size * 0.8, 1)
        baseline += who_size
        el(
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
    text_lines(group, lines, x + pad, baseline, width, size, style, rtl=rtl, fill="#111111")
    if note.votes:
        bx, by = x + w - badge - 2, y + 5 + badge + 1
        el(group, "circle", cx=f"{bx:.1f}", cy=f"{by:.1f}", r=f"{badge:.1f}", fill=INK)
        el(
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


def serialise(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def to_png(svg: bytes, scale: float = PNG_SCALE) -> bytes:
    import cairosvg  # type: ignore[import-untyped]

    data: bytes = cairosvg.svg2png(bytestring=svg, scale=scale, unsafe=False)
    return data
