"""The stylesheet of the PDF protocol: page frame (running heads, page numbers), type, and
the coloured bands of notes.

Only block layout and a few fixed tables: WeasyPrint lays those out fast (see `pdf_html`).
"""

from __future__ import annotations

from . import labels
from .pdf_fonts import FONT_FAMILY, font_css
from .readers import HEX_COLOR
from .report import NEUTRAL_GROUP_COLOR, Report


def page_css(report: Report) -> str:
    """The whole stylesheet, with the running heads in the report's language."""
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


def color_class(value: str) -> str:
    """A class per group colour: inline `style` attributes cost WeasyPrint ~15 % of a render.

    Colours are validated as #rrggbb when the report is built, so the name is always safe.
    """
    return "c" + value.lstrip("#").lower()


def _color_css(report: Report) -> str:
    colors = {NEUTRAL_GROUP_COLOR, *(g.color for g in report.groups)}
    return "\n".join(
        f".{color_class(c)} {{ border-left-color: {c}; }}"
        for c in sorted(colors)
        if HEX_COLOR.match(c)
    )
