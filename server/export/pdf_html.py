"""The HTML and stylesheet the PDF protocol is rendered from.

The document frame: head, stylesheet (`pdf_css`), cover and ranking (`pdf_sections`), the
parts with their fields (`pdf_fields`), the log. Every user string goes through `html.escape`
(`pdf_blocks`); right-to-left text carries `dir="rtl"` so Arabic runs right to left, and the
document carries `lang`.

Speed (DESIGN.md section 8): WeasyPrint lays out plain block boxes fast and flexbox or
inline-block slowly, so the stylesheet uses only block layout and a few small tables with
a fixed layout; a note is two or three paragraphs with no inline elements and no wrapper
box. A 500-note board takes about 2.5-3 s of CPU, a 2,000-note board about 13 s
(`bench/export_bench.py`, WeasyPrint 70, tagged PDF/A included).
"""

from __future__ import annotations

from .pdf_blocks import esc, para
from .pdf_css import page_css
from .pdf_fields import field_html
from .pdf_sections import cover_html, log_html, ranking_html
from .report import Report


def document_title(report: Report) -> str:
    """The PDF's title (shown by readers instead of the file name): board and kind."""
    return f"{report.title} – {report.t('doc.kind')}"


def build_html(report: Report) -> str:
    """The HTML the PDF is rendered from (every user string escaped)."""
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(report.locale)}"><head><meta charset="utf-8">',
        f"<title>{esc(document_title(report))}</title>",
        '<meta name="generator" content="cocanvas">',
        f"<style>{page_css(report)}</style></head><body>",
    ]
    out += cover_html(report)
    out += ranking_html(report)
    for index, part in enumerate(report.parts):
        heading = report.t("part.heading", id=part.id, label=part.label)
        out.append(
            f'<section class="part part-{esc(part.id)} part-n{index}"><h2>{esc(heading)}</h2>'
        )
        if part.subtitle:
            out.append(para("subtitle", part.subtitle))
        for field in part.fields:
            out += field_html(report, field)
        out.append("</section>")
    if report.other is not None:
        out += field_html(report, report.other)
    out += log_html(report)
    out.append("</body></html>")
    return "\n".join(out)
