"""One export render as a picklable job: the board's state and options in, file bytes out.

The job carries the board as one Yjs update rather than as a JSON view, so decoding the
document (CPU-bound for a big board) happens wherever the job runs: in an export worker
process on a server, in a thread for the command line.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

from canvas_schema import Canvas, MigrationError

from .export import FORMATS, ExportInput
from .sync.document import doc_view, load_doc
from .upgrade import content_version, upgrade_doc


@dataclass(frozen=True)
class RenderJob:
    """Everything one render needs; see `server.export.ExportInput` for the options."""

    fmt: str
    state: bytes
    canvas: Canvas
    locale: str
    exported_at: float
    source_label: str | None
    anonymize: bool
    board_id: str

    def cache_key(self, canvas_id: str, canvas_version: object) -> tuple[object, ...]:
        """Equal for renders that give the same file; the board's content by hash.

        `exported_at` is left out on purpose: a cached file says when it was rendered.
        """
        digest = hashlib.sha256(self.state).hexdigest()
        return (
            self.board_id,
            digest,
            self.fmt,
            canvas_id,
            canvas_version,
            self.locale,
            self.source_label,
            self.anonymize,
        )


def run_job(job: RenderJob) -> bytes:
    """Render `job`; raises KeyError for an unknown format."""
    spec = FORMATS[job.fmt]
    doc = load_doc(job.state, [])
    # a snapshot or an unloaded board may be at an older canvas version (P380)
    with contextlib.suppress(MigrationError):
        upgrade_doc(doc, job.canvas, content_version(doc, job.canvas.version))
    inp = ExportInput(
        board=doc_view(doc),
        canvas=job.canvas,
        locale=job.locale,
        exported_at=job.exported_at,
        source_label=job.source_label,
        anonymize=job.anonymize,
        board_id=job.board_id,
    )
    return spec.render(inp)
