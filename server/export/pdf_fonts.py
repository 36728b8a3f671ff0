"""Fonts for the PDF: DejaVu Sans files found on this machine, as `@font-face` rules.

The faces are loaded from the files fontconfig reports (or a usual install path) and
embedded as a subset; without them the fallback chain still renders through fontconfig.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

FONT_FAMILY = "CocanvasSans"
# (fontconfig pattern, usual file name, CSS weight, CSS style)
_FACES = (
    ("DejaVu Sans:style=Book", "DejaVuSans.ttf", "normal", "normal"),
    ("DejaVu Sans:style=Bold", "DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVu Sans:style=Oblique", "DejaVuSans-Oblique.ttf", "normal", "italic"),
)
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)


@functools.cache
def font_files() -> tuple[tuple[str, str, str], ...]:
    """(file URL, CSS weight, CSS style) of each DejaVu Sans face found; may be empty.

    Asks fontconfig (`fc-match`) first, then looks in the usual font directories. Cached per
    process: fonts do not move while the server runs.
    """
    found = []
    fc_match = shutil.which("fc-match")
    for pattern, filename, weight, style in _FACES:
        path: str | None = None
        if fc_match:
            try:
                result = subprocess.run(
                    [fc_match, "--format=%{file}", pattern],
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=False,
                )
                candidate = result.stdout.strip()
                if result.returncode == 0 and Path(candidate).name == filename:
                    path = candidate
            except (OSError, subprocess.SubprocessError):
                path = None
        if path is None:
            path = next(
                (str(Path(d) / filename) for d in _FONT_DIRS if (Path(d) / filename).is_file()),
                None,
            )
        if path is not None and os.access(path, os.R_OK):
            found.append((Path(path).resolve().as_uri(), weight, style))
    return tuple(found)


def font_css() -> str:
    rules = [
        f"@font-face {{ font-family: {FONT_FAMILY}; src: url({url!r}); "
        f"font-weight: {weight}; font-style: {style}; }}"
        for url, weight, style in font_files()
    ]
    return "\n".join(rules)
