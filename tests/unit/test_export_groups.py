"""Groups of notes in every export: drawn as the board flows them, headings as plain text,
CSV formula-safe (PROTOCOL.md P270, P273)."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from server.export.build import build_report
from server.export.canvas_image import render_png, render_svg
from server.export.csv_export import render_csv
from server.export.json_export import render_json
from server.export.markdown import render_md
from server.export.pdf_html import build_html
from tests.unit.export_fixtures import filled_board, make_input
from tests.unit.test_export_layout import cards, overlapping

NS = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script> & Co"
FORMULA = '=HYPERLINK("http://evil.example","Klick")'


def grouped_board() -> dict[str, Any]:
    """A1 with 12 more notes: two groups spread over the order, one with hostile headings,
    and a stale group key in the A3 diagram (never drawn as a group there)."""
    board = copy.deepcopy(filled_board())
    notes = board["notes"]
    base = max(n.get("created_at", 0) for n in notes.values())
    for i in range(12):
        note: dict[str, Any] = {"field": "A1", "text": f"Idee {i}", "created_at": base + i}
        if i in (1, 4, 9):
            note |= {"cluster": "g-script", "heading": SCRIPT}
        if i in (6, 7):
            note |= {"cluster": "g-formula", "heading": FORMULA}
        notes[f"g{i:02d}"] = note
    notes["g-stale"] = {
        "field": "A3",
        "text": "Im Diagramm",
        "x": 0.5,
        "y": 0.5,
        "cluster": "g-x",
        "heading": "nie",
    }
    return board


def frames(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    return {
        r.get("data-cluster", ""): (
            float(r.get("x", "0")),
            float(r.get("y", "0")),
            float(r.get("width", "0")),
            float(r.get("height", "0")),
        )
        for r in root.iter(f"{NS}rect")
        if r.get("class") == "cluster"
    }


def inside(card: tuple[str, float, float, float, float], box: tuple[float, ...]) -> bool:
    _, x, y, w, h = card
    bx, by, bw, bh = box
    return bx <= x and by <= y and x + w <= bx + bw and y + h <= by + bh


def test_p273_svg_draws_groups_around_their_notes_and_nothing_overlaps() -> None:
    svg = render_svg(make_input(board=grouped_board()))
    boxes = frames(svg)
    assert set(boxes) == {"g-script", "g-formula"}
    a1 = {c[0]: c for c in cards(svg, "A1")}
    for member in ("g01", "g04", "g09"):
        assert inside(a1[member], boxes["g-script"])
    for member in ("g06", "g07"):
        assert inside(a1[member], boxes["g-formula"])
    for loose in ("g00", "g02", "g03", "g05", "g08", "g10", "g11"):
        assert not inside(a1[loose], boxes["g-script"]) and not inside(
            a1[loose], boxes["g-formula"]
        )
    assert overlapping(cards(svg)) == []
    # the group stands where its first member would: after g00, before g02
    assert a1["g00"][2] < boxes["g-script"][1] < a1["g02"][2]
    # headings are text, never markup
    root = ET.fromstring(svg)
    assert SCRIPT in [t.text for t in root.iter(f"{NS}text")]
    assert not list(root.iter(f"{NS}script")) and not list(root.iter("script"))


def test_p273_png_with_groups_renders() -> None:
    data = render_png(make_input(board=grouped_board()))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_p270_csv_has_the_heading_formula_safe() -> None:
    for locale, delimiter in (("de", ";"), ("en", ",")):
        text = render_csv(make_input(board=grouped_board(), locale=locale)).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        column = rows[0].index("Cluster (Überschrift)" if locale == "de" else "Cluster (heading)")
        by_text = {r[rows[0].index("Text")]: r[column] for r in rows[1:]}
        assert by_text["Idee 6"] == "'" + FORMULA
        assert by_text["Idee 1"] == SCRIPT
        assert by_text["Idee 0"] == "" and by_text["Im Diagramm"] == ""
        assert all(len(r) == len(rows[0]) for r in rows)


def test_p270_json_carries_cluster_and_heading() -> None:
    data = json.loads(render_json(make_input(board=grouped_board())))
    notes = {n["id"]: n for n in data["notes"]}
    assert (notes["g06"]["cluster"], notes["g06"]["heading"]) == ("g-formula", FORMULA)
    assert (notes["g00"]["cluster"], notes["g00"]["heading"]) == (None, None)
    assert notes["g-stale"]["cluster"] is None  # only plain note fields group (P271)


def test_p273_pdf_and_markdown_list_groups_under_their_headings() -> None:
    inp = make_input(board=grouped_board())
    html = build_html(build_report(inp))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html and "<script>" not in html
    md = render_md(inp).decode("utf-8")
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("- **") and "Co**" in line)
    assert [line.strip()[:8] for line in lines[start + 1 : start + 4]] == ["- Idee 1"] + [
        "- Idee 4",
        "- Idee 9",
    ]
    assert all(line.startswith("  - ") for line in lines[start + 1 : start + 4])
