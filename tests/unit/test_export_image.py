"""SVG/PNG images: well-formed, text escaped, notes placed, RTL set, PNG plausible."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from server.export.canvas_image import render_png, render_svg
from server.export.diagram_image import render_diagram_png, render_diagram_svg
from server.export.svgtext import wrap, xml_safe
from tests.unit.export_fixtures import ARABIC, HOSTILE, filled_board, make_input

NS = "{http://www.w3.org/2000/svg}"


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def note_groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-note", ""): g for g in root.iter(f"{NS}g") if g.get("class") == "note"}


def note_text(group: ET.Element) -> str:
    """The note's text as drawn (its last <text>: the who line comes first)."""
    texts = [t for t in group.iter(f"{NS}text") if t.find(f"{NS}tspan") is not None]
    return " ".join(s.text or "" for s in texts[-1].iter(f"{NS}tspan"))


def size_of_png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def canvas_svg() -> bytes:
    return render_svg(make_input())


@pytest.fixture(scope="module")
def diagram_svg() -> bytes:
    return render_diagram_svg(make_input())


def test_svg_is_well_formed_and_has_no_script_element(canvas_svg: bytes) -> None:
    root = parse(canvas_svg)
    assert root.tag == f"{NS}svg"
    assert not [
        el for el in root.iter() if el.tag.split("}")[-1].lower() in {"script", "foreignobject"}
    ]


def test_svg_has_every_field(canvas_svg: bytes) -> None:
    ids = {g.get("id") for g in parse(canvas_svg).iter(f"{NS}g")}
    for field in ("A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2", "C3"):
        assert f"field-{field}" in ids


def test_svg_escapes_hostile_text_into_text_nodes(canvas_svg: bytes) -> None:
    raw = canvas_svg.decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script" in raw
    assert "&lt;/svg&gt;" in raw
    assert "]]&gt;" in raw
    assert "<script" not in raw
    assert raw.count("</svg>") == 1


@pytest.mark.parametrize(
    ("note_id", "hostile"),
    [("a4-script", HOSTILE[4]), ("b2-svg", HOSTILE[5]), ("a2-at", HOSTILE[3]), ("a2-plus", "+1")],
)
def test_svg_hostile_note_reads_back_as_its_text(
    canvas_svg: bytes, note_id: str, hostile: str
) -> None:
    group = note_groups(parse(canvas_svg))[note_id]
    assert note_text(group).replace(" ", "") == hostile.replace(" ", "")


def test_svg_sets_arabic_notes_right_to_left(canvas_svg: bytes) -> None:
    group = note_groups(parse(canvas_svg))["a3-ar"]
    text = [t for t in group.iter(f"{NS}text") if t.get("direction") == "rtl"]
    assert text and note_text(group) == ARABIC


def test_diagram_places_initiatives_with_y_zero_at_the_bottom(diagram_svg: bytes) -> None:
    groups = note_groups(parse(diagram_svg))

    def top(note_id: str) -> float:
        return float(next(groups[note_id].iter(f"{NS}rect")).get("y", "0"))

    def left(note_id: str) -> float:
        return float(next(groups[note_id].iter(f"{NS}rect")).get("x", "0"))

    # Repair-Café (y 0.92, community) is above the open data portal (y 0.05, administration)
    assert top("a3-repair") < top("a3-garden") < top("a3-portal")
    assert left("a3-repair") < left("a3-ar") < left("a3-portal")
    assert "a3-unplaced" not in groups


def test_diagram_has_axis_and_tick_labels(diagram_svg: bytes) -> None:
    texts = {t.text for t in parse(diagram_svg).iter(f"{NS}text")}
    assert "Inhaltlicher Schwerpunkt →" in texts
    assert "Steuerungsmodell →" in texts
    assert "Von der Verwaltung geführt" in texts
    assert "Technologie & Innovation" in texts


def test_diagram_lists_initiatives_without_position(diagram_svg: bytes) -> None:
    raw = diagram_svg.decode()
    assert "Ohne Position im Diagramm: FabLab im Technologiezentrum" in raw


def test_png_of_the_canvas_has_signature_and_board_size() -> None:
    assert size_of_png(render_png(make_input())) == (2400, 2270)


def test_png_of_the_diagram_is_twice_the_svg_size() -> None:
    assert size_of_png(render_diagram_png(make_input())) == (2800, 2000)


def test_svg_of_an_empty_board_renders() -> None:
    root = parse(render_svg(make_input(board={})))
    assert not note_groups(root)
    parse(render_diagram_svg(make_input(board={})))


def test_svg_drops_characters_xml_forbids() -> None:
    board = filled_board()
    board["notes"]["a1-def"]["text"] = "bell\x07 and \x00nul\ufffe"
    board["meta"]["title"] = "Titel\x0b"
    parse(render_svg(make_input(board=board)))
    assert xml_safe("a\x01b\ud800c") == "abc"


def test_wrap_cuts_long_text_with_an_ellipsis() -> None:
    lines = wrap("wort " * 200, 160, 14, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert wrap("x" * 5000, 160, 14, 2)[-1].endswith("…")
