"""PNG/SVG exports lay notes out as the board does: none hidden under another (P281, P283)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

from server.export.canvas_image import render_png, render_svg
from server.export.diagram_image import render_diagram_svg
from tests.unit.export_fixtures import filled_board, make_input

NS = "{http://www.w3.org/2000/svg}"
LONG = "Ein langer Beitrag aus dem Workshop, der über viele Zeilen geht. " * 5
Box = tuple[str, float, float, float, float]  # note id, x, y, w, h


def cards(svg: bytes, field: str | None = None) -> list[Box]:
    """Each note's card rectangle, in drawing order (later ones lie on top)."""
    root = ET.fromstring(svg)
    scopes = [root]
    if field is not None:
        scopes = [g for g in root.iter(f"{NS}g") if g.get("id") == f"field-{field}"]
        assert scopes, field
    out = []
    for g in scopes[0].iter(f"{NS}g"):
        if g.get("class") != "note":
            continue
        r = next(g.iter(f"{NS}rect"))
        out.append(
            (
                g.get("data-note", ""),
                float(r.get("x", "0")),
                float(r.get("y", "0")),
                float(r.get("width", "0")),
                float(r.get("height", "0")),
            )
        )
    return out


def overlapping(boxes: list[Box]) -> list[tuple[str, str]]:
    found = []
    for i, (a, ax, ay, aw, ah) in enumerate(boxes):
        for b, bx, by, bw, bh in boxes[i + 1 :]:
            if (
                min(ax + aw, bx + bw) - max(ax, bx) > 0.5
                and min(ay + ah, by + bh) - max(ay, by) > 0.5
            ):
                found.append((a, b))
    return found


def hidden(boxes: list[Box]) -> list[str]:
    """Notes whose top band (who line and first line) a later card covers completely."""
    out = []
    for i, (a, ax, ay, aw, ah) in enumerate(boxes):
        band = (ax, ay, ax + aw, ay + ah * 0.3)
        for _, bx, by, bw, bh in boxes[i + 1 :]:
            if bx <= band[0] and by <= band[1] and bx + bw >= band[2] and by + bh >= band[3]:
                out.append(a)
                break
    return out


def workshop_board(in_a1: int, in_a3: int) -> dict[str, Any]:
    """Many notes in A1 (some long) and in A3, all on the same spot, as devices placed them."""
    board = copy.deepcopy(filled_board())
    notes = board["notes"]
    base = max(n.get("created_at", 0) for n in notes.values())
    for i in range(in_a1):
        text = LONG if i % 5 == 2 else f"Idee {i}"
        notes[f"w-a1-{i:02d}"] = {
            "field": "A1",
            "text": text,
            "x": 0.5,
            "y": 0.5,
            "created_at": base + i,
        }
    for i in range(in_a3):
        notes[f"w-a3-{i:02d}"] = {
            "field": "A3",
            "text": f"Initiative {i}",
            "x": 0.5,
            "y": 0.5,
            "created_at": base + i,
        }
    return board


def test_p283_svg_flowing_field_has_no_overlapping_notes_and_grows() -> None:
    svg = render_svg(make_input(board=workshop_board(30, 0)))
    a1 = cards(svg, "A1")
    assert len([c for c in a1 if c[0].startswith("w-a1-")]) == 30
    assert overlapping(cards(svg)) == []
    # the long notes get taller cards than the short ones
    heights = {c[0]: c[4] for c in a1}
    assert heights["w-a1-02"] > heights["w-a1-01"] * 1.5
    # 30 notes do not fit a sixth of the board: the image grew
    assert int(ET.fromstring(svg).get("height", "0")) > 2270


def test_p281_svg_diagram_notes_on_one_spot_are_spread_out() -> None:
    board = workshop_board(0, 12)
    for svg in (render_svg(make_input(board=board)), render_diagram_svg(make_input(board=board))):
        a3 = cards(svg, "A3") if b'id="field-A3"' in svg else cards(svg)
        assert len(a3) >= 12
        assert overlapping(a3) == []


def test_p281_svg_full_diagram_stacks_notes_without_hiding_one() -> None:
    board = workshop_board(0, 40)
    for svg in (render_svg(make_input(board=board)), render_diagram_svg(make_input(board=board))):
        a3 = cards(svg, "A3") if b'id="field-A3"' in svg else cards(svg)
        assert overlapping(a3), "40 notes cannot all fit: some are stacked"
        assert hidden(a3) == []


def test_p283_png_of_a_grown_board_renders() -> None:
    data = render_png(make_input(board=workshop_board(30, 30)))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
