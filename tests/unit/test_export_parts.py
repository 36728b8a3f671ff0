"""Part colours in the exports come from the canvas's parts, not from a list of ids."""

from __future__ import annotations

import dataclasses

from canvas_schema import Part
from server.export.build import build_report
from server.export.pdf_html import build_html
from server.export.report import PART_PALETTE
from tests.unit.export_fixtures import canvas, make_input


def test_ko_kreation_parts_keep_their_colours() -> None:
    report = build_report(make_input())
    assert [(p.id, p.color) for p in report.parts] == [
        ("A", "#1d5f8a"),
        ("B", "#74398a"),
        ("C", "#2d6a37"),
    ]


def test_a_canvas_with_other_parts_gets_colours_by_position() -> None:
    base = canvas()
    renamed = {"A": "Start", "B": "Mitte", "C": "Ende"}
    parts = tuple(
        dataclasses.replace(
            p,
            id=renamed[p.id],
            fields=tuple(dataclasses.replace(f, part=renamed[p.id]) for f in p.fields),
        )
        for p in base.parts
    )
    own = dataclasses.replace(
        base,
        parts=(*parts, Part(id="Extra", minutes=10, fields=())),
        texts={"de": {base.key("part", "Extra", "label"): "Extra"}},
    )
    inp = dataclasses.replace(make_input(), canvas=own)
    report = build_report(inp)
    assert [p.color for p in report.parts] == list(PART_PALETTE[:4])
    html = build_html(report)
    assert 'class="part part-Extra part-n3"' in html
    assert f".part-n3 h2 {{ border-color: {PART_PALETTE[3]}; }}" in html
