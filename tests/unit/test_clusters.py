"""The cluster keys of a note, judged alone (PROTOCOL.md P270, P271)."""

from __future__ import annotations

import pytest

from server.sync.clusters import MAX_HEADING_CHARS, cluster_problem


def judge(note: dict[str, object], keys: tuple[str, ...] = ("cluster", "heading")) -> str | None:
    return cluster_problem(note.get, keys, "notes")


def test_p270_both_keys_or_neither_are_fine() -> None:
    assert judge({}) is None
    assert judge({"cluster": "g-1_a", "heading": ""}) is None
    assert judge({"cluster": "g", "heading": "ä" * MAX_HEADING_CHARS}) is None


@pytest.mark.parametrize(
    "note",
    [
        {"cluster": "g1"},
        {"heading": "Ohne Gruppe"},
        {"cluster": "", "heading": "leer"},
        {"cluster": "g 1", "heading": "Leerzeichen"},
        {"cluster": "g" * 65, "heading": "lang"},
        {"cluster": "g1", "heading": "x" * (MAX_HEADING_CHARS + 1)},
        {"cluster": "g1", "heading": "zwei\nZeilen"},
        {"cluster": "g1", "heading": "Null\x00"},
        {"cluster": "g1", "heading": "Trenner\u2028"},
        {"cluster": "g1", "heading": 12},
    ],
)
def test_p270_broken_pairs_and_values_are_named(note: dict[str, object]) -> None:
    problem = judge(note)
    assert problem is not None and "P270" in problem


def test_p271_only_plain_note_fields_and_only_when_touched() -> None:
    grouped = {"cluster": "g1", "heading": "Gruppe"}
    assert "P271" in (cluster_problem(grouped.get, ("field",), "diagram") or "")
    assert cluster_problem(grouped.get, ("text",), "diagram") is None  # old data stays
    assert cluster_problem({"cluster": "g1"}.get, ("color",), "notes") is None
