"""The format registry: every format renders any board, purely, and in a process pool."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from server.export import FORMATS, ExportInput, render_md
from tests.unit.export_fixtures import filled_board, make_input

EXPECTED = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "pdf": ("application/pdf", "pdf"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "a3.svg": ("image/svg+xml", "a3.svg"),
    "a3.png": ("image/png", "a3.png"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
}


def junk_board() -> dict[str, Any]:
    """Everything wrong that a board view could plausibly contain."""
    board = filled_board()
    board["meta"] = {"title": 42, "created_at": "yesterday", "canvas": None}
    board["notes"]["bad-1"] = "not a map"
    board["notes"]["bad-2"] = {
        "field": "A3",
        "text": None,
        "x": "left",
        "y": float("nan"),
        "color": "url(javascript:alert(1))",
        "group": ["x"],
        "author": 7,
        "due": "2026-02-30",
        "done": "yes",
        "order": True,
        "created_at": 1e30,
    }
    board["notes"]["bad-3"] = {"field": "C3", "kind": "weird", "x": -5, "y": 9, "due": "2026-13-01"}
    board["control"] = {
        "agenda": [None, {"id": 3, "minutes": "ten"}, {"kind": "part", "part": "B"}],
        "voting": {"state": "closed", "fields": "A1", "results": {"a1-def": {"total": "many"}}},
        "log": [None, {"at": "now", "by": "someone"}],
        "roster": {"administration": "five", "youth": -2, "anonymous": 1.5},
    }
    return board


def test_registry_has_every_format_with_media_type_and_extension() -> None:
    assert {n: (f.media_type, f.extension) for n, f in FORMATS.items()} == EXPECTED
    assert all(f.name == n for n, f in FORMATS.items())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_format_renders_a_broken_board(name: str) -> None:
    assert FORMATS[name].render(make_input(board=junk_board()))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_format_renders_an_empty_board_in_english(name: str) -> None:
    assert FORMATS[name].render(make_input(board={}, locale="en", source_label=None))


@pytest.mark.parametrize("name", ["md", "csv", "json", "svg", "ics"])
def test_renderers_do_not_change_their_input(name: str) -> None:
    inp = make_input()
    before = copy.deepcopy((inp.board, inp.canvas))
    FORMATS[name].render(inp)
    assert (inp.board, inp.canvas) == before


@pytest.mark.parametrize("name", ["md", "csv", "json", "svg", "ics"])
def test_renderers_are_deterministic(name: str) -> None:
    assert FORMATS[name].render(make_input()) == FORMATS[name].render(make_input())


def test_input_format_and_output_are_picklable() -> None:
    inp = make_input()
    assert pickle.loads(pickle.dumps(inp)) == inp
    assert pickle.loads(pickle.dumps(FORMATS["pdf"])).render is FORMATS["pdf"].render


def test_a_renderer_runs_in_a_process_pool() -> None:
    inp: ExportInput = make_input()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(render_md, inp).result(timeout=60) == render_md(inp)
