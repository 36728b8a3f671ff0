"""Find, load, validate and cache canvas files.

Built-in canvases live in `canvas_schema/canvases/<id>.json`. A city can add its
own in extra directories; those are searched first, so a file there with a
built-in id replaces the built-in canvas.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

from .issues import ID, CanvasError, Issue
from .model import Canvas
from .parse import parse_canvas
from .validate import validate

CANVAS_DIR = Path(__file__).resolve().parent / "canvases"


class CanvasNotFoundError(LookupError):
    """No canvas with the requested id; `known` lists the ids that exist."""

    def __init__(self, canvas_id: str, known: Sequence[str]) -> None:
        self.canvas_id = canvas_id
        self.known = tuple(known)
        listed = ", ".join(self.known) or "none"
        super().__init__(f"unknown canvas {canvas_id!r}; known canvases: {listed}")


def load_canvas_file(path: Path | str) -> Canvas:
    """Load and validate one canvas file.

    Raises:
        CanvasError: the file is not JSON or breaks a canvas rule; `.issues` lists why.
        OSError: the file cannot be read.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        issue = Issue("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        raise CanvasError([issue], source=str(path)) from exc
    issues = validate(data)
    if issues:
        raise CanvasError(issues, source=str(path))
    return parse_canvas(data)


def load_canvas(canvas_id: str, extra_dirs: Sequence[Path] = ()) -> Canvas:
    """Return the canvas with this id, loaded once and then cached.

    Args:
        canvas_id: e.g. `"ko-kreation"`; the file is `<canvas_id>.json`.
        extra_dirs: directories with a city's own canvases, searched in order
            before the built-in ones.

    Raises:
        CanvasNotFoundError: no such canvas; the message lists the known ids.
        CanvasError: the canvas file is invalid.
        FileNotFoundError: an extra directory does not exist.
    """
    return _load(canvas_id, _dirs(extra_dirs))


def list_canvases(extra_dirs: Sequence[Path] = ()) -> list[Canvas]:
    """Return every available canvas, sorted by id.

    Raises:
        CanvasError: a canvas file is invalid or its name is not a canvas id.
        FileNotFoundError: an extra directory does not exist.
    """
    dirs = _dirs(extra_dirs)
    for path in (p for d in dirs for p in d.glob("*.json")):
        if not ID.fullmatch(path.stem):
            message = f"file name '{path.name}' is not a canvas id; name the file '<id>.json'"
            raise CanvasError([Issue("id", message)], source=str(path))
    return [_load(canvas_id, dirs) for canvas_id in _known_ids(dirs)]


def clear_cache() -> None:
    """Forget loaded canvases, e.g. after a city edited its canvas files."""
    _load.cache_clear()


def _dirs(extra_dirs: Sequence[Path]) -> tuple[Path, ...]:
    dirs = tuple(Path(d).resolve() for d in extra_dirs)
    for d in dirs:
        if not d.is_dir():
            raise FileNotFoundError(f"canvas directory {d} does not exist")
    return (*dirs, CANVAS_DIR)


def _known_ids(dirs: tuple[Path, ...]) -> list[str]:
    return sorted({p.stem for d in dirs for p in d.glob("*.json") if ID.fullmatch(p.stem)})


@functools.cache
def _load(canvas_id: str, dirs: tuple[Path, ...]) -> Canvas:
    # the pattern check also keeps ids like '../x' from leaving the directories
    if ID.fullmatch(canvas_id):
        for d in dirs:
            path = d / f"{canvas_id}.json"
            if path.is_file():
                canvas = load_canvas_file(path)
                if canvas.id != canvas_id:
                    message = (
                        f"id '{canvas.id}' does not match the file name '{path.name}'; "
                        "rename the file or change the id"
                    )
                    raise CanvasError([Issue("id", message)], source=str(path))
                return canvas
    raise CanvasNotFoundError(canvas_id, _known_ids(dirs))
