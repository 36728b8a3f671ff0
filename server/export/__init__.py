"""Exports of a board: pure renderers, one module per format, and the `.cocanvas` archive.

Every renderer is a module-level function `render_<fmt>(inp: ExportInput) -> bytes`: no I/O
besides reading fonts, no shared state, picklable input and output, so callers can run it
in a process pool (a PDF takes seconds and must never stall the event loop).

Usage::

    from server.export import FORMATS, ExportInput

    fmt = FORMATS["pdf"]
    data = fmt.render(ExportInput(board=view, canvas=load_canvas(canvas_id), locale="de",
                                  exported_at=time.time(), source_label=None))
    headers = {"content-type": fmt.media_type}   # file name: f"{slug}.{fmt.extension}"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..sync.vocabulary import ARCHIVE_FORMAT
from .archive import Archive as Archive
from .archive import ArchiveBoard as ArchiveBoard
from .archive import ArchiveError as ArchiveError
from .archive import ArchiveSnapshot as ArchiveSnapshot
from .archive import pack_archive as pack_archive
from .archive import unpack_archive as unpack_archive
from .canvas_image import render_png as render_png
from .canvas_image import render_svg as render_svg
from .csv_export import render_csv as render_csv
from .diagram_image import render_diagram_png as render_diagram_png
from .diagram_image import render_diagram_svg as render_diagram_svg
from .ics import render_ics as render_ics
from .json_export import load_schema as load_schema
from .json_export import render_json as render_json
from .markdown import render_md as render_md
from .model import ExportInput as ExportInput
from .pdf import render_pdf as render_pdf

ARCHIVE_MEDIA_TYPE = "application/vnd.cocanvas+msgpack"
ARCHIVE_EXTENSION = ARCHIVE_FORMAT


@dataclass(frozen=True)
class Format:
    """One export format: its name, HTTP media type, file extension and renderer."""

    name: str
    media_type: str
    extension: str
    render: Callable[[ExportInput], bytes]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", "text/markdown; charset=utf-8", "md", render_md),
        Format("csv", "text/csv; charset=utf-8", "csv", render_csv),
        Format("json", "application/json", "json", render_json),
        Format("pdf", "application/pdf", "pdf", render_pdf),
        Format("svg", "image/svg+xml", "svg", render_svg),
        Format("png", "image/png", "png", render_png),
        Format("a3.svg", "image/svg+xml", "a3.svg", render_diagram_svg),
        Format("a3.png", "image/png", "a3.png", render_diagram_png),
        Format("ics", "text/calendar; charset=utf-8", "ics", render_ics),
    )
}
