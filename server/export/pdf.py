"""PDF protocol of a board, rendered by WeasyPrint from the HTML built in `pdf_html`.

Fonts (`pdf_fonts`) are embedded as subsets; WeasyPrint fetches nothing but them and the
embedded diagram.
"""

from __future__ import annotations

from .build import build_report
from .model import ExportInput
from .pdf_html import build_html


def render_pdf(inp: ExportInput) -> bytes:
    """The board as a printable A4 PDF protocol (fonts embedded, page numbers).

    Args:
        inp: the export input.

    Returns:
        The PDF bytes.
    """
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    report = build_report(inp)
    # Only our font files and the embedded diagram are ever fetched.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=build_html(report), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf
