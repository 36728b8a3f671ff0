"""Every setting and limit is documented in README.md's tables (P160-P167 added several)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from server.settings import Limits, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
# a group, not a setting
UNDOCUMENTED = {"limits"}


def documented(variable: str) -> bool:
    if f"`{variable}`" in README:
        return True
    # "`COCANVAS_COMPACT_AFTER_ROWS` / `_BYTES`" documents both
    stem, _, last = variable.rpartition("_")
    return any(f"`_{last}`" in line and stem in line for line in README.splitlines())


def test_every_setting_is_in_the_readme() -> None:
    missing = [
        f"COCANVAS_{f.name.upper()}"
        for f in fields(Settings)
        if f.name not in UNDOCUMENTED and not documented(f"COCANVAS_{f.name.upper()}")
    ]
    assert missing == []


def test_every_limit_is_in_the_readme() -> None:
    missing = [f.name.upper() for f in fields(Limits) if not documented(f.name.upper())]
    assert missing == []
